//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package glrunners

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A checkpoint another run holds open is refused, before any request
// changes a runner; a dry run still reads it; once the holder closes it,
// the resume goes through.
func TestBulkResume_refusesACheckpointInUse(t *testing.T) {
	t.Parallel()
	f := newBulkFleet(t, 3)
	path := journal(t, newBulkPlan(BulkDelete(), doomed, time.Time{}), f.in, "")
	holder, err := openCheckpoint(path, true)
	require.NoError(t, err)

	_, err = f.c.Runners.ResumeBulk(t.Context(), path, nil)
	require.ErrorIs(t, err, ErrCheckpointInUse)
	assert.Equal(t, "glrunners: checkpoint is in use by another run: "+path, err.Error())
	assert.Empty(t, f.writes(), "nothing may be written while another run holds the journal")
	_, err = f.c.Runners.Bulk(t.Context(), BulkDelete(), doomed, &BulkOptions{Checkpoint: path})
	require.ErrorIs(t, err, ErrCheckpointInUse, "Bulk resuming the same file is refused too")

	sum, err := f.c.Runners.ResumeBulk(t.Context(), path, &BulkOptions{DryRun: true})
	require.NoError(t, err, "a dry run only reads")
	assert.Equal(t, 3, sum.DryRun)

	require.NoError(t, holder.close())
	sum, err = f.c.Runners.ResumeBulk(t.Context(), path, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, sum.Done)
	assert.Len(t, f.writes(), 3)
}
