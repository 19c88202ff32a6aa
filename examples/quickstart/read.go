package main

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/examples/internal/demofleet"
)

// tour walks through the SDK; each method is one part of the output.
type tour struct {
	c     *glrunners.Client
	p     *printer
	fleet *demofleet.Fleet // nil against a real GitLab

	// listAll is Runners.ListAllIter for administrators and Runners.ListIter
	// (the runners the caller owns) for everyone else.
	listAll func(context.Context, *glrunners.ListRunnersOptions, ...glrunners.RequestOption) iter.Seq2[*glrunners.Runner, error]
	list    func(context.Context, *glrunners.ListRunnersOptions, ...glrunners.RequestOption) ([]*glrunners.Runner, *glrunners.Response, error)

	listName string // "ListAll" or "List", for the headings

	showcase int64 // the runner looked at in detail
}

// readOnly is the part of the tour that changes nothing.
func (t *tour) readOnly(ctx context.Context) error {
	if err := t.chooseLists(ctx); err != nil {
		return err
	}
	if err := t.counts(ctx); err != nil {
		return err
	}
	if err := t.filtered(ctx); err != nil {
		return err
	}
	if t.showcase == 0 {
		t.p.linef("no runner to look at in detail")
		return nil
	}
	if err := t.details(ctx); err != nil {
		return err
	}
	if err := t.managers(ctx); err != nil {
		return err
	}
	return t.jobs(ctx)
}

// chooseLists asks for one runner of /runners/all to learn whether the
// token is an administrator's: GitLab answers 403 otherwise, and the tour
// falls back to the runners the caller owns.
func (t *tour) chooseLists(ctx context.Context) error {
	t.listAll, t.list, t.listName = t.c.Runners.ListAllIter, t.c.Runners.ListAll, "ListAll"
	_, _, err := t.c.Runners.ListAll(ctx, &glrunners.ListRunnersOptions{ListOptions: glrunners.ListOptions{PerPage: 1}})
	switch {
	case errors.Is(err, glrunners.ErrForbidden):
		t.p.linef("not an administrator (GET /runners/all: 403): showing the runners you own")
		t.listAll, t.list, t.listName = t.c.Runners.ListIter, t.c.Runners.List, "List"
	case err != nil:
		return err
	}
	return nil
}

// counts counts runners with one server-side filter per line, ranging over
// every page with the iterator.
func (t *tour) counts(ctx context.Context) error {
	t.p.heading("Runners by status and type", "Runners."+t.listName+"Iter(ctx, &glrunners.ListRunnersOptions{Status: ...})")
	lines := []struct {
		label string
		opt   *glrunners.ListRunnersOptions
		note  string
	}{
		{"all", nil, ""},
		{"online", &glrunners.ListRunnersOptions{Status: glrunners.StatusOnline}, "contacted in the last 2 hours"},
		{"offline", &glrunners.ListRunnersOptions{Status: glrunners.StatusOffline}, "includes the stale ones that once made contact"},
		{"stale", &glrunners.ListRunnersOptions{Status: glrunners.StatusStale}, "silent for 7+ days: see examples/stale-cleanup"},
		{"never_contacted", &glrunners.ListRunnersOptions{Status: glrunners.StatusNeverContacted}, "includes the stale ones that never did"},
		{"paused", &glrunners.ListRunnersOptions{Paused: glrunners.Ptr(true)}, "Paused: glrunners.Ptr(true)"},
		{"instance_type", &glrunners.ListRunnersOptions{Type: glrunners.InstanceType}, ""},
		{"group_type", &glrunners.ListRunnersOptions{Type: glrunners.GroupType}, ""},
		{"project_type", &glrunners.ListRunnersOptions{Type: glrunners.ProjectType}, ""},
	}
	tw := t.p.table("FILTER", "RUNNERS", "")
	for _, l := range lines {
		n := 0
		for _, err := range t.listAll(ctx, l.opt) {
			if err != nil {
				return err
			}
			n++
		}
		tw.row(l.label, fmt.Sprintf("%7d", n), l.note)
	}
	return tw.Flush()
}

// filtered fetches one page with several filters and reads the totals from
// the Response.
func (t *tour) filtered(ctx context.Context) error {
	opt := &glrunners.ListRunnersOptions{
		ListOptions:   glrunners.ListOptions{PerPage: 8},
		Type:          glrunners.InstanceType,
		Status:        glrunners.StatusOnline,
		TagList:       []string{"docker", "linux"},
		VersionPrefix: "18.1.",
	}
	t.p.heading("Online instance runners tagged docker+linux on runner 18.1.x (first page)",
		"Runners."+t.listName+`(ctx, &glrunners.ListRunnersOptions{Type: glrunners.InstanceType, Status: glrunners.StatusOnline,`+"\n"+
			`       TagList: []string{"docker", "linux"}, VersionPrefix: "18.1.", ListOptions: glrunners.ListOptions{PerPage: 8}})`)
	runners, resp, err := t.list(ctx, opt)
	if err != nil {
		return err
	}
	if len(runners) == 0 {
		// A real GitLab may have none of these: take any runner instead.
		runners, _, err = t.list(ctx, &glrunners.ListRunnersOptions{ListOptions: glrunners.ListOptions{PerPage: 8}})
		if err != nil {
			return err
		}
		t.p.linef("no match; showing the first runners instead")
	}
	if len(runners) == 0 {
		t.p.linef("no runners")
		return nil
	}
	tw := t.p.table("ID", "TYPE", "STATUS", "PAUSED", "DESCRIPTION")
	for _, r := range runners {
		tw.row(r.ID, r.RunnerType, r.Status, r.Paused, str(r.Description))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if resp.TotalItems > 0 {
		t.p.linef("page %d of %d, %d runners match (Response.TotalItems; GitLab omits it past 10,000)",
			resp.CurrentPage, resp.TotalPages, resp.TotalItems)
	}
	t.showcase = runners[0].ID
	return nil
}

// details prints one runner's configuration.
func (t *tour) details(ctx context.Context) error {
	t.p.heading(fmt.Sprintf("Runner %d in detail", t.showcase), "Runners.Get(ctx, id, nil)")
	r, _, err := t.c.Runners.Get(ctx, t.showcase, nil)
	if err != nil {
		return err
	}
	timeout := "none"
	if r.MaximumTimeout != nil {
		timeout = fmt.Sprintf("%ds", *r.MaximumTimeout)
	}
	var projects []string
	for _, pr := range r.Projects {
		projects = append(projects, pr.PathWithNamespace)
	}
	for _, g := range r.Groups {
		projects = append(projects, "group "+g.Name)
	}
	tw := t.p.table("description", str(r.Description))
	tw.row("name", str(r.Name))
	tw.row("type", r.RunnerType)
	tw.row("status", fmt.Sprintf("%s (paused=%t, job execution %s)", r.Status, r.Paused, r.JobExecutionStatus))
	tw.row("tags", list(r.TagList))
	tw.row("run untagged", r.RunUntagged)
	tw.row("locked", r.Locked)
	tw.row("access level", r.AccessLevel)
	tw.row("maximum timeout", timeout)
	tw.row("created", t.p.since(&r.CreatedAt))
	tw.row("last contact", t.p.since(r.ContactedAt))
	tw.row("serves", list(projects))
	return tw.Flush()
}

// managers lists the hosts that run the runner.
func (t *tour) managers(ctx context.Context) error {
	t.p.heading("Its managers (one per host)", "Runners.ListManagers(ctx, id)")
	ms, _, err := t.c.Runners.ListManagers(ctx, t.showcase)
	if err != nil {
		return err
	}
	tw := t.p.table("SYSTEM ID", "VERSION", "PLATFORM", "ARCH", "IP", "STATUS", "LAST CONTACT")
	for _, m := range ms {
		tw.row(m.SystemID, str(m.Version), str(m.Platform), str(m.Architecture), str(m.IPAddress), m.Status, t.p.since(m.ContactedAt))
	}
	return tw.Flush()
}

// jobs shows the newest jobs; breaking out of the loop stops fetching.
func (t *tour) jobs(ctx context.Context) error {
	const show = 6
	t.p.heading(fmt.Sprintf("Its %d newest jobs", show),
		"Runners.ListJobsIter(ctx, id, &glrunners.ListRunnerJobsOptions{OrderBy: glrunners.JobOrderByID})  // newest first; break stops paging")
	tw := t.p.table("JOB", "STATUS", "STAGE", "NAME", "REF", "PROJECT", "DURATION")
	n := 0
	for j, err := range t.c.Runners.ListJobsIter(ctx, t.showcase, &glrunners.ListRunnerJobsOptions{OrderBy: glrunners.JobOrderByID}) {
		if err != nil {
			return err
		}
		tw.row(j.ID, j.Status, j.Stage, j.Name, j.Ref, j.Project.PathWithNamespace, seconds(j.Duration))
		if n++; n == show {
			break
		}
	}
	return tw.Flush()
}
