package glrunners

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
