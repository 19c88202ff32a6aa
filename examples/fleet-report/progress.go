package main

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// progress redraws one status line on a terminal while the fleet is read:
// runners listed, runners read, request rate and the time left. A nil
// *progress draws nothing.
type progress struct {
	w        io.Writer
	requests func() int64 // requests sent so far
	every    time.Duration

	total          int // runners GitLab said there are; 0: it did not say
	began          time.Time
	listed, fanned atomic.Int64
	stop           chan struct{}
	wg             sync.WaitGroup
}

func newProgress(w io.Writer, requests func() int64) *progress {
	return &progress{w: w, requests: requests, every: 250 * time.Millisecond}
}

func (p *progress) start(total int) {
	if p == nil {
		return
	}
	p.total, p.began, p.stop = total, time.Now(), make(chan struct{})
	p.wg.Go(func() {
		t := time.NewTicker(p.every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				fmt.Fprintf(p.w, "\r\033[K%s", p.line(time.Since(p.began)))
			}
		}
	})
}

func (p *progress) walked() {
	if p != nil {
		p.listed.Add(1)
	}
}

func (p *progress) fannedOut() {
	if p != nil {
		p.fanned.Add(1)
	}
}

// finish stops drawing and clears the line.
func (p *progress) finish() {
	if p == nil || p.stop == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	fmt.Fprint(p.w, "\r\033[K")
}

// line is the status after elapsed.
func (p *progress) line(elapsed time.Duration) string {
	listed, fanned := p.listed.Load(), p.fanned.Load()
	of := ""
	if p.total > 0 {
		of = "/" + group(int64(p.total))
	}
	s := fmt.Sprintf("listed %s%s runners · read %s · %s req/s", group(listed), of, group(fanned),
		group(int64(float64(p.requests())/max(elapsed.Seconds(), 0.001))))
	// Reading one runner costs about the same everywhere, so the rate of
	// runners read so far says when the rest will be done.
	expect := int64(p.total)
	if expect == 0 {
		expect = listed // unknown until the walk ends: an estimate that grows
	}
	if fanned > 0 && expect > fanned {
		left := time.Duration(float64(elapsed) * float64(expect-fanned) / float64(fanned))
		s += " · ETA " + left.Round(time.Second).String()
	}
	return s
}

// group writes n with thousands separators: 12,345.
func group(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + group(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
