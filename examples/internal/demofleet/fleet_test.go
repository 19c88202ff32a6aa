package demofleet

import (
	"reflect"
	"testing"

	"github.com/glrunners/glrunners/glrunnerstest"
)

// The examples' output depends on the fleet being the same on every run.
func TestStartIsDeterministic(t *testing.T) {
	a, b := Start(), Start()
	defer a.Server.Close()
	defer b.Server.Close()
	ra, rb := withoutTokens(a.Server.Runners()), withoutTokens(b.Server.Runners())
	if !reflect.DeepEqual(ra, rb) {
		t.Fatal("two fleets differ")
	}
	for _, r := range ra {
		if !reflect.DeepEqual(a.Server.Managers(r.ID), b.Server.Managers(r.ID)) {
			t.Fatalf("managers of runner %d differ", r.ID)
		}
	}
	if a.ShowcaseRunner != 1 || a.ProjectID("acme/platform/api") == 0 || a.DeveloperToken == "" {
		t.Errorf("fleet handles: showcase %d, project %d", a.ShowcaseRunner, a.ProjectID("acme/platform/api"))
	}
}

// The fleet must have every status the examples talk about.
func TestStatusMix(t *testing.T) {
	f := Start()
	defer f.Server.Close()
	n := map[string]int{}
	for _, r := range f.Server.Runners() {
		n[string(r.Status)]++
		n[string(r.RunnerType)]++
		if r.Paused {
			n["paused flag"]++
		}
	}
	for _, k := range []string{"online", "offline", "stale", "never_contacted", "paused",
		string(glrunnerstest.InstanceType), string(glrunnerstest.GroupType), string(glrunnerstest.ProjectType), "paused flag"} {
		if n[k] < 5 {
			t.Errorf("only %d runners with %s: %v", n[k], k, n)
		}
	}
	if f.Runners < 200 {
		t.Errorf("%d runners, want a few hundred", f.Runners)
	}
}

// withoutTokens blanks the runner tokens, which the fake draws at random.
func withoutTokens(rs []glrunnerstest.Runner) []glrunnerstest.Runner {
	for i := range rs {
		rs[i].Token = ""
	}
	return rs
}
