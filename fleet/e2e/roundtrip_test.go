package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/fleet"
)

// TestRoundTrip: import a seeded fleet, plan shows nothing; edit 10
// fields, plan shows exactly those; apply; plan shows nothing, and apply
// again sends no write.
func TestRoundTrip(t *testing.T) {
	out := &outputs{}
	f := startFake(t, out, "-seed", "demo", "-runners", "200")
	dir := t.TempDir()
	path := filepath.Join(dir, "fleet.yaml")

	r := f.rf(t, dir, "import", "-fleet", "demo", "-o", "fleet.yaml")
	require.Equal(t, 0, r.code, r.stderr)
	r = f.rf(t, dir, "plan", "-f", "fleet.yaml", "-json")
	require.Equal(t, 0, r.code, r.stderr)
	p := parsePlan(t, r)
	assert.Empty(t, p.Changes, "an immediate plan after import shows no change")

	file, err := fleet.Load(path)
	require.NoError(t, err)
	require.Len(t, file.Runners, 200)
	want := editTen(t, file)
	data, err := fleet.Marshal(file, "")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o644))

	r = f.rf(t, dir, "plan", "-f", "fleet.yaml", "-json")
	require.Equal(t, 4, r.code, "plan exits 4 with changes pending: %s", r.stderr)
	p = parsePlan(t, r)
	got := map[string]string{}
	for _, c := range p.Changes {
		assert.Equal(t, "update", c.Action)
		for _, fc := range c.Fields {
			got[c.Key+"."+fc.Field] = fc.Field
		}
	}
	assert.Equal(t, want, got, "exactly the 10 edited fields")
	assert.Equal(t, 10, p.FieldChanges)
	text := f.rf(t, dir, "plan", "-f", "fleet.yaml")
	assert.Equal(t, 4, text.code)
	assert.Contains(t, text.stdout, "Plan: 0 to create, 10 to update (10 fields)")

	n := f.logLen(t)
	r = f.rf(t, dir, "apply", "-f", "fleet.yaml", "-token-dir", "tokens")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, 10, writes(f.requests(t, n)), "one PUT per edited runner")

	r = f.rf(t, dir, "plan", "-f", "fleet.yaml")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "No changes.")
	n = f.logLen(t)
	r = f.rf(t, dir, "apply", "-f", "fleet.yaml", "-token-dir", "tokens")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, 0, writes(f.requests(t, n)), "a second apply sends no write request")

	out.add(string(data))
	scanSecrets(t, out, []string{f.token})
}

// editTen changes one field on each of ten runners, two of them twice over
// the eight fields, and returns the "key.field" set changed.
func editTen(t *testing.T, file *fleet.File) map[string]string {
	fields := []string{"description", "tags", "run_untagged", "locked", "access_level",
		"maximum_timeout", "maintenance_note", "paused", "description", "paused"}
	want := map[string]string{}
	used := map[string]bool{}
	for _, field := range fields {
		done := false
		for _, r := range file.Runners {
			if used[r.Key] {
				continue
			}
			if edit(r, field) {
				used[r.Key], want[r.Key+"."+field], done = true, field, true
				break
			}
		}
		require.True(t, done, "no runner to edit %s on", field)
	}
	return want
}

func edit(r *fleet.Runner, field string) bool {
	flip := func(b *bool) *bool { v := !*b; return &v }
	switch field {
	case "description":
		r.Description = glrunners.Ptr(*r.Description + " (edited)")
	case "tags":
		r.Tags = append(r.Tags, "edited")
	case "run_untagged":
		if len(r.Tags) == 0 {
			return false // false would need tags
		}
		r.RunUntagged = flip(r.RunUntagged)
	case "locked":
		r.Locked = flip(r.Locked)
	case "access_level":
		a := glrunners.RefProtected
		if *r.AccessLevel == a {
			a = glrunners.NotProtected
		}
		r.AccessLevel = &a
	case "maximum_timeout":
		r.MaximumTimeout = glrunners.Ptr(*r.MaximumTimeout + 600)
		if *r.MaximumTimeout == 600 {
			r.MaximumTimeout = glrunners.Ptr(int64(5400))
		}
	case "maintenance_note":
		r.MaintenanceNote = glrunners.Ptr("edited by the round trip")
	case "paused":
		r.Paused = flip(r.Paused)
	}
	return true
}
