package glrunners

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Where rate-limit waits happen (see also pacer_test.go for pacing).

func TestRateLimit_clientWaitIsNotInsideTheAttemptTimeout(t *testing.T) {
	t.Parallel()
	url := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":1}`)
	}))
	// Each Get after the first waits about 500 ms for a token: longer than
	// the 300 ms HTTP timeout, which must bound only the attempt itself.
	c, err := NewClient(url, WithToken(testToken), WithRateLimit(2, 1),
		WithHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
	require.NoError(t, err)
	for i := range 4 {
		_, resp, err := c.Runners.Get(t.Context(), 1, nil)
		require.NoError(t, err, "call %d", i)
		assert.Equal(t, 1, resp.Attempts, "call %d needed no retry", i)
	}
}

func TestRateLimit_spentQuotaPastDeadlineFailsAtOnce(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	reset := time.Now().Add(30 * time.Second)
	url := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("RateLimit-Remaining", "0")
		w.Header().Set("RateLimit-Limit", "600")
		w.Header().Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		writeJSON(w, 200, `{"id":1}`)
	}))
	c, err := NewClient(url, WithToken(testToken))
	require.NoError(t, err)
	_, _, err = c.Runners.Get(t.Context(), 1, nil)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, _, err = c.Runners.Get(ctx, 1, nil)
	require.ErrorIs(t, err, ErrRateLimited)
	rl, ok := asType[*RateLimitError](err)
	require.True(t, ok, "%T: %v", err, err)
	assert.True(t, rl.Server)
	assert.Greater(t, rl.RetryAfter, 20*time.Second)
	assert.NoError(t, ctx.Err(), "it returned at once instead of sleeping to the deadline")
	assert.Equal(t, int32(1), n.Load(), "the second call was not sent")
	assert.Equal(t, "glrunners: GET /api/v4/runners/1: not sent: GitLab's spent rate-limit quota needs a wait of "+
		rl.RetryAfter.Round(time.Millisecond).String()+", past the context deadline", err.Error())
}
