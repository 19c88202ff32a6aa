// Package demofleet seeds glrunnerstest with the fleet the examples run on:
// a few hundred runners of every type and status across a group tree, with
// managers and jobs. Everything is derived from a fixed clock and a seeded
// random source, so two runs print the same thing.
package demofleet

import (
	"math/rand/v2"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
)

// Now is the fake's clock. It is fixed so that statuses (online, stale, ...)
// and relative times in the examples' output never drift.
var Now = time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC)

// Fleet is a running fake GitLab with the demo fleet in it.
type Fleet struct {
	Server *glrunnerstest.Server

	// AdminToken is root's token; DeveloperToken belongs to bob, a developer
	// of acme/web/storefront only, for showing what a low-privilege user gets.
	AdminToken     string
	DeveloperToken string

	// ShowcaseRunner is an online instance runner with several managers and
	// a dozen jobs: the lowest ID among online runners tagged docker+linux.
	ShowcaseRunner int64
	// Runners is how many runners were seeded.
	Runners int

	projects map[string]int64
}

// ProjectID returns the ID of a seeded project by full path, 0 if unknown.
// The SDK takes project IDs in CreateRunnerOptions; a real program would
// look them up with GitLab's Projects API.
func (f *Fleet) ProjectID(fullPath string) int64 { return f.projects[fullPath] }

// Start starts a fake GitLab and seeds it. Close Fleet.Server when done.
func Start() *Fleet {
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(func() time.Time { return Now }))
	s := &seeder{srv: srv, rnd: rand.New(rand.NewPCG(2025, 6)), groups: map[string]int64{}, projects: map[string]int64{}}
	f := &Fleet{Server: srv, AdminToken: srv.AdminToken()}
	s.seedOrg(f)
	f.ShowcaseRunner = s.seedShowcase()
	s.seedRunners()
	f.Runners = len(srv.Runners())
	f.projects = s.projects
	return f
}

// seeder carries the state of one seeding run.
type seeder struct {
	srv      *glrunnerstest.Server
	rnd      *rand.Rand
	groups   map[string]int64 // full path -> ID
	projects map[string]int64 // full path -> ID
	users    []int64          // who triggers jobs
}

// ago is Now minus d, as the pointer the seeding structs take.
func ago(d time.Duration) *time.Time {
	t := Now.Add(-d)
	return &t
}

// between returns a random duration in [lo, hi).
func (s *seeder) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(s.rnd.Int64N(int64(hi-lo)))
}

// pick returns one of vals.
func pick[T any](r *rand.Rand, vals ...T) T { return vals[r.IntN(len(vals))] }

const day = 24 * time.Hour
