package fleet

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
)

func TestMarshalRoundTrips(t *testing.T) {
	desc, note, acc, to := "true", "line one\n\nline three\n", glrunners.RefProtected, int64(0)
	yes, no := true, false
	f := &File{Name: "x.yaml", Fleet: "prod", Runners: []*Runner{
		{Key: "a", Scope: Scope{Type: glrunners.ProjectType, ID: 7, Path: "acme/web/api"}, Description: &desc,
			Tags: []string{"linux", "has space", "yes"}, TagsSet: true, RunUntagged: &no, Locked: &yes,
			AccessLevel: &acc, MaximumTimeout: &to, MaintenanceNote: &note, Paused: &yes},
		{Key: "b", Scope: Scope{Type: glrunners.InstanceType}, Tags: []string{}, TagsSet: true},
		{Key: "c", Scope: Scope{Type: glrunners.GroupType, Path: "acme"}},
	}}
	out, err := Marshal(f, "imported")
	require.NoError(t, err)
	assert.Contains(t, string(out), "# imported\nfleet: prod\nrunners:\n  a:\n")
	assert.Contains(t, string(out), "project: 7 # acme/web/api")
	back, err := Parse("x.yaml", out)
	require.NoError(t, err, "%s", out)
	for i, r := range back.Runners {
		r.Line = 0
		want := *f.Runners[i]
		if want.Scope.ID != 0 {
			want.Scope.Path = "" // the path is a comment only
		}
		assert.Equal(t, &want, r)
	}
	empty, err := Marshal(&File{Fleet: "x"}, "")
	require.NoError(t, err)
	back, err = Parse("e.yaml", empty)
	require.NoError(t, err)
	assert.Empty(t, back.Runners)
}
