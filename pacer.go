package glrunners

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// pacer spends GitLab's rate-limit quota without being throttled, for
// every goroutine that shares the Client. It is on unless WithoutPacing,
// and idle (one atomic add per attempt) until GitLab first sends
// RateLimit-* headers or a 429.
//
//   - With headers on every answer, it spends what RateLimit-Remaining says
//     is left of the window, spread evenly over the time to
//     RateLimit-Reset. Attempts in flight count against Remaining, so
//     concurrency cannot overshoot it; what others (other processes on
//     the same token) spend is estimated from Remaining and held back.
//   - With headers only on a 429, it learns the quota and window from the
//     first 429 and from then on counts its own requests per window.
//   - A 429 without headers is an application limit of its endpoint: that
//     endpoint shape alone gets a budget learned from its answers
//     (endpointPacer); other endpoints go on at full speed.
//
// Its waits happen before an attempt, like the other rate-limit waits
// (waitTurn). A wait longer than RetryPolicy.MaxRetryAfter is not made:
// the request goes, as without pacing. A wait that cannot fit in the
// call's deadline fails the call at once with a *RateLimitError.
type pacer struct {
	// quota[0] paces requests sent with the user's credential (GitLab's
	// throttle per user), quota[1] those without one, such as the
	// runner-token endpoints (its throttle per IP).
	quota   [2]quotaPacer
	ends    endpointPacers
	maxWait time.Duration
}

// paceTicket is what an attempt holds from the pacer until its answer.
type paceTicket struct {
	quota *quotaPacer
	end   *endpointPacer
	probe bool // the attempt is its endpoint's probe
	held  bool
}

// acquire waits for the attempt's turn and counts it in flight.
func (p *pacer) acquire(ctx context.Context, st *callState) error {
	p.release(st) // an earlier attempt's, never sent
	q := &p.quota[0]
	if st.authSecret == "" {
		q = &p.quota[1]
	}
	e := p.ends.lookup(st.method, st.path)
	if e != nil {
		err := p.wait(ctx, st, &e.mu, func(now time.Time) (time.Duration, bool) { return e.delay(st, now) }, e.waitChan)
		if err != nil {
			return err
		}
	}
	if q.mode.Load() == quotaOff {
		q.inflight.Add(1)
	} else if err := p.wait(ctx, st, &q.mu, func(now time.Time) (time.Duration, bool) {
		d, forAnswer := q.delay(now)
		if d <= 0 || (d > p.maxWait && !forAnswer) {
			q.take(now)
			return 0, false
		}
		return d, forAnswer
	}, q.waitChan); err != nil {
		if e != nil {
			e.done(st, 0, time.Now())
		}
		return err
	}
	st.pace = paceTicket{quota: q, end: e, probe: st.pace.probe, held: true}
	return nil
}

// wait calls turn under mu until it says go (0). Between calls it sleeps
// for the wait turn named, or until woken by an answer when forAnswer.
func (p *pacer) wait(ctx context.Context, st *callState, mu *sync.Mutex,
	turn func(now time.Time) (wait time.Duration, forAnswer bool), wake func() <-chan struct{}) error {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		mu.Lock()
		now := time.Now()
		d, forAnswer := turn(now)
		if d <= 0 {
			mu.Unlock()
			return nil
		}
		ch := wake()
		mu.Unlock()
		if dl, ok := ctx.Deadline(); ok && !forAnswer && dl.Sub(now) < d {
			return &RateLimitError{Method: st.method, Path: st.path, RetryAfter: d, Server: true}
		}
		if timer == nil {
			timer = time.NewTimer(d)
		} else {
			timer.Reset(d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		case <-timer.C:
		}
	}
}

// done gives the attempt's answer (resp nil: none) to the pacers it
// went through. sent and received are local times around the attempt.
func (p *pacer) done(st *callState, resp *http.Response, sent, received time.Time) {
	t := st.pace
	if !t.held {
		return
	}
	st.pace.held = false
	status, h := 0, http.Header(nil)
	if resp != nil {
		status, h = resp.StatusCode, resp.Header
	}
	t.quota.inflight.Add(-1)
	if resp != nil {
		t.quota.observe(h, status, sent, received)
	}
	if t.quota.mode.Load() != quotaOff {
		t.quota.mu.Lock()
		t.quota.probeOut = false // any answer may be the probe's
		t.quota.signal()
		t.quota.mu.Unlock()
	}
	refused := status == http.StatusTooManyRequests && endpointRefusal(h)
	switch {
	case t.end != nil && status == http.StatusTooManyRequests && !refused:
		t.end.done(st, 0, received) // the throttle's 429 says nothing of the endpoint
	case t.end != nil:
		t.end.done(st, status, received)
	case refused:
		p.ends.limited(st.method, st.path, received)
	}
}

// endpointRefusal tells an application limit's 429 from the throttle's:
// no RateLimit-* headers, or (headers on every answer) a Remaining above 0.
func endpointRefusal(h http.Header) bool {
	rem := headerValue(h, "Ratelimit-Remaining")
	if rem == "" {
		return headerValue(h, "Ratelimit-Limit") == ""
	}
	return clampCount(rem) > 0
}

// release frees the ticket of an attempt that was never sent.
func (p *pacer) release(st *callState) {
	if p != nil && st.pace.held {
		p.done(st, nil, time.Time{}, time.Now())
	}
}
