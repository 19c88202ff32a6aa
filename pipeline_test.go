package glrunners

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Regression tests of the request pipeline: retry policy defaults, where
// rate-limit waits happen, what errors say, and answers that lack what the
// operation promises.

func TestRetryPolicy_zeroFieldsMeanDefaults(t *testing.T) {
	t.Parallel()
	c, err := NewClient("https://gitlab.example.com", WithRetry(RetryPolicy{MaxRetries: 5, WaitMax: 200 * time.Millisecond}))
	require.NoError(t, err)
	assert.Equal(t, RetryPolicy{MaxRetries: 5, WaitMin: 200 * time.Millisecond, WaitMax: 200 * time.Millisecond, MaxRetryAfter: time.Minute}, c.retry,
		"WaitMin 0 takes the default, lowered to WaitMax; MaxRetryAfter 0 takes the default")

	c, err = NewClient("https://gitlab.example.com", WithRetry(RetryPolicy{}))
	require.NoError(t, err)
	assert.Equal(t, DefaultRetryPolicy(), c.retry)

	c, err = NewClient("https://gitlab.example.com", WithoutRetries())
	require.NoError(t, err)
	assert.Zero(t, c.retry.MaxRetries, "WithoutRetries is the way to switch retries off")
	assert.Equal(t, time.Minute, c.retry.MaxRetryAfter)
}

func TestRetryPolicy_zeroWaitMinStillBacksOff(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var at []time.Time
	url := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		at = append(at, time.Now())
		n := len(at)
		mu.Unlock()
		if n < 3 {
			writeJSON(w, 503, `{"message":"busy"}`)
			return
		}
		writeJSON(w, 200, `{"id":3}`)
	}))
	c, err := NewClient(url, WithToken(testToken), WithRetry(RetryPolicy{MaxRetries: 5, WaitMax: 100 * time.Millisecond}))
	require.NoError(t, err)
	_, resp, err := c.Runners.Get(t.Context(), 3, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	for i := 1; i < len(at); i++ {
		assert.GreaterOrEqual(t, at[i].Sub(at[i-1]), 100*time.Millisecond, "retry %d waited WaitMin (the default, lowered to WaitMax)", i)
	}
}

func TestRetryPolicy_zeroMaxRetryAfterStillHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	url := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, `{"message":"429 Too Many Requests"}`)
			return
		}
		writeJSON(w, 200, `{"id":3}`)
	}))
	c, err := NewClient(url, WithToken(testToken), WithRetry(RetryPolicy{MaxRetries: 2}))
	require.NoError(t, err)
	_, resp, err := c.Runners.Get(t.Context(), 3, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts, "the 429 was waited out and retried")
}

func TestRateLimit_clientWaitIsNotInsideTheAttemptTimeout(t *testing.T) {
	t.Parallel()
	url := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":1}`)
	}))
	// Each Get after the first waits about 500 ms for a token: longer than
	// the 300 ms HTTP timeout, which must bound only the attempt itself.
	c, err := NewClient(url, WithToken(testToken), WithRateLimit(2, 1),
		WithHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
	require.NoError(t, err)
	for i := range 4 {
		_, resp, err := c.Runners.Get(t.Context(), 1, nil)
		require.NoError(t, err, "call %d", i)
		assert.Equal(t, 1, resp.Attempts, "call %d needed no retry", i)
	}
}

func TestRateLimit_spentQuotaPastDeadlineFailsAtOnce(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	reset := time.Now().Add(30 * time.Second)
	url := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("RateLimit-Remaining", "0")
		w.Header().Set("RateLimit-Limit", "600")
		w.Header().Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		writeJSON(w, 200, `{"id":1}`)
	}))
	c, err := NewClient(url, WithToken(testToken))
	require.NoError(t, err)
	_, _, err = c.Runners.Get(t.Context(), 1, nil)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, _, err = c.Runners.Get(ctx, 1, nil)
	require.ErrorIs(t, err, ErrRateLimited)
	rl, ok := asType[*RateLimitError](err)
	require.True(t, ok, "%T: %v", err, err)
	assert.True(t, rl.Server)
	assert.Greater(t, rl.RetryAfter, 20*time.Second)
	assert.NoError(t, ctx.Err(), "it returned at once instead of sleeping to the deadline")
	assert.Equal(t, int32(1), n.Load(), "the second call was not sent")
	assert.Equal(t, "glrunners: GET /api/v4/runners/1: not sent: GitLab's spent rate-limit quota needs a wait of "+
		rl.RetryAfter.Round(time.Millisecond).String()+", past the context deadline", err.Error())
}

func TestError_retryAfterIsOnlyWhatGitLabAsked(t *testing.T) {
	t.Parallel()
	url := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 503, `{"message":"503 Service Unavailable"}`)
	}))
	c, err := NewClient(url, WithToken(testToken), WithRetry(RetryPolicy{MaxRetries: 1, WaitMin: time.Millisecond, WaitMax: time.Millisecond}))
	require.NoError(t, err)
	_, _, err = c.Runners.Get(t.Context(), 1, nil)
	e, ok := asType[*Error](err)
	require.True(t, ok, "%T", err)
	assert.Zero(t, e.RetryAfter, "GitLab sent no Retry-After; the SDK's backoff is not reported as one")
	assert.Equal(t, "glrunners: GET /api/v4/runners/1: 503 Service Unavailable", err.Error())

	// A backoff that would pass the deadline is not GitLab's request either.
	c, err = NewClient(url, WithToken(testToken), WithRetry(RetryPolicy{MaxRetries: 3, WaitMin: time.Hour, WaitMax: time.Hour}))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, _, err = c.Runners.Get(ctx, 1, nil)
	e, ok = asType[*Error](err)
	require.True(t, ok, "%T", err)
	assert.Zero(t, e.RetryAfter)
	assert.NoError(t, ctx.Err(), "the hour-long backoff was not slept")
}

func TestErrorStrings_oneClearSentenceEach(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v4/runners/7", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"message":"404 Runner Not Found"}`)
	})
	mux.HandleFunc("GET /api/v4/runners/8", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, `{"message":"403 Forbidden - Runner is locked"}`)
	})
	mux.HandleFunc("GET /api/v4/runners/9", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(200)
		_, _ = w.Write([]byte("<html>maintenance</html>"))
	})
	mux.HandleFunc("POST /api/v4/user/runners", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 502, `<html>bad gateway</html>`)
	})
	url := newServer(t, mux)
	c, err := NewClient(url, WithToken(testToken), WithoutRetries())
	require.NoError(t, err)
	refused, err := NewClient(refusedURL(t), WithToken(testToken), WithRetry(RetryPolicy{MaxRetries: 1, WaitMin: time.Millisecond, WaitMax: time.Millisecond}))
	require.NoError(t, err)

	errOf := func(_ any, _ *Response, err error) error { return err }
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"status repeated with its code", errOf(c.Runners.Get(t.Context(), 7, nil)),
			"glrunners: GET /api/v4/runners/7: 404 Not Found: Runner Not Found"},
		{"status repeated with its text", errOf(c.Runners.Get(t.Context(), 8, nil)),
			"glrunners: GET /api/v4/runners/8: 403 Forbidden: Runner is locked"},
		{"decode", errOf(c.Runners.Get(t.Context(), 9, nil)),
			`glrunners: GET /api/v4/runners/9: unusable 200 answer: expected JSON, got "text/html"`},
		{"outcome unknown", errOf(c.Runners.Create(t.Context(), &CreateRunnerOptions{RunnerType: InstanceType})),
			"glrunners: POST /api/v4/user/runners: 502 Bad Gateway: bad gateway"},
		{"validation", errOf(c.Runners.Get(t.Context(), 0, nil)), "glrunners: invalid id: must be a positive runner ID"},
	}
	for _, tc := range cases {
		require.Error(t, tc.err, tc.name)
		assert.Equal(t, tc.want, tc.err.Error(), tc.name)
	}

	_, _, err = refused.Runners.Get(t.Context(), 7, nil)
	te, ok := asType[*TransportError](err)
	require.True(t, ok, "%T", err)
	msg := te.Error()
	assert.True(t, strings.HasPrefix(msg, "glrunners: GET /api/v4/runners/7: no answer: "), msg)
	assert.Equal(t, 1, strings.Count(msg, "GET"), "the method once: %s", msg)
	assert.Equal(t, 1, strings.Count(msg, "/runners/7"), "the path once, not again as a full URL: %s", msg)
	assert.Contains(t, msg, "connection refused")
	assert.True(t, strings.HasSuffix(msg, "(after 2 attempts)"), msg)
}

func TestNilContext_isAnErrorNotAPanic(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t)
	//lint:ignore SA1012 a nil context is what this test is about
	_, _, err := c.Runners.Get(nil, 1, nil) //nolint:staticcheck
	checkValidation(t, "ctx", err)
	//lint:ignore SA1012 a nil context is what this test is about
	for r, err := range c.Runners.ListAllIter(nil, nil) { //nolint:staticcheck
		assert.Nil(t, r)
		checkValidation(t, "ctx", err)
	}
}

func TestSuccessAnswers_lackingTheValueAreInvalid(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v4/runners/1", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `null`) })
	mux.HandleFunc("GET /api/v4/runners/2", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	mux.HandleFunc("GET /api/v4/runners/3", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"description":"no id"}`) })
	mux.HandleFunc("POST /api/v4/user/runners", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 201, `null`) })
	mux.HandleFunc("POST /api/v4/runners/reset_registration_token", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 201, `{"token_expires_at":null}`)
	})
	mux.HandleFunc("GET /api/v4/runners/all", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `[{"id":1},null,{"id":3}]`)
	})
	c, err := NewClient(newServer(t, mux), WithToken(testToken), WithoutRetries())
	require.NoError(t, err)

	for id := int64(1); id <= 3; id++ {
		got, _, err := c.Runners.Get(t.Context(), id, nil)
		assert.Nil(t, got)
		assert.ErrorIs(t, err, ErrInvalidResponse, "runner %d", id)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a GET changed nothing")
	}
	reg, _, err := c.Runners.Create(t.Context(), &CreateRunnerOptions{RunnerType: InstanceType})
	assert.Nil(t, reg)
	assert.ErrorIs(t, err, ErrInvalidResponse)
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "201 says a runner was made; its answer is lost")
	tok, _, err := c.Tokens.ResetInstanceRegistrationToken(t.Context())
	assert.Nil(t, tok)
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "the token rotated but the answer has no token")

	var seen []int64
	for r, err := range c.Runners.ListAllIter(t.Context(), nil) {
		if err != nil {
			assert.ErrorIs(t, err, ErrInvalidResponse)
			break
		}
		require.NotNil(t, r, "a nil item is never yielded with a nil error")
		seen = append(seen, r.ID)
	}
	assert.Empty(t, seen, "a page with a null element is refused whole")
}

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

func TestRedaction_noPieceOfATokenSurvives(t *testing.T) {
	t.Parallel()
	const oauth = "Zq81vNw0PmX3kLr7sTy2Bc4Hd6Jf" // 28 characters, no known prefix
	pieces := func(s string) []string {
		var out []string
		for i := 0; i+8 <= len(oauth); i++ {
			if strings.Contains(s, oauth[i:i+8]) {
				out = append(out, oauth[i:i+8])
			}
		}
		return out
	}
	bodies := map[string]string{
		"after a long message": `{"message":"` + strings.Repeat("denied ", 27) + oauth + `"}`,
		"straddling the cut":   `{"message":"x","pad":"` + strings.Repeat("a", 2048-34) + oauth + `"}`,
		"echoed in part":       `{"message":"token ` + oauth[:20] + `... refused"}`,
		"in plain text":        strings.Repeat("denied ", 27) + oauth,
	}
	for name, body := range bodies {
		url := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(403)
			_, _ = w.Write([]byte(body))
		}))
		c, err := NewClient(url, WithOAuthToken(oauth))
		require.NoError(t, err)
		_, _, err = c.Runners.Get(t.Context(), 1, nil)
		require.Error(t, err)
		for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			assert.Empty(t, pieces(s), "%s: %s", name, s)
		}
	}
}
