package main

import (
	"context"
	"errors"

	"github.com/glrunners/glrunners"
)

// result is what happened to one candidate.
type result int

const (
	notAttempted result = iota // the run was stopped first
	deleted
	alreadyGone // 404: someone else deleted it; the goal is met
	changed     // 412: modified since it was inspected; left for the next run
	failed
)

// String is the result's name in -json output.
func (r result) String() string {
	switch r {
	case deleted:
		return "deleted"
	case alreadyGone:
		return "already_gone"
	case changed:
		return "changed"
	case failed:
		return "failed"
	}
	return "not_attempted"
}

// outcome is the result of deleting one candidate.
type outcome struct {
	ID     int64
	Result result
	Err    error // set for failed
}

// deleter deletes candidates with a bounded number of requests in flight.
type deleter struct {
	c           *glrunners.Client
	concurrency int
	// stop, once closed, lets no new delete start; those in flight go on
	// until their ctx ends.
	stop <-chan struct{}
	// report, if set, is called with each outcome as it happens, from the
	// workers.
	report func(o outcome)
}

// deleteAll deletes every candidate and returns one outcome per candidate,
// in the same order. Once stop is closed or ctx is done no new delete
// starts; the rest are reported as not attempted.
func (dl *deleter) deleteAll(ctx context.Context, cands []candidate) []outcome {
	out := make([]outcome, len(cands))
	forEach(len(cands), dl.concurrency, func(i int) {
		out[i] = dl.deleteOne(ctx, cands[i])
		if dl.report != nil {
			dl.report(out[i])
		}
	})
	return out
}

func (dl *deleter) deleteOne(ctx context.Context, c candidate) outcome {
	o := outcome{ID: c.ID}
	select {
	case <-dl.stop:
		return o
	default:
	}
	if ctx.Err() != nil {
		return o
	}
	// Conditional on no change since the finder read it: a runner someone
	// reconfigured, re-tagged or reassigned meanwhile is someone's runner
	// again, not litter. GitLab answers 412 and the runner stays.
	_, err := dl.c.Runners.Delete(ctx, c.ID, glrunners.WithIfUnmodifiedSince(c.Seen))
	switch {
	case err == nil:
		o.Result = deleted
	case errors.Is(err, glrunners.ErrNotFound):
		o.Result = alreadyGone
	case errors.Is(err, glrunners.ErrPreconditionFailed):
		o.Result = changed
	default:
		o.Result, o.Err = failed, err
	}
	return o
}

// summary counts outcomes.
type summary struct {
	Found, Deleted, AlreadyGone, Changed, Failed, NotAttempted int

	DryRun  bool
	Stopped string // why the run was stopped, "" if it was not
}

func summarize(found int, outs []outcome) summary {
	s := summary{Found: found}
	for _, o := range outs {
		switch o.Result {
		case deleted:
			s.Deleted++
		case alreadyGone:
			s.AlreadyGone++
		case changed:
			s.Changed++
		case failed:
			s.Failed++
		default:
			s.NotAttempted++
		}
	}
	return s
}

// ok reports whether every candidate is dealt with. A runner changed since
// inspection counts as dealt with: leaving it is the safe, intended result.
func (s summary) ok() bool { return s.Failed == 0 && s.NotAttempted == 0 }
