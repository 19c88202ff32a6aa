package glrunners

import (
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// What GitLab's throttle tells, and how quotaPacer reads it. Sources:
// GitLab's lib/gitlab/rack_attack.rb (throttled_response_headers, and
// RequestThrottleData for the headers on answers that are not throttled)
// and the docs page "User and IP rate limits" (section "Response
// headers"):
//
//   - Windows are fixed and aligned to the epoch (Rack::Attack keys its
//     counter by now / period), so every request counts until the same
//     RateLimit-Reset, whoever sent it, and the quota refills all at once.
//   - RateLimit-Remaining and RateLimit-Observed count the throttle's own
//     window, which may be an hour (self-managed default: 7,200 per hour);
//     RateLimit-Limit is that quota normalised to one minute, rounded up.
//     The pacer takes the window's quota as Observed + Remaining and uses
//     Limit only to find the window's length (quota × 60 s / Limit).
//   - RateLimit-Reset is epoch seconds on the server's clock; serverClock
//     maps it to ours through the Date header.
//   - Older GitLab sends the headers only on a throttled answer (with
//     Retry-After and RateLimit-ResetTime); newer GitLab, behind a feature
//     flag, on every answer. quotaPacer runs in either mode (quotaEvery,
//     quotaThrottled), switching by what the answers carry.
const (
	quotaOff       int32 = iota // no RateLimit-* seen: nothing to pace
	quotaEvery                  // headers on every answer: pace on Remaining
	quotaThrottled              // headers only on a 429: count our own sends
)

// paceSpread is the part of the time to the reset over which the budget is
// spread: finishing a little early keeps the window's last requests from
// landing after the reset, where they would count against the next one.
const paceSpread = 0.95

// paceBurst is the part of the budget that may go at once, ahead of the
// even spread: a caller far from the limit (a walk of 100 pages with 2,000
// left in the minute) is not slowed at all, while one that keeps sending
// is held to the even rate, its bursts shrinking with the budget.
const paceBurst = 0.1

// quotaPacer paces one throttle (the user's, or the per-IP one of requests
// without a user credential) for every goroutine of a Client. All fields
// but mode and inflight are guarded by mu.
type quotaPacer struct {
	mode     atomic.Int32
	inflight atomic.Int64 // attempts sent and not yet answered

	mu        sync.Mutex
	clock     serverClock
	wake      chan struct{} // closed when an answer may free a slot
	reset     time.Time     // server time at which the current window ends
	period    time.Duration // the window's length, 0 until known
	quota     int           // requests per window, 0 until known
	fresh     bool          // remaining/sent describe the current window
	remaining int           // lowest Remaining heard in this window (quotaEvery)
	answered  int           // our answers counted in this window (quotaEvery)
	sent      int           // our attempts counted in this window (quotaThrottled)
	spent     bool          // a 429 of this window was heard
	probeOut  bool          // an attempt asks the new window (!fresh)
	obsAt     time.Time     // local time of the last answer of this window
	others    float64       // others' requests per second in this window
	tat       time.Time     // the even spread's time for the next attempt (GCRA)
}

// observe learns from one answer. sent and received are local times
// around the attempt.
func (q *quotaPacer) observe(h http.Header, status int, sent, received time.Time) {
	rem := headerValue(h, "Ratelimit-Remaining")
	if rem == "" && headerValue(h, "Ratelimit-Limit") == "" {
		if q.mode.Load() == quotaEvery && status != http.StatusTooManyRequests {
			q.mu.Lock()
			q.mode.Store(quotaOff) // the throttle was switched off
			q.fresh = false
			q.mu.Unlock()
		} else if q.mode.Load() == quotaThrottled {
			q.mu.Lock()
			q.clock.observe(h, sent, received)
			q.mu.Unlock()
		}
		return
	}
	reset, ok := unixHeader(headerValue(h, "Ratelimit-Reset"))
	if !ok {
		t, err := http.ParseTime(headerValue(h, "Ratelimit-Resettime"))
		if err != nil {
			return // nothing to pace against
		}
		reset = t
	}
	remaining := clampCount(rem)
	observed := clampCount(headerValue(h, "Ratelimit-Observed"))
	limit := clampCount(headerValue(h, "Ratelimit-Limit"))
	// A 429 whose Remaining is not 0 was refused by something else than
	// this throttle (an application limit, on a GitLab that sends the
	// headers on every answer): it is an ordinary answer here.
	throttled := status == http.StatusTooManyRequests && remaining == 0

	q.mu.Lock()
	defer q.mu.Unlock()
	q.clock.observe(h, sent, received)
	switch {
	case !throttled:
		q.mode.Store(quotaEvery)
	case q.mode.Load() == quotaOff:
		q.mode.Store(quotaThrottled)
	}
	q.learnQuota(throttled, observed, remaining, limit, reset)
	switch {
	case reset.Before(q.reset) || (!q.fresh && reset.Equal(q.reset)):
		return // a late answer from a window already over
	case !received.Before(q.clock.latest(reset)):
		// A new window that is over before it is heard of: the server's
		// Reset is broken (or its Date). Pacing on it would serialise
		// every request, so pacing stops until the headers make sense.
		q.mode.Store(quotaOff)
		q.fresh = false
		q.signal()
		return
	case !q.fresh || reset.After(q.reset):
		q.reset, q.fresh, q.spent = reset, true, false
		q.remaining, q.answered, q.sent = remaining, 0, int(q.inflight.Load())
	default:
		q.remaining = min(q.remaining, remaining)
	}
	q.answered++
	if throttled {
		q.remaining, q.spent = 0, true
	}
	q.obsAt = received
	q.estimateOthers(received)
	q.signal()
}

// learnQuota takes the window's quota from Observed + Remaining, or, on a
// throttled answer, from Observed: the first request refused counts
// quota+1, later ones more. The window's length comes from successive
// resets, or from RateLimit-Limit (quota per minute, rounded up).
func (q *quotaPacer) learnQuota(throttled bool, observed, remaining, limit int, reset time.Time) {
	switch {
	case !throttled && observed > 0:
		q.quota = observed + remaining
	case throttled && observed > 1 && (q.quota == 0 || observed-1 < q.quota):
		q.quota = observed - 1
	}
	if q.fresh && reset.After(q.reset) && q.mode.Load() == quotaEvery {
		if d := reset.Sub(q.reset); q.period == 0 || d < q.period {
			q.period = d
		}
	}
	if q.period == 0 && limit > 0 && q.quota > 0 {
		secs := math.Round(float64(q.quota) * 60 / float64(limit))
		q.period = time.Duration(max(secs, 1)) * time.Second
	}
}

// estimateOthers is the rate at which others (other processes on the same
// token) spend this window: everything counted (quota − Remaining) that is
// not one of our answers. It is an upper bound, since some of our requests
// in flight are already counted; between two of our answers it is
// extrapolated, so that several processes do not each spend the same last
// units of Remaining.
func (q *quotaPacer) estimateOthers(now time.Time) {
	q.others = 0
	if q.quota == 0 || q.period == 0 {
		return
	}
	elapsed := now.Sub(q.clock.latest(q.reset.Add(-q.period))).Seconds()
	if n := q.quota - q.remaining - q.answered; n > 0 && elapsed > 0 {
		q.others = float64(n) / max(elapsed, 0.1)
	}
}

// roll moves past a window that is surely over (by the server's clock).
func (q *quotaPacer) roll(now time.Time) {
	if !q.fresh || now.Before(q.clock.latest(q.reset)) {
		return
	}
	q.tat, q.probeOut = now, false
	if q.mode.Load() == quotaEvery || q.period == 0 {
		q.fresh = false // wait for an answer of the new window
		return
	}
	// quotaThrottled: no answer will tell; windows follow each other.
	for !now.Before(q.clock.latest(q.reset)) {
		q.reset = q.reset.Add(q.period)
	}
	q.sent = int(q.inflight.Load()) // they may land in this window
	q.spent = false
}

// delay is how long an attempt must wait from now: 0 to go. forAnswer says
// that an answer in flight may free a slot sooner.
func (q *quotaPacer) delay(now time.Time) (wait time.Duration, forAnswer bool) {
	q.roll(now)
	inflight := int(q.inflight.Load())
	if !q.fresh {
		// One attempt asks the new window; its answer tells what is left.
		// Attempts from the old window may still be out (a slow page),
		// so they are not waited for.
		if q.mode.Load() == quotaThrottled || !q.probeOut {
			return 0, false
		}
		return time.Second, true // woken by the answer
	}
	budget := q.budget(now, inflight)
	if budget < 1 {
		return q.clock.latest(q.reset).Sub(now), inflight > 0
	}
	interval, burst := q.spacing(now, budget)
	return q.tat.Add(-burst * interval).Sub(now), false
}

// spacing is the even interval between attempts that spends budget by
// the time the reset may come, and how many attempts may go ahead of it.
func (q *quotaPacer) spacing(now time.Time, budget float64) (time.Duration, time.Duration) {
	left := q.clock.earliest(q.reset).Sub(now)
	if budget < 1 || left <= 0 || math.IsInf(budget, 1) {
		return 0, 0
	}
	return time.Duration(float64(left) * paceSpread / budget), time.Duration(max(0, math.Floor(budget*paceBurst)-1))
}

// budget is what is left of the window for us to send now.
func (q *quotaPacer) budget(now time.Time, inflight int) float64 {
	switch {
	case q.spent:
		return 0
	case q.mode.Load() != quotaThrottled:
	case q.quota == 0: // a 429 without Observed: only its own window is known spent
		return math.Inf(1)
	default:
		return float64(q.quota - q.sent)
	}
	return float64(q.remaining-inflight) - q.others*now.Sub(q.obsAt).Seconds()
}

// take counts an attempt that goes now and moves the spread's time on by
// one interval (a generic cell rate algorithm: the attempt may run up to
// burst intervals ahead of the even spread, never more).
func (q *quotaPacer) take(now time.Time) {
	inflight := int(q.inflight.Add(1)) - 1
	if !q.fresh {
		q.probeOut = true
		return
	}
	budget := q.budget(now, inflight)
	q.sent++
	interval, _ := q.spacing(now, budget)
	if q.tat.Before(now) {
		q.tat = now
	}
	q.tat = q.tat.Add(interval)
}

// signal wakes the goroutines waiting for an answer.
func (q *quotaPacer) signal() {
	if q.wake != nil {
		close(q.wake)
		q.wake = nil
	}
}

func (q *quotaPacer) waitChan() <-chan struct{} {
	if q.wake == nil {
		q.wake = make(chan struct{})
	}
	return q.wake
}

// clampCount reads a count header; hostile values are capped so that sums
// cannot overflow.
func clampCount(s string) int {
	return min(atoiOrZero(strings.TrimSpace(s)), 1<<30)
}
