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

func TestBulk_refusesACheckpointOfAnotherChange(t *testing.T) {
	t.Parallel()
	f := newBulkFleet(t, 3)
	path := filepath.Join(t.TempDir(), "cp")
	_, err := f.c.Runners.Bulk(t.Context(), BulkSetTags("a"), doomed, &BulkOptions{Checkpoint: path})
	require.NoError(t, err)
	n := len(f.srv.Requests())
	for _, tc := range []struct {
		ch   BulkChange
		sel  BulkSelection
		want string
	}{
		{BulkSetTags("b"), doomed, `holds set_tags ["a"]; this call asks for set_tags ["b"]`},
		{BulkDelete(), doomed, "this call asks for delete"},
		{BulkSetTags("a"), SelectAll(&ListRunnersOptions{TagList: []string{"keep"}}), `of the selection {"kind":"all","filter":"tag_list=doomed"}; this call selects {"kind":"all","filter":"tag_list=keep"}`},
		{BulkSetTags("a"), SelectIDs(f.in...), `this call selects {"kind":"ids","ids_sha256"`},
	} {
		_, err := f.c.Runners.Bulk(t.Context(), tc.ch, tc.sel, &BulkOptions{Checkpoint: path})
		require.ErrorIs(t, err, ErrCheckpointMismatch)
		assert.Contains(t, err.Error(), tc.want)
	}
	assert.Len(t, f.srv.Requests(), n, "a refused resume sends nothing")
	// The same tags in another order are the same change.
	sum, err := f.c.Runners.Bulk(t.Context(), BulkSetTags("a"), SelectAll(&ListRunnersOptions{TagList: []string{"doomed"}}), &BulkOptions{Checkpoint: path})
	require.NoError(t, err)
	assert.Equal(t, 3, sum.Resumed)
}

// journal writes a checkpoint for plan and ids, then the given records.
func journal(t *testing.T, plan bulkPlan, ids []int64, records string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cp")
	cp, err := createCheckpoint(path, plan, sortedIDs(ids))
	require.NoError(t, err)
	require.NoError(t, cp.close())
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = fh.WriteString(records)
	require.NoError(t, err)
	require.NoError(t, fh.Close())
	return path
}

func TestBulkResume_checksAnOpenIntentInsteadOfResending(t *testing.T) {
	t.Parallel()
	f := newBulkFleet(t, 4)
	a, b, c, d := f.in[0], f.in[1], f.in[2], f.in[3]
	// a: done. b: intent, and GitLab applied the delete before the crash.
	// c: intent, the delete never arrived. d: nothing sent.
	_, err := f.c.Runners.Delete(t.Context(), a)
	require.NoError(t, err)
	_, err = f.c.Runners.Delete(t.Context(), b)
	require.NoError(t, err)
	path := journal(t, newBulkPlan(BulkDelete(), doomed, time.Time{}), f.in,
		"i "+id(a)+"\nd "+id(a)+" done\ni "+id(b)+"\ni "+id(c)+"\n")
	start := len(f.srv.Requests())

	var checked []int64
	sum, err := f.c.Runners.ResumeBulk(t.Context(), path, &BulkOptions{Concurrency: 1, Progress: func(ev BulkEvent) {
		if ev.Checked {
			checked = append(checked, ev.ID)
		}
	}})
	require.NoError(t, err)
	assert.Equal(t, BulkSummary{Change: "delete", Total: 4, Resumed: 1, Done: 2, Gone: 1, Checked: 1}, *sum)
	assert.Equal(t, []int64{b}, checked)
	var got []string
	for _, r := range f.srv.Requests()[start:] {
		got = append(got, r.Method+" "+r.Path+" "+strconv.Itoa(r.Status))
	}
	assert.Equal(t, []string{
		"GET " + runnerURL(b) + " 404",
		"GET " + runnerURL(c) + " 200", "DELETE " + runnerURL(c) + " 204",
		"DELETE " + runnerURL(d) + " 204",
	}, got)
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func TestBulkResume_putAlreadyAppliedIsNotResent(t *testing.T) {
	t.Parallel()
	f := newBulkFleet(t, 2)
	_, _, err := f.c.Runners.Pause(t.Context(), f.in[0])
	require.NoError(t, err)
	path := journal(t, newBulkPlan(BulkPause(), SelectIDs(f.in...), time.Time{}), f.in, "i "+id(f.in[0])+"\ni "+id(f.in[1])+"\n")
	start := len(f.srv.Requests())
	sum, err := f.c.Runners.ResumeBulk(t.Context(), path, &BulkOptions{Concurrency: 1})
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Done)
	assert.Equal(t, 1, sum.Checked)
	var got []string
	for _, r := range f.srv.Requests()[start:] {
		got = append(got, r.Method+" "+r.Path)
	}
	assert.Equal(t, []string{"GET " + runnerURL(f.in[0]), "GET " + runnerURL(f.in[1]), "PUT " + runnerURL(f.in[1])}, got)
}

func TestBulkResume_toleratesATornLastLine(t *testing.T) {
	t.Parallel()
	f := newBulkFleet(t, 2)
	path := journal(t, newBulkPlan(BulkDelete(), doomed, time.Time{}), f.in, "i "+id(f.in[0])+"\nd "+id(f.in[0])+" do")
	_, err := f.c.Runners.Delete(t.Context(), f.in[0])
	require.NoError(t, err)
	sum, err := f.c.Runners.Bulk(t.Context(), BulkDelete(), doomed, &BulkOptions{Checkpoint: path, Concurrency: 1})
	require.NoError(t, err)
	assert.Equal(t, BulkSummary{Change: "delete", Total: 2, Done: 1, Gone: 1, Checked: 1}, *sum)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(string(b), "\ni "+id(f.in[0])+"\nd "+id(f.in[0])+" already_gone\ni "+id(f.in[1])+"\nd "+id(f.in[1])+" done\n"),
		"the torn line is cut before appending:\n%s", b)
	cp, err := openCheckpoint(path, false)
	require.NoError(t, err)
	assert.Equal(t, []uint8{stDone, stDone}, cp.state)
}

func TestBulkResume_refusesACorruptCheckpoint(t *testing.T) {
	t.Parallel()
	f := newBulkFleet(t, 2)
	plan := newBulkPlan(BulkDelete(), doomed, time.Time{})
	for name, records := range map[string]string{
		"garbage":           "x 1\n",
		"outside selection": "i 999999\n",
		"unknown outcome":   "d " + id(f.in[0]) + " maybe\n",
	} {
		path := journal(t, plan, f.in, records+"i "+id(f.in[1])+"\n")
		_, err := f.c.Runners.ResumeBulk(t.Context(), path, nil)
		assert.ErrorIs(t, err, ErrCheckpointCorrupt, name)
	}
	path := filepath.Join(t.TempDir(), "cp")
	require.NoError(t, os.WriteFile(path, []byte(`{"format":"glrunners-bulk/1","change":"delete","selection":{"kind":"ids"}}`+"\nids 1 2\n"), 0o600))
	_, err := f.c.Runners.ResumeBulk(t.Context(), path, nil)
	assert.ErrorIs(t, err, ErrCheckpointCorrupt, "unsealed")
	_, err = f.c.Runners.ResumeBulk(t.Context(), filepath.Join(t.TempDir(), "none"), nil)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Empty(t, f.writes())
}

func TestBulk_failedRunnersAreLeftForTheResume(t *testing.T) {
	t.Parallel()
	f := newBulkFleet(t, 3)
	bad := f.in[1]
	f.srv.AddFault(glrunnerstest.Fault{Method: http.MethodDelete, Pattern: "runners/" + id(bad), Status: http.StatusForbidden})
	path := filepath.Join(t.TempDir(), "cp")
	sum, err := f.c.Runners.Bulk(t.Context(), BulkDelete(), doomed, &BulkOptions{Checkpoint: path})
	require.ErrorIs(t, err, ErrBulkIncomplete)
	assert.Equal(t, 2, sum.Done)
	assert.Equal(t, 1, sum.Failed)
	assert.Equal(t, 1, sum.Remaining)
	require.Len(t, sum.Errors, 1)
	assert.ErrorIs(t, sum.Errors[0], ErrForbidden)
	assert.Contains(t, sum.Errors[0].Error(), "runner "+id(bad)+": ")

	sum, err = f.c.Runners.Bulk(t.Context(), BulkDelete(), doomed, &BulkOptions{Checkpoint: path})
	require.NoError(t, err)
	assert.Equal(t, BulkSummary{Change: "delete", Total: 3, Resumed: 2, Done: 1}, *sum)
	_, ok := f.srv.Runner(bad)
	assert.False(t, ok)
	assert.Equal(t, 2, f.writes()["DELETE "+runnerURL(bad)])
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

func TestBulk_stopsOnContextAndResumes(t *testing.T) {
	t.Parallel()
	f := newBulkFleet(t, 40)
	path := filepath.Join(t.TempDir(), "cp")
	ctx, cancel := context.WithCancel(t.Context())
	sum, err := f.c.Runners.Bulk(ctx, BulkDelete(), doomed, &BulkOptions{Checkpoint: path, Concurrency: 2, Progress: func(ev BulkEvent) {
		if ev.Finished == 10 {
			cancel()
		}
	}})
	require.ErrorIs(t, err, ErrBulkIncomplete)
	require.ErrorIs(t, err, context.Canceled)
	assert.GreaterOrEqual(t, sum.Done, 10)
	assert.Less(t, sum.Done, 40)
	assert.Equal(t, 40-sum.Done, sum.Remaining)
	sum2, err := f.c.Runners.Bulk(t.Context(), BulkDelete(), doomed, &BulkOptions{Checkpoint: path})
	require.NoError(t, err)
	assert.Equal(t, sum.Done, sum2.Resumed)
	assert.Equal(t, 40, sum2.Resumed+sum2.Done+sum2.Gone)
	for k, n := range f.writes() {
		assert.Equal(t, 1, n, k)
	}
	assert.Empty(t, f.srv.Runners()[len(f.out):])
}

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

func TestBulk_stopLetsWritesInFlightFinish(t *testing.T) {
	t.Parallel()
	f := newBulkFleet(t, 40)
	path := filepath.Join(t.TempDir(), "cp")
	stop := make(chan struct{})
	var last BulkEvent
	sum, err := f.c.Runners.Bulk(t.Context(), BulkDelete(), doomed, &BulkOptions{Checkpoint: path, Concurrency: 4, Stop: stop, Progress: func(ev BulkEvent) {
		if ev.Finished == 10 {
			close(stop)
		}
		last = ev
	}})
	require.ErrorIs(t, err, ErrBulkIncomplete)
	assert.Contains(t, err.Error(), "stopped")
	// Nothing failed: the deletes in flight when Stop closed finished.
	assert.Zero(t, sum.Failed)
	assert.Equal(t, last.Finished, sum.Done)
	assert.Equal(t, 40-sum.Done, sum.Remaining)
	assert.Len(t, f.writes(), sum.Done)
	for _, r := range f.srv.Requests() {
		assert.NotZero(t, r.Status, "a request was cut off")
	}
	sum2, err := f.c.Runners.ResumeBulk(t.Context(), path, &BulkOptions{Progress: func(ev BulkEvent) { last = ev }})
	require.NoError(t, err)
	assert.Equal(t, BulkSummary{Change: "delete", Total: 40, Resumed: sum.Done, Done: 40 - sum.Done}, *sum2)
	assert.Equal(t, BulkEvent{ID: last.ID, Outcome: BulkDone, Finished: 40, Total: 40}, last)
}
