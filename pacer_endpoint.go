package glrunners

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Application limits are GitLab's per-feature limits inside the Rails app
// (lib/gitlab/application_rate_limiter.rb; docs page "Rate limits on
// GitLab.com" and the API pages of the endpoints), e.g. GET
// /runners/:id/jobs at 330 per minute per user. Their 429 carries no
// RateLimit-* headers and no Retry-After, only a JSON body ("This endpoint
// has been requested too many times"), and it says nothing about the rest
// of the API. So a 429 without RateLimit headers limits only its endpoint
// shape (method and path with the IDs taken out), and the quota and window
// are learned from the answers, as one cycle of the limiter:
//
//  1. blocked: after a 429, one probe at a time, spaced more and more
//     widely, until one is answered: a new window has opened, somewhere
//     between the last probe refused and this one;
//  2. learning: one call at a time (so that the window's end costs one
//     429, not one per goroutine) until a 429 ends the window's quota,
//     then blocked again until the next opening;
//  3. paced: the successes of that cycle are the quota Q, and the time
//     from the probe refused before the first opening to the second
//     opening bounds the window P from above; the shape is paced at an
//     even endpointSafety·Q per P. Evenly spaced calls at that rate fit
//     any fixed window of length P, whatever its phase.
//
// A 429 while paced slows the shape by a quarter. The pacer never speeds
// up again: a limit learned too low costs throughput on that endpoint,
// never 429s.
const (
	endpointSafety   = 0.9
	endpointProbeMin = 100 * time.Millisecond
	endpointProbeMax = 10 * time.Second
)

type endpointState int

const (
	endpointBlocked endpointState = iota
	endpointLearning
	endpointPaced
)

// endpointPacers holds the shapes that have answered a header-less 429.
// Until one has, lookup costs one atomic load.
type endpointPacers struct {
	any    atomic.Bool
	mu     sync.Mutex
	shapes map[string]*endpointPacer
}

func (e *endpointPacers) lookup(method, path string) *endpointPacer {
	if !e.any.Load() {
		return nil
	}
	key := endpointShape(method, path)
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.shapes[key]
}

// limited notes a header-less 429 for a shape that had no pacer yet.
func (e *endpointPacers) limited(method, path string, now time.Time) {
	key := endpointShape(method, path)
	e.mu.Lock()
	p := e.shapes[key]
	if p == nil {
		if e.shapes == nil {
			e.shapes = map[string]*endpointPacer{}
		}
		p = &endpointPacer{state: endpointLearning}
		e.shapes[key] = p
		e.any.Store(true)
	}
	e.mu.Unlock()
	p.mu.Lock()
	p.observe(http.StatusTooManyRequests, false, now)
	p.mu.Unlock()
}

// endpointShape is the method and path template of a request: numeric
// segments and the project or group reference become ":id", so that every
// runner's jobs list shares one budget, as GitLab counts them.
func endpointShape(method, path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if isDigits(s) || (i > 0 && (segs[i-1] == "projects" || segs[i-1] == "groups")) {
			segs[i] = ":id"
		}
	}
	return method + " /" + strings.Join(segs, "/")
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// endpointPacer is one shape's learned application limit.
type endpointPacer struct {
	mu        sync.Mutex
	state     endpointState
	inflight  int
	probing   bool          // a probe is out (blocked)
	probeGap  time.Duration // wait before the next probe (blocked)
	refusedAt time.Time     // local time of the last 429
	floor     time.Time     // the learning cycle's window opened after this
	learned   bool          // a learning cycle has begun
	okInCycle int           // successes since the cycle's start
	interval  time.Duration // between calls (paced)
	nextAt    time.Time
	wake      chan struct{}
}

// delay is how long an attempt must wait; 0 to go, and then it is counted.
func (p *endpointPacer) delay(st *callState, now time.Time) (time.Duration, bool) {
	switch p.state {
	case endpointBlocked:
		if p.probing {
			return p.probeGap, true
		}
		if now.Before(p.nextAt) {
			return p.nextAt.Sub(now), false
		}
		p.probing = true
		st.pace.probe = true
	case endpointLearning:
		if p.inflight > 0 {
			return endpointProbeMax, true
		}
	case endpointPaced:
		if now.Before(p.nextAt) {
			return p.nextAt.Sub(now), false
		}
		p.nextAt = now.Add(p.interval)
	}
	p.inflight++
	return 0, false
}

// observe learns from one answer of the shape (status 0: no answer). Only
// a probe's success opens a window: another call's success may arrive
// after the 429 yet belong to the spent window.
func (p *endpointPacer) observe(status int, probe bool, now time.Time) {
	switch {
	case status == 0:
	case status != http.StatusTooManyRequests && p.state == endpointBlocked && probe:
		if p.learned && p.okInCycle > 0 { // the second opening: the cycle is known
			window := now.Sub(p.floor)
			p.interval = time.Duration(float64(window) / (endpointSafety * float64(p.okInCycle)))
			p.state = endpointPaced
		} else { // the first opening: learn one cycle
			p.state, p.learned, p.floor = endpointLearning, true, p.refusedAt
		}
		p.okInCycle, p.nextAt = 1, now
	case status != http.StatusTooManyRequests:
		p.okInCycle++
	case p.state == endpointPaced: // a little too fast, or someone else spends too
		p.refusedAt = now
		p.interval += p.interval / 4
		p.nextAt = now.Add(p.interval)
	case p.state == endpointBlocked:
		p.refusedAt = now
		p.probeGap = min(2*p.probeGap, endpointProbeMax)
		p.nextAt = now.Add(p.probeGap)
	default: // the window's quota is spent
		p.refusedAt = now
		p.state, p.probeGap = endpointBlocked, endpointProbeMin
		p.nextAt = now.Add(p.probeGap)
	}
}

func (p *endpointPacer) done(st *callState, status int, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	probe := st.pace.probe
	if probe {
		p.probing, st.pace.probe = false, false
	}
	p.observe(status, probe, now)
	p.signal()
}

func (p *endpointPacer) signal() {
	if p.wake != nil {
		close(p.wake)
		p.wake = nil
	}
}

func (p *endpointPacer) waitChan() <-chan struct{} {
	if p.wake == nil {
		p.wake = make(chan struct{})
	}
	return p.wake
}
