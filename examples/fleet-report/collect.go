package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/glrunners/glrunners"
)

// runnerRecord is one runner as the SDK returned it, with what the fan-out
// read about it.
type runnerRecord struct {
	*glrunners.Runner
	// Managers are the hosts serving the runner; not read (nil) for a
	// runner that never contacted GitLab, which has none.
	Managers []*glrunners.RunnerManager
	// Details are read only for stale and never-contacted runners: the
	// list does not say who owns a runner or what tags it has, and those
	// are the runners someone has to chase.
	Details *glrunners.RunnerDetails

	gone bool // deleted between the list and the fan-out
}

// fleet is everything the collector read.
type fleet struct {
	GitLab string // web address of the GitLab, for links (no /api/v4)
	// Admin: the fleet is every runner of the instance (GET /runners/all).
	// Otherwise it is the runners the token may administer (GET /runners).
	Admin bool
	// Now is the server's clock when the walk started (the Date of its
	// first answer): ages are measured against it, so a skewed local
	// clock does not shift them.
	Now     time.Time
	Runners []*runnerRecord // by ID
	// Gone counts runners deleted while the report was being collected;
	// they are left out.
	Gone int
	// Listed is how many runners the list returned, duplicates included
	// (offset pages shift when runners come and go during the walk).
	Listed int
}

// collector walks a fleet through the SDK.
type collector struct {
	c           *glrunners.Client
	gitlab      string
	concurrency int
	progress    *progress // nil: no progress display
}

// errAccess marks a token GitLab refuses (401), or one that may not list
// runners (403); the message says which.
var errAccess = errors.New("access refused")

// noGitLab marks a first request that found no GitLab API at GITLAB_URL:
// nothing answered, or something that is not GitLab did.
type noGitLab struct{ error }

func (e noGitLab) Unwrap() error { return e.error }

// collect lists every runner visible to the token, then reads each one's
// managers (and, for stale and never-contacted runners, details) with at
// most concurrency requests in flight. The walk and the fan-out overlap:
// managers are read while later pages are still being listed. Any error
// other than a runner gone meanwhile stops everything and is returned.
func (cl *collector) collect(ctx context.Context) (*fleet, error) {
	f, total, err := cl.probe(ctx)
	if err != nil {
		return nil, err
	}
	cl.progress.start(total)

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	tasks := make(chan *runnerRecord, cl.concurrency)
	var wg sync.WaitGroup
	for range cl.concurrency {
		wg.Go(func() {
			for rec := range tasks {
				if ctx.Err() != nil {
					continue // drain: the walk is stopping
				}
				if err := cl.fanOut(ctx, rec); err != nil {
					cancel(err)
				}
				cl.progress.fannedOut()
			}
		})
	}
	walkErr := cl.walk(ctx, f, tasks)
	close(tasks)
	wg.Wait()
	// A failed fan-out or an interrupt cancelled ctx, and the walk stopped
	// because of it: the cause is the error to report.
	if cause := context.Cause(ctx); cause != nil {
		return nil, cause
	}
	if walkErr != nil {
		return nil, fmt.Errorf("listing runners: %w", walkErr)
	}
	f.Runners = slices.DeleteFunc(f.Runners, func(r *runnerRecord) bool {
		if r.gone {
			f.Gone++
		}
		return r.gone
	})
	return f, nil
}

// walk ranges over the runner list and hands each new runner to the
// fan-out.
func (cl *collector) walk(ctx context.Context, f *fleet, tasks chan<- *runnerRecord) error {
	var seq iter.Seq2[*glrunners.Runner, error]
	if f.Admin {
		seq = cl.c.Runners.ListAllIter(ctx, nil)
	} else {
		seq = cl.c.Runners.ListIter(ctx, nil)
	}
	seen := make(map[int64]bool)
	for r, err := range seq {
		if err != nil {
			return err
		}
		f.Listed++
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		rec := &runnerRecord{Runner: r}
		f.Runners = append(f.Runners, rec)
		cl.progress.walked()
		select {
		case tasks <- rec:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	slices.SortFunc(f.Runners, func(a, b *runnerRecord) int { return compareInt(a.ID, b.ID) })
	return nil
}

// probe asks for one runner to learn, before the long walk starts, whether
// GitLab answers, whether the token may list every runner or only its
// own, how many there are (when GitLab says) and what time the server
// thinks it is.
func (cl *collector) probe(ctx context.Context) (*fleet, int, error) {
	one := &glrunners.ListRunnersOptions{ListOptions: glrunners.ListOptions{PerPage: 1}}
	f := &fleet{GitLab: cl.gitlab, Admin: true}
	_, resp, err := cl.c.Runners.ListAll(ctx, one)
	if errors.Is(err, glrunners.ErrForbidden) {
		// Not an administrator (or not in admin mode): the runners the
		// token may administer are still worth a report.
		f.Admin = false
		_, resp, err = cl.c.Runners.List(ctx, one)
	}
	var te *glrunners.TransportError
	switch {
	case errors.As(err, &te) && ctx.Err() == nil:
		return nil, 0, noGitLab{fmt.Errorf("cannot reach GitLab at %s: %w", cl.gitlab, err)}
	case errors.Is(err, glrunners.ErrUnauthorized):
		return nil, 0, fmt.Errorf("%w: GitLab at %s rejected the token (401): check GITLAB_TOKEN", errAccess, cl.gitlab)
	case errors.Is(err, glrunners.ErrForbidden):
		return nil, 0, fmt.Errorf("%w: the token may not list runners (403); it needs the api or read_api scope: %v", errAccess, err)
	case errors.Is(err, glrunners.ErrInvalidResponse):
		return nil, 0, noGitLab{fmt.Errorf("%s does not answer like GitLab's API (is the URL right?): %w", cl.gitlab, err)}
	case err != nil:
		return nil, 0, fmt.Errorf("listing runners: %w", err)
	}
	f.Now = serverTime(resp)
	return f, resp.TotalItems, nil
}

// fanOut reads what the list does not say about one runner.
func (cl *collector) fanOut(ctx context.Context, rec *runnerRecord) error {
	if rec.Online != nil { // it has contacted GitLab, so it has managers
		ms, _, err := cl.c.Runners.ListManagers(ctx, rec.ID)
		if errors.Is(err, glrunners.ErrNotFound) {
			rec.gone = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the managers of runner %d: %w", rec.ID, err)
		}
		rec.Managers = ms
	}
	if s := statusOf(rec.Runner); s == glrunners.StatusStale || s == glrunners.StatusNeverContacted {
		d, _, err := cl.c.Runners.Get(ctx, rec.ID, nil)
		if errors.Is(err, glrunners.ErrNotFound) {
			rec.gone = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading runner %d: %w", rec.ID, err)
		}
		rec.Details = d
	}
	return nil
}

// serverTime is the Date of the server's answer, or the local clock if it
// sent none.
func serverTime(resp *glrunners.Response) time.Time {
	if resp != nil && resp.Response != nil {
		if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			return t
		}
	}
	return time.Now().UTC()
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
