package glrunners

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
)

// TestCreateOnce_markerSpotCost measures, in requests, what each place for
// the call marker costs: on the happy path, and to recover one lost answer
// when the project already has m never-contacted runners identical to the
// one asked for (an autoscaler booting m machines at once). The counts are
// exact, so the test asserts them; the log shows the table the README's
// choice rests on.
//
//   - description (CreateOnce's choice): a look walks the list, one page per
//     100 such runners;
//   - maintenance note: lists do not return it, so a look also GETs every
//     listed runner with the same description;
//   - tag: lists filter by it, so a look is one request whatever m is; but
//     GitLab keeps every tag it has ever seen, so each call would leave a
//     tag behind for good, and the marker takes one of the 50 tag slots.
func TestCreateOnce_markerSpotCost(t *testing.T) {
	t.Parallel()
	spots := []struct {
		name string
		spot markerSpot
		look func(m int) int // requests of one look that finds the runner
	}{
		{"description", spotDescription, func(m int) int { return listPages(m + 1) }},
		{"maintenance note", spotNote, func(m int) int { return listPages(m+1) + m + 1 }},
		{"tag", spotTag, func(int) int { return 1 }},
	}
	var table []string
	for _, sp := range spots {
		for _, m := range []int{0, 99, 250} {
			happy := spotCallRequests(t, sp.spot, m, false)
			lost := spotCallRequests(t, sp.spot, m, true)
			assert.Equal(t, 2, happy, "%s, m=%d: create and update", sp.name, m)
			// create, the look, the reset, the update
			assert.Equal(t, 3+sp.look(m), lost, "%s, m=%d: one lost answer", sp.name, m)
			table = append(table, fmt.Sprintf("%-16s m=%-3d happy %d, one lost answer %d", sp.name, m, happy, lost))
		}
	}
	t.Log("requests per CreateOnce call:\n" + strings.Join(table, "\n"))
}

func listPages(n int) int { return (n + 99) / 100 }

// spotCallRequests runs one createOnce with the marker at spot, in a
// project holding m never-contacted runners like the one asked for, and
// returns the requests it sent. With lost, the create's answer is lost
// after GitLab applied it.
func spotCallRequests(t *testing.T, spot markerSpot, m int, lost bool) int {
	t.Helper()
	f := newOnceFake()
	defer f.srv.Close()
	opt := f.onceOptions("autoscaled")
	for range m {
		f.srv.AddRunner(glrunnerstest.Runner{
			RunnerType: glrunnerstest.ProjectType, ProjectIDs: []int64{f.projectID},
			Description: opt.Description, TagList: opt.TagList, Paused: true, Status: "never_contacted",
		})
	}
	if lost {
		f.srv.AddFault(fault502AfterApply(1))
	}
	c := f.client()
	reg, _, err := c.Runners.createOnce(context.Background(), opt, spot, nil)
	if assert.NoError(t, err) {
		f.assertAsAsked(t, reg.ID, opt)
		assertTokenWorks(t, c, reg)
		assert.Len(t, f.projectRunners(), m+1)
	}
	return f.requests() - 1 // less the Verify
}
