package glrunners

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The measure: a fixed window of 150 per 3 s, 16 goroutines on
// one client calling Runners.Get for 5 windows. Without pacing glrunners
// served 100% with 44–65 answers 429; paced, every window's quota is
// spent and nothing is refused.
const (
	paceLimit   = 150
	paceWindow  = 3 * time.Second
	paceWindows = 5
	paceWorkers = 16
)

// TestPacing runs the timed pacing tests side by side, each against its
// own fake. It is a sequential top-level test, so no other test of the
// package runs meanwhile (parallel ones wait for it): its windows measure
// the pacer, not the rest of the suite. Its tests are light on CPU; the
// application-limit test, whose GETs take all the CPU they can, runs
// after it.
func TestPacing(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"SpendsQuotaWithout429", testPacerSpendsQuotaWithout429},
		{"LearnsFromThrottledAnswers", testPacerLearnsFromThrottledAnswers},
		{"HourWindowAgainstServerClock", testPacerHourWindowAgainstServerClock},
		{"ThreeProcessesShareOneToken", testPacerThreeProcessesShareOneToken},
		{"WithoutPacingIsThrottled", testWithoutPacingIsThrottled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t)
		})
	}
}

func testPacerSpendsQuotaWithout429(t *testing.T) {
	f := newPaceFake(t, glrunnerstest.WithRateLimit(paceLimit, paceWindow))
	wins, all, used := f.getForWindows(t)
	t.Logf("headers on every answer: %d served of %d (%.1f%%), %d answers 429, per window %v",
		all.ok, paceLimit*paceWindows, 100*used, all.refused, wins)
	assert.Zero(t, all.refused, "answers 429")
	assert.Zero(t, all.other)
	assert.GreaterOrEqual(t, used, 0.95, "quota used")
	for i, w := range wins {
		assert.LessOrEqual(t, w.ok, paceLimit, "window %d served more than the quota", i)
	}
}

// Older GitLab sends RateLimit-* only on a 429: the first window is spent
// unpaced, its 429s teach the quota (Observed−1) and the window (quota ×
// 60 s / Limit), and from then on the client counts its own requests.
func testPacerLearnsFromThrottledAnswers(t *testing.T) {
	f := newPaceFake(t, glrunnerstest.WithRateLimit(paceLimit, paceWindow))
	f.srv.SetRateLimitHeaders(glrunnerstest.HeadersOnThrottled)
	wins, all, used := f.getForWindows(t)
	t.Logf("headers only on 429: %d served of %d (%.1f%%), answers 429 per window %v",
		all.ok, paceLimit*paceWindows, 100*used, wins)
	assert.Positive(t, wins[0].refused, "the first window must be throttled to teach the quota")
	for i, w := range wins[1:] {
		assert.LessOrEqual(t, w.refused, 1, "answers 429 in window %d", i+2)
	}
	assert.GreaterOrEqual(t, used, 0.90, "quota used")
}

// A window of an hour, tested in seconds: the fake's clock stands 2.5 s
// before the end of an hour window, and 42 minutes off the local clock. The
// client must read RateLimit-Reset against Date (not its own clock, which
// would put the reset 42 minutes away) and spend Remaining, which counts
// the hour, not RateLimit-Limit, which is per minute (2): all 120 go in
// the 2.5 s left, none is refused, and the next hour's 120 are spread
// over the hour, so that its first second sees only the pacer's burst (a
// tenth of the budget) and the probe that learns the new window.
func testPacerHourWindowAgainstServerClock(t *testing.T) {
	const hourLimit = 120
	var offset atomic.Int64 // fake = local + offset, set just before the load
	f := newPaceFake(t, glrunnerstest.WithNow(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }),
		glrunnerstest.WithRateLimit(hourLimit, time.Hour))
	c := f.client(t)
	now := time.Now()
	hour := nextBoundary(now.Add(42*time.Minute), time.Hour, 0)
	offset.Store(int64(hour.Add(-2500 * time.Millisecond).Sub(now)))
	local := hour.Add(-time.Duration(offset.Load())) // the local time of the fake's hour boundary
	hammer(time.Now(), local.Add(time.Second), 8, func(ctx context.Context) error {
		_, _, err := c.Runners.Get(ctx, f.runnerID, nil)
		return err
	})
	before := tallyLog(f.srv, hour.Add(-time.Hour), hour, "/runners/")
	after := tallyLog(f.srv, hour, hour.Add(time.Hour), "/runners/")
	t.Logf("hour window: %d served in the last 2.5 s (quota %d), %d answers 429; next hour's first second: %v",
		before.ok, hourLimit, before.refused+after.refused, after)
	assert.Equal(t, hourLimit, before.ok)
	assert.Zero(t, before.refused+after.refused)
	assert.LessOrEqual(t, after.total(), hourLimit/10+1)
}

// An application limit answers 429 without RateLimit headers: only its
// endpoint shape is paced, learned from the answers, while runner GETs go
// on at full speed. The jobs load runs alone for a few windows (learning),
// then GETs run in alternate slots with and without the jobs load, so that
// the machine's noise falls on both alike.
func TestPacerApplicationLimitPacesOnlyItsEndpoint(t *testing.T) {
	const (
		jobsLimit  = 300
		jobsWindow = time.Second
		learn      = 4 * time.Second
		slot       = time.Second
		slots      = 5 // pairs of slots: loaded, alone
	)
	f := newPaceFake(t)
	f.srv.SetEndpointLimit("GET /runners/{id}/jobs", jobsLimit, jobsWindow)
	c := f.client(t, WithRetry(RetryPolicy{WaitMin: 50 * time.Millisecond, WaitMax: time.Second}))
	get := func(ctx context.Context) error {
		_, _, err := c.Runners.Get(ctx, f.runnerID, nil)
		return err
	}
	jobs := func(ctx context.Context) error {
		_, _, err := c.Runners.ListJobs(ctx, f.runnerID, nil)
		return err
	}
	t0 := time.Now()
	hammer(t0, t0.Add(learn), 2, jobs)
	var loaded, alone tally
	for range slots {
		t1 := time.Now()
		done := make(chan struct{})
		go func() {
			defer close(done)
			hammer(t1, t1.Add(slot), 2, jobs)
		}()
		hammer(t1, t1.Add(slot), 4, get)
		<-done
		t2 := time.Now()
		hammer(t2, t2.Add(slot), 4, get)
		l, a := tallyLog(f.srv, t1, t1.Add(slot), "/runners/"), tallyLog(f.srv, t2, t2.Add(slot), "/runners/")
		l.ok -= tallyLog(f.srv, t1, t1.Add(slot), "/jobs").ok
		loaded, alone = sum([]tally{loaded, l}), sum([]tally{alone, a})
	}
	j := tallyLog(f.srv, t0, time.Now(), "/jobs")
	jobsTime := learn + slots*slot
	ratio := float64(loaded.ok) / float64(alone.ok)
	refused := float64(j.refused) / float64(j.total())
	t.Logf("jobs: %d calls, %d answered 429 (%.2f%%), %.0f served per s (limit %d/s); GETs %d alone, %d beside the jobs load (ratio %.2f)",
		j.total(), j.refused, 100*refused, float64(j.ok)/jobsTime.Seconds(), jobsLimit, alone.ok, loaded.ok, ratio)
	assert.LessOrEqual(t, refused, 0.01, "jobs calls answered 429")
	assert.Greater(t, j.ok, jobsLimit*int(jobsTime/jobsWindow)/3, "the jobs endpoint was starved")
	assert.Zero(t, alone.refused+loaded.refused)
	// Not slowed: GETs never wait in the pacer, which holds a budget for
	// the jobs shape only and none for the throttle; throughput is
	// compared loosely, the jobs load costing the machine's CPU too.
	assert.Nil(t, c.pacer.ends.lookup("GET", c.basePath+"runners/1"))
	require.NotNil(t, c.pacer.ends.lookup("GET", c.basePath+"runners/1/jobs"))
	assert.Equal(t, quotaOff, c.pacer.quota[0].mode.Load())
	assert.Greater(t, ratio, 0.5, "GET throughput beside the jobs load")
}
