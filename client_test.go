package glrunners

import (
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClient_normalisesBaseURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://gitlab.example.com":          "https://gitlab.example.com/api/v4/",
		"https://gitlab.example.com/":         "https://gitlab.example.com/api/v4/",
		"https://gitlab.example.com/api/v4":   "https://gitlab.example.com/api/v4/",
		"https://gitlab.example.com/api/v4/":  "https://gitlab.example.com/api/v4/",
		"http://host:8080/gitlab":             "http://host:8080/gitlab/api/v4/",
		"  https://gitlab.example.com/x/  ":   "https://gitlab.example.com/x/api/v4/",
		"https://gitlab.example.com/x/api/v4": "https://gitlab.example.com/x/api/v4/",
	} {
		c, err := NewClient(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, c.baseURL, in)
	}
}

func TestNewClient_rejectsBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url   string
		opts  []Option
		field string
	}{
		{"gitlab.example.com", nil, "baseURL"},
		{"ftp://gitlab.example.com", nil, "baseURL"},
		{"https://", nil, "baseURL"},
		{"https://user:pass@gitlab.example.com", nil, "baseURL"},
		{"https://gitlab.example.com/?private_token=x", nil, "baseURL"},
		{"://bad", nil, "baseURL"},
		{"https://gitlab.example.com", []Option{WithToken(" ")}, "WithToken"},
		{"https://gitlab.example.com", []Option{WithOAuthToken("")}, "WithOAuthToken"},
		{"https://gitlab.example.com", []Option{WithTokenSource(nil)}, "WithTokenSource"},
		{"https://gitlab.example.com", []Option{WithHTTPClient(nil)}, "WithHTTPClient"},
		{"https://gitlab.example.com", []Option{WithRetry(RetryPolicy{MaxRetries: -1})}, "RetryPolicy.MaxRetries"},
		{"https://gitlab.example.com", []Option{WithRetry(RetryPolicy{WaitMin: time.Second, WaitMax: time.Millisecond})}, "RetryPolicy.WaitMax"},
		{"https://gitlab.example.com", []Option{WithRateLimit(0, 1)}, "WithRateLimit"},
		{"https://gitlab.example.com", []Option{WithRateLimit(5, 0)}, "WithRateLimit"},
		{"https://gitlab.example.com", []Option{WithPageConcurrency(0)}, "WithPageConcurrency"},
		{"https://gitlab.example.com", []Option{WithLogger(nil)}, "WithLogger"},
		{"https://gitlab.example.com", []Option{WithUserAgent("a\nb")}, "WithUserAgent"},
		{"https://gitlab.example.com", []Option{nil}, "opts"},
	}
	for _, tc := range cases {
		c, err := NewClient(tc.url, tc.opts...)
		assert.Nil(t, c, tc.url)
		ve, ok := asType[*ValidationError](err)
		if assert.True(t, ok, "%s: %v", tc.url, err) {
			assert.Equal(t, tc.field, ve.Field)
		}
		if err != nil {
			assert.NotContains(t, err.Error(), "pass", "the URL's password must not be echoed")
		}
	}
}

// TestClient_concurrentUse shares one Client across 32 goroutines; run
// with -race it shows the pipeline has no data races.
func TestClient_concurrentUse(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithRateLimit(10000, 50))
	var failedOnce sync.Map
	mux.HandleFunc("GET /api/v4/runners/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		if _, seen := failedOnce.LoadOrStore(id, true); !seen && id%5 == 0 {
			w.WriteHeader(503) // some retries in the mix
			return
		}
		w.Header().Set("RateLimit-Limit", "1000")
		w.Header().Set("RateLimit-Remaining", "900")
		writeJSON(w, 200, `{"id":`+r.PathValue("id")+`}`)
	})
	var wg sync.WaitGroup
	errs := make(chan error, 32*10)
	for g := range 32 {
		wg.Go(func() {
			for i := range 10 {
				id := g*10 + i + 1
				var out struct{ ID int }
				resp, err := c.call(t.Context(), http.MethodGet, "runners/"+strconv.Itoa(id), nil, nil, &out)
				if err == nil && (out.ID != id || resp.RateLimit.Remaining != 900) {
					err = errors.New("wrong answer for " + strconv.Itoa(id))
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
