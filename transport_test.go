package glrunners

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedirect_toAnotherHostDropsCredentials(t *testing.T) {
	t.Parallel()
	for _, opt := range []Option{WithToken("glpat-redirected"), WithOAuthToken("oauth-redirected")} {
		target := &authProbe{}
		other := httptest.NewServer(http.HandlerFunc(target.handler))
		defer other.Close()
		// Same port space, different host name: 127.0.0.1 → localhost.
		otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)

		origin := &authProbe{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin.mu.Lock()
			origin.headers = append(origin.headers, r.Header.Clone())
			origin.mu.Unlock()
			http.Redirect(w, r, otherURL+r.URL.Path, http.StatusFound)
		}))
		defer srv.Close()
		c, err := NewClient(srv.URL, opt)
		require.NoError(t, err)
		_, err = c.call(t.Context(), http.MethodGet, "runners", nil, nil, &struct{}{})
		require.NoError(t, err)
		require.Len(t, target.headers, 1)
		assert.Empty(t, target.headers[0].Get("Private-Token"))
		assert.Empty(t, target.headers[0].Get("Authorization"))
		require.Len(t, origin.headers, 1)
		assert.NotEmpty(t, origin.headers[0].Get("Private-Token")+origin.headers[0].Get("Authorization"), "the origin did get it")
	}
}

func TestRedirect_sameHostKeepsCredentials(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/v4/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/api/v4/new", http.StatusMovedPermanently)
	})
	var got string
	mux.HandleFunc("GET /api/v4/new", func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Private-Token")
		writeJSON(w, 200, `{}`)
	})
	_, err := c.call(t.Context(), http.MethodGet, "old", nil, nil, &struct{}{})
	require.NoError(t, err)
	assert.Equal(t, testToken, got)
}

func TestRedirect_bodyIsNeverResentToAnotherHost(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer other.Close()
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherURL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	c, err := NewClient(srv.URL, WithRetry(fastRetry))
	require.NoError(t, err)
	_, err = c.call(t.Context(), http.MethodPost, "runners/verify", nil, map[string]string{"token": "glrt-abc"}, nil)
	assert.ErrorIs(t, err, errRedirectRefused)
	assert.Equal(t, int32(0), hits.Load())
}

func TestRateLimit_clientSideLimiterPacesRequests(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithRateLimit(20, 1))
	var times []time.Time
	mux.HandleFunc("GET /api/v4/runners", func(w http.ResponseWriter, r *http.Request) {
		times = append(times, time.Now())
		writeJSON(w, 200, `[]`)
	})
	start := time.Now()
	for range 5 {
		_, err := c.call(t.Context(), http.MethodGet, "runners", nil, nil, nil)
		require.NoError(t, err)
	}
	require.Len(t, times, 5)
	// At 20/s with burst 1 the fifth request may leave no earlier than 4
	// intervals of 50 ms after the first. Measured from the first call's
	// start, not its arrival, which a slow first connection delays.
	assert.GreaterOrEqual(t, times[4].Sub(start), 200*time.Millisecond)
}

func TestRateLimit_limiterWaitPastDeadlineFailsAtOnce(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	url := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		writeJSON(w, 200, `{"id":1}`)
	}))
	c, err := NewClient(url, WithToken(testToken), WithRateLimit(0.1, 1)) // one token per 10 s
	require.NoError(t, err)
	_, _, err = c.Runners.Get(t.Context(), 1, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, _, err = c.Runners.Get(ctx, 1, nil)
	require.ErrorIs(t, err, ErrRateLimited)
	rl, ok := asType[*RateLimitError](err)
	require.True(t, ok, "%T", err)
	assert.False(t, rl.Server)
	assert.Greater(t, rl.RetryAfter, 5*time.Second)
	assert.NoError(t, ctx.Err(), "returned at once, not at the deadline")
	assert.Equal(t, int32(1), hits.Load(), "the second call was not sent")
}

func TestRateLimit_spentQuotaHoldsLaterRequests(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var n atomic.Int32
	var second time.Time
	reset := time.Now().Add(1500 * time.Millisecond).Truncate(time.Second).Add(time.Second)
	mux.HandleFunc("GET /api/v4/runners", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("RateLimit-Limit", "10")
			w.Header().Set("RateLimit-Remaining", "0")
			w.Header().Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		} else {
			second = time.Now()
		}
		writeJSON(w, 200, `[]`)
	})
	resp, err := c.call(t.Context(), http.MethodGet, "runners", nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, RateLimit{Present: true, Limit: 10, Remaining: 0, Reset: time.Unix(reset.Unix(), 0)}, resp.RateLimit)
	_, err = c.call(t.Context(), http.MethodGet, "runners", nil, nil, nil)
	require.NoError(t, err)
	assert.False(t, second.Before(reset.Add(-10*time.Millisecond)), "second request waited for the reset: %v < %v", second, reset)
}

func TestTransportError_unwrapsContextErrors(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/v4/runners", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := c.call(ctx, http.MethodGet, "runners", nil, nil, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	te, ok := asType[*TransportError](err)
	require.True(t, ok)
	assert.Equal(t, "/api/v4/runners", te.Path)
	assert.False(t, errors.Is(err, ErrOutcomeUnknown), "a GET has no unknown outcome")
}

func TestTimeout_stalledAnswerDoesNotHang(t *testing.T) {
	t.Parallel()
	def, err := NewClient("https://gitlab.example.com")
	require.NoError(t, err)
	tr, ok := def.http.Transport.(*transport)
	require.True(t, ok)
	_, ok = tr.base.(*http.Transport)
	assert.True(t, ok, "the default client's own pooled transport, whose connections give up when they stall")
	assert.Zero(t, def.http.Timeout, "not net/http's slower Client.Timeout")

	stall := make(chan struct{})
	defer close(stall)
	var attempts atomic.Int32
	c, mux, _ := setup(t, WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}))
	mux.HandleFunc("GET /api/v4/runners", func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"id":1},`)) // then nothing, ever
		http.NewResponseController(w).Flush()
		select {
		case <-stall:
		case <-r.Context().Done():
		}
	})
	_, err = c.call(t.Context(), http.MethodGet, "runners", nil, nil, &[]struct{}{})
	require.Error(t, err)
	assert.False(t, errors.Is(err, context.Canceled))
	assert.Equal(t, int32(fastRetry.MaxRetries+1), attempts.Load(), "each stalled attempt timed out and was retried")
}

func TestTimeout_defaultClientGivesUpOnAStalledConnection(t *testing.T) {
	t.Parallel()
	stall := make(chan struct{})
	defer close(stall)
	var attempts atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v4/runners/7", func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) == 3 {
			writeJSON(w, 200, `{"id":7}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":`)) // then nothing, until the client gives up
		http.NewResponseController(w).Flush()
		select {
		case <-stall:
		case <-r.Context().Done():
		}
	})
	c, err := NewClient(newServer(t, mux), WithToken(testToken), WithRetry(fastRetry))
	require.NoError(t, err)
	c.http.Transport.(*transport).base = newPooledTransport(100 * time.Millisecond)
	got, resp, err := c.Runners.Get(t.Context(), 7, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(7), got.ID)
	assert.Equal(t, 3, resp.Attempts, "two attempts stalled inside the body, timed out and were retried")
}
