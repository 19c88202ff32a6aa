package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
)

const crashRunners = 200

// TestCrashSafety: 200 new runners, apply killed with SIGKILL at 20
// random points, each followed by a rerun, with 20% of create answers
// lost. The fleet converges to exactly 200 runners, one per key, every
// token in the sink authenticates, and no runner outside the file is
// touched.
func TestCrashSafety(t *testing.T) {
	out := &outputs{}
	f := startFake(t, out, "-seed", "demo", "-runners", "40", "-lose-creates", "0.2", "-latency", "2ms")
	c := f.client(t)
	ctx := context.Background()
	before := outsideState(t, c)
	require.Len(t, before, 40)

	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("fleet: crash\nrunners:\n")
	scopes := []string{"instance: true", "group: acme/platform", "project: acme/web/api", "project: acme/data/jobs"}
	for i := range crashRunners {
		fmt.Fprintf(&b, "  r-%03d:\n    %s\n    description: crash runner %d\n    tags: [e2e, shard-%d]\n", i, scopes[i%len(scopes)], i, i%5)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "fleet.yaml"), []byte(b.String()), 0o644))
	apply := []string{"apply", "-f", "fleet.yaml", "-token-dir", "tokens", "-concurrency", "8"}

	seed := time.Now().UnixNano()
	rnd := rand.New(rand.NewPCG(uint64(seed), 0))
	// Each kill lands after a random number of the run's write requests
	// (1 to 25; the whole job is over 600), so the 20 kills are spread
	// over the work instead of hitting runs that have nothing left to do.
	killed, midWork := 0, 0
	for range 20 {
		n := f.logLen(t)
		target := 1 + rnd.IntN(25)
		cmd := f.command(dir, apply...)
		var so, se bytes.Buffer
		cmd.Stdout, cmd.Stderr = &so, &se
		require.NoError(t, cmd.Start())
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
	poll:
		for {
			select {
			case <-exited:
				break poll
			case <-time.After(3 * time.Millisecond):
			}
			if writes(f.readLog(t, n, false)) >= target {
				if cmd.Process.Kill() == nil {
					killed++
				}
				<-exited
				midWork++
				break
			}
		}
		out.add(so.String(), se.String())
	}
	finals := 0
	for ; finals < 5; finals++ {
		if r := f.rf(t, dir, apply...); r.code == 0 {
			break
		}
	}
	require.Less(t, finals, 5, "apply did not converge")
	r := f.rf(t, dir, "plan", "-f", "fleet.yaml")
	require.Equal(t, 0, r.code, "plan after convergence: %s%s", r.stdout, r.stderr)

	// exactly one runner per key, 200 in all
	keys := map[string][]int64{}
	for rn, err := range c.Runners.ListAllIter(ctx, &glrunners.ListRunnersOptions{TagList: []string{"runnerfleet:crash"}}) {
		require.NoError(t, err)
		d, _, err := c.Runners.Get(ctx, rn.ID, nil)
		require.NoError(t, err)
		for _, tag := range d.TagList {
			if k, ok := strings.CutPrefix(tag, "runnerfleet:crash:key:"); ok {
				keys[k] = append(keys[k], d.ID)
			}
			assert.NotEqual(t, "runnerfleet:crash:token-pending", tag, "runner %d still waits for its token", d.ID)
		}
	}
	assert.Len(t, keys, crashRunners)
	dups := 0
	for k, ids := range keys {
		if len(ids) != 1 {
			dups++
			t.Errorf("key %s has runners %v", k, ids)
		}
	}

	// every token in the sink authenticates its key's runner
	tokens := sinkTokens(t, filepath.Join(dir, "tokens"))
	require.Len(t, tokens, crashRunners)
	var all []string
	for k, tok := range tokens {
		all = append(all, tok)
		reg, _, err := c.Runners.Verify(ctx, &glrunners.VerifyRunnerOptions{Token: glrunners.Secret(tok), SystemID: "s_e2e000000001"})
		if assert.NoError(t, err, "the token of %s", k) && len(keys[k]) == 1 {
			assert.Equal(t, keys[k][0], reg.ID, "the token of %s authenticates its runner", k)
		}
	}

	// nothing outside the file touched
	assert.Equal(t, before, outsideState(t, c))
	log := f.requests(t, 0)
	outside := 0
	lost, creates, deletes, resets := 0, 0, 0, 0
	for _, q := range log {
		if m := runnerPath.FindStringSubmatch(q.Path); m != nil && q.Method != "GET" {
			if id, _ := strconv.ParseInt(m[1], 10, 64); before[id] != "" {
				outside++
			}
		}
		if q.Method == "POST" && q.Path == "/api/v4/user/runners" {
			creates++
			if q.Status == 502 {
				lost++
			}
		}
		if q.Method == "POST" && strings.HasSuffix(q.Path, "/reset_authentication_token") {
			resets++
		}
		if q.Method == "DELETE" {
			deletes++
		}
	}
	assert.Equal(t, 0, outside, "write requests to runners outside the file")
	t.Logf("crash safety (seed %d): %d kills (%d after the run's Nth write), %d final runs; %d creates sent, %d answers lost, %d token resets, %d deletes; %d runners, %d duplicate keys",
		seed, killed, midWork, finals+1, creates, lost, resets, deletes, len(keys), dups)

	all = append(all, f.token)
	scanSecrets(t, out, all)
}

var runnerPath = regexp.MustCompile(`^/api/v4/runners/(\d+)(/|$)`)

// outsideState snapshots the settable fields of the runners not in any
// fleet, by ID.
func outsideState(t *testing.T, c *glrunners.Client) map[int64]string {
	ctx := context.Background()
	m := map[int64]string{}
	for rn, err := range c.Runners.ListAllIter(ctx, &glrunners.ListRunnersOptions{ListOptions: glrunners.ListOptions{PerPage: 100}}) {
		require.NoError(t, err)
		d, _, err := c.Runners.Get(ctx, rn.ID, nil)
		require.NoError(t, err)
		if strings.Contains(strings.Join(d.TagList, ","), "runnerfleet:") {
			continue
		}
		desc, note := "", ""
		if d.Description != nil {
			desc = *d.Description
		}
		if d.MaintenanceNote != nil {
			note = *d.MaintenanceNote
		}
		m[d.ID] = fmt.Sprintf("%s|%v|%v|%v|%v|%s|%v|%s|%v|%s", desc, d.TagList, d.RunUntagged, d.Locked, d.Paused,
			d.AccessLevel, d.MaximumTimeout != nil, note, d.RunnerType, d.CreatedAt)
	}
	return m
}
