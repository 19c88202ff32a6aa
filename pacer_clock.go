package glrunners

import (
	"net/http"
	"time"
)

// serverClock estimates the offset between GitLab's clock and ours, so
// that RateLimit-Reset (epoch seconds on the server's clock) is read
// relative to the server and not to a local clock that may be minutes
// off. A window of one minute, or of seconds in a test, is useless to a
// client whose clock is skewed; the Date header of every answer fixes it.
//
// Date has one-second resolution, so one answer only bounds the offset:
// the server stamped Date d somewhere between our send and our receipt,
// at a server time in [d, d+1s). Hence
//
//	offset = server − local ∈ [d − received, d + 1s − sent].
//
// Intersecting these intervals over many answers narrows the offset to
// about a round trip: answers land at every phase of the server's second.
// An interval that does not meet the current one means a clock was
// stepped; the estimate starts over from that answer.
//
// The zero value assumes synchronised clocks (offset 0) until an answer
// carries a Date.
type serverClock struct {
	known  bool
	lo, hi time.Duration
}

func (c *serverClock) observe(h http.Header, sent, received time.Time) {
	v := headerValue(h, "Date")
	if v == "" {
		return
	}
	d, err := http.ParseTime(v)
	if err != nil {
		return
	}
	lo, hi := d.Sub(received), d.Add(time.Second).Sub(sent)
	if !c.known || lo > c.hi || hi < c.lo {
		c.known, c.lo, c.hi = true, lo, hi
		return
	}
	c.lo, c.hi = max(c.lo, lo), min(c.hi, hi)
}

// earliest is the earliest local time at which the server's clock can
// show t; latest the latest. A window is surely over at latest(reset);
// pacing aims at earliest(reset) so as to finish before it.
func (c *serverClock) earliest(t time.Time) time.Time { return t.Add(-c.hi) }
func (c *serverClock) latest(t time.Time) time.Time   { return t.Add(-c.lo) }
