package glrunners

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pacerChildEnv carries, to a child process, what it needs to load the
// parent's fake: URL|token|runner ID|start|end (Unix nanoseconds).
const pacerChildEnv = "GLRUNNERS_PACER_CHILD"

// Three processes share one token, hence one quota, and know nothing of
// each other: each paces on RateLimit-Remaining, GitLab's count of
// everyone's requests, holding back what the others are seen to spend.
// They are real processes (this test binary, run again), each with its own
// Client and connections, loading the fake that runs here.
func TestPacerThreeProcessesShareOneToken(t *testing.T) {
	t.Parallel()
	const (
		limit   = 300
		window  = 3 * time.Second
		windows = 5
		procs   = 3
	)
	f := newPaceFake(t, glrunnerstest.WithRateLimit(limit, window))
	start := nextBoundary(time.Now(), window, 2*time.Second) // room to start the processes
	end := start.Add(windows * window)
	spec := strings.Join([]string{f.srv.URL(), f.srv.AdminToken(), strconv.FormatInt(f.runnerID, 10),
		strconv.FormatInt(start.UnixNano(), 10), strconv.FormatInt(end.UnixNano(), 10)}, "|")
	var wg sync.WaitGroup
	errs := make([]error, procs)
	outs := make([][]byte, procs)
	for i := range procs {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestPacerChildProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), pacerChildEnv+"="+spec)
			outs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	for i := range procs {
		require.NoError(t, errs[i], "child %d: %s", i, outs[i])
	}
	wins := perWindow(f.srv, start, window, windows, "/runners/")
	all := sum(wins)
	used := float64(all.ok) / (limit * windows)
	refused := float64(all.refused) / float64(all.total())
	t.Logf("3 processes, one token: %d served of %d (%.1f%%), %d answers 429 of %d (%.2f%%), per window %v",
		all.ok, limit*windows, 100*used, all.refused, all.total(), 100*refused, wins)
	assert.GreaterOrEqual(t, used, 0.90, "quota used")
	assert.LessOrEqual(t, refused, 0.001, "answers 429")
	assert.Zero(t, all.other)
}

// TestPacerChildProcess is one of the processes of
// TestPacerThreeProcessesShareOneToken; run alone, it skips.
func TestPacerChildProcess(t *testing.T) {
	spec := os.Getenv(pacerChildEnv)
	if spec == "" {
		t.Skip("runs only as a child of TestPacerThreeProcessesShareOneToken")
	}
	parts := strings.Split(spec, "|")
	require.Len(t, parts, 5)
	id, err1 := strconv.ParseInt(parts[2], 10, 64)
	from, err2 := strconv.ParseInt(parts[3], 10, 64)
	to, err3 := strconv.ParseInt(parts[4], 10, 64)
	require.NoError(t, errors.Join(err1, err2, err3))
	c, err := NewClient(parts[0], WithToken(parts[1]))
	require.NoError(t, err)
	hammer(time.Unix(0, from), time.Unix(0, to), paceWorkers, func(ctx context.Context) error {
		_, _, err := c.Runners.Get(ctx, id, nil)
		return err
	})
}
