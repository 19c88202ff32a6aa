package main

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/glrunners/glrunners"
)

// report holds every number the report shows. The HTML charts, the JSON
// output and the tests all read this one structure.
type report struct {
	GitLab string `json:"gitlab"`
	// Scope is "instance" (every runner, listed by an administrator) or
	// "owned" (the runners the token may administer).
	Scope       string    `json:"scope"`
	GeneratedAt time.Time `json:"generated_at"` // the server's clock
	Totals      totals    `json:"totals"`
	// ByStatus has one row per status, in statusOrder.
	ByStatus []statusRow `json:"by_status"`
	Versions versions    `json:"versions"`
	// LastContact is a histogram of the time since each runner last
	// called in, in contactBuckets order.
	LastContact []contactBucket `json:"last_contact"`
	// StaleByOwner and StaleByTag count the stale and never-contacted
	// runners, most first. A runner counts once per tag.
	StaleByOwner []staleCount `json:"stale_by_owner"`
	StaleByTag   []staleCount `json:"stale_by_tag"`
	// Stalest are the stale runners quiet the longest, at most maxStalest.
	Stalest []staleRunner `json:"stalest"`
	Notes   []string      `json:"notes,omitempty"`
}

type totals struct {
	Runners          int `json:"runners"`
	Online           int `json:"online"`
	Offline          int `json:"offline"`
	Stale            int `json:"stale"`
	NeverContacted   int `json:"never_contacted"`
	Paused           int `json:"paused"`
	Managers         int `json:"managers"`
	OutdatedManagers int `json:"outdated_managers"`
	OutdatedRunners  int `json:"outdated_runners"` // with at least one outdated manager
}

type statusRow struct {
	Status   glrunners.RunnerStatus `json:"status"`
	Instance int                    `json:"instance_type"`
	Group    int                    `json:"group_type"`
	Project  int                    `json:"project_type"`
	Total    int                    `json:"total"`
}

var statusOrder = []glrunners.RunnerStatus{
	glrunners.StatusOnline, glrunners.StatusOffline, glrunners.StatusStale, glrunners.StatusNeverContacted,
}

type versions struct {
	Newest string `json:"newest"`
	// Behind is the -behind threshold: versions this many minor releases
	// behind Newest or more are outdated.
	Behind int          `json:"behind"`
	Rows   []versionRow `json:"rows"` // newest first
}

type versionRow struct {
	Version      string `json:"version"`
	Managers     int    `json:"managers"`
	Runners      int    `json:"runners"`       // with at least one manager on it
	MinorsBehind int    `json:"minors_behind"` // -1: unknown or unparseable version
	Outdated     bool   `json:"outdated"`
	// Hosts counts the managers by platform/architecture, most first.
	Hosts []hostCount `json:"hosts"`
}

type hostCount struct {
	Host     string `json:"host"` // "linux/amd64"
	Managers int    `json:"managers"`
}

type contactBucket struct {
	Label string `json:"label"`
	// Kind is what a runner in the bucket is, by GitLab's thresholds:
	// online, offline, stale or never_contacted.
	Kind    glrunners.RunnerStatus `json:"kind"`
	Runners int                    `json:"runners"`

	upTo time.Duration // exclusive; 0 for the last two buckets
}

// contactBuckets are the histogram's bins; the edges are GitLab's online
// (2 h) and stale (7 d) thresholds plus the ages people talk about.
var contactBuckets = []contactBucket{
	{Label: "< 2 h", Kind: glrunners.StatusOnline, upTo: 2 * time.Hour},
	{Label: "2–24 h", Kind: glrunners.StatusOffline, upTo: 24 * time.Hour},
	{Label: "1–7 d", Kind: glrunners.StatusOffline, upTo: 7 * day},
	{Label: "7–30 d", Kind: glrunners.StatusStale, upTo: 30 * day},
	{Label: "30–90 d", Kind: glrunners.StatusStale, upTo: 90 * day},
	{Label: "90–365 d", Kind: glrunners.StatusStale, upTo: 365 * day},
	{Label: "> 1 year", Kind: glrunners.StatusStale},
	{Label: "never", Kind: glrunners.StatusNeverContacted},
}

const day = 24 * time.Hour

// staleCount is a group of stale and never-contacted runners.
type staleCount struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
	// Stale runners that once contacted GitLab.
	Stale int `json:"stale"`
	// StaleNeverContacted: registered over a week ago, never started.
	StaleNeverContacted int `json:"stale_never_contacted"`
	// NeverContacted: registered this week, not started yet.
	NeverContacted int `json:"never_contacted"`
	Total          int `json:"total"`
}

type staleRunner struct {
	ID          int64                `json:"id"`
	URL         string               `json:"url,omitempty"`
	Description string               `json:"description"`
	Type        glrunners.RunnerType `json:"type"`
	Owner       string               `json:"owner"`
	OwnerURL    string               `json:"owner_url,omitempty"`
	Tags        []string             `json:"tags"`
	Paused      bool                 `json:"paused"`
	CreatedAt   time.Time            `json:"created_at"`
	LastContact *time.Time           `json:"last_contact"` // nil: never
	IdleDays    int                  `json:"idle_days"`    // since the last contact, or creation if none
	Versions    []string             `json:"versions"`
}

const maxStalest = 100

// untagged names the runners without tags in StaleByTag.
const untagged = "(untagged)"

// aggregate computes the report from what the collector read.
func aggregate(f *fleet, behind int) *report {
	rep := &report{GitLab: f.GitLab, Scope: "instance", GeneratedAt: f.Now}
	if !f.Admin {
		rep.Scope = "owned"
	}
	rep.ByStatus = byStatus(f, &rep.Totals)
	rep.Versions = byVersion(f, behind, &rep.Totals)
	rep.LastContact = byLastContact(f)
	rep.StaleByOwner = staleBy(f, func(rec *runnerRecord) []staleKey {
		name, link := rec.owner()
		return []staleKey{{name, link}}
	})
	rep.StaleByTag = staleBy(f, func(rec *runnerRecord) []staleKey {
		var keys []staleKey
		for _, t := range rec.tags() {
			keys = append(keys, staleKey{name: t})
		}
		if len(keys) == 0 {
			keys = []staleKey{{name: untagged}}
		}
		return keys
	})
	rep.Stalest = stalest(f)
	rep.Notes = notes(f)
	return rep
}

func byStatus(f *fleet, t *totals) []statusRow {
	rows := make([]statusRow, len(statusOrder))
	for i, s := range statusOrder {
		rows[i].Status = s
	}
	for _, rec := range f.Runners {
		row := &rows[slices.Index(statusOrder, statusOf(rec.Runner))]
		switch rec.RunnerType {
		case glrunners.InstanceType:
			row.Instance++
		case glrunners.GroupType:
			row.Group++
		default:
			row.Project++
		}
		row.Total++
		if rec.Paused {
			t.Paused++
		}
	}
	t.Runners = len(f.Runners)
	t.Online, t.Offline, t.Stale, t.NeverContacted = rows[0].Total, rows[1].Total, rows[2].Total, rows[3].Total
	return rows
}

func byVersion(f *fleet, behind int, t *totals) versions {
	type acc struct {
		row     versionRow
		hosts   map[string]int
		runners map[int64]bool
	}
	byV := map[string]*acc{}
	var names []string
	for _, rec := range f.Runners {
		for _, m := range rec.Managers {
			v := versionOf(m)
			a := byV[v]
			if a == nil {
				a = &acc{row: versionRow{Version: v}, hosts: map[string]int{}, runners: map[int64]bool{}}
				byV[v] = a
				names = append(names, v)
			}
			a.row.Managers++
			a.hosts[deref(m.Platform, "?")+"/"+deref(m.Architecture, "?")]++
			a.runners[rec.ID] = true
			t.Managers++
		}
	}
	sortVersions(names)
	out := versions{Behind: behind, Rows: []versionRow{}}
	if len(names) > 0 && parseVersion(names[0]).ok {
		out.Newest = names[0]
	}
	outdated := map[int64]bool{}
	for _, v := range names {
		a := byV[v]
		a.row.Runners = len(a.runners)
		a.row.MinorsBehind = minorsBehind(out.Newest, v)
		a.row.Outdated = a.row.MinorsBehind >= behind
		for h, n := range a.hosts {
			a.row.Hosts = append(a.row.Hosts, hostCount{Host: h, Managers: n})
		}
		slices.SortFunc(a.row.Hosts, func(x, y hostCount) int {
			return cmp.Or(cmp.Compare(y.Managers, x.Managers), cmp.Compare(x.Host, y.Host))
		})
		if a.row.Outdated {
			t.OutdatedManagers += a.row.Managers
			for id := range a.runners {
				outdated[id] = true
			}
		}
		out.Rows = append(out.Rows, a.row)
	}
	t.OutdatedRunners = len(outdated)
	return out
}

func byLastContact(f *fleet) []contactBucket {
	out := slices.Clone(contactBuckets)
	for _, rec := range f.Runners {
		out[bucketOf(rec, f.Now)].Runners++
	}
	return out
}

// bucketOf is the index of the runner's bin in contactBuckets.
func bucketOf(rec *runnerRecord, now time.Time) int {
	last := rec.lastContact()
	if last == nil {
		return len(contactBuckets) - 1
	}
	age := now.Sub(*last)
	for i, b := range contactBuckets {
		if b.upTo == 0 || age < b.upTo {
			return i
		}
	}
	return len(contactBuckets) - 2 // unreachable: "> 1 year" has no bound
}

type staleKey struct{ name, link string }

// staleBy counts the stale and never-contacted runners under the keys
// keyOf gives each one, most first.
func staleBy(f *fleet, keyOf func(*runnerRecord) []staleKey) []staleCount {
	byKey := map[string]*staleCount{}
	for _, rec := range f.Runners {
		s := statusOf(rec.Runner)
		if s != glrunners.StatusStale && s != glrunners.StatusNeverContacted {
			continue
		}
		for _, k := range keyOf(rec) {
			c := byKey[k.name]
			if c == nil {
				c = &staleCount{Name: k.name, URL: k.link}
				byKey[k.name] = c
			}
			switch {
			case s == glrunners.StatusNeverContacted:
				c.NeverContacted++
			case rec.Online == nil:
				c.StaleNeverContacted++
			default:
				c.Stale++
			}
			c.Total++
		}
	}
	out := make([]staleCount, 0, len(byKey))
	for _, c := range byKey {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b staleCount) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// stalest lists the stale runners quiet the longest.
func stalest(f *fleet) []staleRunner {
	var stale []*runnerRecord
	for _, rec := range f.Runners {
		if statusOf(rec.Runner) == glrunners.StatusStale {
			stale = append(stale, rec)
		}
	}
	slices.SortFunc(stale, func(a, b *runnerRecord) int {
		return cmp.Or(a.lastActive().Compare(b.lastActive()), compareInt(a.ID, b.ID))
	})
	out := []staleRunner{}
	for _, rec := range stale[:min(len(stale), maxStalest)] {
		owner, ownerURL := rec.owner()
		out = append(out, staleRunner{
			ID: rec.ID, URL: f.pageURL(rec), Description: deref(rec.Description, ""),
			Type: rec.RunnerType, Owner: owner, OwnerURL: ownerURL, Tags: nonNil(rec.tags()),
			Paused: rec.Paused, CreatedAt: rec.CreatedAt, LastContact: rec.lastContact(),
			IdleDays: int(f.Now.Sub(rec.lastActive()) / day), Versions: nonNil(rec.versions()),
		})
	}
	return out
}

func deref(s *string, def string) string {
	if s == nil || *s == "" {
		return def
	}
	return *s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// notes says what the reader must know to trust the numbers.
func notes(f *fleet) []string {
	var out []string
	if !f.Admin {
		out = append(out, "The token is not an administrator's: this report covers the runners it may administer "+
			"(GET /runners), not every runner of the instance.")
	}
	if f.Gone > 0 {
		out = append(out, fmt.Sprintf("%d runners were deleted while the report was being collected; they are left out.", f.Gone))
	}
	if dup := f.Listed - len(f.Runners) - f.Gone; dup > 0 {
		out = append(out, fmt.Sprintf("%d runners were listed twice (pages shift while runners come and go); each is counted once.", dup))
	}
	return out
}
