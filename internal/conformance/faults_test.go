package conformance

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests show the SDK's retry rules on the fake's faults, where the
// fake can tell whether a change was applied, and so whether a retry
// would have duplicated it.

func faultClient(t *testing.T, w *world) *glrunners.Client {
	t.Helper()
	c, err := glrunners.NewClient(w.srv.URL(), glrunners.WithToken(w.srv.AdminToken()),
		glrunners.WithRetry(glrunners.RetryPolicy{MaxRetries: 3, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond, MaxRetryAfter: 5 * time.Second}))
	require.NoError(t, err)
	return c
}

func countRequests(srv *glrunnerstest.Server, method, path string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

func TestFaults_createAnswered5xxAfterApplyingIsNotRepeated(t *testing.T) {
	t.Parallel()
	w := seed(t)
	c := faultClient(t, w)
	before := len(w.srv.Runners())
	w.srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/user/runners", Status: 502, AfterApply: true})

	_, _, err := c.Runners.Create(t.Context(), &glrunners.CreateRunnerOptions{RunnerType: glrunners.ProjectType, ProjectID: w.web})
	assert.ErrorIs(t, err, glrunners.ErrOutcomeUnknown)
	assert.ErrorIs(t, err, glrunners.ErrServer)
	assert.Equal(t, 1, countRequests(w.srv, "POST", "/api/v4/user/runners"), "a POST that got 5xx is not retried")
	assert.Len(t, w.srv.Runners(), before+1, "exactly one runner was created: the caller reconciles, nothing duplicated")
}

func TestFaults_resetAfterApplyingIsReportedAsUnknown(t *testing.T) {
	t.Parallel()
	w := seed(t)
	c := faultClient(t, w)
	old := w.srv.RunnerToken(w.runner)
	w.srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/runners/*/reset_authentication_token", Reset: true, AfterApply: true})

	_, _, err := c.Tokens.ResetAuthenticationToken(t.Context(), w.runner)
	assert.ErrorIs(t, err, glrunners.ErrOutcomeUnknown)
	_, isTransport := asType[*glrunners.TransportError](err)
	assert.True(t, isTransport, "%T", err)
	assert.NotEqual(t, old, w.srv.RunnerToken(w.runner), "the token did rotate")
	path := "/api/v4/runners/" + strconv.FormatInt(w.runner, 10) + "/reset_authentication_token"
	assert.Equal(t, 1, countRequests(w.srv, "POST", path), "sent once")
}

func TestFaults_idempotentCallsRideOutTransientFailures(t *testing.T) {
	t.Parallel()
	w := seed(t)
	c := faultClient(t, w)
	w.srv.AddFault(glrunnerstest.Fault{Method: "DELETE", Pattern: "/runners/*", Status: 503, Times: 2})
	w.srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/runners/all", Status: 429, Header: map[string]string{"Retry-After": "0"}})

	all, resp, err := c.Runners.ListAll(t.Context(), nil)
	require.NoError(t, err)
	assert.Len(t, all, 2)
	assert.Equal(t, 2, resp.Attempts)

	resp, err = c.Runners.Delete(t.Context(), w.grRunner)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, 3, resp.Attempts)
	_, ok := w.srv.Runner(w.grRunner)
	assert.False(t, ok)
}

func TestFaults_retriedDeleteWhoseFirstAnswerWasLost(t *testing.T) {
	t.Parallel()
	w := seed(t)
	c := faultClient(t, w)
	// The delete is applied, then the answer is lost: the retry finds
	// nothing and GitLab says 404. Response.Attempts tells this apart
	// from a runner that never existed.
	w.srv.AddFault(glrunnerstest.Fault{Method: "DELETE", Pattern: "/runners/*", Status: 502, AfterApply: true})
	resp, err := c.Runners.Delete(t.Context(), w.grRunner)
	assert.ErrorIs(t, err, glrunners.ErrNotFound)
	require.NotNil(t, resp)
	assert.Equal(t, 2, resp.Attempts)
	_, ok := w.srv.Runner(w.grRunner)
	assert.False(t, ok)
}

// asType is errors.As returning the target (errors.AsType needs Go 1.26).
func asType[E error](err error) (E, bool) {
	var target E
	ok := errors.As(err, &target)
	return target, ok
}
