package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
)

// TestReplacementsAndPrunesNeedTheirFlags: moving a runner to another
// project is a blocked replacement and dropping one from the file a
// blocked delete; apply refuses both, writing nothing, until given
// -allow-replace and -prune.
func TestReplacementsAndPrunesNeedTheirFlags(t *testing.T) {
	out := &outputs{}
	f := startFake(t, out, "-seed", "demo", "-runners", "5")
	dir := t.TempDir()
	path := filepath.Join(dir, "fleet.yaml")
	write := func(doc string) { require.NoError(t, os.WriteFile(path, []byte(doc), 0o644)) }
	write("fleet: rep\nrunners:\n  web:\n    project: acme/web/api\n    description: web\n  spare:\n    instance: true\n")
	r := f.rf(t, dir, "apply", "-f", "fleet.yaml", "-token-dir", "tokens")
	require.Equal(t, 0, r.code, r.stderr)
	first := sinkTokens(t, filepath.Join(dir, "tokens"))
	require.Len(t, first, 2)

	write("fleet: rep\nrunners:\n  web:\n    project: acme/data/api\n    description: web\n")
	r = f.rf(t, dir, "plan", "-f", "fleet.yaml", "-json")
	require.Equal(t, 4, r.code, r.stderr)
	p := parsePlan(t, r)
	require.Len(t, p.Changes, 2)
	assert.Equal(t, "replace", p.Changes[0].Action)
	assert.Equal(t, "-allow-replace", p.Changes[0].Blocked)
	assert.Equal(t, "delete", p.Changes[1].Action)
	assert.Equal(t, "spare", p.Changes[1].Key)
	assert.Equal(t, "-prune", p.Changes[1].Blocked)
	r = f.rf(t, dir, "plan", "-f", "fleet.yaml")
	assert.Contains(t, r.stdout, "[blocked: needs -allow-replace]")

	for _, flags := range [][]string{nil, {"-allow-replace"}, {"-prune"}} {
		n := f.logLen(t)
		r = f.rf(t, dir, append([]string{"apply", "-f", "fleet.yaml", "-token-dir", "tokens"}, flags...)...)
		assert.Equal(t, 1, r.code, "apply %v: %s", flags, r.stderr)
		assert.Contains(t, r.stderr, "refused")
		assert.Equal(t, 0, writes(f.requests(t, n)), "apply %v writes nothing", flags)
	}

	r = f.rf(t, dir, "apply", "-f", "fleet.yaml", "-token-dir", "tokens", "-allow-replace", "-prune")
	require.Equal(t, 0, r.code, r.stderr)
	r = f.rf(t, dir, "plan", "-f", "fleet.yaml")
	require.Equal(t, 0, r.code, r.stdout)

	c := f.client(t)
	ctx := context.Background()
	tokens := sinkTokens(t, filepath.Join(dir, "tokens"))
	assert.NotEqual(t, first["web"], tokens["web"], "the replacement has a new token")
	reg, _, err := c.Runners.Verify(ctx, &glrunners.VerifyRunnerOptions{Token: glrunners.Secret(tokens["web"]), SystemID: "s_e2e000000002"})
	require.NoError(t, err)
	d, _, err := c.Runners.Get(ctx, reg.ID, nil)
	require.NoError(t, err)
	require.Len(t, d.Projects, 1)
	assert.Equal(t, "acme/data/api", d.Projects[0].PathWithNamespace)
	_, _, err = c.Runners.Verify(ctx, &glrunners.VerifyRunnerOptions{Token: glrunners.Secret(first["spare"]), SystemID: "s_e2e000000003"})
	assert.ErrorIs(t, err, glrunners.ErrForbidden, "the pruned runner is gone")
	n := 0
	for _, err := range c.Runners.ListAllIter(ctx, &glrunners.ListRunnersOptions{TagList: []string{"runnerfleet:rep"}}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 1, n)

	scanSecrets(t, out, []string{f.token, first["web"], first["spare"], tokens["web"]})
}
