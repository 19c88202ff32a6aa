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
	env   map[string]string // VAR=value prefixes
	args  []string
	line  string
}

// readmeCommands returns every command of README's shell blocks: lines
// joined across trailing backslashes, comments removed.
func readmeCommands(t *testing.T) []readmeCommand {
	t.Helper()
	var cmds []readmeCommand
	for _, b := range readmeBlocks(t) {
		if b.lang != "sh" {
			continue
		}
		lines := strings.Split(strings.TrimRight(b.code, "\n"), "\n")
		for i := 0; i < len(lines); i++ {
			start, line := i, lines[i]
			for strings.HasSuffix(strings.TrimSpace(line), `\`) && i+1 < len(lines) {
				i++
				line = strings.TrimSuffix(strings.TrimSpace(line), `\`) + " " + lines[i]
			}
			if c, _, ok := strings.Cut(line, " #"); ok {
				line = c
			}
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			cmd := readmeCommand{where: "README.md:" + strconv.Itoa(b.line+start), env: map[string]string{}, line: line}
			for _, f := range strings.Fields(line) {
				if k, v, ok := strings.Cut(f, "="); ok && len(cmd.args) == 0 && regexp.MustCompile(`^[A-Z_]+$`).MatchString(k) {
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

// TestDocsCommands runs every command README shows, as README shows it,
// and expects it to succeed: go run of an example (built once, run in a
// scratch directory, against the fake this test starts when the command
// sets GITLAB_URL); go test, which .ci/run must run as written; go get,
// which needs the network, so only its module path is checked.
func TestDocsCommands(t *testing.T) {
	t.Parallel()
	cmds := readmeCommands(t)
	require.NotEmpty(t, cmds)
	ci, err := os.ReadFile(".ci/run")
	require.NoError(t, err)
	mod, err := os.ReadFile("go.mod")
	require.NoError(t, err)

	bin := t.TempDir()
	var pkgs []string
	for _, c := range cmds {
		if len(c.args) > 2 && c.args[0] == "go" && c.args[1] == "run" && !slices.Contains(pkgs, c.args[2]) {
			pkgs = append(pkgs, c.args[2])
		}
	}
	root, err := filepath.Abs(".")
	require.NoError(t, err)
	goCmd(t, root, append([]string{"build", "-o", bin + string(filepath.Separator)}, pkgs...)...)

	for _, c := range cmds {
		switch {
		case len(c.args) >= 2 && c.args[0] == "go" && c.args[1] == "run":
			t.Run(c.where, func(t *testing.T) {
				t.Parallel()
				runExample(t, filepath.Join(bin, filepath.Base(c.args[2])), c)
			})
		case len(c.args) >= 2 && c.args[0] == "go" && c.args[1] == "test":
			assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(c.line)+`$`, string(ci), "%s: .ci/run does not run %q", c.where, c.line)
		case len(c.args) == 3 && c.args[0] == "go" && c.args[1] == "get":
			assert.Contains(t, string(mod), "module "+c.args[2]+"\n", "%s: go get names another module", c.where)
		default:
			t.Errorf("%s: README shows %q, which this test does not know how to run", c.where, c.line)
		}
	}
}

// runExample runs one README command of an example tool and expects exit 0.
// GITLAB_URL set by the command points at a fake seeded with what README's
// commands name (group acme/platform, project 42); GITLAB_TOKEN is its
// administrator's.
func runExample(t *testing.T, bin string, c readmeCommand) {
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
	cmd := exec.Command(bin, c.args[3:]...)
	cmd.Dir = t.TempDir() // files the command writes (report.html) land here
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	require.NoError(t, cmd.Start())
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("%s: %q exited %d, README promises 0:\n%s", c.where, c.line, exit.ExitCode(), stderr.String())
		}
		require.NoError(t, err)
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("%s: %q still running after 2 minutes", c.where, c.line)
	}
	for _, a := range c.args {
		if strings.HasSuffix(a, ".html") { // -o report.html: the report is there
			fi, err := os.Stat(filepath.Join(cmd.Dir, a))
			if assert.NoError(t, err, "%s: %q wrote no %s", c.where, c.line, a) {
				assert.Positive(t, fi.Size())
			}
		}
	}
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
