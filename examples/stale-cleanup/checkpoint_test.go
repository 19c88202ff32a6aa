package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/glrunners/glrunners"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain points the default checkpoints of -apply runs (os.TempDir) at a
// directory of the test run's own, removed at the end.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "stale-cleanup-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("TMPDIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestApplyJournalsAndResumeFinishes(t *testing.T) {
	f := newTestFleet(t)
	path := filepath.Join(t.TempDir(), "run.checkpoint")
	// The journal of a run that died after deleting runner 2, and while
	// the delete of runner 3 was in flight (GitLab applied it): written
	// here by the library as the tool would, then cut short.
	c := f.client(t)
	stop := make(chan struct{})
	_, err := c.Runners.Bulk(t.Context(), glrunners.BulkDelete(), glrunners.SelectIDs(2, 3, 4, 5, 7, 8, 10),
		&glrunners.BulkOptions{Checkpoint: path, Concurrency: 1, Stop: stop, Progress: func(ev glrunners.BulkEvent) {
			if ev.ID == 2 {
				close(stop)
			}
		}})
	require.ErrorIs(t, err, glrunners.ErrBulkIncomplete)
	_, err = c.Runners.Delete(t.Context(), 3)
	require.NoError(t, err)
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = fh.WriteString("i 3\n")
	require.NoError(t, err)
	require.NoError(t, fh.Close())
	start, before := len(f.srv.Requests()), len(f.deletes())

	// Without -apply, -resume lists what is left and sends no write.
	code, out, errOut := f.runTool(t, "", "-resume", path)
	require.Equal(t, exitOK, code, errOut)
	for _, id := range []int64{3, 4, 5, 7, 8, 10} {
		assert.Contains(t, out, fmt.Sprintf("would delete runner %d\n", id))
	}
	assert.Contains(t, out, "1 of 7 runners were finished before")
	assert.Len(t, f.deletes(), before)

	code, out, errOut = f.runTool(t, "", "-resume", path, "-apply")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Equal(t, without(allIDs, 2, 3, 4, 5, 7, 8, 10), f.remaining())
	assert.Contains(t, out, "runner 3: already gone (404)")
	assert.Contains(t, out, "[6/6] runner")
	assert.Contains(t, out, summaryLine(summary{Found: 6, Deleted: 5, AlreadyGone: 1}))
	// No search: only the check of runner 3 and the five deletes.
	var got []string
	for _, r := range f.srv.Requests()[start:] {
		got = append(got, r.Method+" "+r.Path)
	}
	slices.Sort(got)
	assert.Equal(t, []string{"DELETE /api/v4/runners/10", "DELETE /api/v4/runners/4", "DELETE /api/v4/runners/5",
		"DELETE /api/v4/runners/7", "DELETE /api/v4/runners/8", "GET /api/v4/runners/3"}, got)

	// A finished journal: nothing left, nothing sent.
	code, out, _ = f.runTool(t, "", "-resume", path, "-apply")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "7 of 7 runners were finished before")
}

func TestApplyWritesTheCheckpointItIsGiven(t *testing.T) {
	f := newTestFleet(t)
	path := filepath.Join(t.TempDir(), "cp")
	code, out, errOut := f.runTool(t, "", "-apply", "-type", "instance_type", "-checkpoint", path)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "note: journal: "+path+"; if this run dies, finish it with -resume "+path)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(b), "\nids 2 3\nsealed 2 ")
	assert.Contains(t, string(b), `"change":"delete","unmodified_since":`)

	// The same path for another set of runners is refused before any delete.
	n := len(f.deletes())
	code, _, errOut = f.runTool(t, "", "-apply", "-type", "group_type", "-checkpoint", path)
	assert.Equal(t, exitIncomplete, code)
	assert.Contains(t, errOut, "checkpoint is for another bulk change")
	assert.Len(t, f.deletes(), n)

	// A default checkpoint is removed once the run is complete.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	code, out, errOut = f.runTool(t, "", "-apply", "-type", "group_type")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "note: journal: "+tmp+"/stale-cleanup-")
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, left)
}

func TestResumeRefusals(t *testing.T) {
	f := newTestFleet(t)
	code, _, errOut := f.runTool(t, "", "-resume", filepath.Join(t.TempDir(), "none"), "-apply")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "without it, nothing was deleted")
	code, _, errOut = f.runTool(t, "", "-resume", "x", "-type", "group_type")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "-resume takes the runners and conditions from the checkpoint")
	assert.Empty(t, f.srv.Requests())
}
