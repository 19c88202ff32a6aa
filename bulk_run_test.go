package glrunners

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
