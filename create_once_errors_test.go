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

// TestCreateOnceError_states checks that each state matches its sentinel
// only, that a settled request's ErrOutcomeUnknown is hidden while the
// typed error stays reachable, and what the messages say.
func TestCreateOnceError_states(t *testing.T) {
	t.Parallel()
	lost := &Error{StatusCode: 502, Method: "POST", Path: "/api/v4/user/runners", outcomeUnknown: true}
	require.ErrorIs(t, lost, ErrOutcomeUnknown)
	cases := []struct {
		err  *CreateOnceError
		want error
		text string
	}{
		{&CreateOnceError{Op: "CreateOnce", Err: lost, outcome: outcomeNotCreated}, ErrNotCreated,
			"glrunners: CreateOnce: no runner was created: glrunners: POST /api/v4/user/runners: 502 Bad Gateway"},
		{&CreateOnceError{Op: "CreateOnce", RunnerIDs: []int64{7, 9}, Err: lost, outcome: outcomeUnrecovered}, ErrRunnerUnrecovered,
			"glrunners: CreateOnce: runner [7 9] was created but its token could not be obtained (delete it): glrunners: POST /api/v4/user/runners: 502 Bad Gateway"},
		{&CreateOnceError{Op: "RegisterOnce", Marker: "[glrunners:once:00]", Err: context.Canceled, outcome: outcomeUnknown}, ErrOutcomeUnknown,
			"glrunners: RegisterOnce: outcome unknown; a runner made by this call carries [glrunners:once:00] in its description: context canceled"},
	}
	for _, tc := range cases {
		var err error = tc.err
		assertState(t, tc.want, err)
		assert.Equal(t, tc.text, err.Error())
		if tc.err.Err == lost {
			e, ok := asType[*Error](err)
			assert.True(t, ok && e == lost, "errors.As reaches the request's *Error")
			assert.ErrorIs(t, err, ErrServer)
		}
	}
	wrapped := fmt.Errorf("provisioning vm-7: %w", cases[0].err)
	assert.ErrorIs(t, wrapped, ErrNotCreated)
	assert.NotErrorIs(t, wrapped, ErrOutcomeUnknown)
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
	f.srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/api/v4/projects/*/runners", Status: 200, Body: "[]", Times: 5})
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
	// after the second create (5 in the window, 1 after) sees nothing.
	f.srv.AddFault(fault502AfterApply(1))
	f.srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/api/v4/projects/*/runners", Status: 200, Body: "[]", Times: 6})
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
