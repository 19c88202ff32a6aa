package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/fleet"
)

// TestScale measures 10,000 managed runners with 5 ms of latency per
// answer: import, plan, and an apply of 1,000 changes; requests, wall
// time, peak memory (the process's max RSS). It takes about a minute,
// so it runs only with RUNNERFLEET_SCALE=1 (RUNNERFLEET_SCALE_N changes
// the fleet's size).
func TestScale(t *testing.T) {
	if os.Getenv("RUNNERFLEET_SCALE") == "" {
		t.Skip("set RUNNERFLEET_SCALE=1 to measure 10,000 runners")
	}
	size := 10000
	if s := os.Getenv("RUNNERFLEET_SCALE_N"); s != "" {
		size, _ = strconv.Atoi(s)
	}
	changes := size / 10
	out := &outputs{}
	f := startFake(t, out, "-seed", "demo", "-runners", strconv.Itoa(size), "-latency", "5ms")
	dir := t.TempDir()
	conc := "16"
	measure := func(name string, wantCode int, args ...string) result {
		n := f.logLen(t)
		r := f.rf(t, dir, append(args, "-concurrency", conc)...)
		require.Equal(t, wantCode, r.code, "%s: %s", name, r.stderr)
		log := f.readLog(t, n, false)
		req, w := len(log), writes(log)
		t.Logf("%-22s %6d requests (%5d writes) in %6.2fs = %5.0f req/s; peak RSS %4d MiB; at 2,000/min the quota allows this in %.2f min",
			name, req, w, r.wall.Seconds(), float64(req)/r.wall.Seconds(), r.maxRSSKiB/1024, float64(req)/2000)
		return r
	}
	measure("import (adopts all)", 0, "import", "-fleet", "scale", "-o", "fleet.yaml")
	measure("plan, no changes", 0, "plan", "-f", "fleet.yaml")

	path := filepath.Join(dir, "fleet.yaml")
	file, err := fleet.Load(path)
	require.NoError(t, err)
	require.Len(t, file.Runners, size)
	for i := range changes {
		r := file.Runners[i*len(file.Runners)/changes]
		r.Description = glrunners.Ptr(fmt.Sprintf("%s (scale edit %d)", *r.Description, i))
	}
	data, err := fleet.Marshal(file, "")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	measure(fmt.Sprintf("plan, %d changes", changes), 4, "plan", "-f", "fleet.yaml")
	t0 := time.Now()
	measure(fmt.Sprintf("apply, %d changes", changes), 0, "apply", "-f", "fleet.yaml", "-token-dir", "tokens")
	t.Logf("apply wall %.1fs", time.Since(t0).Seconds())
	r := measure("apply again", 0, "apply", "-f", "fleet.yaml", "-token-dir", "tokens")
	assert.Contains(t, r.stdout, "No changes.")
	scanSecrets(t, out, []string{f.token})
}

// TestScaleThrottled is TestScale's apply under a throttle of GitLab.com's
// rate (2,000 a minute), scaled down tenfold in fleet and window (1,000
// runners, 200 requests per 6 s) so that it takes a minute or two: it
// reports the requests, the answers 429, the wall time and the share of
// the quota used. Run with RUNNERFLEET_SCALE=1.
func TestScaleThrottled(t *testing.T) {
	if os.Getenv("RUNNERFLEET_SCALE") == "" {
		t.Skip("set RUNNERFLEET_SCALE=1 to measure under a throttle")
	}
	const size, changes, limit, window = 1000, 100, 200, 6 * time.Second
	out := &outputs{}
	f := startFake(t, out, "-seed", "demo", "-runners", strconv.Itoa(size), "-latency", "5ms",
		"-rate-limit", strconv.Itoa(limit), "-rate-window", window.String())
	dir := t.TempDir()
	measure := func(name string, wantCode int, args ...string) {
		n := f.logLen(t)
		r := f.rf(t, dir, args...)
		require.Equal(t, wantCode, r.code, "%s: %s", name, r.stderr)
		log := f.readLog(t, n, false)
		throttled := 0
		for _, q := range log {
			if q.Status == 429 {
				throttled++
			}
		}
		served := len(log) - throttled
		quota := r.wall.Seconds() / window.Seconds() * limit
		t.Logf("%-20s %5d requests (%4d writes), %4d answered 429; %6.1fs; %d served of a quota of %.0f in that time (%.0f%%); peak RSS %d MiB",
			name, len(log), writes(log), throttled, r.wall.Seconds(), served, quota, 100*float64(served)/quota, r.maxRSSKiB/1024)
	}
	measure("import", 0, "import", "-fleet", "thr", "-o", "fleet.yaml")
	path := filepath.Join(dir, "fleet.yaml")
	file, err := fleet.Load(path)
	require.NoError(t, err)
	for i := range changes {
		r := file.Runners[i*len(file.Runners)/changes]
		r.Description = glrunners.Ptr(*r.Description + " (throttled edit)")
	}
	data, err := fleet.Marshal(file, "")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	measure(fmt.Sprintf("apply, %d changes", changes), 0, "apply", "-f", "fleet.yaml", "-token-dir", "tokens")
	measure("plan after", 0, "plan", "-f", "fleet.yaml")
}
