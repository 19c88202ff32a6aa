package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
)

var bin struct{ fake, rf string }

// TestMain builds both commands once.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "runnerfleet-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin.fake, bin.rf = filepath.Join(dir, "fakegitlab"), filepath.Join(dir, "runnerfleet")
	for out, pkg := range map[string]string{
		bin.fake: "github.com/glrunners/glrunners/cmd/fakegitlab",
		bin.rf:   "github.com/glrunners/glrunners/fleet/cmd/runnerfleet",
	} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building", pkg, err)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// outputs keeps every output and log of a test, for the secret scan.
type outputs struct {
	mu  sync.Mutex
	all []string
}

func (o *outputs) add(s ...string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all = append(o.all, s...)
}

// fake is a running fakegitlab process.
type fake struct {
	url, token string
	out        *outputs
	stderr     *lockedBuffer
}

// lockedBuffer is a bytes.Buffer safe for exec's copying goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startFake(t *testing.T, out *outputs, args ...string) *fake {
	t.Helper()
	cmd := exec.Command(bin.fake, args...)
	stdout, pw := io.Pipe()
	cmd.Stdout = pw // exec copies into it; Wait waits for the copy
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	f := &fake{out: out, stderr: &stderr}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			pw.Close()
			if err != nil {
				t.Errorf("fakegitlab after SIGINT: %v", err)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("fakegitlab did not stop on SIGINT")
		}
		out.add(stderr.String())
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text() // not recorded: GITLAB_TOKEN= is the fake's job
		if v, ok := strings.CutPrefix(line, "GITLAB_URL="); ok {
			f.url = v
		}
		if v, ok := strings.CutPrefix(line, "GITLAB_TOKEN="); ok {
			f.token = v
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	require.NotEmpty(t, f.url, "fakegitlab printed no GITLAB_URL; stderr: %s", stderr.String())
	require.NotEmpty(t, f.token)
	return f
}

type loggedRequest struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query"`
	Status int    `json:"status"`
}

// requests reads the fake's request log from entry since on.
func (f *fake) requests(t *testing.T, since int) []loggedRequest {
	t.Helper()
	return f.readLog(t, since, true)
}

// readLog reads the log; record adds it to the outputs the secret scan reads.
func (f *fake) readLog(t *testing.T, since int, record bool) []loggedRequest {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("%s/-/fake/requests?since=%d", f.url, since))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if record {
		f.out.add(string(body))
	}
	var log []loggedRequest
	require.NoError(t, json.Unmarshal(body, &log))
	return log
}

func (f *fake) logLen(t *testing.T) int { return len(f.readLog(t, 0, false)) }

func writes(log []loggedRequest) int {
	n := 0
	for _, q := range log {
		if q.Method != "GET" {
			n++
		}
	}
	return n
}

func (f *fake) client(t *testing.T) *glrunners.Client {
	c, err := glrunners.NewClient(f.url, glrunners.WithToken(f.token))
	require.NoError(t, err)
	return c
}

// result is one finished runnerfleet run.
type result struct {
	code           int
	stdout, stderr string
	maxRSSKiB      int64
	wall           time.Duration
}

// rf runs runnerfleet in dir against the fake.
func (f *fake) rf(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := f.command(dir, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	t0 := time.Now()
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	hwm := make(chan int64, 1)
	go func() { hwm <- pollHWM(cmd.Process.Pid, done) }()
	err := cmd.Wait()
	close(done)
	res := result{stdout: stdout.String(), stderr: stderr.String(), wall: time.Since(t0), maxRSSKiB: <-hwm}
	f.out.add(res.stdout, res.stderr)
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		require.True(t, ok, "running runnerfleet: %v", err)
		res.code = ee.ExitCode()
	}
	return res
}

// pollHWM reads the process's peak resident set (VmHWM, Linux only)
// every 5 ms until done; the last reading before exit is the peak, within
// 5 ms of work. (The rusage of a child would count the test process's
// own memory, inherited at fork.)
func pollHWM(pid int, done <-chan struct{}) int64 {
	var peak int64
	path := fmt.Sprintf("/proc/%d/status", pid)
	for {
		if b, err := os.ReadFile(path); err == nil {
			for line := range strings.Lines(string(b)) {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					var kib int64
					if _, err := fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kib); err == nil {
						peak = max(peak, kib)
					}
				}
			}
		}
		select {
		case <-done:
			return peak
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (f *fake) command(dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(context.Background(), bin.rf, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GITLAB_URL="+f.url, "GITLAB_TOKEN="+f.token)
	return cmd
}

// scanSecrets fails the test when any 8-character piece of a token shows
// up in an output or log.
func scanSecrets(t *testing.T, out *outputs, tokens []string) {
	t.Helper()
	out.mu.Lock()
	all := strings.Join(out.all, "\n")
	out.mu.Unlock()
	found := 0
	for _, tok := range tokens {
		for i := 0; i+8 <= len(tok); i++ {
			if strings.Contains(all, tok[i:i+8]) {
				found++
				t.Errorf("a piece of a token (%d..%d of %d characters) appears in an output or log", i, i+8, len(tok))
				break
			}
		}
	}
	t.Logf("secret scan: %d tokens, %d bytes of output and logs, %d pieces found", len(tokens), len(all), found)
}

// sinkTokens reads every token file of a -token-dir.
func sinkTokens(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	files, err := filepath.Glob(filepath.Join(dir, "*.token"))
	require.NoError(t, err)
	for _, p := range files {
		st, err := os.Stat(p)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), p)
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		out[strings.TrimSuffix(filepath.Base(p), ".token")] = strings.TrimSpace(string(b))
	}
	return out
}

type planJSON struct {
	Changes []struct {
		Key     string `json:"key"`
		Action  string `json:"action"`
		Blocked string `json:"blocked"`
		Fields  []struct {
			Field string `json:"field"`
		} `json:"fields"`
	} `json:"changes"`
	FieldChanges int  `json:"field_changes"`
	Blocked      bool `json:"blocked"`
}

func parsePlan(t *testing.T, r result) planJSON {
	t.Helper()
	var p planJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &p), "plan -json output: %s\nstderr: %s", r.stdout, r.stderr)
	return p
}
