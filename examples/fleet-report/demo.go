package main

import (
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
)

// demoNow is the demo GitLab's clock. It is fixed so that statuses and ages
// in the demo report never drift from run to run.
var demoNow = time.Date(2025, 9, 15, 9, 30, 0, 0, time.UTC)

// demoFleet is a running fake GitLab holding a seeded fleet.
type demoFleet struct {
	srv        *glrunnerstest.Server
	adminToken string
	// ownerToken belongs to a user who owns one top-level group and
	// nothing else: GET /runners/all refuses it, GET /runners shows that
	// group's runners.
	ownerToken string
	// groups and projects map full paths to IDs.
	groups, projects map[string]int64
}

func (d *demoFleet) close() { d.srv.Close() }

// fleetShape says how big a seeded fleet is and how its runners look.
type fleetShape struct {
	runners int
	// managers is the number of hosts per contacted runner; 0 draws 1-3
	// (mostly 1), as in a real fleet.
	managers int
	// neverContacted lets runners be registered and never started; the
	// benchmark turns it off, so that every runner has its managers.
	neverContacted bool
	seed           uint64
}

// demoShape is the fleet of -demo.
var demoShape = fleetShape{runners: 10000, neverContacted: true, seed: 11}

// Groups, parents first; each top-level group's subgroups follow it.
var demoGroups = []string{
	"acme", "acme/platform", "acme/platform/infra", "acme/platform/sre", "acme/web", "acme/web/mobile",
	"acme/data", "acme/data/ml", "acme/security", "oss", "oss/tooling", "labs",
}

// demoProjects are created in the group named by their path.
var demoProjects = []string{
	"acme/platform/api", "acme/platform/auth", "acme/platform/billing", "acme/platform/gateway",
	"acme/platform/infra/terraform", "acme/platform/infra/k8s-config", "acme/platform/infra/images",
	"acme/platform/sre/alerting", "acme/platform/sre/runbooks",
	"acme/web/storefront", "acme/web/admin-ui", "acme/web/design-system", "acme/web/checkout",
	"acme/web/mobile/ios-app", "acme/web/mobile/android-app",
	"acme/data/pipelines", "acme/data/warehouse", "acme/data/ml/training", "acme/data/ml/feature-store",
	"acme/security/scanners", "acme/security/sbom",
	"oss/cli", "oss/docs", "oss/tooling/linters", "oss/tooling/release-bot",
	"labs/prototype-x", "labs/hackweek",
}

// demoPool is a set of runners one owner registered alike.
type demoPool struct {
	typ    glrunnerstest.RunnerType
	owner  string // group or project path; "" for instance runners
	weight int    // share of the fleet
	hosts  []demoHost
	tags   []string // extra tags of every runner in the pool
	// neglect raises the odds that a runner of the pool went stale.
	neglect int
}

// demoHost is the kind of machine a manager runs on.
type demoHost struct {
	platform, arch string
	tags           []string // OS tag, architecture tag, executor
}

var (
	linuxDocker  = demoHost{"linux", "amd64", []string{"linux", "amd64", "docker"}}
	linuxK8s     = demoHost{"linux", "amd64", []string{"linux", "amd64", "kubernetes"}}
	linuxArm     = demoHost{"linux", "arm64", []string{"linux", "arm64", "docker"}}
	linuxShell   = demoHost{"linux", "amd64", []string{"linux", "amd64", "shell"}}
	linuxMachine = demoHost{"linux", "amd64", []string{"linux", "amd64", "docker+machine"}}
	linuxS390x   = demoHost{"linux", "s390x", []string{"linux", "s390x", "shell"}}
	windows      = demoHost{"windows", "amd64", []string{"windows", "amd64", "docker-windows"}}
	macos        = demoHost{"darwin", "arm64", []string{"macos", "arm64", "shell"}}
	freebsd      = demoHost{"freebsd", "amd64", []string{"freebsd", "amd64", "shell"}}
)

// demoPools spreads the fleet over owners; weights are relative.
var demoPools = []demoPool{
	{typ: glrunnerstest.InstanceType, weight: 16, hosts: []demoHost{linuxDocker, linuxDocker, linuxK8s, linuxArm}, tags: []string{"shared"}},
	{typ: glrunnerstest.InstanceType, weight: 3, hosts: []demoHost{linuxMachine}, tags: []string{"shared", "autoscale"}, neglect: 50},
	{typ: glrunnerstest.InstanceType, weight: 2, hosts: []demoHost{windows, macos}, tags: []string{"shared"}},
	{typ: glrunnerstest.GroupType, owner: "acme", weight: 4, hosts: []demoHost{linuxDocker, linuxShell}},
	{typ: glrunnerstest.GroupType, owner: "acme/platform", weight: 9, hosts: []demoHost{linuxDocker, linuxK8s, linuxArm}},
	{typ: glrunnerstest.GroupType, owner: "acme/platform/infra", weight: 4, hosts: []demoHost{linuxShell, linuxDocker}, tags: []string{"terraform", "privileged"}, neglect: 10},
	{typ: glrunnerstest.GroupType, owner: "acme/platform/sre", weight: 2, hosts: []demoHost{linuxK8s}, tags: []string{"ops"}},
	{typ: glrunnerstest.GroupType, owner: "acme/web", weight: 7, hosts: []demoHost{linuxDocker, linuxK8s}},
	{typ: glrunnerstest.GroupType, owner: "acme/web/mobile", weight: 3, hosts: []demoHost{macos, macos, linuxDocker}, tags: []string{"mobile"}, neglect: 15},
	{typ: glrunnerstest.GroupType, owner: "acme/data", weight: 4, hosts: []demoHost{linuxK8s, linuxDocker}},
	{typ: glrunnerstest.GroupType, owner: "acme/data/ml", weight: 3, hosts: []demoHost{linuxDocker}, tags: []string{"gpu", "cuda"}, neglect: 20},
	{typ: glrunnerstest.GroupType, owner: "acme/security", weight: 2, hosts: []demoHost{linuxDocker}, tags: []string{"privileged"}},
	{typ: glrunnerstest.GroupType, owner: "oss", weight: 2, hosts: []demoHost{linuxDocker, windows, freebsd}},
	{typ: glrunnerstest.GroupType, owner: "labs", weight: 2, hosts: []demoHost{linuxShell, linuxS390x}, neglect: 35},
	// Project runners: every project gets a slice of this weight.
	{typ: glrunnerstest.ProjectType, weight: 37, hosts: []demoHost{linuxDocker, linuxDocker, linuxShell, linuxArm, windows, macos}, neglect: 12},
}

// Runner versions in the fleet, newest first. Runners that call in are
// mostly upgraded; the ones left behind run what they ran when they
// stopped.
var (
	demoCurrent = []string{"18.3.1", "18.3.1", "18.3.1", "18.3.1", "18.3.0", "18.2.4", "18.2.4", "18.2.4", "18.1.5", "18.1.5", "18.0.6", "17.11.7"}
	demoOld     = []string{"17.11.7", "17.8.9", "17.8.9", "17.5.5", "16.11.10", "16.11.10", "16.6.2", "15.11.1"}
)

// startDemo starts a fake GitLab and seeds it with a fleet of that shape.
func startDemo(shape fleetShape) *demoFleet {
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(func() time.Time { return demoNow }))
	s := &demoSeeder{srv: srv, shape: shape, rnd: rand.New(rand.NewPCG(shape.seed, 2025)),
		groups: map[string]int64{}, projects: map[string]int64{}}
	s.seedOrg()
	owner, token := srv.AddUser(glrunnerstest.User{Username: "olivia", Name: "Olivia Owner"})
	srv.AddMember(owner, "group", s.groups["oss"], glrunnerstest.Owner)
	s.seedRunners()
	return &demoFleet{srv: srv, adminToken: srv.AdminToken(), ownerToken: token, groups: s.groups, projects: s.projects}
}

type demoSeeder struct {
	srv      *glrunnerstest.Server
	shape    fleetShape
	rnd      *rand.Rand
	groups   map[string]int64 // full path -> ID
	projects map[string]int64 // full path -> ID
}

func (s *demoSeeder) seedOrg() {
	for _, full := range demoGroups {
		parent, name := path.Split(full)
		s.groups[full] = s.srv.AddGroup(glrunnerstest.Group{Name: name, ParentID: s.groups[strings.TrimSuffix(parent, "/")]})
	}
	for _, full := range demoProjects {
		group, name := path.Split(full)
		s.projects[full] = s.srv.AddProject(glrunnerstest.Project{
			Name: name, GroupID: s.groups[strings.TrimSuffix(group, "/")], CreatedAt: demoNow.AddDate(-2, 0, 0),
		})
	}
}

// seedRunners deals shape.runners runners out to the pools by weight.
func (s *demoSeeder) seedRunners() {
	total := 0
	for _, p := range demoPools {
		total += p.weight
	}
	left := s.shape.runners
	for i, p := range demoPools {
		n := s.shape.runners * p.weight / total
		if i == len(demoPools)-1 {
			n = left // the rounding remainder goes to the last pool
		}
		left -= n
		if p.typ == glrunnerstest.ProjectType {
			s.seedProjects(p, n)
			continue
		}
		for j := range n {
			s.seedRunner(p, p.owner, j+1)
		}
	}
}

// seedProjects spreads n project runners over the projects, unevenly.
func (s *demoSeeder) seedProjects(p demoPool, n int) {
	counts := make(map[string]int)
	for range n {
		// Squaring skews toward the first projects: a few teams run most
		// of their own runners.
		f := s.rnd.Float64()
		counts[demoProjects[int(f*f*float64(len(demoProjects)))]]++
	}
	for _, full := range demoProjects {
		for j := range counts[full] {
			s.seedRunner(p, full, j+1)
		}
	}
}

func (s *demoSeeder) seedRunner(p demoPool, owner string, n int) {
	h := p.hosts[s.rnd.IntN(len(p.hosts))]
	name := "shared"
	if owner != "" {
		name = owner[strings.LastIndex(owner, "/")+1:]
	}
	r := glrunnerstest.Runner{
		Description: fmt.Sprintf("%s-%s-%s-%03d", name, h.tags[0], h.arch, n),
		RunnerType:  p.typ,
		TagList:     append(append([]string{}, h.tags...), p.tags...),
		CreatedBy:   1,
	}
	if s.rnd.IntN(4) == 0 {
		r.TagList = append(r.TagList, []string{"small", "medium", "large", "xlarge"}[s.rnd.IntN(4)])
	}
	switch p.typ {
	case glrunnerstest.GroupType:
		r.GroupID = s.groups[owner]
	case glrunnerstest.ProjectType:
		r.ProjectIDs = []int64{s.projects[owner]}
		r.Locked = s.rnd.IntN(3) == 0
	}
	stale := s.lifecycle(&r, p.neglect)
	id := s.srv.AddRunner(r)
	if r.ContactedAt == nil {
		return // never started: no manager
	}
	version := s.pick(demoCurrent)
	if stale {
		version = s.pick(demoOld)
	}
	managers := s.shape.managers
	if managers == 0 {
		managers = []int{1, 1, 1, 1, 1, 1, 2, 2, 3}[s.rnd.IntN(9)]
	}
	for i := range managers {
		at := r.ContactedAt.Add(-time.Duration(i) * time.Duration(1+s.rnd.IntN(40)) * time.Minute)
		// One host in ten of a multi-host runner lags a version behind the
		// others: rolling upgrades never finish everywhere.
		v := version
		if i > 0 && s.rnd.IntN(10) == 0 {
			v = s.pick(demoOld)
		}
		s.srv.AddManager(id, glrunnerstest.Manager{
			Version: v, Revision: revisionOf(v), Platform: h.platform, Architecture: h.arch,
			IPAddress:   fmt.Sprintf("10.%d.%d.%d", s.rnd.IntN(16), s.rnd.IntN(256), 1+s.rnd.IntN(254)),
			ContactedAt: &at, CreatedAt: r.CreatedAt,
		})
	}
}

// lifecycle sets the runner's created and contacted times (and paused
// flag) for a realistic mix of statuses; it reports whether the runner is
// stale. neglect (0-100) raises the share of stale runners.
func (s *demoSeeder) lifecycle(r *glrunnerstest.Runner, neglect int) bool {
	const day = 24 * time.Hour
	ago := func(lo, hi time.Duration) time.Time {
		return demoNow.Add(-lo - time.Duration(s.rnd.Int64N(int64(hi-lo))))
	}
	n := s.rnd.IntN(100)
	staleCut := 84 - neglect/2 // below: live; from here: stale or never contacted
	switch {
	case n < staleCut*78/100: // online; one in ten paused
		at := ago(10*time.Second, 110*time.Minute)
		r.CreatedAt, r.ContactedAt, r.Paused = ago(3*day, 700*day), &at, s.rnd.IntN(10) == 0
		return false
	case n < staleCut: // offline: quiet for hours or days, not yet a week
		at := demoNow.Add(-2*time.Hour - time.Minute - skew(s.rnd, 6*day-3*time.Hour))
		r.CreatedAt, r.ContactedAt, r.Paused = at.Add(-time.Duration(1+s.rnd.IntN(400))*day), &at, s.rnd.IntN(6) == 0
		return false
	case !s.shape.neverContacted || n < 94: // stale: quiet for more than a week
		at := demoNow.Add(-7*day - time.Hour - skew(s.rnd, 500*day))
		r.CreatedAt, r.ContactedAt = at.Add(-time.Duration(1+s.rnd.IntN(500))*day), &at
		return true
	case n < 97: // registered, never started, now stale
		r.CreatedAt = ago(8*day, 300*day)
		return true
	default: // registered this week, not started yet
		r.CreatedAt = ago(time.Hour, 6*day)
		return false
	}
}

// skew draws a duration up to hi, most of them short: the longer a runner
// has been quiet, the likelier someone has already cleaned it up.
func skew(r *rand.Rand, hi time.Duration) time.Duration {
	f := r.Float64()
	return time.Duration(f*f*float64(hi)) + time.Hour
}

func (s *demoSeeder) pick(vals []string) string { return vals[s.rnd.IntN(len(vals))] }

// revisionOf makes up a stable revision for a version.
func revisionOf(v string) string {
	h := uint32(2166136261)
	for _, c := range []byte(v) {
		h = (h ^ uint32(c)) * 16777619
	}
	return fmt.Sprintf("%08x", h)
}
