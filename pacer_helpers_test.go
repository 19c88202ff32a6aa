package glrunners

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/require"
)

// Helpers of the pacing tests: a fake with one runner, load from many
// goroutines until a time, and the fake's log tallied per throttle window.

// paceFake is a fake GitLab with one runner (with a job) and the
// administrator's token.
type paceFake struct {
	srv      *glrunnerstest.Server
	runnerID int64
}

func newPaceFake(t *testing.T, opts ...glrunnerstest.Option) *paceFake {
	t.Helper()
	srv := glrunnerstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	gid := srv.AddGroup(glrunnerstest.Group{Name: "fleet"})
	pid := srv.AddProject(glrunnerstest.Project{Name: "builds", GroupID: gid})
	id := srv.AddRunner(glrunnerstest.Runner{Description: "paced"})
	srv.AddJob(id, glrunnerstest.Job{Status: "success", ProjectID: pid})
	return &paceFake{srv: srv, runnerID: id}
}

// client is a client of the administrator with retries as by default,
// but Retry-After capped by MaxRetryAfter as usual.
func (f *paceFake) client(t testing.TB, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(f.srv.URL(), append([]Option{WithToken(f.srv.AdminToken())}, opts...)...)
	require.NoError(t, err)
	return c
}

// nextBoundary is the first multiple of w (since the Unix epoch, as
// GitLab's windows are) at least lead from now.
func nextBoundary(now time.Time, w, lead time.Duration) time.Time {
	at := now.Add(lead).UnixNano()
	return time.Unix(0, at-at%int64(w)+int64(w))
}

// hammer runs n goroutines that call op back to back from start until
// end. A call that the pacer refuses because its wait cannot fit before
// end stops its goroutine: nothing more could be sent in time.
func hammer(start, end time.Time, n int, op func(ctx context.Context) error) {
	time.Sleep(time.Until(start))
	ctx, cancel := context.WithDeadline(context.Background(), end)
	defer cancel()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for ctx.Err() == nil {
				var rl *RateLimitError
				if err := op(ctx); errors.As(err, &rl) {
					return
				}
			}
		})
	}
	wg.Wait()
}

// tally counts the fake's answers from..to whose path contains part.
type tally struct{ ok, refused, other int }

func (t tally) total() int { return t.ok + t.refused + t.other }

func tallyLog(srv *glrunnerstest.Server, from, to time.Time, part string) tally {
	var t tally
	for _, r := range srv.Requests() {
		if r.Time.Before(from) || !r.Time.Before(to) || !strings.Contains(r.Path, part) {
			continue
		}
		switch r.Status {
		case http.StatusOK:
			t.ok++
		case http.StatusTooManyRequests:
			t.refused++
		default:
			t.other++
		}
	}
	return t
}

// perWindow tallies each window of length w from start.
func perWindow(srv *glrunnerstest.Server, start time.Time, w time.Duration, n int, part string) []tally {
	out := make([]tally, n)
	for i := range out {
		from := start.Add(time.Duration(i) * w)
		out[i] = tallyLog(srv, from, from.Add(w), part)
	}
	return out
}

func sum(ts []tally) tally {
	var s tally
	for _, t := range ts {
		s.ok, s.refused, s.other = s.ok+t.ok, s.refused+t.refused, s.other+t.other
	}
	return s
}

// getForWindows has paceWorkers goroutines share one client and Get one
// runner for paceWindows windows, from the next window's start; it returns
// the fake's tally per window, their sum, and the share of the quota
// served.
func (f *paceFake) getForWindows(t *testing.T) (wins []tally, all tally, used float64) {
	c := f.client(t)
	start := nextBoundary(time.Now(), paceWindow, 200*time.Millisecond)
	hammer(start, start.Add(paceWindows*paceWindow), paceWorkers, func(ctx context.Context) error {
		_, _, err := c.Runners.Get(ctx, f.runnerID, nil)
		return err
	})
	wins = perWindow(f.srv, start, paceWindow, paceWindows, "/runners/")
	all = sum(wins)
	return wins, all, float64(all.ok) / (paceLimit * paceWindows)
}
