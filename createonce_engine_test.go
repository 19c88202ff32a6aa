package glrunners

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCreateOnce_cost counts, exactly, the requests CreateOnce sends: on
// the happy path, and to recover one lost answer when the project already
// has m never-contacted runners identical to the one asked for (an
// autoscaler booting m machines at once). A look walks the list, one page
// per 100 such runners. The log shows the table the README's cost
// paragraph rests on.
func TestCreateOnce_cost(t *testing.T) {
	t.Parallel()
	var table []string
	for _, m := range []int{0, 99, 250} {
		happy := callRequests(t, m, false)
		lost := callRequests(t, m, true)
		assert.Equal(t, 2, happy, "m=%d: create and update", m)
		// create, the look, the reset, the update
		assert.Equal(t, 3+listPages(m+1), lost, "m=%d: one lost answer", m)
		table = append(table, fmt.Sprintf("m=%-3d happy %d, one lost answer %d", m, happy, lost))
	}
	t.Log("requests per CreateOnce call:\n" + strings.Join(table, "\n"))
}

func listPages(n int) int { return (n + 99) / 100 }

// callRequests runs one CreateOnce in a project holding m never-contacted
// runners like the one asked for, and returns the requests it sent. With
// lost, the create's answer is lost after GitLab applied it.
func callRequests(t *testing.T, m int, lost bool) int {
	t.Helper()
	f := newOnceFake()
	defer f.srv.Close()
	opt := f.onceOptions("autoscaled")
	for range m {
		f.srv.AddRunner(glrunnerstest.Runner{
			RunnerType: glrunnerstest.ProjectType, ProjectIDs: []int64{f.projectID},
			Description: opt.Description, TagList: opt.TagList, Paused: true, Status: "never_contacted",
		})
	}
	if lost {
		f.srv.AddFault(fault502AfterApply(1))
	}
	c := f.client()
	reg, _, err := c.Runners.CreateOnce(context.Background(), opt)
	if assert.NoError(t, err) {
		f.assertAsAsked(t, reg.ID, opt)
		assertTokenWorks(t, c, reg)
		assert.Len(t, f.projectRunners(), m+1)
	}
	return f.requests() - 1 // less the Verify
}

// TestCreateOnce_contextEndsDuringReset: the runner has been found, so the
// call knows it exists; the context ends before its token is reset, and
// the error names the runner.
func TestCreateOnce_contextEndsDuringReset(t *testing.T) {
	t.Parallel()
	f := newOnceFake()
	defer f.srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	isReset := func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/reset_authentication_token") }
	c := f.client(WithHTTPClient(&http.Client{Transport: &cancelOn{base: http.DefaultTransport, match: isReset, cancel: cancel}}))
	f.srv.AddFault(fault502AfterApply(1))
	reg, _, err := c.Runners.CreateOnce(ctx, f.onceOptions("build-vm"))
	assert.Nil(t, reg)
	e, ok := assertState(t, ErrRunnerUnrecovered, err)
	require.True(t, ok)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []int64{firstAPIRunnerID}, e.RunnerIDs)
	_, exists := f.srv.Runner(firstAPIRunnerID)
	assert.True(t, exists)
}

// TestCreateOnce_logs checks what a recovery that deletes a duplicate
// logs: the duplicate at warning level, the recovery at info level, every
// request at debug level, and never a token.
func TestCreateOnce_logs(t *testing.T) {
	t.Parallel()
	f := newOnceFake()
	defer f.srv.Close()
	var logs logCapture
	c := f.client(WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	f.srv.AddFault(fault502AfterApply(2))
	f.srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/api/v4/projects/*/runners", Status: 200, Body: "[]", Times: settleLooks})
	reg, _, err := c.Runners.CreateOnce(t.Context(), f.onceOptions("build-vm"))
	require.NoError(t, err)
	out := logs.String()
	assert.Contains(t, out, `"level":"WARN","msg":"glrunners: deleted duplicate runners of one call","kept":1,"deleted":[2]`)
	assert.Contains(t, out, `"level":"INFO","msg":"glrunners: recovered the runner of a lost create answer","runner_id":1`)
	assert.Contains(t, out, `"op":"CreateOnce","marker":"[glrunners:once:`)
	assert.Equal(t, 2, strings.Count(out, "create answer lost; looking for the runner"))
	assert.NotContains(t, out, reg.Token.Reveal())
	for _, r := range f.srv.Runners() {
		assert.NotContains(t, out, r.Token)
	}
}

// TestCreateOnce_lateCommitLimit shows the documented limit: a create that
// becomes visible only after the call's last look stays behind, carrying
// the marker, and FindCreated finds it.
func TestCreateOnce_lateCommitLimit(t *testing.T) {
	t.Parallel()
	f := newOnceFake()
	defer f.srv.Close()
	c := f.client()
	// The first create is applied and its answer lost; every look until
	// after the second create (7 in the window, 1 after the update) sees nothing.
	f.srv.AddFault(fault502AfterApply(1))
	f.srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/api/v4/projects/*/runners", Status: 200, Body: "[]", Times: settleLooks + 1})
	opt := f.onceOptions("build-vm")
	reg, _, err := c.Runners.CreateOnce(t.Context(), opt)
	require.NoError(t, err)
	f.assertAsAsked(t, reg.ID, opt)
	require.Len(t, f.projectRunners(), 2)
	found, _, err := c.Runners.FindCreated(t.Context(), opt, time.Time{})
	require.NoError(t, err)
	require.Len(t, found, 2, "the call's runner and the late one")
	assert.Equal(t, firstAPIRunnerID, found[0].ID)
	_, marked := markedBase(*found[0].Description)
	assert.True(t, marked, "the late runner still carries the marker: %q", *found[0].Description)
}
