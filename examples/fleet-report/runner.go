package main

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/glrunners/glrunners"
)

// statusOf is the runner's contact status. GitLab reports a paused runner
// that still calls in as "paused" (and servers before 14.8 report "active"),
// which hides whether it is online; Online tells.
func statusOf(r *glrunners.Runner) glrunners.RunnerStatus {
	switch r.Status {
	case glrunners.StatusOnline, glrunners.StatusOffline, glrunners.StatusStale, glrunners.StatusNeverContacted:
		return r.Status
	}
	switch {
	case r.Online == nil:
		return glrunners.StatusNeverContacted
	case *r.Online:
		return glrunners.StatusOnline
	}
	return glrunners.StatusOffline
}

// lastContact is when the runner last called in, nil if never (or if
// GitLab did not say). The details carry it for the runners whose details
// were read; for the others it is the newest contact of their managers,
// which is where GitLab takes it from.
func (rec *runnerRecord) lastContact() *time.Time {
	if rec.Details != nil {
		return rec.Details.ContactedAt
	}
	var last *time.Time
	for _, m := range rec.Managers {
		if m.ContactedAt != nil && (last == nil || m.ContactedAt.After(*last)) {
			last = m.ContactedAt
		}
	}
	return last
}

// lastActive is the last sign of life: the last contact, or the creation
// of a runner that never called in. GitLab's staleness counts from it.
func (rec *runnerRecord) lastActive() time.Time {
	if t := rec.lastContact(); t != nil && t.After(rec.CreatedAt) {
		return *t
	}
	return rec.CreatedAt
}

// owner names who owns the runner and links to it: the instance, a group
// (full path) or a project (full path, "+n" when it serves more). It needs
// the details; "" when they were not read.
func (rec *runnerRecord) owner() (name, link string) {
	d := rec.Details
	switch {
	case rec.RunnerType == glrunners.InstanceType:
		return "(instance)", ""
	case d == nil:
		return "", ""
	case len(d.Groups) > 0:
		return groupPath(d.Groups[0]), d.Groups[0].WebURL
	case len(d.Projects) > 0:
		name = d.Projects[0].PathWithNamespace
		if n := len(d.Projects) - 1; n > 0 {
			name += fmt.Sprintf(" (+%d)", n)
		}
		return name, d.Projects[0].WebURL
	}
	return "(not visible to this token)", ""
}

// groupPath is the group's full path. BasicGroupDetails has no path field;
// GitLab's web_url of a group is <instance>/groups/<full path>.
func groupPath(g glrunners.Group) string {
	if u, err := url.Parse(g.WebURL); err == nil {
		if _, p, ok := strings.Cut(u.Path, "/groups/"); ok && p != "" {
			return p
		}
	}
	return g.Name
}

// tags are the runner's tags, sorted; nil when the details were not read.
func (rec *runnerRecord) tags() []string {
	if rec.Details == nil {
		return nil
	}
	return sortedCopy(rec.Details.TagList)
}

// pageURL links to the runner's page in GitLab's UI: the admin area for an
// administrator, else the runner page under its owning group or project.
// "" when neither is known.
func (f *fleet) pageURL(rec *runnerRecord) string {
	id := strconv.FormatInt(rec.ID, 10)
	if f.Admin {
		return f.GitLab + "/admin/runners/" + id
	}
	if _, link := rec.owner(); link != "" {
		return link + "/-/runners/" + id
	}
	return ""
}

// versions are the distinct versions of the runner's managers, newest
// first.
func (rec *runnerRecord) versions() []string {
	var vs []string
	for _, m := range rec.Managers {
		v := versionOf(m)
		if !slices.Contains(vs, v) {
			vs = append(vs, v)
		}
	}
	sortVersions(vs)
	return vs
}
