package glrunners

import (
	"testing"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBulkSelect_scopes(t *testing.T) {
	t.Parallel()
	srv := glrunnerstest.NewServer()
	t.Cleanup(srv.Close)
	g := srv.AddGroup(glrunnerstest.Group{Name: "g"})
	p := srv.AddProject(glrunnerstest.Project{Name: "p", GroupID: g})
	gr := srv.AddRunner(glrunnerstest.Runner{RunnerType: "group_type", GroupID: g, TagList: []string{"t"}})
	pr := srv.AddRunner(glrunnerstest.Runner{RunnerType: "project_type", ProjectIDs: []int64{p}, TagList: []string{"t"}})
	srv.AddRunner(glrunnerstest.Runner{TagList: []string{"t"}}) // an instance runner both scopes would list without Type
	c, err := NewClient(srv.URL(), WithToken(srv.AdminToken()))
	require.NoError(t, err)
	for _, tc := range []struct {
		sel  BulkSelection
		want int64
	}{
		{SelectGroup(ID(g), &ListGroupRunnersOptions{Type: GroupType}), gr},
		{SelectProject(ID(p), &ListRunnersOptions{Type: ProjectType}), pr},
	} {
		var got []int64
		_, err := c.Runners.Bulk(t.Context(), BulkPause(), tc.sel, &BulkOptions{DryRun: true, Progress: func(ev BulkEvent) { got = append(got, ev.ID) }})
		require.NoError(t, err)
		assert.Equal(t, []int64{tc.want}, got)
	}
}
