package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners/glrunnerstest"
)

// expected is every number of the report, worked out from the fake's own
// state (its runners and managers, read with the fake's inspection API)
// without the SDK or the aggregation code.
type expected struct {
	byStatus     map[string]map[string]int // status -> runner type -> runners
	paused       int
	versions     map[string]*expectedVersion
	managers     int
	buckets      []int               // in contactBuckets order
	staleOwners  map[string][3]int   // owner -> stale, stale never contacted, never contacted
	staleTags    map[string][3]int   // tag -> same
	stalestIDs   []int64             // at most 100, quiet the longest first
	runnerOwners map[int64]ownerInfo // stale and never-contacted runners
}

type expectedVersion struct {
	managers int
	runners  map[int64]bool
	hosts    map[string]int
}

type ownerInfo struct{ name, link string }

func expect(t *testing.T, d *demoFleet) expected {
	t.Helper()
	groupPaths, projectPaths := invert(d.groups), invert(d.projects)
	e := expected{byStatus: map[string]map[string]int{}, versions: map[string]*expectedVersion{},
		buckets: make([]int, 8), staleOwners: map[string][3]int{}, staleTags: map[string][3]int{},
		runnerOwners: map[int64]ownerInfo{}}
	type quiet struct {
		id   int64
		last time.Time
	}
	var stale []quiet
	for _, r := range d.srv.Runners() {
		status := string(r.Status)
		if status == "paused" { // GitLab hides online/offline behind paused
			status = "offline"
			if demoNow.Sub(*r.ContactedAt) < 2*time.Hour {
				status = "online"
			}
		}
		if e.byStatus[status] == nil {
			e.byStatus[status] = map[string]int{}
		}
		e.byStatus[status][string(r.RunnerType)]++
		if r.Paused {
			e.paused++
		}
		for _, m := range d.srv.Managers(r.ID) {
			v := cmp.Or(m.Version, "unknown")
			ev := e.versions[v]
			if ev == nil {
				ev = &expectedVersion{runners: map[int64]bool{}, hosts: map[string]int{}}
				e.versions[v] = ev
			}
			ev.managers++
			ev.runners[r.ID] = true
			ev.hosts[cmp.Or(m.Platform, "?")+"/"+cmp.Or(m.Architecture, "?")]++
			e.managers++
		}
		e.buckets[expectedBucket(r.ContactedAt)]++
		if status != "stale" && status != "never_contacted" {
			continue
		}
		kind := 0
		switch {
		case status == "never_contacted":
			kind = 2
		case r.ContactedAt == nil:
			kind = 1
		}
		var owner ownerInfo
		switch r.RunnerType {
		case glrunnerstest.InstanceType:
			owner = ownerInfo{name: "(instance)"}
		case glrunnerstest.GroupType:
			p := groupPaths[r.GroupID]
			owner = ownerInfo{name: p, link: d.srv.URL() + "/groups/" + p}
		default:
			p := projectPaths[r.ProjectIDs[0]]
			owner = ownerInfo{name: p, link: d.srv.URL() + "/" + p}
			if len(r.ProjectIDs) > 1 {
				owner.name += fmt.Sprintf(" (+%d)", len(r.ProjectIDs)-1)
			}
		}
		e.runnerOwners[r.ID] = owner
		c := e.staleOwners[owner.name]
		c[kind]++
		e.staleOwners[owner.name] = c
		tags := r.TagList
		if len(tags) == 0 {
			tags = []string{"(untagged)"}
		}
		for _, tag := range tags {
			c := e.staleTags[tag]
			c[kind]++
			e.staleTags[tag] = c
		}
		if status == "stale" {
			last := r.CreatedAt
			if r.ContactedAt != nil && r.ContactedAt.After(last) {
				last = *r.ContactedAt
			}
			stale = append(stale, quiet{r.ID, last})
		}
	}
	slices.SortFunc(stale, func(a, b quiet) int { return cmp.Or(a.last.Compare(b.last), cmp.Compare(a.id, b.id)) })
	for _, q := range stale[:min(len(stale), 100)] {
		e.stalestIDs = append(e.stalestIDs, q.id)
	}
	return e
}

// expectedBucket bins a last contact with the report's edges, written out
// again here: 2 h, 24 h, 7 d, 30 d, 90 d, 365 d, older, never.
func expectedBucket(contacted *time.Time) int {
	if contacted == nil {
		return 7
	}
	age := demoNow.Sub(*contacted)
	for i, edge := range []time.Duration{2 * time.Hour, 24 * time.Hour, 7 * day, 30 * day, 90 * day, 365 * day} {
		if age < edge {
			return i
		}
	}
	return 6
}

func invert(m map[string]int64) map[int64]string {
	out := make(map[int64]string, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

// Every number of every chart equals what the fake holds.
func TestReportMatchesFakeState(t *testing.T) {
	t.Parallel()
	d := startTestFleet(t)
	want := expect(t, d)
	rep := aggregate(collectFleet(t, d, d.adminToken, 4), 3)

	assert.Equal(t, "instance", rep.Scope)
	assert.Equal(t, demoNow, rep.GeneratedAt.UTC(), "ages are measured on the server's clock")

	t.Run("status", func(t *testing.T) {
		got := map[string]map[string]int{}
		for _, row := range rep.ByStatus {
			got[string(row.Status)] = map[string]int{}
			for typ, n := range map[string]int{"instance_type": row.Instance, "group_type": row.Group, "project_type": row.Project} {
				if n > 0 {
					got[string(row.Status)][typ] = n
				}
			}
			assert.Equal(t, row.Instance+row.Group+row.Project, row.Total, row.Status)
		}
		assert.Equal(t, want.byStatus, got)
		assert.Equal(t, len(d.srv.Runners()), rep.Totals.Runners)
		assert.Equal(t, want.paused, rep.Totals.Paused)
		assert.Equal(t, sumType(want.byStatus["stale"]), rep.Totals.Stale)
		assert.Equal(t, sumType(want.byStatus["online"]), rep.Totals.Online)
	})

	t.Run("versions", func(t *testing.T) {
		require.Len(t, rep.Versions.Rows, len(want.versions))
		outdated := 0
		for _, row := range rep.Versions.Rows {
			ev := want.versions[row.Version]
			require.NotNil(t, ev, row.Version)
			assert.Equal(t, ev.managers, row.Managers, row.Version)
			assert.Equal(t, len(ev.runners), row.Runners, row.Version)
			hosts := map[string]int{}
			for _, h := range row.Hosts {
				hosts[h.Host] = h.Managers
			}
			assert.Equal(t, ev.hosts, hosts, row.Version)
			assert.Equal(t, row.MinorsBehind >= 3, row.Outdated, row.Version)
			if row.Outdated {
				outdated += row.Managers
			}
		}
		assert.Equal(t, "18.3.1", rep.Versions.Newest)
		assert.Equal(t, "unknown", rep.Versions.Rows[len(rep.Versions.Rows)-1].Version, "unknown sorts last")
		assert.Equal(t, want.managers, rep.Totals.Managers)
		assert.Equal(t, outdated, rep.Totals.OutdatedManagers)
		assert.Positive(t, outdated, "the demo fleet has outdated hosts to show")
	})

	t.Run("last contact", func(t *testing.T) {
		got := make([]int, len(rep.LastContact))
		for i, b := range rep.LastContact {
			got[i] = b.Runners
		}
		assert.Equal(t, want.buckets, got)
	})

	t.Run("stale by owner and tag", func(t *testing.T) {
		assert.Equal(t, want.staleOwners, staleMap(rep.StaleByOwner))
		assert.Equal(t, want.staleTags, staleMap(rep.StaleByTag))
		assert.Contains(t, want.staleOwners, "oss/cli (+1)", "a runner serving two projects")
		assert.Contains(t, want.staleTags, untagged)
		assert.True(t, slices.IsSortedFunc(rep.StaleByOwner, func(a, b staleCount) int { return cmp.Compare(b.Total, a.Total) }))
		for _, c := range rep.StaleByOwner {
			if c.Name != "(instance)" {
				assert.True(t, strings.HasPrefix(c.URL, d.srv.URL()+"/"), c.Name)
			}
		}
	})

	t.Run("stalest", func(t *testing.T) {
		var ids []int64
		for _, s := range rep.Stalest {
			ids = append(ids, s.ID)
			assert.Equal(t, fmt.Sprintf("%s/admin/runners/%d", d.srv.URL(), s.ID), s.URL)
			assert.Equal(t, want.runnerOwners[s.ID].name, s.Owner, s.ID)
			assert.Equal(t, want.runnerOwners[s.ID].link, s.OwnerURL, s.ID)
		}
		assert.Len(t, ids, 100)
		assert.Equal(t, want.stalestIDs, ids)
	})
}

func sumType(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func staleMap(cs []staleCount) map[string][3]int {
	out := map[string][3]int{}
	for _, c := range cs {
		out[c.Name] = [3]int{c.Stale, c.StaleNeverContacted, c.NeverContacted}
	}
	return out
}

// A token that is not an administrator's reports on the runners it may
// administer, says so, and links runners under their owners.
func TestReportOwnedRunners(t *testing.T) {
	t.Parallel()
	d := startTestFleet(t)
	f := collectFleet(t, d, d.ownerToken, 2)
	rep := aggregate(f, 3)

	assert.Equal(t, "owned", rep.Scope)
	require.NotEmpty(t, rep.Notes)
	assert.Contains(t, rep.Notes[0], "not an administrator")

	// olivia owns the group oss: its group runners, those of its subgroup
	// and the project runners of its projects are hers to administer.
	groupPaths, projectPaths := invert(d.groups), invert(d.projects)
	var want []int64
	for _, r := range d.srv.Runners() {
		in := r.RunnerType == glrunnerstest.GroupType && strings.HasPrefix(groupPaths[r.GroupID]+"/", "oss/")
		for _, p := range r.ProjectIDs {
			in = in || strings.HasPrefix(projectPaths[p], "oss/")
		}
		if in {
			want = append(want, r.ID)
		}
	}
	var got []int64
	for _, rec := range f.Runners {
		got = append(got, rec.ID)
	}
	require.NotEmpty(t, want)
	assert.Equal(t, want, got)
	for _, s := range rep.Stalest {
		assert.Equal(t, fmt.Sprintf("%s/-/runners/%d", s.OwnerURL, s.ID), s.URL, "no admin area for a non-admin")
	}
}

// The -demo fleet itself, all 10,000 runners: the report's numbers equal
// the fake's. -short and -race skip it (under the race detector it takes
// over a minute on two cores); the smaller fleet above checks every chart
// in detail either way.
func TestDemoFleetMatchesFakeState(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("10,000 runners: not with -short or -race")
	}
	d := startDemo(demoShape)
	defer d.close()
	want := expect(t, d)
	rep := aggregate(collectFleet(t, d, d.adminToken, 8), 3)
	require.Equal(t, 10000, rep.Totals.Runners)
	for _, row := range rep.ByStatus {
		assert.Equal(t, sumType(want.byStatus[string(row.Status)]), row.Total, row.Status)
	}
	assert.Equal(t, want.managers, rep.Totals.Managers)
	buckets := make([]int, len(rep.LastContact))
	for i, b := range rep.LastContact {
		buckets[i] = b.Runners
	}
	assert.Equal(t, want.buckets, buckets)
	assert.Equal(t, want.staleOwners, staleMap(rep.StaleByOwner))
	assert.Equal(t, want.staleTags, staleMap(rep.StaleByTag))
	var ids []int64
	for _, s := range rep.Stalest {
		ids = append(ids, s.ID)
	}
	assert.Equal(t, want.stalestIDs, ids)
}
