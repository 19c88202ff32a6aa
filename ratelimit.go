package glrunners

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
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
	lim := h.Get("RateLimit-Limit")
	rem := h.Get("RateLimit-Remaining")
	if lim == "" && rem == "" {
		return RateLimit{}
	}
	rl := RateLimit{
		Present:   true,
		Name:      h.Get("RateLimit-Name"),
		Limit:     atoiOrZero(lim),
		Observed:  atoiOrZero(h.Get("RateLimit-Observed")),
		Remaining: atoiOrZero(rem),
	}
	if t, ok := unixHeader(h.Get("RateLimit-Reset")); ok {
		rl.Reset = t
	} else if t, err := http.ParseTime(h.Get("RateLimit-ResetTime")); err == nil {
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
	} else if resp.Header.Get("RateLimit-Remaining") == "0" {
		until, _ = unixHeader(resp.Header.Get("RateLimit-Reset"))
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

// wait blocks until the gate opens. A reset further away than maxWait is
// not waited for: the request goes out and the server's 429 is returned.
func (g *serverGate) wait(ctx context.Context, maxWait time.Duration) error {
	g.mu.Lock()
	d := time.Until(g.until)
	g.mu.Unlock()
	if d <= 0 || d > maxWait {
		return nil
	}
	return sleep(ctx, d)
}

// limiter is a token bucket shared by all goroutines of a Client. Waiters
// reserve their slot under the lock, so the rate holds under contention.
type limiter struct {
	mu       sync.Mutex
	interval time.Duration // time to earn one token
	burst    int
	next     time.Time // when the bucket is full again minus burst tokens
}

func newLimiter(perSecond float64, burst int) *limiter {
	return &limiter{interval: time.Duration(float64(time.Second) / perSecond), burst: burst}
}

func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	earliest := now.Add(-time.Duration(l.burst-1) * l.interval)
	if l.next.Before(earliest) {
		l.next = earliest
	}
	at := l.next
	l.next = l.next.Add(l.interval)
	l.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		if err := sleep(ctx, d); err != nil {
			l.mu.Lock()
			l.next = l.next.Add(-l.interval) // give the slot back
			l.mu.Unlock()
			return err
		}
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
