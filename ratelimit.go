package glrunners

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit is GitLab's view of the caller's quota, from the RateLimit-*
// headers. GitLab sends them only when a throttle is configured; then
// Present is true.
type RateLimit struct {
	Present bool
	// Name is the throttle that applies, e.g. "throttle_authenticated_api".
	Name      string
	Limit     int
	Observed  int
	Remaining int
	// Reset is when the quota refills.
	Reset time.Time
}

func parseRateLimit(h http.Header) RateLimit {
	lim := headerValue(h, "Ratelimit-Limit")
	rem := headerValue(h, "Ratelimit-Remaining")
	if lim == "" && rem == "" {
		return RateLimit{}
	}
	rl := RateLimit{
		Present:   true,
		Name:      headerValue(h, "Ratelimit-Name"),
		Limit:     atoiOrZero(lim),
		Observed:  atoiOrZero(headerValue(h, "Ratelimit-Observed")),
		Remaining: atoiOrZero(rem),
	}
	if t, ok := unixHeader(headerValue(h, "Ratelimit-Reset")); ok {
		rl.Reset = t
	} else if t, err := http.ParseTime(headerValue(h, "Ratelimit-Resettime")); err == nil {
		rl.Reset = t
	}
	return rl
}

func atoiOrZero(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// serverGate holds back every request of a Client once the server has said
// the quota is spent (RateLimit-Remaining: 0, or a 429 with Retry-After),
// until the reset, so that concurrent goroutines stop hammering together.
type serverGate struct {
	mu    sync.Mutex
	until time.Time
}

func (g *serverGate) observe(resp *http.Response, now time.Time) {
	var until time.Time
	if resp.StatusCode == http.StatusTooManyRequests {
		if d, ok := serverWait(resp.Header, now); ok {
			until = now.Add(d)
		}
	} else if headerValue(resp.Header, "Ratelimit-Remaining") == "0" {
		until, _ = unixHeader(headerValue(resp.Header, "Ratelimit-Reset"))
	}
	if until.IsZero() {
		return
	}
	g.mu.Lock()
	if until.After(g.until) {
		g.until = until
	}
	g.mu.Unlock()
}

// closedFor is how long the gate stays closed from now.
func (g *serverGate) closedFor(now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.until.Sub(now)
}

// waitTurn runs before every attempt, outside the attempt's HTTP timeout:
// it waits out backoff (the retry's chosen wait), a quota the server said
// is spent, and the client's own rate limit. A wait that cannot fit in the
// context's deadline returns a *RateLimitError at once (or, for a plain
// backoff, the context's error) instead of sleeping in vain. A server
// quota reset further away than MaxRetryAfter is not waited for: the
// request goes out and GitLab's 429 is returned. Last, the pacer (if on)
// takes the attempt's turn in GitLab's quota.
func (c *Client) waitTurn(ctx context.Context, st *callState, backoff time.Duration) error {
	now := time.Now()
	wait, server := backoff, false
	if g := c.gate.closedFor(now); g > wait && g <= c.retry.MaxRetryAfter {
		wait, server = g, true
	}
	var res *rate.Reservation
	if c.limiter != nil {
		res = c.limiter.ReserveN(now.Add(wait), 1)
		if d := res.DelayFrom(now.Add(wait)); d > 0 {
			wait, server = wait+d, false
		}
	}
	if wait > 0 {
		if err := c.waitFor(ctx, st, now, wait, backoff, server, res); err != nil {
			return err
		}
	}
	if c.pacer != nil {
		return c.pacer.acquire(ctx, st)
	}
	return nil
}

// waitFor sleeps the wait waitTurn chose, or fails at once when it cannot
// fit in the context's deadline.
func (c *Client) waitFor(ctx context.Context, st *callState, now time.Time, wait, backoff time.Duration, server bool, res *rate.Reservation) error {
	if deadline, ok := ctx.Deadline(); ok && deadline.Sub(now) < wait {
		if res != nil {
			res.CancelAt(now)
		}
		if wait == backoff {
			return context.DeadlineExceeded
		}
		return &RateLimitError{Method: st.method, Path: st.path, RetryAfter: wait, Server: server}
	}
	if err := sleep(ctx, wait); err != nil {
		if res != nil {
			res.Cancel()
		}
		return err
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
