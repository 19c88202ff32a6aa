package glrunners

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A paced wait that cannot fit in the call's deadline fails the call at
// once with a *RateLimitError from GitLab's quota, sending nothing.
func TestPacerWaitPastDeadlineFailsAtOnce(t *testing.T) {
	c, mux, _ := setup(t)
	var hits atomic.Int32
	mux.HandleFunc("GET /api/v4/runners/{id}", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		// A window of 2 per 5 s, of which one is left: no one else spends.
		w.Header().Set("RateLimit-Observed", "1")
		w.Header().Set("RateLimit-Remaining", "1")
		w.Header().Set("RateLimit-Limit", "24")
		w.Header().Set("RateLimit-Reset", strconv.FormatInt(time.Now().Add(5*time.Second).Unix(), 10))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":1}`))
	})
	ctx := context.Background()
	for range 2 { // learns the quota, then spends the last unit
		_, _, err := c.Runners.Get(ctx, 1, nil)
		require.NoError(t, err)
	}
	// The last unit is spread over the 4–5 s to the reset, within
	// fastRetry's MaxRetryAfter (5 s) and past the deadline.
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_, _, err := c.Runners.Get(short, 1, nil)
	var rl *RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.True(t, rl.Server)
	assert.Greater(t, rl.RetryAfter, time.Second)
	assert.NoError(t, short.Err(), "failed at once, not at the deadline")
	assert.Equal(t, int32(2), hits.Load())
}

// WithoutPacing gives the behaviour the issue measured: the quota served
// fully, but the window's last in-flight requests are refused.
func testWithoutPacingIsThrottled(t *testing.T) {
	f := newPaceFake(t, glrunnerstest.WithRateLimit(paceLimit, paceWindow))
	c := f.client(t, WithoutPacing())
	require.Nil(t, c.pacer)
	start := nextBoundary(time.Now(), paceWindow, 200*time.Millisecond)
	hammer(start, start.Add(paceWindow), paceWorkers, func(ctx context.Context) error {
		_, _, err := c.Runners.Get(ctx, f.runnerID, nil)
		return err
	})
	w := tallyLog(f.srv, start, start.Add(paceWindow), "/runners/")
	t.Logf("without pacing, one window: %v", w)
	assert.Equal(t, paceLimit, w.ok)
	assert.Positive(t, w.refused)
}
