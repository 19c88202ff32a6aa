package demofleet

import (
	"fmt"
	"strings"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
)

// pool is a set of runners owned by one instance, group or project.
type pool struct {
	typ   glrunnerstest.RunnerType
	owner string // group or project full path; "" for instance runners
	name  string // description prefix
	count int
	extra []string // tags every runner of the pool carries
}

var pools = []pool{
	{typ: glrunnerstest.InstanceType, name: "shared", count: 40},
	{typ: glrunnerstest.GroupType, owner: "acme", name: "acme", count: 20},
	{typ: glrunnerstest.GroupType, owner: "acme/platform", name: "platform", count: 30},
	{typ: glrunnerstest.GroupType, owner: "acme/platform/infra", name: "infra", count: 12, extra: []string{"terraform"}},
	{typ: glrunnerstest.GroupType, owner: "acme/web", name: "web", count: 24},
	{typ: glrunnerstest.GroupType, owner: "acme/data", name: "data", count: 18, extra: []string{"gpu"}},
	{typ: glrunnerstest.GroupType, owner: "oss", name: "oss", count: 8},
}

// host is the kind of machine a runner runs on; it decides tags and the
// managers' platform.
type host struct{ os, arch, platform string }

var hosts = []host{
	{"linux", "amd64", "linux"}, {"linux", "amd64", "linux"}, {"linux", "amd64", "linux"},
	{"linux", "amd64", "linux"}, {"linux", "arm64", "linux"}, {"windows", "amd64", "windows"},
	{"macos", "arm64", "darwin"},
}

// Runner versions in use, newest first, with their revisions. Live runners
// mostly run recent versions; stale ones were left on old ones.
var (
	recentVersions = []string{"18.1.1", "18.1.1", "18.1.0", "18.0.2", "18.0.2", "17.11.3"}
	oldVersions    = []string{"17.11.3", "17.8.5", "17.8.5", "16.11.4", "16.11.4", "16.6.1"}
	revisions      = map[string]string{
		"18.1.1": "a5bf2e9b", "18.1.0": "7f2c4d61", "18.0.2": "03a9b4c1", "17.11.3": "d1c7a3e0",
		"17.8.5": "6a2f0e5c", "16.11.4": "b8e2a1f7", "16.6.1": "f5da3c5a",
	}
)

// seedRunners adds every pool, then project runners for each project.
func (s *seeder) seedRunners() {
	for _, p := range pools {
		s.seedPool(p)
	}
	for _, full := range projectPaths {
		s.seedPool(pool{typ: glrunnerstest.ProjectType, owner: full, name: lastSegment(full), count: 6 + s.rnd.IntN(13)})
	}
}

func (s *seeder) seedPool(p pool) {
	for i := 1; i <= p.count; i++ {
		h := pick(s.rnd, hosts...)
		tags := append([]string{h.os, h.arch, executor(s, h)}, p.extra...)
		r := glrunnerstest.Runner{
			Description: fmt.Sprintf("%s-%s-%s-%02d", p.name, h.os, h.arch, i),
			RunnerType:  p.typ,
			TagList:     tags,
			Locked:      p.typ == glrunnerstest.ProjectType && s.rnd.IntN(3) == 0,
			CreatedBy:   1,
		}
		switch p.typ {
		case glrunnerstest.GroupType:
			r.GroupID = s.groups[p.owner]
		case glrunnerstest.ProjectType:
			r.ProjectIDs = s.assignedProjects(p.owner)
		}
		state := s.lifecycle(&r)
		id := s.srv.AddRunner(r)
		if r.ContactedAt == nil {
			continue // never contacted: no manager, no jobs
		}
		versions := recentVersions
		if state == "stale" {
			versions = oldVersions
		}
		systemIDs := s.addManagers(id, h, *r.ContactedAt, pick(s.rnd, versions...), pick(s.rnd, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3))
		if s.rnd.IntN(5) < 2 {
			s.addJobs(id, p, systemIDs, *r.ContactedAt, state == "online", 1+s.rnd.IntN(4))
		}
	}
}

// lifecycle sets created/contacted times and the paused flag so that the
// fleet has the status mix of a real instance, and returns the status.
func (s *seeder) lifecycle(r *glrunnerstest.Runner) string {
	created := Now.Add(-s.between(2*day, 500*day))
	n := s.rnd.IntN(100)
	switch {
	case n < 58: // online, one in eight paused
		r.CreatedAt, r.ContactedAt = created, ago(s.between(10*time.Second, 100*time.Minute))
		r.Paused = s.rnd.IntN(8) == 0
		return "online"
	case n < 74: // offline: silent for hours or days, not yet a week
		contacted := ago(s.between(3*time.Hour, 6*day))
		r.CreatedAt, r.ContactedAt = contacted.Add(-s.between(day, 300*day)), contacted
		r.Paused = s.rnd.IntN(8) == 0
		return "offline"
	case n < 86: // stale: silent for more than a week
		contacted := ago(s.between(8*day, 240*day))
		r.CreatedAt, r.ContactedAt = contacted.Add(-s.between(day, 300*day)), contacted
		return "stale"
	case n < 90: // stale without ever contacting: registered, never started
		r.CreatedAt = Now.Add(-s.between(8*day, 120*day))
		return "stale"
	default: // never contacted, created within the week
		r.CreatedAt = Now.Add(-s.between(time.Hour, 6*day))
		return "never_contacted"
	}
}

// assignedProjects returns the owner project first and, for one runner in
// eight, a sibling project it is also assigned to.
func (s *seeder) assignedProjects(owner string) []int64 {
	ids := []int64{s.projects[owner]}
	siblings := s.projectsUnder(parentPath(owner))
	if other := pick(s.rnd, siblings...); other != ids[0] && s.rnd.IntN(8) == 0 {
		ids = append(ids, other)
	}
	return ids
}

// addManagers adds n hosts for the runner, the first at its last contact,
// the others a little earlier, and returns their system IDs.
func (s *seeder) addManagers(runnerID int64, h host, contacted time.Time, version string, n int) []string {
	var ids []string
	for i := range n {
		systemID := fmt.Sprintf("s_%012x", s.rnd.Uint64()&0xffffffffffff)
		at := contacted.Add(-time.Duration(i) * s.between(time.Minute, 40*time.Minute))
		s.srv.AddManager(runnerID, glrunnerstest.Manager{
			SystemID:     systemID,
			Version:      version,
			Revision:     revisions[version],
			Platform:     h.platform,
			Architecture: h.arch,
			IPAddress:    fmt.Sprintf("10.%d.%d.%d", s.rnd.IntN(8), s.rnd.IntN(256), 1+s.rnd.IntN(254)),
			ContactedAt:  &at,
		})
		ids = append(ids, systemID)
	}
	return ids
}

// executor returns the executor tag that fits the host.
func executor(s *seeder, h host) string {
	switch h.os {
	case "windows":
		return pick(s.rnd, "docker-windows", "shell")
	case "macos":
		return "shell"
	}
	return pick(s.rnd, "docker", "docker", "docker", "kubernetes", "shell")
}

func lastSegment(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// parentPath returns the path of the group p is in, "" at the top.
func parentPath(p string) string { return p[:max(strings.LastIndex(p, "/"), 0)] }
