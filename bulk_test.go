package glrunners

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bulkFleet is a fake with n runners tagged "doomed" and a few outside
// the selection: untagged, tagged otherwise, and one carrying "doomed"
// among other tags of another type.
type bulkFleet struct {
	srv     *glrunnerstest.Server
	c       *Client
	in, out []int64
}

func newBulkFleet(t *testing.T, n int) *bulkFleet {
	t.Helper()
	srv := glrunnerstest.NewServer()
	t.Cleanup(srv.Close)
	f := &bulkFleet{srv: srv}
	for i := range n {
		f.in = append(f.in, srv.AddRunner(glrunnerstest.Runner{Description: "doomed-" + strconv.Itoa(i), TagList: []string{"doomed"}}))
		if i%50 == 0 {
			f.out = append(f.out, srv.AddRunner(glrunnerstest.Runner{Description: "keep-" + strconv.Itoa(i), TagList: []string{"keep"}}))
		}
	}
	f.out = append(f.out, srv.AddRunner(glrunnerstest.Runner{Description: "untagged"}))
	c, err := NewClient(srv.URL(), WithToken(srv.AdminToken()), WithRetry(fastRetry))
	require.NoError(t, err)
	f.c = c
	return f
}

var doomed = SelectAll(&ListRunnersOptions{TagList: []string{"doomed"}})

// writes counts the PUT and DELETE requests of the fake's log, by runner path.
func (f *bulkFleet) writes() map[string]int {
	out := map[string]int{}
	for _, r := range f.srv.Requests() {
		if r.Method == http.MethodPut || r.Method == http.MethodDelete {
			out[r.Method+" "+r.Path]++
		}
	}
	return out
}

func runnerURL(id int64) string { return "/api/v4/runners/" + strconv.FormatInt(id, 10) }

func TestBulkDelete_snapshotsThenDeletesEverySelectedRunner(t *testing.T) {
	t.Parallel()
	f := newBulkFleet(t, 250) // 3 pages: deleting while paging by offset would skip runners
	path := filepath.Join(t.TempDir(), "cp")
	var events []BulkEvent
	sum, err := f.c.Runners.Bulk(t.Context(), BulkDelete(), doomed, &BulkOptions{
		Checkpoint: path, Concurrency: 8, Progress: func(ev BulkEvent) { events = append(events, ev) },
	})
	require.NoError(t, err)
	assert.Equal(t, BulkSummary{Change: "delete", Total: 250, Done: 250}, *sum)
	require.Len(t, events, 250)
	for i, ev := range events {
		assert.Equal(t, BulkDone, ev.Outcome)
		assert.Equal(t, i+1, ev.Finished)
		assert.Equal(t, 250, ev.Total)
	}
	for _, id := range f.in {
		_, ok := f.srv.Runner(id)
		assert.False(t, ok, "runner %d survived", id)
	}
	for _, id := range f.out {
		_, ok := f.srv.Runner(id)
		assert.True(t, ok, "runner %d outside the selection was deleted", id)
	}
	// Every list page came before the first delete, and each runner got
	// exactly one DELETE.
	reqs := f.srv.Requests()
	lists := 0
	for i, r := range reqs {
		if r.Method == http.MethodGet {
			lists++
			assert.Equal(t, i, lists-1, "a GET after the first write")
		}
	}
	assert.Equal(t, 3, lists)
	w := f.writes()
	assert.Len(t, w, 250)
	for _, id := range f.in {
		assert.Equal(t, 1, w["DELETE "+runnerURL(id)])
	}
	// The journal: plan, snapshot, seal, then an intent and an outcome each.
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	assert.Contains(t, lines[0], `"change":"delete"`)
	assert.Contains(t, lines[0], `"selection":{"kind":"all","filter":"tag_list=doomed"}`)
	assert.Len(t, lines, 1+1+1+2*250)
	assert.Equal(t, "ids "+strconv.FormatInt(f.in[0], 10), lines[1][:4+len(strconv.FormatInt(f.in[0], 10))])
	assert.True(t, strings.HasPrefix(lines[2], "sealed 250 "))

	// Running it again resumes a finished run: nothing is sent.
	before := len(f.srv.Requests())
	sum, err = f.c.Runners.Bulk(t.Context(), BulkDelete(), doomed, &BulkOptions{Checkpoint: path})
	require.NoError(t, err)
	assert.Equal(t, BulkSummary{Change: "delete", Total: 250, Resumed: 250}, *sum)
	assert.Len(t, f.srv.Requests(), before)
}

func TestBulkUpdates_changeEachSelectedRunner(t *testing.T) {
	t.Parallel()
	cases := []struct {
		change BulkChange
		check  func(t *testing.T, r glrunnerstest.Runner)
	}{
		{BulkPause(), func(t *testing.T, r glrunnerstest.Runner) { assert.True(t, r.Paused) }},
		{BulkSetTags("a", "b"), func(t *testing.T, r glrunnerstest.Runner) { assert.ElementsMatch(t, []string{"a", "b"}, r.TagList) }},
		{BulkSetMaintenanceNote("drain by friday"), func(t *testing.T, r glrunnerstest.Runner) {
			assert.Equal(t, "drain by friday", r.MaintenanceNote)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.change.String(), func(t *testing.T) {
			t.Parallel()
			f := newBulkFleet(t, 30)
			sum, err := f.c.Runners.Bulk(t.Context(), tc.change, SelectIDs(f.in...), &BulkOptions{Checkpoint: filepath.Join(t.TempDir(), "cp")})
			require.NoError(t, err)
			assert.Equal(t, 30, sum.Done)
			for _, id := range f.in {
				r, ok := f.srv.Runner(id)
				require.True(t, ok)
				tc.check(t, r)
			}
			for _, id := range f.out {
				r, _ := f.srv.Runner(id)
				assert.False(t, r.Paused)
				assert.Empty(t, r.MaintenanceNote)
			}
			assert.Len(t, f.writes(), 30)
		})
	}
}

func TestBulkUnpause(t *testing.T) {
	t.Parallel()
	f := newBulkFleet(t, 0)
	p := f.srv.AddRunner(glrunnerstest.Runner{Paused: true, TagList: []string{"x"}})
	sum, err := f.c.Runners.Bulk(t.Context(), BulkUnpause(), SelectAll(&ListRunnersOptions{Paused: Ptr(true)}), nil)
	require.NoError(t, err)
	assert.Equal(t, BulkSummary{Change: "unpause", Total: 1, Done: 1}, *sum)
	r, _ := f.srv.Runner(p)
	assert.False(t, r.Paused)
}

func TestBulk_dryRunSendsNoWrite(t *testing.T) {
	t.Parallel()
	f := newBulkFleet(t, 120)
	path := filepath.Join(t.TempDir(), "cp")
	var ids []int64
	sum, err := f.c.Runners.Bulk(t.Context(), BulkDelete(), doomed, &BulkOptions{
		DryRun: true, Checkpoint: path, Progress: func(ev BulkEvent) {
			assert.Equal(t, BulkDryRun, ev.Outcome)
			ids = append(ids, ev.ID)
		},
	})
	require.NoError(t, err)
	assert.Equal(t, BulkSummary{Change: "delete", Total: 120, DryRun: 120, Remaining: 120}, *sum)
	assert.ElementsMatch(t, f.in, ids)
	assert.Empty(t, f.writes())
	assert.NoFileExists(t, path, "a dry run writes no checkpoint")
	assert.Len(t, f.srv.Runners(), 120+len(f.out))
}

func TestBulk_refusesBadInputBeforeSending(t *testing.T) {
	t.Parallel()
	f := newBulkFleet(t, 1)
	bulk := func(ch BulkChange, sel BulkSelection, o *BulkOptions) func(context.Context, *Client) error {
		return func(ctx context.Context, c *Client) error {
			_, err := c.Runners.Bulk(ctx, ch, sel, o)
			return err
		}
	}
	for _, tc := range []struct {
		name, field string
		call        func(context.Context, *Client) error
	}{
		{"zero change", "change", bulk(BulkChange{}, doomed, nil)},
		{"zero selection", "selection", bulk(BulkDelete(), BulkSelection{}, nil)},
		{"nil filter", "selection", bulk(BulkDelete(), SelectAll(nil), nil)},
		{"empty filter", "selection", bulk(BulkDelete(), SelectAll(&ListRunnersOptions{ListOptions: ListOptions{PerPage: 5}}), nil)},
		{"empty owned filter", "selection", bulk(BulkPause(), SelectOwned(&ListRunnersOptions{}), nil)},
		{"empty project filter", "selection", bulk(BulkPause(), SelectProject(ID(1), nil), nil)},
		{"empty group filter", "selection", bulk(BulkPause(), SelectGroup(Path("g"), &ListGroupRunnersOptions{}), nil)},
		{"no group", "id", bulk(BulkPause(), SelectGroup(Ref{}, &ListGroupRunnersOptions{Status: StatusStale}), nil)},
		{"no IDs", "selection", bulk(BulkDelete(), SelectIDs(), nil)},
		{"zero ID", "selection", bulk(BulkDelete(), SelectIDs(4, 0), nil)},
		{"bad filter", "status", bulk(BulkDelete(), SelectAll(&ListRunnersOptions{Status: "gone"}), nil)},
		{"too many tags", "tag_list", bulk(BulkSetTags(tooManyTags...), doomed, nil)},
		{"long note", "maintenance_note", bulk(BulkSetMaintenanceNote(longText), doomed, nil)},
		{"concurrency", "Concurrency", bulk(BulkDelete(), doomed, &BulkOptions{Concurrency: 65})},
		{"condition on a PUT", "UnmodifiedSince", bulk(BulkPause(), doomed, &BulkOptions{UnmodifiedSince: time.Now()})},
		{"resume without path", "path", func(ctx context.Context, c *Client) error {
			_, err := c.Runners.ResumeBulk(ctx, "", nil)
			return err
		}},
	} {
		err := tc.call(t.Context(), f.c)
		checkValidation(t, tc.field, err)
	}
	assert.Empty(t, f.srv.Requests())
}

func TestBulkDelete_unmodifiedSinceKeepsChangedRunners(t *testing.T) {
	t.Parallel()
	f := newBulkFleet(t, 2)
	since := time.Now().Add(time.Minute) // after the fleet's last change
	f.srv.AddRunner(glrunnerstest.Runner{TagList: []string{"doomed"}, UpdatedAt: time.Now().Add(time.Hour)})
	path := filepath.Join(t.TempDir(), "cp")
	sum, err := f.c.Runners.Bulk(t.Context(), BulkDelete(), doomed, &BulkOptions{Checkpoint: path, UnmodifiedSince: since})
	require.NoError(t, err)
	assert.Equal(t, BulkSummary{Change: "delete", Total: 3, Done: 2, Changed: 1}, *sum)
	for _, r := range f.srv.Requests() {
		if r.Method == http.MethodDelete {
			assert.Contains(t, []int{204, 412}, r.Status)
		}
	}
	_, err = f.c.Runners.Bulk(t.Context(), BulkDelete(), doomed, &BulkOptions{Checkpoint: path})
	require.ErrorIs(t, err, ErrCheckpointMismatch, "the condition is part of the change")
}
