package glrunners

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pacerChildEnv carries, to a child process, what it needs to load the
// parent's fake: URL|token|runner ID. The child answers "ready" on stdout
// and reads "start end" (Unix nanoseconds) from stdin, so that a child
// slow to start on a loaded machine does not miss the first windows.
const pacerChildEnv = "GLRUNNERS_PACER_CHILD"

// Three processes share one token, hence one quota, and know nothing of
// each other: each paces on RateLimit-Remaining, GitLab's count of
// everyone's requests, holding back what the others are seen to spend.
// They are real processes (this test binary, run again), each with its own
// Client and connections, loading the fake that runs here.
func testPacerThreeProcessesShareOneToken(t *testing.T) {
	const (
		limit   = 300
		window  = 3 * time.Second
		windows = 5
		procs   = 3
	)
	f := newPaceFake(t, glrunnerstest.WithRateLimit(limit, window))
	spec := strings.Join([]string{f.srv.URL(), f.srv.AdminToken(), strconv.FormatInt(f.runnerID, 10)}, "|")
	type child struct {
		cmd    *exec.Cmd
		in     io.WriteCloser
		out    *bufio.Reader
		stderr bytes.Buffer
	}
	children := make([]*child, procs)
	for i := range children {
		c := &child{cmd: exec.Command(os.Args[0], "-test.run=^TestPacerChildProcess$", "-test.count=1")}
		c.cmd.Env = append(os.Environ(), pacerChildEnv+"="+spec)
		c.cmd.Stderr = &c.stderr
		var err error
		c.in, err = c.cmd.StdinPipe()
		require.NoError(t, err)
		out, err := c.cmd.StdoutPipe()
		require.NoError(t, err)
		c.out = bufio.NewReader(out)
		require.NoError(t, c.cmd.Start())
		t.Cleanup(func() { _ = c.cmd.Process.Kill(); _ = c.cmd.Wait() })
		children[i] = c
	}
	for i, c := range children {
		if line, err := c.out.ReadString('\n'); err != nil || line != "ready\n" {
			_ = c.cmd.Wait() // stderr is complete only then
			t.Fatalf("child %d did not start: %q %v: %s", i, line, err, c.stderr.String())
		}
	}
	start := nextBoundary(time.Now(), window, 300*time.Millisecond)
	end := start.Add(windows * window)
	for _, c := range children {
		_, err := fmt.Fprintf(c.in, "%d %d\n", start.UnixNano(), end.UnixNano())
		require.NoError(t, err)
		require.NoError(t, c.in.Close())
	}
	for i, c := range children {
		rest, _ := io.ReadAll(c.out)
		err := c.cmd.Wait()
		require.NoError(t, err, "child %d: %s%s", i, rest, c.stderr.String())
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
// TestPacing/ThreeProcessesShareOneToken; run alone, it skips.
func TestPacerChildProcess(t *testing.T) {
	spec := os.Getenv(pacerChildEnv)
	if spec == "" {
		t.Skip("runs only as a child of TestPacing/ThreeProcessesShareOneToken")
	}
	parts := strings.Split(spec, "|")
	require.Len(t, parts, 3)
	id, err := strconv.ParseInt(parts[2], 10, 64)
	require.NoError(t, err)
	c, err := NewClient(parts[0], WithToken(parts[1]))
	require.NoError(t, err)
	fmt.Println("ready")
	var from, to int64
	_, err = fmt.Fscanf(os.Stdin, "%d %d\n", &from, &to)
	require.NoError(t, err)
	hammer(time.Unix(0, from), time.Unix(0, to), paceWorkers, func(ctx context.Context) error {
		_, _, err := c.Runners.Get(ctx, id, nil)
		return err
	})
}
