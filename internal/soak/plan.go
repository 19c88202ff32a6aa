package soak

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Kind is a fault the soak injects.
type Kind int

// Request faults are chosen by the proxy per request; connection faults
// hit a connection before any request is read.
const (
	None Kind = iota
	// Latency delays the request, then serves it normally.
	Latency
	// RateLimited answers 429 with Retry-After: 1 without forwarding.
	RateLimited
	// ResetBeforeForward reads the request, then resets the connection
	// without forwarding it: the server never saw it.
	ResetBeforeForward
	// ServerErrorAfterApply forwards the request, so the change is made,
	// then answers 502 or 503 instead of the server's answer.
	ServerErrorAfterApply
	// ResetAfterApply forwards the request, then resets the connection
	// instead of answering.
	ResetAfterApply
	// TruncatedWithLength sends the server's status and Content-Length
	// but only part of the body, then closes.
	TruncatedWithLength
	// TruncatedNoLength sends the server's status without Content-Length
	// and only part of the body, then closes cleanly: the client sees an
	// ordinary end of body.
	TruncatedNoLength
	// DroppedOnAccept resets a connection as soon as it is accepted,
	// before anything is read from it.
	DroppedOnAccept
	// RefusedDial sends a client's dial to a closed port: the connection
	// is refused and nothing is written.
	RefusedDial

	numKinds
)

var kindNames = [numKinds]string{"none", "latency", "429 Retry-After", "reset before forward",
	"5xx after apply", "reset after apply", "truncated with Content-Length",
	"truncated without Content-Length", "dropped on accept", "refused dial"}

func (k Kind) String() string {
	if k < 0 || k >= numKinds {
		return "unknown"
	}
	return kindNames[k]
}

// Kinds lists every fault kind, in declaration order.
func Kinds() []Kind {
	ks := make([]Kind, 0, numKinds-1)
	for k := Latency; k < numKinds; k++ {
		ks = append(ks, k)
	}
	return ks
}

// requestCycle weights the request faults. Faulted requests take the next
// kind of a shuffled cycle rather than a random one, so that every kind
// occurs once the cycle has turned, even in a short run. 429 is rarer
// still: its Retry-After holds back every goroutine of the client, so it
// is served on every other turn only (latency on the others).
var requestCycle = []struct {
	k Kind
	n int
}{
	{Latency, 6}, {RateLimited, 1}, {ResetBeforeForward, 5}, {ServerErrorAfterApply, 6},
	{ResetAfterApply, 5}, {TruncatedWithLength, 4}, {TruncatedNoLength, 5},
}

// Plan decides which requests and connections fail, and counts what was
// done. It is safe for concurrent use.
type Plan struct {
	rate float64

	mu       sync.Mutex
	rng      *rand.Rand
	cycle    []Kind
	pos      int
	turn     int
	requests int
	counts   [numKinds]int

	forced []Kind                  // request faults to apply next, in order
	cuts   []func(body []byte) int // where the next truncations cut
	drops  everyNth                // accepted connections to drop
	refuse everyNth                // client dials to refuse
}

// everyNth fails every n-th event (0: none), and the next forced ones.
type everyNth struct {
	every, forced, seen int
}

func (e *everyNth) take() bool {
	e.seen++
	if e.forced > 0 {
		e.forced--
		return true
	}
	return e.every > 0 && e.seen%e.every == 0
}

// NewPlan faults a share rate of the requests, drops every dropEvery-th
// accepted connection and refuses every refuseEvery-th dial (0: never).
func NewPlan(seed uint64, rate float64, dropEvery, refuseEvery int) *Plan {
	p := &Plan{rate: rate, drops: everyNth{every: dropEvery}, refuse: everyNth{every: refuseEvery},
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for _, w := range requestCycle {
		for range w.n {
			p.cycle = append(p.cycle, w.k)
		}
	}
	p.rng.Shuffle(len(p.cycle), func(i, j int) { p.cycle[i], p.cycle[j] = p.cycle[j], p.cycle[i] })
	return p
}

// Force makes the next request (or, for DroppedOnAccept and RefusedDial,
// the next connection or dial) fail with k, whatever the rate; forced
// faults queue up in order. It turns a soak finding into a reproduction.
func (p *Plan) Force(k Kind) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch k {
	case DroppedOnAccept:
		p.drops.forced++
	case RefusedDial:
		p.refuse.forced++
	default:
		p.forced = append(p.forced, k)
	}
}

// ForceCut makes the next truncation keep cut(body) bytes of the body
// (clamped to a strict prefix) instead of a random number; cuts queue up.
func (p *Plan) ForceCut(cut func(body []byte) int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cuts = append(p.cuts, cut)
}

// cut returns how many bytes of a non-empty body a truncation keeps.
func (p *Plan) cut(body []byte) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.cuts) == 0 {
		return p.rng.IntN(len(body))
	}
	f := p.cuts[0]
	p.cuts = p.cuts[1:]
	return min(max(f(body), 0), len(body)-1)
}

// pick chooses the fault for the next request.
func (p *Plan) pick() Kind {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	if len(p.forced) > 0 {
		k := p.forced[0]
		p.forced = p.forced[1:]
		return k
	}
	if p.rng.Float64() >= p.rate {
		return None
	}
	k := p.cycle[p.pos]
	if k == RateLimited && p.turn%2 == 1 {
		k = Latency
	}
	if p.pos++; p.pos == len(p.cycle) {
		p.pos, p.turn = 0, p.turn+1
	}
	return k
}

// dropConn reports whether to drop the connection just accepted.
func (p *Plan) dropConn() bool { return p.takeEvent(&p.drops, DroppedOnAccept) }

// refuseDial reports whether to refuse the client's next dial.
func (p *Plan) refuseDial() bool { return p.takeEvent(&p.refuse, RefusedDial) }

func (p *Plan) takeEvent(e *everyNth, k Kind) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	fail := e.take()
	if fail {
		p.counts[k]++
	}
	return fail
}

// note counts a request fault as it was applied (a truncation of an empty
// body becomes a reset).
func (p *Plan) note(k Kind) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[k]++
}

// between returns a duration in [lo, hi).
func (p *Plan) between(lo, hi time.Duration) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return lo + time.Duration(p.rng.Int64N(int64(hi-lo)))
}

// intN returns a number in [0, n); n must be positive.
func (p *Plan) intN(n int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rng.IntN(n)
}

// Stats is what a Plan did.
type Stats struct {
	Requests int // requests that reached the proxy's handler
	Conns    int // connections the proxy accepted
	Dials    int // connections the client dialled
	Faults   map[Kind]int
}

// Faulted is the number of requests that got a request fault.
func (s Stats) Faulted() int {
	n := 0
	for k, c := range s.Faults {
		if k != DroppedOnAccept && k != RefusedDial {
			n += c
		}
	}
	return n
}

// Stats returns a snapshot of the counts.
func (p *Plan) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Stats{Requests: p.requests, Conns: p.drops.seen, Dials: p.refuse.seen, Faults: map[Kind]int{}}
	for k := Latency; k < numKinds; k++ {
		s.Faults[k] = p.counts[k]
	}
	return s
}
