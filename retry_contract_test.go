package glrunners

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRetryablehttpContract pins down the go-retryablehttp behaviour the
// pipeline is built on (see newRetrier). If an upgrade changes any of it,
// this test fails and names the assumption, instead of attempt counts or
// waits changing silently.
func TestRetryablehttpContract(t *testing.T) {
	t.Parallel()
	var served atomic.Int32
	url := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if served.Add(1) < 3 {
			writeJSON(w, 503, `{}`)
			return
		}
		writeJSON(w, 200, `{"id":1}`)
	}))
	var mu sync.Mutex
	var events []string
	note := func(format string, args ...any) {
		mu.Lock()
		events = append(events, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	rc := &retryablehttp.Client{
		HTTPClient: &http.Client{},
		RetryMax:   5,
		RequestLogHook: func(_ retryablehttp.Logger, _ *http.Request, retry int) {
			note("attempt %d", retry+1)
		},
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			switch {
			case err != nil:
				note("check err")
				return false, nil
			case resp.StatusCode == 503:
				note("check 503")
				return true, nil
			}
			note("check %d", resp.StatusCode)
			return false, nil
		},
		Backoff: func(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
			note("backoff")
			return 0
		},
		PrepareRetry: func(*http.Request) error {
			note("prepare")
			return nil
		},
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	req, err := retryablehttp.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	req.SetResponseHandler(func(*http.Response) error {
		note("handler")
		return nil
	})
	resp, err := rc.Do(req)
	require.NoError(t, err)
	drainAndClose(resp.Body)
	assert.Equal(t, strings.Join([]string{
		"attempt 1", "check 503", "backoff", "prepare", // RequestLogHook once per attempt; PrepareRetry after Backoff, before each retry
		"attempt 2", "check 503", "backoff", "prepare",
		"attempt 3", "check 200", "handler", "check 200", // the handler runs only once CheckRetry said stop, and CheckRetry is asked again
	}, ", "), strings.Join(events, ", "), "go-retryablehttp's hook order changed: review newRetrier and callState")

	// A PrepareRetry error ends the loop and reaches the ErrorHandler with
	// the last response: how waitTurn's *RateLimitError gets out.
	events = nil
	served.Store(0)
	stop := errors.New("stop")
	rc.PrepareRetry = func(*http.Request) error { return stop }
	req, err = retryablehttp.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err = rc.Do(req)
	assert.ErrorIs(t, err, stop)
	require.NotNil(t, resp, "the last response comes with a PrepareRetry error")
	assert.Equal(t, 503, resp.StatusCode)
}

// TestRetrier_builtOncePerClient shows that calls share one go-retryablehttp
// client, and that attempts are counted per call however often a hook runs.
func TestRetrier_builtOncePerClient(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	url := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 1 {
			writeJSON(w, 502, `{}`)
			return
		}
		writeJSON(w, 200, `{"id":1}`)
	}))
	c, err := NewClient(url, WithToken(testToken), WithRetry(fastRetry))
	require.NoError(t, err)
	first := c.retrier
	for range 3 {
		_, resp, err := c.Runners.Get(t.Context(), 1, nil)
		require.NoError(t, err)
		assert.Equal(t, 2, resp.Attempts, "one 502, one 200: two attempts, though CheckRetry ran three times")
	}
	assert.Same(t, first, c.retrier)
}
