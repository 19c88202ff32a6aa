package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

// testShape is the fleet most tests run on: the demo's mix, small enough
// for -race on a loaded machine.
var testShape = fleetShape{runners: 700, neverContacted: true, seed: 7}

// startTestFleet starts a fake GitLab with a testShape fleet plus the
// cases the demo does not make: a manager without a version, a project
// runner serving two projects, an untagged stale runner, a paused runner
// that still calls in.
func startTestFleet(t *testing.T) *demoFleet {
	t.Helper()
	d := startDemo(testShape)
	t.Cleanup(d.close)
	srv := d.srv
	old := demoNow.Add(-40 * day)
	stale := srv.AddRunner(glrunnerstest.Runner{Description: "orphan-ish", RunnerType: glrunnerstest.ProjectType,
		ProjectIDs: []int64{d.projects["oss/cli"], d.projects["oss/docs"]}, CreatedAt: demoNow.Add(-300 * day), ContactedAt: &old})
	srv.AddManager(stale, glrunnerstest.Manager{ContactedAt: &old}) // no version reported
	srv.AddRunner(glrunnerstest.Runner{Description: "untagged", RunnerType: glrunnerstest.GroupType,
		GroupID: d.groups["oss/tooling"], CreatedAt: demoNow.Add(-30 * day)}) // stale, never contacted
	recent := demoNow.Add(-5 * time.Minute)
	paused := srv.AddRunner(glrunnerstest.Runner{Description: "paused-but-alive", Paused: true, CreatedAt: demoNow.Add(-90 * day),
		ContactedAt: &recent, TagList: []string{"linux"}})
	srv.AddManager(paused, glrunnerstest.Manager{Version: "18.3.1", Platform: "linux", Architecture: "amd64", ContactedAt: &recent})
	// One runner on each side of every edge of the last-contact histogram.
	for _, age := range []time.Duration{119 * time.Minute, 121 * time.Minute, 23 * time.Hour, 25 * time.Hour,
		6*day + 23*time.Hour, 7*day + time.Hour, 29 * day, 31 * day, 89 * day, 91 * day, 364 * day, 366 * day} {
		at := demoNow.Add(-age)
		id := srv.AddRunner(glrunnerstest.Runner{Description: "edge-" + age.String(), CreatedAt: demoNow.Add(-400 * day),
			ContactedAt: &at, TagList: []string{"edge"}})
		srv.AddManager(id, glrunnerstest.Manager{Version: "18.2.0", Platform: "linux", Architecture: "riscv64", ContactedAt: &at})
	}
	return d
}

// collectFleet reads the fake's fleet with token.
func collectFleet(t *testing.T, d *demoFleet, token string, concurrency int) *fleet {
	t.Helper()
	c, err := glrunners.NewClient(d.srv.URL(), glrunners.WithToken(token), glrunners.WithPageConcurrency(concurrency))
	require.NoError(t, err)
	cl := &collector{c: c, gitlab: d.srv.URL(), concurrency: concurrency}
	f, err := cl.collect(t.Context())
	require.NoError(t, err)
	return f
}

// result is what one run of the command did.
type result struct {
	code           int
	stdout, stderr string
}

// runTool runs the command with args and the given environment variables.
func runTool(ctx context.Context, args []string, vars map[string]string, opts ...glrunners.Option) result {
	var out, errOut bytes.Buffer
	code := run(ctx, args, env{
		getenv:        func(k string) string { return vars[k] },
		stdout:        &out,
		stderr:        &errOut,
		clientOptions: opts,
	})
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}
