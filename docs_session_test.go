package glrunners_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runSession runs the commands of one README shell block that starts the
// standalone fake, in order, as a reader types them into one shell: in one
// scratch directory standing for the repository (cd lines move within
// it), with README's file= blocks saved at their paths. go run
// ./cmd/fakegitlab starts the fake in the background; the GITLAB_URL= and
// GITLAB_TOKEN= lines it prints are exported to the commands after it,
// and "kill %1", or the block's end, stops it (it must exit 0). After an
// apply with -token-dir, every token file must have mode 0600 and
// authenticate its runner; no command may print a token.
func runSession(t *testing.T, binary func(readmeCommand) string, cmds []readmeCommand, files map[string]string) {
	work := scratchRepo(t, files)
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GITLAB_URL=") && !strings.HasPrefix(kv, "GITLAB_TOKEN=") {
			env = append(env, kv)
		}
	}
	var fake *standaloneFake
	var tokens []string
	var outputs strings.Builder
	for _, c := range cmds {
		dir := filepath.Join(work, c.dir)
		switch {
		case isGoRun(c) && c.args[2] == "./cmd/fakegitlab":
			require.Nil(t, fake, "%s: a second fake in one block", c.where)
			fake = startStandaloneFake(t, binary(c), c, dir)
			env = append(env, "GITLAB_URL="+fake.url, "GITLAB_TOKEN="+fake.token)
		case c.line == "kill %1":
			require.NotNil(t, fake, "%s: kill %%1 without a fake in the background", c.where)
			fake.stop(t, syscall.SIGTERM)
		case isGoRun(c):
			res := runCommand(t, binary(c), c, dir, env)
			outputs.WriteString(res.stdout + res.stderr)
			require.Equal(t, c.exit, res.exit, "%s: %q exited %d, README promises %d:\n%s%s",
				c.where, c.line, res.exit, c.exit, res.stdout, res.stderr)
			if d := flagValue(c.args, "-token-dir"); d != "" {
				require.NotNil(t, fake, "%s: -token-dir without the fake", c.where)
				tokens = append(tokens, checkTokenDir(t, c, filepath.Join(dir, d), fake)...)
			}
		default:
			t.Fatalf("%s: README shows %q, which this test does not know how to run in a session", c.where, c.line)
		}
	}
	if fake != nil {
		fake.stop(t, os.Interrupt) // Ctrl-C, for a fake left running
	}
	for _, tok := range tokens {
		assert.NotContains(t, outputs.String(), tok, "a command printed a runner token")
	}
}

// flagValue returns the value of flag name in args ("-name value" or
// "-name=value"), or "".
func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

// checkTokenDir checks the token files an apply wrote to dir: at least
// one, nothing else, each mode 0600 and authenticating its runner at the
// fake. It returns the tokens.
func checkTokenDir(t *testing.T, c readmeCommand, dir string, fake *standaloneFake) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err, "%s: %q wrote no token directory", c.where, c.line)
	require.NotEmpty(t, entries, "%s: %q wrote no token", c.where, c.line)
	client, err := glrunners.NewClient(fake.url, glrunners.WithToken(fake.token))
	require.NoError(t, err)
	var tokens []string
	for _, e := range entries {
		require.True(t, strings.HasSuffix(e.Name(), ".token"), "%s: %s in the token directory", c.where, e.Name())
		fi, err := e.Info()
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "%s: mode of %s", c.where, e.Name())
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		tok := strings.TrimSpace(string(data))
		require.NotEmpty(t, tok, "%s: %s is empty", c.where, e.Name())
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		_, _, err = client.Runners.Verify(ctx, &glrunners.VerifyRunnerOptions{Token: glrunners.Secret(tok), SystemID: "docs-test"})
		cancel()
		assert.NoError(t, err, "%s: the token of %s does not authenticate", c.where, e.Name())
		tokens = append(tokens, tok)
	}
	return tokens
}

// standaloneFake is cmd/fakegitlab running in the background.
type standaloneFake struct {
	cmd        *exec.Cmd
	url, token string
	drained    chan struct{} // closed when its stdout ends
	stderr     bytes.Buffer
	stopped    bool
}

// startStandaloneFake starts the fake and reads the two lines it promises.
func startStandaloneFake(t *testing.T, bin string, c readmeCommand, dir string) *standaloneFake {
	t.Helper()
	f := &standaloneFake{drained: make(chan struct{})}
	f.cmd = exec.Command(bin, c.args[3:]...)
	f.cmd.Dir = dir
	f.cmd.Stderr = &f.stderr
	out, err := f.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, f.cmd.Start())
	t.Cleanup(func() { // a failed test must not leave it running
		if !f.stopped {
			_ = f.cmd.Process.Kill()
			<-f.drained
			_ = f.cmd.Wait()
		}
	})
	lines := make(chan []string, 1)
	go func() {
		defer close(f.drained)
		sc := bufio.NewScanner(out)
		var first []string
		for len(first) < 2 && sc.Scan() {
			first = append(first, sc.Text())
		}
		lines <- first
		_, _ = io.Copy(io.Discard, out)
	}()
	var first []string
	select {
	case first = <-lines:
	case <-time.After(time.Minute):
		t.Fatalf("%s: %q printed no GITLAB_URL and GITLAB_TOKEN within a minute", c.where, c.line)
	}
	require.Len(t, first, 2, "%s: %q ended before its two lines", c.where, c.line)
	var ok bool
	f.url, ok = strings.CutPrefix(first[0], "GITLAB_URL=")
	require.True(t, ok, "%s: first line %q", c.where, first[0])
	assert.True(t, strings.HasPrefix(f.url, "http://127.0.0.1:"), "%s: the fake listens on %s, not loopback", c.where, f.url)
	f.token, ok = strings.CutPrefix(first[1], "GITLAB_TOKEN=")
	require.True(t, ok && f.token != "", "%s: second line is no GITLAB_TOKEN=", c.where)
	return f
}

// stop signals the fake and expects it to exit 0 within 30 seconds.
func (f *standaloneFake) stop(t *testing.T, sig os.Signal) {
	t.Helper()
	if f.stopped {
		return
	}
	f.stopped = true
	require.NoError(t, f.cmd.Process.Signal(sig))
	done := make(chan error, 1)
	go func() {
		<-f.drained
		done <- f.cmd.Wait()
	}()
	select {
	case err := <-done:
		assert.NoError(t, err, "the fake did not exit 0 on %v:\n%s", sig, f.stderr.String())
	case <-time.After(30 * time.Second):
		_ = f.cmd.Process.Kill()
		<-done
		t.Fatalf("the fake still ran 30 s after %v", sig)
	}
}
