package glrunners

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
)

// maxSummaryErrors bounds BulkSummary.Errors, so that a run failing on
// 50,000 runners does not hold 50,000 errors.
const maxSummaryErrors = 10

// runBulk resumes opt.Checkpoint when it exists (after checking that it is
// for this plan), else snapshots the selection and starts a new run.
func (s *RunnersService) runBulk(ctx context.Context, p bulkPlan, sel BulkSelection, o BulkOptions, opts []RequestOption) (*BulkSummary, error) {
	if o.Checkpoint != "" {
		cp, err := openCheckpoint(o.Checkpoint, !o.DryRun)
		switch {
		case err == nil:
			if err := cp.plan.matches(p, o.Checkpoint); err != nil {
				_ = cp.close()
				return nil, err
			}
			return s.resume(ctx, cp, o, opts)
		case !errors.Is(err, os.ErrNotExist):
			return nil, err
		}
	}
	ids, err := sel.snapshot(ctx, s.client, opts)
	if err != nil {
		return nil, err
	}
	cp := memCheckpoint(p, ids)
	if o.Checkpoint != "" && !o.DryRun {
		if cp, err = createCheckpoint(o.Checkpoint, p, ids); err != nil {
			return nil, err
		}
	}
	return s.resume(ctx, cp, o, opts)
}

// bulkRun is one run over a checkpoint's unfinished runners.
type bulkRun struct {
	s      *RunnersService
	cp     *checkpoint
	change BulkChange
	opt    BulkOptions
	opts   []RequestOption // for every request
	delOpt []RequestOption // for deletes: opts plus the precondition

	mu    sync.Mutex // guards sum, fatal and the Progress calls
	sum   BulkSummary
	fatal error // a checkpoint write failed: the run stops
}

// resume works through the runners of cp not yet finished, with
// o.Concurrency workers, and closes cp.
func (s *RunnersService) resume(ctx context.Context, cp *checkpoint, o BulkOptions, opts []RequestOption) (sum *BulkSummary, err error) {
	defer func() {
		if cerr := cp.close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	r := &bulkRun{s: s, cp: cp, change: cp.plan.change(), opt: o, opts: opts, delOpt: opts}
	if since := cp.plan.since(); !since.IsZero() {
		r.delOpt = append(slices.Clip(opts), WithIfUnmodifiedSince(since))
	}
	r.sum = BulkSummary{Change: r.change.String(), Total: len(cp.ids)}
	for _, st := range cp.state {
		if st == stDone {
			r.sum.Resumed++
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan int)
	go func() {
		defer close(work)
		for i, st := range cp.state {
			if st == stDone {
				continue // only its own worker writes state[i], and i is not handed out yet
			}
			select {
			case work <- i:
			case <-ctx.Done():
				return
			case <-o.Stop:
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range o.Concurrency {
		wg.Go(func() {
			for i := range work {
				r.one(ctx, cancel, i)
			}
		})
	}
	wg.Wait()
	return r.finish(ctx)
}

func (r *bulkRun) finish(ctx context.Context) (*BulkSummary, error) {
	sum := r.sum
	finished := sum.Resumed + sum.Done + sum.Gone + sum.Changed
	sum.Remaining = sum.Total - finished
	switch {
	case r.fatal != nil:
		return &sum, r.fatal
	case r.opt.DryRun:
		return &sum, nil
	case sum.Remaining > 0 && ctx.Err() != nil:
		return &sum, fmt.Errorf("%w: %d runners left: %w", ErrBulkIncomplete, sum.Remaining, context.Cause(ctx))
	case sum.Remaining > 0 && r.stopped():
		return &sum, fmt.Errorf("%w: %d runners left: stopped", ErrBulkIncomplete, sum.Remaining)
	case sum.Remaining > 0:
		return &sum, fmt.Errorf("%w: %d runners left, %d failed", ErrBulkIncomplete, sum.Remaining, sum.Failed)
	}
	return &sum, nil
}

// one finishes ids[i]: in a dry run it only reports it; a runner whose
// write an earlier run may have sent is checked first; otherwise the
// intent is made durable, then the write is sent.
func (r *bulkRun) one(ctx context.Context, cancel context.CancelFunc, i int) {
	id := r.cp.ids[i]
	if r.opt.DryRun {
		r.report(BulkEvent{ID: id, Outcome: BulkDryRun})
		return
	}
	if ctx.Err() != nil || r.stopped() {
		return
	}
	if r.cp.state[i] == stIntent {
		out, err, write := r.check(ctx, id)
		if !write {
			r.end(cancel, i, BulkEvent{ID: id, Outcome: out, Err: err, Checked: true})
			return
		}
		// The change is not there: the earlier write was never applied.
		// Its intent record stands for this one.
	} else if err := r.cp.intent(i); err != nil {
		r.abort(cancel, err)
		return
	}
	out, err := r.write(ctx, id)
	r.end(cancel, i, BulkEvent{ID: id, Outcome: out, Err: err})
}

// check reads a runner whose write may have been applied: write is true
// when the change is not there and must be sent.
func (r *bulkRun) check(ctx context.Context, id int64) (out BulkOutcome, err error, write bool) {
	d, _, err := r.s.Get(ctx, id, &GetRunnerOptions{IncludeProjects: Ptr(false)}, r.opts...)
	switch {
	case errors.Is(err, ErrNotFound):
		return BulkAlreadyGone, nil, false
	case err != nil:
		return BulkFailed, err, false
	case r.change.applied(d):
		return BulkDone, nil, false
	}
	return "", nil, true
}

func (r *bulkRun) write(ctx context.Context, id int64) (BulkOutcome, error) {
	var err error
	if r.change.kind == bulkDelete {
		_, err = r.s.Delete(ctx, id, r.delOpt...)
	} else {
		_, _, err = r.s.Update(ctx, id, r.change.update(), r.opts...)
	}
	switch {
	case err == nil:
		return BulkDone, nil
	case errors.Is(err, ErrNotFound):
		return BulkAlreadyGone, nil
	case errors.Is(err, ErrPreconditionFailed):
		return BulkChanged, nil
	}
	return BulkFailed, err
}

// end journals a finished runner and reports it. A write cut off by ctx
// is reported as failed: its outcome is unknown, and a resume checks it.
func (r *bulkRun) end(cancel context.CancelFunc, i int, ev BulkEvent) {
	if terminal(ev.Outcome) {
		if err := r.cp.done(i, ev.Outcome); err != nil {
			r.abort(cancel, err)
			return
		}
	}
	r.report(ev)
}

func (r *bulkRun) report(ev BulkEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &r.sum
	switch ev.Outcome {
	case BulkDone:
		s.Done++
	case BulkAlreadyGone:
		s.Gone++
	case BulkChanged:
		s.Changed++
	case BulkDryRun:
		s.DryRun++
	case BulkFailed:
		s.Failed++
		if len(s.Errors) < maxSummaryErrors {
			s.Errors = append(s.Errors, fmt.Errorf("runner %d: %w", ev.ID, ev.Err))
		}
	}
	if ev.Checked {
		s.Checked++
	}
	ev.Finished = s.Resumed + s.Done + s.Gone + s.Changed + s.DryRun + s.Failed
	ev.Total = s.Total
	if r.opt.Progress != nil {
		r.opt.Progress(ev)
	}
}

func (r *bulkRun) stopped() bool {
	select {
	case <-r.opt.Stop:
		return true
	default:
		return false
	}
}

func (r *bulkRun) abort(cancel context.CancelFunc, err error) {
	r.mu.Lock()
	if r.fatal == nil {
		r.fatal = err
	}
	r.mu.Unlock()
	cancel()
}
