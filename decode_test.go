package glrunners

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cleanCut answers status with the start of body and closes the connection
// cleanly, without a Content-Length: only the JSON shows the cut.
func cleanCut(w http.ResponseWriter, status int, partial string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n%s", status, http.StatusText(status), partial)
	_ = buf.Flush()
	_ = conn.Close()
}

func TestCutAnswer_withoutContentLength(t *testing.T) {
	t.Parallel()
	var gets, posts, resets atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v4/runners/7", func(w http.ResponseWriter, r *http.Request) {
		if gets.Add(1) == 1 {
			cleanCut(w, 200, `{"id":7,"description":"web`)
			return
		}
		writeJSON(w, 200, `{"id":7,"description":"web"}`)
	})
	mux.HandleFunc("POST /api/v4/user/runners", func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		cleanCut(w, 201, `{"id":7,"token":"glrt-x","token_expires_at":nu`)
	})
	mux.HandleFunc("POST /api/v4/runners/7/reset_authentication_token", func(w http.ResponseWriter, r *http.Request) {
		resets.Add(1)
		cleanCut(w, 201, `{"token":"glrt-`)
	})
	c, err := NewClient(newServer(t, mux), WithToken(testToken), WithRetry(fastRetry))
	require.NoError(t, err)

	got, resp, err := c.Runners.Get(t.Context(), 7, nil)
	require.NoError(t, err, "a GET cut short is retried like one cut with a Content-Length")
	assert.Equal(t, "web", Value(got.Description))
	assert.Equal(t, 2, resp.Attempts)

	_, _, err = c.Runners.Create(t.Context(), &CreateRunnerOptions{RunnerType: InstanceType})
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "the runner exists; its token is lost")
	de, ok := asType[*DecodeError](err)
	require.True(t, ok, "%T", err)
	assert.Empty(t, de.Snippet, "a body that may hold a token is never quoted")
	assert.Equal(t, int32(1), posts.Load(), "never replayed")

	_, _, err = c.Tokens.ResetAuthenticationToken(t.Context(), 7)
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "the token rotated")
	assert.ErrorIs(t, err, ErrInvalidResponse)
	assert.Equal(t, int32(1), resets.Load())
}

func TestDecode_badSuccessBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		ctype    string
		body     string
		tooLarge bool
	}{
		{"html page", "text/html; charset=utf-8", "<html><body>Sign in</body></html>", false},
		{"truncated json", "application/json", `{"id": 4117, "description": "edge`, false},
		{"wrong json type", "application/json", `["not", "an", "object"]`, false},
		{"empty", "application/json", "", false},
		{"over the cap", "application/json", `{"description":"` + strings.Repeat("x", 4096) + `"}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, WithMaxResponseBytes(2048))
			mux.HandleFunc("GET /api/v4/runners/1", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				_, _ = w.Write([]byte(tc.body))
			})
			var out struct{ ID int64 }
			resp, err := c.call(t.Context(), http.MethodGet, "runners/1", nil, nil, &out)
			de, ok := asType[*DecodeError](err)
			require.True(t, ok, "got %T: %v", err, err)
			assert.ErrorIs(t, err, ErrInvalidResponse)
			assert.Equal(t, tc.tooLarge, errors.Is(err, ErrResponseTooLarge))
			assert.Equal(t, 200, de.StatusCode)
			assert.Equal(t, "/api/v4/runners/1", de.Path)
			assert.LessOrEqual(t, len(de.Snippet), 210)
			require.NotNil(t, resp)
			assert.Equal(t, 200, resp.StatusCode)
		})
	}
}

func TestDecode_hugeBodyIsCutNotBuffered(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t) // default 32 MiB cap
	mux.HandleFunc("GET /api/v4/runners", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := []byte(strings.Repeat(`{"id":1},`, 1<<14))
		_, _ = w.Write([]byte("["))
		for range 300 { // ~44 MiB, past the cap
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	var out []struct{ ID int64 }
	_, err := c.call(t.Context(), http.MethodGet, "runners", nil, nil, &out)
	assert.ErrorIs(t, err, ErrResponseTooLarge)
	assert.Nil(t, out)
}
