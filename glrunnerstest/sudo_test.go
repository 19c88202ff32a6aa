package glrunnerstest_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
)

func sdkError(t *testing.T, err error) *glrunners.Error {
	t.Helper()
	var e *glrunners.Error
	require.True(t, errors.As(err, &e), "%v", err)
	return e
}

func TestSudo_sdk(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sudoTok := w.srv.AddToken(1, "api", "sudo")
	c := sdkClient(t, w.srv, sudoTok)
	ctx := t.Context()

	all, _, err := c.Runners.List(ctx, nil)
	assert.Equal(t, []int64{w.instRunner, w.groupRunner, w.projRunner}, listedIDs(t, all, err), "without Sudo: the administrator's view")
	for _, who := range []string{"mark", "MARK", fmt.Sprint(w.maint)} {
		mine, _, err := c.Runners.List(ctx, nil, glrunners.WithSudo(who))
		assert.Equal(t, []int64{w.projRunner}, listedIDs(t, mine, err), "as %s: the maintainer's view", who)
	}

	// Permissions are the user's.
	_, _, err = c.Runners.ListAll(ctx, nil, glrunners.WithSudo("mark"))
	assert.ErrorIs(t, err, glrunners.ErrForbidden)
	_, _, err = c.Runners.Get(ctx, w.groupRunner, nil, glrunners.WithSudo("mark"))
	assert.ErrorIs(t, err, glrunners.ErrForbidden)
	_, _, err = c.Runners.Create(ctx, &glrunners.CreateRunnerOptions{RunnerType: glrunners.InstanceType}, glrunners.WithSudo("mark"))
	assert.ErrorIs(t, err, glrunners.ErrForbidden)
	reg, _, err := c.Runners.Create(ctx, &glrunners.CreateRunnerOptions{RunnerType: glrunners.ProjectType, ProjectID: w.q}, glrunners.WithSudo("mark"))
	require.NoError(t, err)
	created, ok := w.srv.Runner(reg.ID)
	require.True(t, ok)
	assert.Equal(t, w.maint, created.CreatedBy, "created by the user acted as")

	// The refusals.
	_, _, err = c.Runners.List(ctx, nil, glrunners.WithSudo("nobody"))
	e := sdkError(t, err)
	assert.Equal(t, http.StatusNotFound, e.StatusCode)
	assert.Equal(t, "404 User with ID or username 'nobody' Not Found", e.Message)

	admin := sdkClient(t, w.srv, w.srv.AdminToken()) // scope api only
	_, _, err = admin.Runners.List(ctx, nil, glrunners.WithSudo("mark"))
	e = sdkError(t, err)
	assert.Equal(t, http.StatusForbidden, e.StatusCode)
	assert.Equal(t, "insufficient_scope", e.Code)
	assert.Equal(t, "sudo", e.Scope)

	nonAdmin := sdkClient(t, w.srv, w.srv.AddToken(w.owner, "api", "sudo"))
	_, _, err = nonAdmin.Runners.List(ctx, nil, glrunners.WithSudo("mark"))
	e = sdkError(t, err)
	assert.Equal(t, http.StatusForbidden, e.StatusCode)
	assert.Equal(t, "403 Forbidden - Must be admin to use sudo", e.Message)
}

func TestSudo_http(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sudoTok := w.srv.AddToken(1, "api", "sudo")
	do := func(path string, header map[string]string) response {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, w.srv.URL()+"/api/v4"+path, nil)
		require.NoError(t, err)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return response{status: res.StatusCode, header: res.Header, body: body}
	}
	tok := map[string]string{"PRIVATE-TOKEN": sudoTok}

	res := do("/runners?sudo=mark", tok)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	assert.Equal(t, []int64{w.projRunner}, res.ids(t))
	res = do(fmt.Sprintf("/runners?sudo=%d", w.owner), tok)
	assert.Equal(t, []int64{w.groupRunner, w.projRunner}, res.ids(t), "by ID: the group owner's view")
	res = do("/runners?sudo=mark", map[string]string{"PRIVATE-TOKEN": sudoTok, "Sudo": "olivia"})
	assert.Equal(t, []int64{w.projRunner}, res.ids(t), "the parameter wins over the header")
	res = do("/runners?sudo", map[string]string{"PRIVATE-TOKEN": sudoTok, "Sudo": "mark"})
	assert.Equal(t, []int64{w.projRunner}, res.ids(t), "a null parameter falls back to the header")
	res = do("/runners?sudo=oscar", map[string]string{"Authorization": "Bearer " + sudoTok})
	assert.Equal(t, []int64{}, res.ids(t), "an outsider administers no runner")

	res = do("/runners?sudo=", tok)
	assert.Equal(t, http.StatusNotFound, res.status)
	assert.JSONEq(t, `{"message":"404 User with ID or username '' Not Found"}`, string(res.body))
	res = do("/runners?sudo=99999", tok)
	assert.JSONEq(t, `{"message":"404 User with ID or username '99999' Not Found"}`, string(res.body))
	res = do("/runners?sudo=mark", map[string]string{"PRIVATE-TOKEN": w.srv.AdminToken()})
	assert.Equal(t, http.StatusForbidden, res.status)
	assert.JSONEq(t, `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"sudo"}`, string(res.body))
	assert.Contains(t, res.header.Get("WWW-Authenticate"), `scope="sudo"`)
	res = do("/runners?sudo=mark", map[string]string{"PRIVATE-TOKEN": w.maintTok})
	assert.JSONEq(t, `{"message":"403 Forbidden - Must be admin to use sudo"}`, string(res.body))
	res = do("/runners?sudo=mark", map[string]string{"PRIVATE-TOKEN": w.srv.AddToken(1, "sudo")})
	assert.Equal(t, http.StatusForbidden, res.status)
	assert.Equal(t, "api read_api", res.object(t)["scope"], "the endpoint's scopes are checked first")
	res = do("/runners?sudo=nobody", nil)
	assert.Equal(t, http.StatusUnauthorized, res.status, "authentication comes first")
}

// Endpoints without a user token never look at Sudo.
func TestSudo_runnerTokenEndpointsIgnoreIt(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	res := call(t, w.srv, http.MethodPost, "/runners/verify?sudo=nobody", "", map[string]any{"token": w.srv.RunnerToken(w.instRunner)})
	assert.Equal(t, http.StatusOK, res.status, "%s", res.body)
}
