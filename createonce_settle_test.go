package glrunners

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithSettleWindow_refusesNonPositive(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{0, -time.Second} {
		_, err := NewClient("https://gitlab.example.com", WithSettleWindow(d))
		checkValidation(t, "WithSettleWindow", err)
	}
	c, err := NewClient("https://gitlab.example.com", WithRetry(autoscalerRetry))
	require.NoError(t, err)
	assert.Equal(t, 90*time.Second, c.settleWindow, "a fast retry policy leaves the default window alone")
}

// TestCreateOnce_deadlineInsideWindow: a create whose answer is lost with
// nothing behind it, under the default 90 s window and a context of
// 300 ms. The call ends with the context, not the window: ErrOutcomeUnknown
// carrying the marker and the deadline, and no second create.
func TestCreateOnce_deadlineInsideWindow(t *testing.T) {
	t.Parallel()
	f := newOnceFake()
	defer f.srv.Close()
	c, err := NewClient(f.srv.URL(), WithToken(f.token), WithRetry(autoscalerRetry))
	require.NoError(t, err)
	f.srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: createPath, Status: 502})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	reg, _, err := c.Runners.CreateOnce(ctx, f.onceOptions("build-vm"))
	took := time.Since(start)
	assert.Nil(t, reg)
	e, ok := assertState(t, ErrOutcomeUnknown, err)
	require.True(t, ok)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.True(t, strings.HasPrefix(e.Marker, markerPrefix), "marker %q", e.Marker)
	assert.Contains(t, err.Error(), e.Marker)
	// Prompt: far below the 90 s window (the margin is for a loaded box).
	assert.Less(t, took, 30*time.Second)
	t.Logf("returned after %s", took.Round(time.Millisecond))
	creates := 0
	for _, r := range f.srv.Requests() {
		if r.Method == "POST" && r.Path == createPath {
			creates++
		}
	}
	assert.Equal(t, 1, creates, "no create is sent again inside the window")
	assert.Empty(t, f.projectRunners())
}

// TestCreateOnce_deadlineInsideWindowStillFinds: a context of 10 s, inside
// the default 90 s window, and a create that commits 300 ms after its
// answer was lost. The second look (1.4 to 2.8 s in) finds it: success,
// one runner.
func TestCreateOnce_deadlineInsideWindowStillFinds(t *testing.T) {
	t.Parallel()
	f := newOnceFake()
	defer f.srv.Close()
	c, err := NewClient(f.srv.URL(), WithToken(f.token), WithRetry(autoscalerRetry))
	require.NoError(t, err)
	f.srv.SetCommitDelay(300 * time.Millisecond)
	f.srv.AddFault(fault502AfterApply(1))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	opt := f.onceOptions("build-vm")
	reg, _, err := c.Runners.CreateOnce(ctx, opt)
	require.NoError(t, err)
	f.assertAsAsked(t, reg.ID, opt)
	assertTokenWorks(t, c, reg)
	assert.Len(t, f.projectRunners(), 1)
}

// BenchmarkCreateOnce_lostAnswer measures the wall time of a CreateOnce
// call whose create answer is lost, under the default settle window and
// the fast retry policy, over loopback HTTP to glrunnerstest:
//
//   - committed: GitLab committed before the 502; the first look finds it;
//   - lag300ms: GitLab commits 300 ms after the 502; the second look, 1.4
//     to 2.8 s in, finds it;
//   - nothing: nothing was committed; the call waits out the whole window
//     (90 s per iteration) and creates again.
//
// It reports requests per call beside the time.
func BenchmarkCreateOnce_lostAnswer(b *testing.B) {
	cases := []struct {
		name    string
		arrange func(srv *glrunnerstest.Server)
	}{
		{"committed", func(srv *glrunnerstest.Server) { srv.AddFault(fault502AfterApply(1)) }},
		{"lag300ms", func(srv *glrunnerstest.Server) {
			srv.SetCommitDelay(300 * time.Millisecond)
			srv.AddFault(fault502AfterApply(1))
		}},
		{"nothing", func(srv *glrunnerstest.Server) {
			srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: createPath, Status: 502})
		}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			requests := 0
			for b.Loop() {
				b.StopTimer()
				f := newOnceFake()
				c, err := NewClient(f.srv.URL(), WithToken(f.token), WithRetry(autoscalerRetry))
				if err != nil {
					b.Fatal(err)
				}
				tc.arrange(f.srv)
				b.StartTimer()
				if _, _, err := c.Runners.CreateOnce(context.Background(), f.onceOptions("bench")); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				requests += f.requests()
				f.srv.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
		})
	}
}
