package glrunners_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docScenarios run a fragment block against glrunnerstest and check what
// it did. A block names its scenario with <!-- docs-test: NAME --> (README)
// or by the paragraph before it (doc.go, docGoScenarios); an unnamed block
// runs the default one: a small fleet, and the block must return nil.
var docScenarios = map[string]func(t *testing.T, run blockRun){
	"":            defaultScenario,
	"tour":        tourScenario,
	"create-once": createOnceScenario,
	"bulk":        bulkScenario,
}

// blockRun runs one fragment block of the built module.
type blockRun struct {
	m  *docsModule
	id string
	b  docBlock
}

// blockResult is what the fragment runner reports: the block's error and
// the sentinels it matches.
type blockResult struct {
	Error string   `json:"error"`
	Is    []string `json:"is"`
}

// run runs the block against srv, as its administrator, and fails the test
// when the block panics or the runner fails. It returns the block's result
// and what it printed.
func (r blockRun) run(t *testing.T, srv *glrunnerstest.Server) (blockResult, string) {
	t.Helper()
	resultFile := filepath.Join(t.TempDir(), "result.json")
	cmd := exec.Command(r.m.bin, r.id)
	cmd.Env = append(os.Environ(), "GITLAB_URL="+srv.URL(), "GITLAB_TOKEN="+srv.AdminToken(),
		"DOCS_TIMEOUT="+docsTimeout.String(), "DOCS_RESULT="+resultFile,
		"TMPDIR="+t.TempDir()) // a block's files (a checkpoint) never outlive the test
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	require.NoError(t, err, "%s: the block failed (a panic?):\n%s", r.b.where(), stderr.String())
	var res blockResult
	out, err := os.ReadFile(resultFile)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(out, &res))
	assert.NotContains(t, stdout.String(), "glrt-", "%s printed a runner token", r.b.where())
	return res, stdout.String()
}

// platformGroupID is the ID of group acme/platform in newDocsFake.
const platformGroupID = 8

// newDocsFake is the GitLab README's names point at: group acme with
// project 42, and its subgroup acme/platform.
func newDocsFake(t *testing.T) *glrunnerstest.Server {
	t.Helper()
	srv := glrunnerstest.NewServer()
	t.Cleanup(srv.Close)
	acme := srv.AddGroup(glrunnerstest.Group{ID: 7, Name: "acme"})
	srv.AddGroup(glrunnerstest.Group{ID: platformGroupID, Name: "platform", ParentID: acme})
	srv.AddProject(glrunnerstest.Project{ID: 42, Name: "web", GroupID: acme})
	return srv
}

func defaultScenario(t *testing.T, run blockRun) {
	srv := newDocsFake(t)
	for i := range 5 {
		srv.AddRunner(glrunnerstest.Runner{Description: "seed", Status: []glrunnerstest.RunnerStatus{glrunnerstest.StatusOnline, glrunnerstest.StatusStale, glrunnerstest.StatusOffline}[i%3], TagList: []string{"docker"}})
	}
	res, _ := run.run(t, srv)
	assert.Empty(t, res.Error, "%s returned an error", run.b.where())
}

// tourScenario: 250 stale runners with the tour's tag, and 20 online ones
// it must leave alone. Deleting while ranging ListAllIter left 100 of the
// 250 (offset pages shift under deletes).
func tourScenario(t *testing.T, run blockRun) {
	const staleN, onlineN = 250, 20
	srv := newDocsFake(t)
	for range staleN {
		srv.AddRunner(glrunnerstest.Runner{Description: "old", Status: "stale", TagList: []string{"docker"}})
	}
	for range onlineN {
		srv.AddRunner(glrunnerstest.Runner{Description: "busy", Status: "online", TagList: []string{"docker"}})
	}
	res, out := run.run(t, srv)
	require.Empty(t, res.Error, "%s returned an error", run.b.where())

	c, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
	require.NoError(t, err)
	count := func(status glrunners.RunnerStatus) int {
		rs, err := glrunners.Collect(c.Runners.ListAllIter(t.Context(), &glrunners.ListRunnersOptions{Status: status}))
		require.NoError(t, err)
		return len(rs)
	}
	assert.Equal(t, 0, count(glrunners.StatusStale), "%s left stale runners of %d", run.b.where(), staleN)
	assert.Equal(t, onlineN, count(glrunners.StatusOnline), "%s deleted online runners", run.b.where())
	if strings.Contains(run.b.code, "Runners.Create(") { // README's tour also creates one and prints it
		assert.Regexp(t, `^\d+ \[REDACTED\]\n$`, out)
		assert.Equal(t, 1, count(glrunners.StatusNeverContacted))
	}
}

// createOnceScenario drives README's CreateOnce snippet into each of its
// four outcomes. Each must be handled without a panic, as its comment says.
func createOnceScenario(t *testing.T, run blockRun) {
	const createPath = "/api/v4/user/runners"
	lostCreate := glrunnerstest.Fault{Method: "POST", Pattern: createPath, Status: 502, AfterApply: true, Times: 1}
	for _, tc := range []struct {
		name    string
		arrange func(srv *glrunnerstest.Server)
		is      string // the sentinel the block's error matches; "" = nil error
		runners int    // runners left in the fake
		printed string
	}{
		{name: "success", runners: 1},
		{
			name: "ErrNotCreated: the project is gone",
			arrange: func(srv *glrunnerstest.Server) {
				srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: createPath, Status: 404, Body: `{"message":"404 Project Not Found"}`})
			},
			is: "ErrNotCreated",
		},
		{
			name: "ErrRunnerUnrecovered: created, token reset refused; the snippet deletes it",
			arrange: func(srv *glrunnerstest.Server) {
				srv.AddFault(lostCreate)
				srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/api/v4/runners/*/reset_authentication_token", Status: 403, Times: glrunnerstest.Always})
			},
		},
		{
			name: "ErrOutcomeUnknown: create lost, lists refused",
			arrange: func(srv *glrunnerstest.Server) {
				srv.AddFault(lostCreate)
				srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/api/v4/projects/*/runners", Status: 403, Times: glrunnerstest.Always})
			},
			is: "ErrOutcomeUnknown", runners: 1, printed: "[glrunners:once:",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newDocsFake(t)
			if tc.arrange != nil {
				tc.arrange(srv)
			}
			res, out := run.run(t, srv)
			if tc.is == "" {
				assert.Empty(t, res.Error)
			} else {
				assert.True(t, slices.Contains(res.Is, tc.is), "error %q matches %v, want %s", res.Error, res.Is, tc.is)
			}
			assert.Len(t, srv.Runners(), tc.runners)
			if tc.name == "success" && assert.Len(t, srv.Runners(), 1) {
				assert.Equal(t, "vm-17", srv.Runners()[0].Description, "the marker is gone")
			}
			assert.Contains(t, out, tc.printed)
		})
	}
}

// docsTimeout bounds one block run; a block is expected to take well under it.
const docsTimeout = 60 * time.Second

// bulkScenario: README's bulk delete must delete every stale runner tagged
// ci-old, more than one page of them, and nothing else.
func bulkScenario(t *testing.T, run blockRun) {
	const selected = 230
	srv := newDocsFake(t)
	for range selected {
		srv.AddRunner(glrunnerstest.Runner{Description: "old", Status: "stale", TagList: []string{"ci-old", "docker"}})
	}
	keepStale := srv.AddRunner(glrunnerstest.Runner{Description: "other tag", Status: "stale", TagList: []string{"docker"}})
	keepOnline := srv.AddRunner(glrunnerstest.Runner{Description: "busy", Status: "online", TagList: []string{"ci-old"}})
	res, out := run.run(t, srv)
	require.Empty(t, res.Error, "%s returned an error", run.b.where())
	assert.Equal(t, "230 deleted, 0 already gone\n", out)
	left := srv.Runners()
	ids := make([]int64, 0, len(left))
	for _, r := range left {
		ids = append(ids, r.ID)
	}
	assert.ElementsMatch(t, []int64{keepStale, keepOnline}, ids, "%s must delete exactly the selection", run.b.where())
}
