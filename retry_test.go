package glrunners

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// resetConn closes the connection abruptly after the request was read.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST instead of FIN
	}
	_ = conn.Close()
}

func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

func TestRetry_table(t *testing.T) {
	t.Parallel()
	const maxRetries = 3
	type fault struct {
		name   string
		status int // 0: transport fault
		reset  bool
	}
	faults := []fault{
		{"429", 429, false}, {"500", 500, false}, {"502", 502, false}, {"503", 503, false}, {"504", 504, false},
		{"reset after send", 0, true}, {"refused", 0, false},
	}
	for _, method := range []string{"GET", "PUT", "DELETE", "POST"} {
		for _, f := range faults {
			t.Run(method+" "+f.name, func(t *testing.T) {
				t.Parallel()
				var seen atomic.Int32
				var bodies sync.Map
				mux := http.NewServeMux()
				mux.HandleFunc("/api/v4/runners/5", func(w http.ResponseWriter, r *http.Request) {
					n := seen.Add(1)
					b, _ := io.ReadAll(r.Body)
					bodies.Store(n, string(b))
					if f.reset {
						resetConn(w)
						return
					}
					if f.status == 429 {
						w.Header().Set("Retry-After", "0")
					}
					writeJSON(w, f.status, `{"message":"boom"}`)
				})
				url := refusedURL(t)
				if f.name != "refused" {
					url = newServer(t, mux)
				}
				c, err := NewClient(url, WithToken(testToken), WithRetry(RetryPolicy{MaxRetries: maxRetries, WaitMin: time.Millisecond, WaitMax: time.Millisecond, MaxRetryAfter: time.Second}))
				require.NoError(t, err)
				var body any
				if method == "PUT" || method == "POST" {
					body = map[string]any{"description": "x", "paused": true}
				}
				_, err = c.call(t.Context(), method, "runners/5", nil, body, nil)
				require.Error(t, err)

				idempotent := method != "POST"
				wantSeen := 1
				switch {
				case f.name == "refused":
					wantSeen = 0
				case idempotent || f.status == 429:
					wantSeen = maxRetries + 1
				}
				assert.Equal(t, int32(wantSeen), seen.Load(), "attempts the server saw")

				wantUnknown := !idempotent && f.status != 429 && f.name != "refused"
				assert.Equal(t, wantUnknown, errors.Is(err, ErrOutcomeUnknown), "ErrOutcomeUnknown: %v", err)
				if f.status != 0 {
					e, ok := asType[*Error](err)
					require.True(t, ok, "%T", err)
					assert.Equal(t, f.status, e.StatusCode)
				} else {
					te, ok := asType[*TransportError](err)
					require.True(t, ok, "%T %v", err, err)
					assert.Equal(t, f.name != "refused", te.Sent)
					wantAttempts := 1
					if idempotent || f.name == "refused" {
						wantAttempts = maxRetries + 1
					}
					assert.Equal(t, wantAttempts, te.Attempts)
				}
				if body != nil && seen.Load() > 1 {
					first, _ := bodies.Load(int32(1))
					for i := int32(2); i <= seen.Load(); i++ {
						b, _ := bodies.Load(i)
						assert.Equal(t, first, b, "retried body is byte-identical")
					}
				}
			})
		}
	}
}

func newServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// A transient failure is retried until the call succeeds: a GET always, a
// POST only when opted in.
func TestRetry_succeedsAfterTransientFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, method, path string
		failures, status   int // answer status to the first failures requests
		body               any
		opts               []RequestOption
		wantID             int64
	}{
		{"GET after two 503", http.MethodGet, "runners/9", 2, 503, nil, nil, 9},
		{"opted-in POST after a 502", http.MethodPost, "runners/verify", 1, 502,
			map[string]string{"token": "t"}, []RequestOption{WithRetryNonIdempotent()}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var n atomic.Int32
			mux.HandleFunc(tc.method+" /api/v4/"+tc.path, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) <= int32(tc.failures) {
					w.WriteHeader(tc.status)
					return
				}
				writeJSON(w, 200, fmt.Sprintf(`{"id":%d}`, tc.wantID))
			})
			var out struct{ ID int64 }
			resp, err := c.call(t.Context(), tc.method, tc.path, nil, tc.body, &out, tc.opts...)
			require.NoError(t, err)
			assert.Equal(t, tc.wantID, out.ID)
			assert.Equal(t, tc.failures+1, resp.Attempts)
		})
	}
}

func TestRetry_retryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var n atomic.Int32
	var first, second time.Time
	mux.HandleFunc("GET /api/v4/runners", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			return
		}
		second = time.Now()
		writeJSON(w, 200, `[]`)
	})
	_, err := c.call(t.Context(), http.MethodGet, "runners", nil, nil, &[]struct{}{})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, second.Sub(first), time.Second)
}

func TestRetry_retryAfterHTTPDate(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)
	h := http.Header{"Retry-After": {"Thu, 20 Mar 2025 12:00:30 GMT"}}
	d, ok := retryAfter(h, now)
	assert.True(t, ok)
	assert.Equal(t, 30*time.Second, d)
	h = http.Header{"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"1742472060"}}
	d, ok = serverWait(h, time.Unix(1742472000, 0))
	assert.True(t, ok)
	assert.Equal(t, time.Minute, d)
	_, ok = retryAfter(http.Header{"Retry-After": {"soon"}}, now)
	assert.False(t, ok)
}

func TestRetry_waitPastCapOrDeadlineReturnsAtOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		after    string
		deadline time.Duration
	}{
		// Each call has a deadline: had it slept, the deadline would end it
		// with a context error instead of the *Error asserted below.
		{"past the cap", "3600", 20 * time.Second},
		{"past the deadline", "3", 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var n atomic.Int32
			mux.HandleFunc("GET /api/v4/runners", func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.Header().Set("Retry-After", tc.after)
				w.WriteHeader(429)
			})
			ctx, cancel := context.WithTimeout(t.Context(), tc.deadline)
			defer cancel()
			_, err := c.call(ctx, http.MethodGet, "runners", nil, nil, nil)
			require.NoError(t, ctx.Err(), "returned before the deadline")
			e, ok := asType[*Error](err)
			require.True(t, ok, "%v", err)
			assert.ErrorIs(t, err, ErrRateLimited)
			assert.Equal(t, int32(1), n.Load())
			want, _ := time.ParseDuration(tc.after + "s")
			assert.Equal(t, want, e.RetryAfter)
		})
	}
}

func TestRetry_cancelDuringWaitReturnsPromptly(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithRetry(RetryPolicy{MaxRetries: 3, WaitMin: 10 * time.Second, WaitMax: 10 * time.Second, MaxRetryAfter: time.Minute}))
	mux.HandleFunc("GET /api/v4/runners", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.call(ctx, http.MethodGet, "runners", nil, nil, nil)
	assert.Less(t, time.Since(start), 5*time.Second, "the 10 s backoff was cut short")
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRetry_backoffBounds(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{WaitMin: 100 * time.Millisecond, WaitMax: time.Second}
	for n := 1; n <= 10; n++ {
		for _, jitter := range []float64{0, 0.25, 0.5, 0.999} {
			d := p.backoff(n, jitter)
			assert.GreaterOrEqual(t, d, p.WaitMin)
			assert.LessOrEqual(t, d, p.WaitMax)
		}
	}
	assert.GreaterOrEqual(t, p.backoff(5, 0), 500*time.Millisecond, "grows exponentially (jitter keeps the upper half)")
	assert.Equal(t, p.backoff(3, 0.3), p.backoff(3, 0.3), "the same attempt and jitter give the same wait")
}

// cutBody answers 200 with a Content-Length it never delivers, then drops
// the connection: the answer breaks off mid-body.
func cutBody(w http.ResponseWriter) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\": 4")
	_ = buf.Flush()
	_ = conn.Close()
}

func TestRetry_bodyBrokenMidwayIsRetriedOnlyWhenSafe(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var n atomic.Int32
			mux.HandleFunc(method+" /api/v4/runners/verify", func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					cutBody(w)
					return
				}
				writeJSON(w, 200, `{"id":4188}`)
			})
			var out struct{ ID int64 }
			resp, err := c.call(t.Context(), method, "runners/verify", nil, nil, &out)
			if method == http.MethodGet {
				require.NoError(t, err)
				assert.Equal(t, int64(4188), out.ID)
				assert.Equal(t, 2, resp.Attempts)
				return
			}
			// The server acted (it answered 200) but the answer is lost:
			// a new runner token may exist that the caller never saw.
			assert.ErrorIs(t, err, ErrOutcomeUnknown)
			assert.ErrorIs(t, err, ErrInvalidResponse)
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "it still unwraps to the read's cause")
			de, ok := asType[*DecodeError](err)
			require.True(t, ok, "%T %v", err, err)
			assert.Equal(t, http.StatusOK, de.StatusCode)
			assert.Equal(t, int32(1), n.Load())
		})
	}
}

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
