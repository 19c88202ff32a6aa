package glrunners_test

// Docs that run. Every ```go block of README.md and every code block of the
// package doc (doc.go) is compiled against this module, and every fragment
// among them runs against glrunnerstest; every command of README.md's shell
// blocks runs too, or is one .ci/run runs. A snippet that drifts from the API
// or a command that stops working fails go test.
//
// The convention for a Go block (also at the top of README.md):
//   - A block is a fragment: the body of
//     func(ctx context.Context, c *glrunners.Client) error, with runnerConfig
//     (struct{ Token string }) in scope. Variables it declares at its top
//     level may go unused. Imports are added from the packages it names
//     (knownImports).
//   - A block starting with func, type, import or const ( is a file of
//     declarations; its Test functions run with go test.
//   - "https://gitlab.example.com" stands for the fake's URL, and
//     GITLAB_TOKEN holds its administrator token.
//   - <!-- docs-test: NAME --> on the line before a block runs it in the
//     scenario NAME (docScenarios); without one it runs in the default
//     scenario and must return nil; <!-- docs-test: compile-only --> only
//     compiles it.

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDocsGoBlocks(t *testing.T) {
	t.Parallel()
	var blocks []docBlock
	for _, b := range append(readmeBlocks(t), docGoBlocks(t)...) {
		if b.lang == "go" {
			blocks = append(blocks, b)
		}
	}
	m := buildDocBlocks(t, blocks)

	ran := map[string]int{}
	for i, b := range blocks {
		if isDeclarations(b.code) || b.name == "compile-only" {
			continue
		}
		scenario, ok := docScenarios[b.name]
		require.True(t, ok, "%s: no scenario %q in docScenarios", b.where(), b.name)
		ran[b.name]++
		t.Run(b.where(), func(t *testing.T) {
			t.Parallel()
			scenario(t, blockRun{m: m, id: m.ids[i], b: b})
		})
	}
	// The promises this test exists for must keep their blocks.
	assert.Equal(t, 2, ran["tour"], "the tours of README.md and doc.go")
	assert.Equal(t, 1, ran["create-once"], "README.md's CreateOnce snippet")
}

// readmeCommand is one command of a README shell block.
type readmeCommand struct {
	where string
	block int               // index of its shell block among README's blocks
	dir   string            // directory it runs in, relative to the repository: cd lines before it
	env   map[string]string // VAR=value prefixes
	args  []string
	line  string
	exit  int // the exit status its comment promises ("(exit 4)"); 0 without one
}

var (
	envPrefix   = regexp.MustCompile(`^[A-Z_]+$`)
	exitPromise = regexp.MustCompile(`\bexit (\d+)\b`)
)

// readmeCommands returns every command of README's shell blocks: lines
// joined across trailing backslashes, comments removed. A cd line (or a
// "cd DIR &&" prefix) is no command: it sets the directory of the commands
// after it in its block, as in a shell. A trailing & is dropped.
func readmeCommands(t *testing.T) []readmeCommand {
	t.Helper()
	var cmds []readmeCommand
	for bi, b := range readmeBlocks(t) {
		if b.lang != "sh" {
			continue
		}
		dir := "."
		lines := strings.Split(strings.TrimRight(b.code, "\n"), "\n")
		for i := 0; i < len(lines); i++ {
			start, line := i, lines[i]
			for strings.HasSuffix(strings.TrimSpace(line), `\`) && i+1 < len(lines) {
				i++
				line = strings.TrimSuffix(strings.TrimSpace(line), `\`) + " " + lines[i]
			}
			cmd := readmeCommand{where: "README.md:" + strconv.Itoa(b.line+start), block: bi, env: map[string]string{}}
			if c, comment, ok := strings.Cut(line, " #"); ok {
				line = c
				if m := exitPromise.FindStringSubmatch(comment); m != nil {
					cmd.exit, _ = strconv.Atoi(m[1])
				}
			}
			line = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), "&"))
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if rest, ok := strings.CutPrefix(line, "cd "); ok {
				to, after, _ := strings.Cut(rest, "&&")
				dir = filepath.Clean(filepath.Join(dir, strings.TrimSpace(to)))
				require.False(t, strings.HasPrefix(dir, ".."), "%s: cd leaves the repository", cmd.where)
				if line = strings.TrimSpace(after); line == "" {
					continue
				}
			}
			cmd.dir, cmd.line = dir, line
			for _, f := range strings.Fields(line) {
				if k, v, ok := strings.Cut(f, "="); ok && len(cmd.args) == 0 && envPrefix.MatchString(k) {
					cmd.env[k] = v
					continue
				}
				cmd.args = append(cmd.args, f)
			}
			cmds = append(cmds, cmd)
		}
	}
	return cmds
}

// readmeFiles returns the blocks marked <!-- docs-test: file=PATH -->: the
// files README tells the reader to save, by path in the repository.
func readmeFiles(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, b := range readmeBlocks(t) {
		if p, ok := strings.CutPrefix(b.name, "file="); ok {
			require.True(t, filepath.IsLocal(p), "%s: file=%s is not a path inside the repository", b.where(), p)
			files[filepath.Clean(p)] = b.code
		}
	}
	return files
}

// isGoRun reports a "go run PKG ..." command.
func isGoRun(c readmeCommand) bool {
	return len(c.args) > 2 && c.args[0] == "go" && c.args[1] == "run"
}

// TestDocsCommands runs every command README shows, as README shows it,
// and expects the exit status README gives (0 unless its comment says
// "exit N"): go run of a command of this module or of a nested one (built
// once, run in a scratch directory that stands for the repository, holding
// README's file= blocks, against the fake this test starts when the
// command sets GITLAB_URL); go test, which .ci/run must run as written; go
// get, which needs the network, so only its module path is checked. A
// block that starts the standalone fake (go run ./cmd/fakegitlab) runs as
// one shell session (runSession).
func TestDocsCommands(t *testing.T) {
	t.Parallel()
	cmds := readmeCommands(t)
	require.NotEmpty(t, cmds)
	files := readmeFiles(t)
	ci, err := os.ReadFile(".ci/run")
	require.NoError(t, err)
	mod, err := os.ReadFile("go.mod")
	require.NoError(t, err)

	// Build each command once, in the module of the directory it runs in.
	bin := t.TempDir()
	pkgs := map[string][]string{}
	for _, c := range cmds {
		if isGoRun(c) && !slices.Contains(pkgs[c.dir], c.args[2]) {
			pkgs[c.dir] = append(pkgs[c.dir], c.args[2])
		}
	}
	root, err := filepath.Abs(".")
	require.NoError(t, err)
	for _, dir := range slices.Sorted(maps.Keys(pkgs)) {
		goCmd(t, filepath.Join(root, dir), append([]string{"build", "-o", filepath.Join(bin, dir) + string(filepath.Separator)}, pkgs[dir]...)...)
	}
	binary := func(c readmeCommand) string { return filepath.Join(bin, c.dir, filepath.Base(c.args[2])) }

	sessions := map[int][]readmeCommand{}
	for _, c := range cmds {
		if isGoRun(c) && c.args[2] == "./cmd/fakegitlab" {
			sessions[c.block] = nil
		}
	}
	for _, c := range cmds {
		if _, ok := sessions[c.block]; ok {
			sessions[c.block] = append(sessions[c.block], c)
			continue
		}
		switch {
		case isGoRun(c):
			t.Run(c.where, func(t *testing.T) {
				t.Parallel()
				runExample(t, binary(c), c, files)
			})
		case len(c.args) >= 2 && c.args[0] == "go" && c.args[1] == "test":
			assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(c.line)+`$`, string(ci), "%s: .ci/run does not run %q", c.where, c.line)
		case len(c.args) == 3 && c.args[0] == "go" && c.args[1] == "get":
			assert.Contains(t, string(mod), "module "+c.args[2]+"\n", "%s: go get names another module", c.where)
		default:
			t.Errorf("%s: README shows %q, which this test does not know how to run", c.where, c.line)
		}
	}
	// The promise of "Runners as code" must keep its commands: an apply
	// whose tokens land in files, in a session against the standalone fake.
	applies := 0
	for _, s := range sessions {
		for _, c := range s {
			if isGoRun(c) && c.args[2] == "./cmd/runnerfleet" && slices.Contains(c.args, "apply") && flagValue(c.args, "-token-dir") != "" {
				applies++
			}
		}
	}
	assert.Positive(t, applies, "README shows no runnerfleet apply -token-dir against the standalone fake")
	for _, block := range slices.Sorted(maps.Keys(sessions)) {
		s := sessions[block]
		t.Run(s[0].where, func(t *testing.T) {
			t.Parallel()
			runSession(t, binary, s, files)
		})
	}
}

// runExample runs one README command of an example tool and expects the
// exit status README gives. GITLAB_URL set by the command points at a fake
// seeded with what README's commands name (group acme/platform, project
// 42); GITLAB_TOKEN is its administrator's.
func runExample(t *testing.T, bin string, c readmeCommand, files map[string]string) {
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GITLAB_URL=") && !strings.HasPrefix(kv, "GITLAB_TOKEN=") {
			env = append(env, kv)
		}
	}
	if _, ok := c.env["GITLAB_URL"]; ok {
		srv := commandsFake(t)
		env = append(env, "GITLAB_URL="+srv.URL(), "GITLAB_TOKEN="+srv.AdminToken())
	}
	work := scratchRepo(t, files)
	dir := filepath.Join(work, c.dir) // files the command writes (report.html) land here
	res := runCommand(t, bin, c, dir, env)
	require.Equal(t, c.exit, res.exit, "%s: %q exited %d, README promises %d:\n%s", c.where, c.line, res.exit, c.exit, res.stderr)
	for _, a := range c.args {
		if strings.HasSuffix(a, ".html") { // -o report.html: the report is there
			fi, err := os.Stat(filepath.Join(dir, a))
			if assert.NoError(t, err, "%s: %q wrote no %s", c.where, c.line, a) {
				assert.Positive(t, fi.Size())
			}
		}
	}
}

// commandResult is what a finished command left.
type commandResult struct {
	exit           int
	stdout, stderr string
}

// runCommand runs README command c (its arguments after "go run PKG") as
// bin in dir with env, and waits up to 2 minutes for it.
func runCommand(t *testing.T, bin string, c readmeCommand, dir string, env []string) commandResult {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	cmd := exec.Command(bin, c.args[3:]...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	require.NoError(t, cmd.Start())
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			require.NoError(t, err)
		}
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%s: %q still running after 2 minutes", c.where, c.line)
	}
	return commandResult{exit: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// scratchRepo is a scratch directory standing for the repository, holding
// README's file= blocks at their paths.
func scratchRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	work := t.TempDir()
	for p, content := range files {
		require.NoError(t, os.MkdirAll(filepath.Join(work, filepath.Dir(p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(work, p), []byte(content), 0o644))
	}
	return work
}

// commandsFake is a GitLab holding what README's commands name: group
// acme/platform with stale docker group runners, and project 42.
func commandsFake(t *testing.T) *glrunnerstest.Server {
	srv := newDocsFake(t)
	old := time.Now().Add(-60 * 24 * time.Hour)
	for range 3 {
		srv.AddRunner(glrunnerstest.Runner{RunnerType: "group_type", GroupID: platformGroupID, Status: "stale",
			TagList: []string{"docker"}, CreatedAt: old})
	}
	return srv
}
