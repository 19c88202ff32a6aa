package glrunnerstest_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners/glrunnerstest"
)

func TestPermissions_matrix(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	callers := map[string]string{"admin": w.srv.AdminToken(), "owner": w.ownerTok, "maintainer": w.maintTok,
		"developer": w.devTok, "outsider": w.outsider}
	q := fmt.Sprint(w.q)
	g := fmt.Sprint(w.g)
	rows := []struct {
		method, path string
		want         map[string]int
	}{
		{"GET", "/runners/all", map[string]int{"admin": 200, "owner": 403, "maintainer": 403, "developer": 403, "outsider": 403}},
		{"GET", fmt.Sprintf("/runners/%d", w.instRunner), map[string]int{"admin": 200, "owner": 200, "maintainer": 200, "developer": 200, "outsider": 200}},
		{"GET", fmt.Sprintf("/runners/%d", w.groupRunner), map[string]int{"admin": 200, "owner": 200, "maintainer": 403, "developer": 403, "outsider": 403}},
		{"GET", fmt.Sprintf("/runners/%d", w.projRunner), map[string]int{"admin": 200, "owner": 200, "maintainer": 200, "developer": 403, "outsider": 403}},
		{"GET", fmt.Sprintf("/runners/%d/managers", w.projRunner), map[string]int{"admin": 200, "owner": 200, "maintainer": 200, "developer": 403, "outsider": 403}},
		{"GET", fmt.Sprintf("/runners/%d/jobs", w.instRunner), map[string]int{"admin": 200, "owner": 403, "maintainer": 403, "developer": 403, "outsider": 403}},
		{"GET", fmt.Sprintf("/runners/%d/jobs", w.projRunner), map[string]int{"admin": 200, "owner": 200, "maintainer": 200, "developer": 403, "outsider": 403}},
		{"PUT", fmt.Sprintf("/runners/%d", w.instRunner), map[string]int{"admin": 200, "owner": 403, "maintainer": 403, "developer": 403, "outsider": 403}},
		{"PUT", fmt.Sprintf("/runners/%d", w.groupRunner), map[string]int{"admin": 200, "owner": 200, "maintainer": 403, "developer": 403, "outsider": 403}},
		{"PUT", fmt.Sprintf("/runners/%d", w.projRunner), map[string]int{"admin": 200, "owner": 200, "maintainer": 200, "developer": 403, "outsider": 403}},
		{"POST", fmt.Sprintf("/runners/%d/reset_authentication_token", w.groupRunner), map[string]int{"admin": 201, "owner": 201, "maintainer": 403, "developer": 403, "outsider": 403}},
		{"GET", "/projects/" + q + "/runners", map[string]int{"admin": 200, "owner": 200, "maintainer": 200, "developer": 403, "outsider": 404}},
		{"GET", "/groups/" + g + "/runners", map[string]int{"admin": 200, "owner": 200, "maintainer": 404, "developer": 404, "outsider": 404}},
		{"POST", "/projects/" + q + "/runners/reset_registration_token", map[string]int{"admin": 201, "owner": 201, "maintainer": 201, "developer": 403, "outsider": 404}},
		{"POST", "/groups/" + g + "/runners/reset_registration_token", map[string]int{"admin": 201, "owner": 201, "maintainer": 404, "developer": 404, "outsider": 404}},
		{"POST", "/runners/reset_registration_token", map[string]int{"admin": 201, "owner": 403, "maintainer": 403, "developer": 403, "outsider": 403}},
	}
	for _, row := range rows {
		for who, want := range row.want {
			var body any
			if row.method == "PUT" {
				body = map[string]any{"description": "by " + who}
			}
			res := call(t, w.srv, row.method, row.path, callers[who], body)
			assert.Equal(t, want, res.status, "%s %s as %s: %s", row.method, row.path, who, res.body)
			switch want {
			case 403:
				if row.method != "GET" || row.path != "/runners/all" {
					assert.Contains(t, string(res.body), `"message":"403 Forbidden`, "%s %s as %s", row.method, row.path, who)
				}
			case 404:
				assert.Contains(t, []string{`{"message":"404 Project Not Found"}`, `{"message":"404 Group Not Found"}`}, string(res.body))
			}
		}
	}
}

func TestListOwned_perCaller(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	want := map[string][]int64{
		w.srv.AdminToken(): {w.instRunner, w.groupRunner, w.projRunner},
		w.ownerTok:         {w.groupRunner, w.projRunner}, // owns g, so also maintains sub/edge-proxy
		w.maintTok:         {w.projRunner},
		w.devTok:           {},
		w.outsider:         {},
	}
	for tok, ids := range want {
		res := get(t, w.srv, "/runners", tok)
		require.Equal(t, http.StatusOK, res.status)
		assert.Equal(t, ids, res.ids(t))
	}
}

func TestDelete_permissions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// Developers and maintainers of nothing relevant cannot delete a group runner.
	res := call(t, w.srv, "DELETE", fmt.Sprintf("/runners/%d", w.groupRunner), w.maintTok, nil)
	assert.Equal(t, http.StatusForbidden, res.status)
	assert.JSONEq(t, `{"message":"403 Forbidden - No access granted"}`, string(res.body))
	// A runner on two projects cannot be deleted by a non-admin, even its maintainer.
	w.srv.AddMember(w.maint, glrunnerstest.MemberProject, w.p, glrunnerstest.Maintainer)
	res = call(t, w.srv, "POST", fmt.Sprintf("/projects/%d/runners", w.p), w.maintTok, map[string]any{"runner_id": w.projRunner})
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	res = call(t, w.srv, "DELETE", fmt.Sprintf("/runners/%d", w.projRunner), w.maintTok, nil)
	assert.Equal(t, http.StatusForbidden, res.status)
	assert.JSONEq(t, `{"message":"403 Forbidden - Runner associated with more than one project"}`, string(res.body))
	// The owner of a parent group deletes the group runner.
	res = call(t, w.srv, "DELETE", fmt.Sprintf("/runners/%d", w.groupRunner), w.ownerTok, nil)
	assert.Equal(t, http.StatusNoContent, res.status)
	assert.Empty(t, res.body)
	_, ok := w.srv.Runner(w.groupRunner)
	assert.False(t, ok)
	// The admin deletes the two-project runner.
	res = call(t, w.srv, "DELETE", fmt.Sprintf("/runners/%d", w.projRunner), w.srv.AdminToken(), nil)
	assert.Equal(t, http.StatusNoContent, res.status)
	assert.Equal(t, http.StatusNotFound, get(t, w.srv, fmt.Sprintf("/runners/%d", w.projRunner), w.srv.AdminToken()).status)
}

func TestScopes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const admin = 1
	tok := map[string]string{
		"api":           w.srv.AddToken(admin, "api"),
		"read_api":      w.srv.AddToken(admin, "read_api"),
		"manage_runner": w.srv.AddToken(admin, "manage_runner"),
		"create_runner": w.srv.AddToken(admin, "create_runner"),
	}
	r := fmt.Sprintf("/runners/%d", w.projRunner)
	pr := fmt.Sprintf("/projects/%d/runners", w.p)
	create := map[string]any{"runner_type": "instance_type"}
	rows := []struct {
		scope, method, path string
		body                any
		want                int
	}{
		{"read_api", "GET", "/runners", nil, 200},
		{"read_api", "GET", r, nil, 200},
		{"read_api", "PUT", r, map[string]any{"paused": true}, 403},
		{"read_api", "POST", pr, map[string]any{"runner_id": w.projRunner}, 403},
		{"read_api", "POST", "/user/runners", create, 403},
		{"manage_runner", "GET", "/runners", nil, 403},
		{"manage_runner", "GET", "/runners/all", nil, 403},
		{"manage_runner", "GET", pr, nil, 403},
		{"manage_runner", "GET", fmt.Sprintf("/groups/%d/runners", w.g), nil, 403},
		{"manage_runner", "GET", r, nil, 200},
		{"manage_runner", "GET", r + "/jobs", nil, 200},
		{"manage_runner", "PUT", r, map[string]any{"paused": true}, 200},
		{"manage_runner", "POST", r + "/reset_authentication_token", nil, 201},
		{"manage_runner", "POST", pr, map[string]any{"runner_id": w.projRunner}, 401},
		{"manage_runner", "DELETE", fmt.Sprintf("/projects/%d/runners/%d", w.p, w.projRunner), nil, 401},
		{"manage_runner", "POST", "/user/runners", create, 403},
		{"create_runner", "GET", r, nil, 403},
		{"create_runner", "POST", "/user/runners", create, 201},
		{"api", "POST", "/user/runners", create, 201},
		{"api", "POST", pr, map[string]any{"runner_id": w.projRunner}, 201},
	}
	for _, row := range rows {
		res := call(t, w.srv, row.method, row.path, tok[row.scope], row.body)
		assert.Equal(t, row.want, res.status, "%s: %s %s: %s", row.scope, row.method, row.path, res.body)
		if row.want == 403 {
			m := res.object(t)
			assert.Equal(t, "insufficient_scope", m["error"], "%s %s %s", row.scope, row.method, row.path)
			assert.NotEmpty(t, m["scope"])
			assert.Contains(t, res.header.Get("WWW-Authenticate"), "insufficient_scope")
		}
		if row.want == 401 {
			assert.JSONEq(t, `{"message":"401 Unauthorized"}`, string(res.body))
		}
	}
}

func TestAuth_headers(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	res := get(t, srv, "/runners", "")
	assert.Equal(t, http.StatusUnauthorized, res.status)
	assert.JSONEq(t, `{"message":"401 Unauthorized"}`, string(res.body))
	assert.Equal(t, http.StatusUnauthorized, get(t, srv, "/runners", "glpat-wrong").status)

	req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL()+"/api/v4/runners", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.AdminToken())
	res2, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res2.Body.Close()
	assert.Equal(t, http.StatusOK, res2.StatusCode)
	assert.Equal(t, "application/json", res2.Header.Get("Content-Type"))

	// A token in the URL is not accepted (and must never be used).
	res3, err := http.Get(srv.URL() + "/api/v4/runners?private_token=" + srv.AdminToken())
	require.NoError(t, err)
	res3.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, res3.StatusCode)

	unknown := get(t, srv, "/nope", srv.AdminToken())
	assert.Equal(t, http.StatusNotFound, unknown.status)
	assert.JSONEq(t, `{"error":"404 Not Found"}`, string(unknown.body))
}
