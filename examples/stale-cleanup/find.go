package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/glrunners/glrunners"
)

// staleAfter is GitLab's definition of stale: no activity for 7 days.
const staleAfter = 7 * 24 * time.Hour

// candidate is a runner the finder would delete.
type candidate struct {
	*glrunners.RunnerDetails
	// Seen is when the details were read, on the server's clock (its Date
	// header): the delete is made conditional on no change since then.
	Seen time.Time
}

// skipped is a stale runner listed but left alone, with the reason.
type skipped struct {
	ID     int64
	Reason string
}

// findResult is what the finder found.
type findResult struct {
	Candidates []candidate // by ID
	Skipped    []skipped   // by ID
	Notes      []string    // what the search had to fall back to
}

// finder looks for stale runners.
type finder struct {
	c           *glrunners.Client
	now         time.Time
	concurrency int
}

// find lists the stale runners that match f, then reads each one's details
// (bounded concurrency) to check it against what the list cannot tell:
// the last contact, the owner, the projects it serves.
func (fd *finder) find(ctx context.Context, f filter) (*findResult, error) {
	res := &findResult{}
	listed, err := fd.list(ctx, f, res)
	if err != nil {
		return nil, err
	}
	type checked struct {
		c    candidate
		skip string
		gone bool
		err  error
	}
	out := make([]checked, len(listed))
	forEach(len(listed), fd.concurrency, func(i int) {
		d, resp, err := fd.c.Runners.Get(ctx, listed[i], nil)
		switch {
		case errors.Is(err, glrunners.ErrNotFound):
			out[i].gone = true // deleted since the list: nothing to do
		case err != nil:
			out[i].err = err
		default:
			out[i].c = candidate{RunnerDetails: d, Seen: serverTime(resp, fd.now)}
			out[i].skip = fd.reject(d, f)
		}
	})
	for i, o := range out {
		switch {
		case o.err != nil:
			return nil, fmt.Errorf("reading runner %d: %w", listed[i], o.err)
		case o.gone:
		case o.skip != "":
			res.Skipped = append(res.Skipped, skipped{ID: listed[i], Reason: o.skip})
		default:
			res.Candidates = append(res.Candidates, o.c)
		}
	}
	return res, nil
}

// list returns the IDs of the stale runners in scope, in ID order.
func (fd *finder) list(ctx context.Context, f filter, res *findResult) ([]int64, error) {
	var seq iter.Seq2[*glrunners.Runner, error]
	switch {
	case f.Group != "":
		seq = fd.c.Groups.ListRunnersIter(ctx, glrunners.Path(f.Group), &glrunners.ListGroupRunnersOptions{
			Type: glrunners.GroupType, Status: glrunners.StatusStale, TagList: f.Tags,
		})
	case f.Project != "":
		seq = fd.c.Projects.ListRunnersIter(ctx, glrunners.Path(f.Project), &glrunners.ListRunnersOptions{
			Type: glrunners.ProjectType, Status: glrunners.StatusStale, TagList: f.Tags,
		})
	default:
		opt := &glrunners.ListRunnersOptions{Type: f.Type, Status: glrunners.StatusStale, TagList: f.Tags}
		ids, err := collectIDs(fd.c.Runners.ListAllIter(ctx, opt))
		if !errors.Is(err, glrunners.ErrForbidden) {
			return ids, err
		}
		// Only administrators may list every runner; anyone else can still
		// clean up the runners they own.
		res.Notes = append(res.Notes, "not an administrator: searched only the runners you own (GET /runners)")
		seq = fd.c.Runners.ListIter(ctx, opt)
	}
	return collectIDs(seq)
}

func collectIDs(seq iter.Seq2[*glrunners.Runner, error]) ([]int64, error) {
	var ids []int64
	for r, err := range seq {
		if err != nil {
			return nil, err
		}
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// reject returns why a listed runner must be left alone, or "".
func (fd *finder) reject(d *glrunners.RunnerDetails, f filter) string {
	last := d.CreatedAt
	if d.ContactedAt != nil && d.ContactedAt.After(last) {
		last = *d.ContactedAt
	}
	switch {
	// The status filter reads contacted_at from the database, which lags
	// the cache Get reads by up to an hour: a runner that just came back
	// is listed as stale but is not.
	case d.Status != glrunners.StatusStale || fd.now.Sub(last) < staleAfter:
		return fmt.Sprintf("active again (status %s, last contact %s)", d.Status, lastContact(d.ContactedAt, fd.now))
	case fd.now.Sub(last) < f.OlderThan:
		return fmt.Sprintf("last active %s, not older than %s", ago(fd.now.Sub(last)), (*days)(&f.OlderThan))
	case f.Group != "" && !ownedByGroup(d, f.Group):
		return "owned by another group (GitLab lists ancestor groups' runners too)"
	case f.Project != "" && len(d.Projects) == 2:
		return "also serves another project"
	case f.Project != "" && len(d.Projects) > 2:
		return fmt.Sprintf("also serves %d other projects", len(d.Projects)-1)
	}
	return ""
}

// ownedByGroup reports whether group (a full path) owns the group runner.
// Runner details name the owner by ID, name and web_url only; GitLab's
// web_url of a group is <instance>/groups/<full path>, so the path is
// compared with its end. (The SDK has no call that turns a path into an ID.)
func ownedByGroup(d *glrunners.RunnerDetails, group string) bool {
	for _, g := range d.Groups {
		u, err := url.Parse(g.WebURL)
		if err == nil && strings.HasSuffix(strings.ToLower(u.Path), "/groups/"+strings.ToLower(group)) {
			return true
		}
	}
	return false
}

// serverTime is the Date of the server's answer, or fallback when it sent
// none. Using the server's clock keeps a skewed local clock from letting a
// change slip past If-Unmodified-Since; the header's one-second precision
// can only make GitLab refuse a delete, never allow a wrong one.
func serverTime(resp *glrunners.Response, fallback time.Time) time.Time {
	if resp != nil && resp.Response != nil {
		if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			return t
		}
	}
	return fallback
}
