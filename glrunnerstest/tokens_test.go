package glrunnerstest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners/glrunnerstest"
)

type registration struct {
	ID             int64   `json:"id"`
	Token          string  `json:"token"`
	TokenExpiresAt *string `json:"token_expires_at"`
}

func TestRegisterVerifyResetDelete_flow(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	regTok := w.srv.RegistrationToken(glrunnerstest.TokenProject, w.q)
	assert.True(t, strings.HasPrefix(regTok, "GR1348941"))

	res := call(t, w.srv, "POST", "/runners", "", form{"token": {regTok}, "description": {"ci-box-7"},
		"tag_list": {"docker,linux"}, "info[name]": {"ci-box-7"}, "info[version]": {"17.9.1"}, "run_untagged": {"false"}})
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	var reg registration
	res.decode(t, &reg)
	assert.True(t, strings.HasPrefix(reg.Token, "glrtr-"), "legacy-registered runners get glrtr- tokens")
	assert.Nil(t, reg.TokenExpiresAt)
	r, ok := w.srv.Runner(reg.ID)
	require.True(t, ok)
	assert.Equal(t, glrunnerstest.ProjectType, r.RunnerType)
	assert.Equal(t, []int64{w.q}, r.ProjectIDs)
	assert.Equal(t, "ci-box-7", r.Name)
	assert.Equal(t, []string{"docker", "linux"}, r.TagList)
	assert.Equal(t, glrunnerstest.StatusNeverContacted, r.Status)
	assert.Equal(t, reg.Token, w.srv.RunnerToken(reg.ID))

	// Verify: 200, counts as contact, creates the manager.
	res = call(t, w.srv, "POST", "/runners/verify", "", map[string]any{"token": reg.Token, "system_id": "s_0123456789ab"})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var ver registration
	res.decode(t, &ver)
	assert.Equal(t, reg.ID, ver.ID)
	assert.Equal(t, reg.Token, ver.Token)
	r, _ = w.srv.Runner(reg.ID)
	assert.Equal(t, glrunnerstest.StatusOnline, r.Status)
	managers := w.srv.Managers(reg.ID)
	require.Len(t, managers, 1)
	assert.Equal(t, "s_0123456789ab", managers[0].SystemID)
	assert.Equal(t, "17.9.1", managers[0].Version)
	assert.Equal(t, "127.0.0.1", managers[0].IPAddress)
	assert.Equal(t, glrunnerstest.StatusOnline, managers[0].Status)

	// Verify without system_id files the contact under <legacy>.
	require.Equal(t, http.StatusOK, call(t, w.srv, "POST", "/runners/verify", "", form{"token": {reg.Token}}).status)
	assert.Equal(t, "<legacy>", w.srv.Managers(reg.ID)[1].SystemID)

	// Reset with the current token: 201, old token dead.
	res = call(t, w.srv, "POST", "/runners/reset_authentication_token", "", map[string]any{"token": reg.Token})
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	m := res.object(t)
	assert.Contains(t, m, "token_expires_at")
	assert.Nil(t, m["token_expires_at"])
	rotated := m["token"].(string)
	assert.NotEqual(t, reg.Token, rotated)
	old := call(t, w.srv, "POST", "/runners/verify", "", map[string]any{"token": reg.Token})
	assert.Equal(t, http.StatusForbidden, old.status)
	assert.JSONEq(t, `{"message":"403 Forbidden"}`, string(old.body))
	assert.Equal(t, http.StatusOK, call(t, w.srv, "POST", "/runners/verify", "", map[string]any{"token": rotated}).status)

	// Reset by ID (maintainer): the rotated token dies too.
	res = call(t, w.srv, "POST", fmt.Sprintf("/runners/%d/reset_authentication_token", reg.ID), w.maintTok, nil)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	byID := res.object(t)["token"].(string)
	assert.Equal(t, http.StatusForbidden, call(t, w.srv, "POST", "/runners/verify", "", map[string]any{"token": rotated}).status)

	// Delete one manager, then the runner, by token.
	res = call(t, w.srv, "DELETE", "/runners/managers", "", map[string]any{"token": byID, "system_id": "s_0123456789ab"})
	assert.Equal(t, http.StatusNoContent, res.status)
	assert.Len(t, w.srv.Managers(reg.ID), 1)
	res = call(t, w.srv, "DELETE", "/runners/managers", "", map[string]any{"token": byID, "system_id": "s_0123456789ab"})
	assert.Equal(t, http.StatusNotFound, res.status)
	assert.JSONEq(t, `{"message":"404 Runner manager not found Not Found"}`, string(res.body))
	assert.JSONEq(t, `{"error":"system_id is missing"}`, string(call(t, w.srv, "DELETE", "/runners/managers", "", map[string]any{"token": byID}).body))

	assert.Equal(t, http.StatusForbidden, call(t, w.srv, "DELETE", "/runners", "", map[string]any{"token": rotated}).status)
	assert.Equal(t, http.StatusNoContent, call(t, w.srv, "DELETE", "/runners", "", map[string]any{"token": byID}).status)
	_, ok = w.srv.Runner(reg.ID)
	assert.False(t, ok)
}

func TestRunnerTokenEndpoints_errors(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, ep := range []struct{ method, path string }{
		{"POST", "/runners"}, {"DELETE", "/runners"}, {"POST", "/runners/verify"},
		{"POST", "/runners/reset_authentication_token"}, {"DELETE", "/runners/managers"},
	} {
		res := call(t, w.srv, ep.method, ep.path, "", map[string]any{"description": "x"})
		assert.Equal(t, http.StatusBadRequest, res.status, ep.path)
		assert.JSONEq(t, `{"error":"token is missing"}`, string(res.body), ep.path)
	}
	res := call(t, w.srv, "POST", "/runners", "", map[string]any{"token": "nope"})
	assert.Equal(t, http.StatusForbidden, res.status)
	assert.JSONEq(t, `{"message":"403 Forbidden - invalid token supplied"}`, string(res.body))
	res = call(t, w.srv, "POST", "/runners", "", map[string]any{"token": w.srv.RegistrationToken(glrunnerstest.TokenInstance, 0), "active": true, "paused": false})
	assert.JSONEq(t, `{"error":"active, paused are mutually exclusive"}`, string(res.body))
	res = call(t, w.srv, "POST", "/runners", "", map[string]any{"token": w.srv.RegistrationToken(glrunnerstest.TokenGroup, w.g), "maximum_timeout": 5})
	assert.JSONEq(t, `{"message":{"maximum_timeout":["needs to be at least 10 minutes"]}}`, string(res.body))

	// Registration disabled: 410 for the project (inherited from its group),
	// and for everything, unknown tokens included, when the instance is off.
	w.srv.SetRegistrationEnabled(glrunnerstest.TokenGroup, w.sub, false)
	res = call(t, w.srv, "POST", "/runners", "", map[string]any{"token": w.srv.RegistrationToken(glrunnerstest.TokenProject, w.q)})
	assert.Equal(t, http.StatusGone, res.status)
	assert.JSONEq(t, `{"message":"410 Gone - runner registration disallowed"}`, string(res.body))
	res = call(t, w.srv, "POST", fmt.Sprintf("/projects/%d/runners/reset_registration_token", w.q), w.maintTok, nil)
	assert.Equal(t, http.StatusForbidden, res.status)
	res = call(t, w.srv, "POST", "/runners", "", map[string]any{"token": w.srv.RegistrationToken(glrunnerstest.TokenGroup, w.g)})
	assert.Equal(t, http.StatusCreated, res.status, "the parent group is still enabled")
	var reg registration
	res.decode(t, &reg)
	r, _ := w.srv.Runner(reg.ID)
	assert.Equal(t, glrunnerstest.GroupType, r.RunnerType)
	assert.Equal(t, w.g, r.GroupID)
	w.srv.SetRegistrationEnabled(glrunnerstest.TokenInstance, 0, false)
	for _, tok := range []string{"nope", w.srv.RegistrationToken(glrunnerstest.TokenInstance, 0)} {
		res = call(t, w.srv, "POST", "/runners", "", map[string]any{"token": tok})
		assert.Equal(t, http.StatusGone, res.status)
	}
	assert.Equal(t, http.StatusForbidden, call(t, w.srv, "POST", "/runners/reset_registration_token", w.srv.AdminToken(), nil).status)

	// Orphaned runners: verify 422 message shape, reset 422 error shape.
	orphan := w.srv.AddRunner(glrunnerstest.Runner{RunnerType: glrunnerstest.ProjectType, ProjectIDs: []int64{w.p}})
	w.srv.DeleteProject(w.p)
	tok := w.srv.RunnerToken(orphan)
	res = call(t, w.srv, "POST", "/runners/verify", "", map[string]any{"token": tok})
	assert.Equal(t, http.StatusUnprocessableEntity, res.status)
	assert.JSONEq(t, `{"message":"Runner is orphaned"}`, string(res.body))
	res = call(t, w.srv, "POST", "/runners/reset_authentication_token", "", map[string]any{"token": tok})
	assert.Equal(t, http.StatusUnprocessableEntity, res.status)
	assert.Contains(t, res.object(t)["error"], "at least one project")
	res = call(t, w.srv, "POST", fmt.Sprintf("/runners/%d/reset_authentication_token", orphan), w.srv.AdminToken(), nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.status)
	assert.Contains(t, res.object(t)["error"], "at least one project")
}

func TestResetRegistrationTokens(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, c := range []struct {
		kind  glrunnerstest.TokenKind
		path  string
		id    int64
		token string
	}{
		{glrunnerstest.TokenInstance, "/runners/reset_registration_token", 0, w.srv.AdminToken()},
		{glrunnerstest.TokenGroup, "/groups/platform/runners/reset_registration_token", w.g, w.ownerTok},
		{glrunnerstest.TokenProject, "/projects/platform%2Fnetworking%2Fedge-proxy/runners/reset_registration_token", w.q, w.maintTok},
	} {
		old := w.srv.RegistrationToken(c.kind, c.id)
		res := call(t, w.srv, "POST", c.path, c.token, nil)
		require.Equal(t, http.StatusCreated, res.status, "%s: %s", c.kind, res.body)
		m := res.object(t)
		assert.NotContains(t, m, "token_expires_at", "registration tokens do not expire")
		assert.Equal(t, w.srv.RegistrationToken(c.kind, c.id), m["token"])
		assert.NotEqual(t, old, m["token"])
		dead := call(t, w.srv, "POST", "/runners", "", map[string]any{"token": old})
		assert.Equal(t, http.StatusForbidden, dead.status, c.kind)
		live := call(t, w.srv, "POST", "/runners", "", map[string]any{"token": m["token"]})
		assert.Equal(t, http.StatusCreated, live.status, c.kind)
	}
}

func TestCreateUserRunner(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	res := call(t, w.srv, "POST", "/user/runners", w.maintTok, form{"runner_type": {"project_type"},
		"project_id": {fmt.Sprint(w.q)}, "description": {"edge"}, "tag_list": {"arm64"}, "paused": {"true"}})
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	var reg registration
	res.decode(t, &reg)
	assert.True(t, strings.HasPrefix(reg.Token, "glrt-"), reg.Token[:5])
	assert.False(t, strings.HasPrefix(reg.Token, "glrtr-"))
	r, _ := w.srv.Runner(reg.ID)
	assert.Equal(t, w.maint, r.CreatedBy)
	assert.True(t, r.Paused)
	assert.Equal(t, []int64{w.q}, r.ProjectIDs)
	details := get(t, w.srv, fmt.Sprintf("/runners/%d", reg.ID), w.maintTok).object(t)
	assert.Equal(t, "mark", details["created_by"].(map[string]any)["username"])

	res = call(t, w.srv, "POST", "/user/runners", w.ownerTok, map[string]any{"runner_type": "group_type", "group_id": w.sub})
	assert.Equal(t, http.StatusCreated, res.status, "an owner of the parent group owns the subgroup")

	rows := []struct {
		token string
		body  map[string]any
		code  int
		want  string
	}{
		{w.maintTok, map[string]any{}, 400, `{"error":"runner_type is missing, runner_type does not have a valid value"}`},
		{w.maintTok, map[string]any{"runner_type": "shared"}, 400, `{"error":"runner_type does not have a valid value"}`},
		{w.maintTok, map[string]any{"runner_type": "group_type"}, 400, `{"error":"group_id is missing"}`},
		{w.maintTok, map[string]any{"runner_type": "project_type"}, 400, `{"error":"project_id is missing"}`},
		{w.maintTok, map[string]any{"runner_type": "project_type", "project_id": w.q, "run_untagged": false}, 400,
			`{"message":"400 Bad request - Tags list can not be empty when runner is not allowed to pick untagged jobs"}`},
		{w.maintTok, map[string]any{"runner_type": "instance_type"}, 403, `{"message":"403 Forbidden - Insufficient permissions"}`},
		{w.devTok, map[string]any{"runner_type": "project_type", "project_id": w.q}, 403, `{"message":"403 Forbidden - Insufficient permissions"}`},
		{w.outsider, map[string]any{"runner_type": "group_type", "group_id": w.g}, 404, `{"message":"404 Group Not Found"}`},
	}
	for _, row := range rows {
		res := call(t, w.srv, "POST", "/user/runners", row.token, row.body)
		assert.Equal(t, row.code, res.status, row.want)
		assert.JSONEq(t, row.want, string(res.body))
	}
}

func TestRunnerTokenExpiry(t *testing.T) {
	t.Parallel()
	now := fixedNow
	srv := newServer(t, glrunnerstest.WithRunnerTokenExpiry(24*time.Hour))
	res := call(t, srv, "POST", "/user/runners", srv.AdminToken(), map[string]any{"runner_type": "instance_type"})
	require.Equal(t, http.StatusCreated, res.status)
	var reg registration
	res.decode(t, &reg)
	require.NotNil(t, reg.TokenExpiresAt)
	assert.Equal(t, "2025-03-21T12:00:00.000Z", *reg.TokenExpiresAt)

	srv.SetNow(func() time.Time { return now.Add(25 * time.Hour) })
	for _, path := range []string{"/runners/verify", "/runners/reset_authentication_token"} {
		res := call(t, srv, "POST", path, "", map[string]any{"token": reg.Token})
		assert.Equal(t, http.StatusForbidden, res.status, path)
		assert.JSONEq(t, `{"message":"403 Forbidden"}`, string(res.body))
	}
	res = call(t, srv, "POST", fmt.Sprintf("/runners/%d/reset_authentication_token", reg.ID), srv.AdminToken(), nil)
	require.Equal(t, http.StatusCreated, res.status)
	assert.Equal(t, "2025-03-22T13:00:00.000Z", res.object(t)["token_expires_at"])
}
