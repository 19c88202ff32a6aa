package glrunnerstest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners/glrunnerstest"
)

func TestGetRunner_details(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	contacted := fixedNow.Add(-90 * time.Second)
	id := w.srv.AddRunner(glrunnerstest.Runner{
		Description: "edge-arm64-builder", Name: "edge-arm64-builder", RunnerType: glrunnerstest.ProjectType,
		ProjectIDs: []int64{w.q, w.p}, Paused: true, Locked: true, RunUntagged: ptrTo(false),
		TagList: []string{"arm64", "docker"}, AccessLevel: glrunnerstest.RefProtected, MaximumTimeout: ptrTo(int64(5400)),
		MaintenanceNote: "kernel upgrade", CreatedBy: w.maint,
		CreatedAt: time.Date(2025, 2, 3, 15, 47, 9, 331e6, time.UTC), ContactedAt: &contacted,
	})
	w.srv.AddManager(id, glrunnerstest.Manager{SystemID: "s_old", Version: "16.11.3", ContactedAt: ptrTo(fixedNow.Add(-9 * 24 * time.Hour))})
	w.srv.AddManager(id, glrunnerstest.Manager{SystemID: "s_new", Version: "17.9.1", Revision: "c7a3e41d", Platform: "linux", Architecture: "arm64", IPAddress: "10.40.12.7"})
	w.srv.AddJob(id, glrunnerstest.Job{Status: "running", SystemID: "s_new", StartedAt: ptrTo(fixedNow.Add(-time.Minute))})

	res := get(t, w.srv, fmt.Sprintf("/runners/%d", id), w.srv.AdminToken())
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	m := res.object(t)
	assert.Equal(t, "edge-arm64-builder", m["name"])
	assert.Equal(t, "paused", m["status"])
	assert.Equal(t, true, m["online"])
	assert.Equal(t, false, m["active"])
	assert.Equal(t, false, m["is_shared"])
	assert.Nil(t, m["ip_address"])
	assert.Equal(t, "active", m["job_execution_status"])
	assert.Equal(t, "2025-02-03T15:47:09.331Z", m["created_at"])
	assert.Equal(t, "2025-03-20T11:58:30.000Z", m["contacted_at"])
	assert.Equal(t, []any{"arm64", "docker"}, m["tag_list"])
	assert.Equal(t, false, m["run_untagged"])
	assert.Equal(t, true, m["locked"])
	assert.Equal(t, float64(5400), m["maximum_timeout"])
	assert.Equal(t, "ref_protected", m["access_level"])
	assert.Equal(t, "17.9.1", m["version"])
	assert.Equal(t, "c7a3e41d", m["revision"])
	assert.Equal(t, "kernel upgrade", m["maintenance_note"])
	assert.Equal(t, []any{}, m["groups"])
	assert.Equal(t, "mark", m["created_by"].(map[string]any)["username"])
	projects := m["projects"].([]any)
	require.Len(t, projects, 2)
	p0 := projects[0].(map[string]any)
	assert.Equal(t, "platform/networking/edge-proxy", p0["path_with_namespace"])
	assert.Equal(t, "Platform / Networking / edge-proxy", p0["name_with_namespace"])
	assert.Equal(t, "platform/networking", p0["namespace"].(map[string]any)["full_path"])

	// The maintainer of edge-proxy sees only that project; without
	// include_projects the key disappears.
	var seen struct {
		Projects []struct {
			ID int64 `json:"id"`
		} `json:"projects"`
	}
	get(t, w.srv, fmt.Sprintf("/runners/%d", id), w.maintTok).decode(t, &seen)
	require.Len(t, seen.Projects, 1)
	assert.Equal(t, w.q, seen.Projects[0].ID)
	noProjects := get(t, w.srv, fmt.Sprintf("/runners/%d?include_projects=false", id), w.srv.AdminToken()).object(t)
	assert.NotContains(t, noProjects, "projects")

	// Instance runner seen by an outsider: maintenance_note is hidden, no created_by key.
	inst := get(t, w.srv, fmt.Sprintf("/runners/%d", w.instRunner), w.outsider).object(t)
	assert.Contains(t, inst, "maintenance_note")
	assert.Nil(t, inst["maintenance_note"])
	assert.NotContains(t, inst, "created_by")
	assert.Equal(t, true, inst["is_shared"])

	// Group runner details carry the owning group.
	grp := get(t, w.srv, fmt.Sprintf("/runners/%d", w.groupRunner), w.ownerTok).object(t)
	assert.Equal(t, []any{map[string]any{"id": float64(w.g), "name": "Platform", "web_url": w.srv.URL() + "/groups/platform"}}, grp["groups"])

	var managers []struct {
		SystemID           string  `json:"system_id"`
		Status             string  `json:"status"`
		JobExecutionStatus string  `json:"job_execution_status"`
		IPAddress          *string `json:"ip_address"`
	}
	get(t, w.srv, fmt.Sprintf("/runners/%d/managers", id), w.srv.AdminToken()).decode(t, &managers)
	require.Len(t, managers, 2)
	assert.Equal(t, "s_old", managers[0].SystemID)
	assert.Equal(t, "stale", managers[0].Status)
	assert.Equal(t, "idle", managers[0].JobExecutionStatus)
	assert.Equal(t, "online", managers[1].Status)
	assert.Equal(t, "active", managers[1].JobExecutionStatus)
	assert.Equal(t, "10.40.12.7", *managers[1].IPAddress)

	projs := get(t, w.srv, fmt.Sprintf("/runners/%d/projects", id), w.srv.AdminToken())
	assert.Equal(t, []int64{w.q, w.p}, projs.ids(t))
	assert.Equal(t, "2", projs.header.Get("X-Total"))
	assert.Equal(t, []int64{}, get(t, w.srv, fmt.Sprintf("/runners/%d/projects", w.instRunner), w.srv.AdminToken()).ids(t))
}

func TestUpdateRunner(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	path := fmt.Sprintf("/runners/%d", w.projRunner)
	res := call(t, w.srv, "PUT", path, w.maintTok, map[string]any{
		"description": "edge", "tag_list": []string{"arm64", "docker"}, "run_untagged": false,
		"locked": true, "access_level": "ref_protected", "maximum_timeout": 3600, "maintenance_note": "note",
		"paused": true, "unknown_field": "ignored"})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	m := res.object(t)
	assert.Equal(t, "edge", m["description"])
	assert.Equal(t, []any{"arm64", "docker"}, m["tag_list"])
	assert.Equal(t, "paused", m["status"])
	assert.Equal(t, float64(3600), m["maximum_timeout"])
	r, _ := w.srv.Runner(w.projRunner)
	assert.True(t, r.Paused)
	assert.True(t, r.Locked)
	assert.Equal(t, "note", r.MaintenanceNote)

	// Form encoding, the deprecated active flag, comma tags.
	res = call(t, w.srv, "PUT", path, w.maintTok, form{"active": {"true"}, "tag_list": {"linux,docker"}})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	r, _ = w.srv.Runner(w.projRunner)
	assert.False(t, r.Paused)
	assert.Equal(t, []string{"linux", "docker"}, r.TagList)
	// tag_list[] form keys.
	res = call(t, w.srv, "PUT", path, w.maintTok, form{"tag_list[]": {"a", "b"}})
	require.Equal(t, http.StatusOK, res.status)
	r, _ = w.srv.Runner(w.projRunner)
	assert.Equal(t, []string{"a", "b"}, r.TagList)

	tooMany := make([]string, 51)
	for i := range tooMany {
		tooMany[i] = fmt.Sprint("t", i)
	}
	rows := []struct {
		body any
		want string
	}{
		{map[string]any{}, `{"error":"description, active, paused, tag_list, run_untagged, locked, access_level, maximum_timeout, maintenance_note are missing, at least one parameter must be provided"}`},
		{map[string]any{"other": 1}, `{"error":"description, active, paused, tag_list, run_untagged, locked, access_level, maximum_timeout, maintenance_note are missing, at least one parameter must be provided"}`},
		{map[string]any{"active": true, "paused": true}, `{"error":"active, paused are mutually exclusive"}`},
		{map[string]any{"access_level": "protected"}, `{"error":"access_level does not have a valid value"}`},
		{map[string]any{"paused": "perhaps"}, `{"error":"paused is invalid"}`},
		{map[string]any{"maximum_timeout": 60}, `{"message":{"maximum_timeout":["needs to be at least 10 minutes"]}}`},
		{map[string]any{"tag_list": []string{}}, `{"message":{"tags_list":["can not be empty when runner is not allowed to pick untagged jobs"]}}`},
		{map[string]any{"tag_list": tooMany}, `{"message":{"tags_list":["Too many tags specified. Please limit the number of tags to 50"]}}`},
		{map[string]any{"description": strings.Repeat("x", 1025)}, `{"message":{"description":["is too long (maximum is 1024 characters)"]}}`},
	}
	for _, row := range rows {
		res := call(t, w.srv, "PUT", path, w.maintTok, row.body)
		assert.Equal(t, http.StatusBadRequest, res.status, row.want)
		assert.JSONEq(t, row.want, string(res.body))
	}
	after, _ := w.srv.Runner(w.projRunner)
	assert.Equal(t, []string{"a", "b"}, after.TagList, "failed updates change nothing")

	nf := call(t, w.srv, "PUT", "/runners/9999", w.srv.AdminToken(), map[string]any{"paused": true})
	assert.Equal(t, http.StatusNotFound, nf.status)
	assert.JSONEq(t, `{"message":"404 Runner Not Found"}`, string(nf.body))
	bad := call(t, w.srv, "PUT", "/runners/x1", w.srv.AdminToken(), map[string]any{"paused": true})
	assert.JSONEq(t, `{"error":"id is invalid"}`, string(bad.body))
}

func TestDelete_ifUnmodifiedSince(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id := srv.AddRunner(glrunnerstest.Runner{CreatedAt: fixedNow.Add(-time.Hour)})
	del := func(since time.Time) response {
		req, err := http.NewRequestWithContext(t.Context(), "DELETE", fmt.Sprintf("%s/api/v4/runners/%d", srv.URL(), id), nil)
		require.NoError(t, err)
		req.Header.Set("PRIVATE-TOKEN", srv.AdminToken())
		req.Header.Set("If-Unmodified-Since", since.Format(http.TimeFormat))
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return response{status: res.StatusCode}
	}
	res := call(t, srv, "PUT", fmt.Sprintf("/runners/%d", id), srv.AdminToken(), map[string]any{"description": "touched"})
	require.Equal(t, http.StatusOK, res.status) // updated_at = fixedNow
	assert.Equal(t, http.StatusPreconditionFailed, del(fixedNow.Add(-time.Minute)).status)
	_, ok := srv.Runner(id)
	assert.True(t, ok, "412 leaves the runner in place")
	assert.Equal(t, http.StatusNoContent, del(fixedNow).status)
	_, ok = srv.Runner(id)
	assert.False(t, ok)
}

func TestAssignUnassign(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.srv.AddMember(w.maint, glrunnerstest.MemberProject, w.p, glrunnerstest.Maintainer)
	pPath := "/projects/platform%2Fapi/runners"
	res := call(t, w.srv, "POST", pPath, w.maintTok, form{"runner_id": {fmt.Sprint(w.projRunner)}})
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	assert.Equal(t, float64(w.projRunner), res.object(t)["id"])
	r, _ := w.srv.Runner(w.projRunner)
	assert.Equal(t, []int64{w.q, w.p}, r.ProjectIDs)

	again := call(t, w.srv, "POST", pPath, w.maintTok, map[string]any{"runner_id": w.projRunner})
	assert.Equal(t, http.StatusBadRequest, again.status)
	assert.Contains(t, again.object(t)["message"], "runner_already_assigned")

	rows := []struct {
		token string
		body  any
		want  int
		msg   string
	}{
		{w.maintTok, map[string]any{}, 400, `{"error":"runner_id is missing"}`},
		{w.maintTok, map[string]any{"runner_id": w.groupRunner}, 403, `{"message":"403 Forbidden - Runner is a group runner"}`},
		{w.maintTok, map[string]any{"runner_id": w.instRunner}, 403, `{"message":"403 Forbidden - No access granted"}`},
		{w.maintTok, map[string]any{"runner_id": 4242}, 404, `{"message":"404 Runner Not Found"}`},
		{w.devTok, map[string]any{"runner_id": w.projRunner}, 404, `{"message":"404 Project Not Found"}`},
	}
	for _, row := range rows {
		res := call(t, w.srv, "POST", pPath, row.token, row.body)
		assert.Equal(t, row.want, res.status, row.msg)
		assert.JSONEq(t, row.msg, string(res.body))
	}

	locked := w.srv.AddRunner(glrunnerstest.Runner{RunnerType: glrunnerstest.ProjectType, ProjectIDs: []int64{w.q}, Locked: true})
	res = call(t, w.srv, "POST", pPath, w.maintTok, map[string]any{"runner_id": locked})
	assert.Equal(t, http.StatusForbidden, res.status)
	assert.JSONEq(t, `{"message":"403 Forbidden - Runner is locked"}`, string(res.body))
	res = call(t, w.srv, "POST", pPath, w.srv.AdminToken(), map[string]any{"runner_id": locked})
	assert.Equal(t, http.StatusCreated, res.status, "admins bypass the lock")

	// Unassign: not from the owner project; a developer cannot; then success.
	owner := call(t, w.srv, "DELETE", fmt.Sprintf("/projects/%d/runners/%d", w.q, w.projRunner), w.maintTok, nil)
	assert.Equal(t, http.StatusForbidden, owner.status)
	assert.JSONEq(t, `{"message":"403 Forbidden - You cannot unassign a runner from the owner project. Delete the runner instead"}`, string(owner.body))
	dev := call(t, w.srv, "DELETE", fmt.Sprintf("/projects/%d/runners/%d", w.q, w.projRunner), w.devTok, nil)
	assert.Equal(t, http.StatusForbidden, dev.status)
	ok := call(t, w.srv, "DELETE", "/projects/platform%2Fapi/runners/"+fmt.Sprint(w.projRunner), w.maintTok, nil)
	assert.Equal(t, http.StatusNoContent, ok.status)
	r, _ = w.srv.Runner(w.projRunner)
	assert.Equal(t, []int64{w.q}, r.ProjectIDs)
	gone := call(t, w.srv, "DELETE", "/projects/platform%2Fapi/runners/"+fmt.Sprint(w.projRunner), w.maintTok, nil)
	assert.Equal(t, http.StatusNotFound, gone.status)
	assert.JSONEq(t, `{"message":"404 Runner Not Found"}`, string(gone.body))
	lockedUnassign := call(t, w.srv, "DELETE", fmt.Sprintf("/projects/%d/runners/%d", w.p, locked), w.maintTok, nil)
	assert.JSONEq(t, `{"message":"403 Forbidden - Runner is locked"}`, string(lockedUnassign.body))
}

func TestJobs_offsetOrderingAndFilters(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for i := range 6 {
		status := []string{"success", "failed", "running"}[i%3]
		w.srv.AddJob(w.projRunner, glrunnerstest.Job{Status: status, SystemID: fmt.Sprint("s_", i%2), UserID: w.dev})
	}
	path := fmt.Sprintf("/runners/%d/jobs", w.projRunner)
	admin := w.srv.AdminToken()
	assert.Equal(t, []int64{1, 2, 3, 4, 5, 6}, get(t, w.srv, path, admin).ids(t), "default: id ascending")
	assert.Equal(t, []int64{6, 5, 4, 3, 2, 1}, get(t, w.srv, path+"?order_by=id", admin).ids(t))
	assert.Equal(t, []int64{1, 2, 3, 4, 5, 6}, get(t, w.srv, path+"?order_by=id&sort=asc", admin).ids(t))
	assert.Equal(t, []int64{1, 2, 3, 4, 5, 6}, get(t, w.srv, path+"?sort=desc", admin).ids(t), "sort alone is ignored")
	assert.Equal(t, []int64{2, 5}, get(t, w.srv, path+"?status=failed", admin).ids(t))

	bySystem := get(t, w.srv, path+"?system_id=s_1&per_page=2", admin)
	assert.Equal(t, []int64{2, 4}, bySystem.ids(t))
	for _, h := range []string{"X-Total", "X-Total-Pages"} {
		_, ok := bySystem.header[h]
		assert.False(t, ok, h)
	}
	assert.Equal(t, "2", bySystem.header.Get("X-Next-Page"))
	assert.NotContains(t, bySystem.header.Get("Link"), `rel="last"`)
	assert.Equal(t, "[]", string(get(t, w.srv, path+"?system_id=unknown", admin).body))

	var failed []map[string]any
	get(t, w.srv, path+"?status=failed", admin).decode(t, &failed)
	assert.Equal(t, "script_failure", failed[0]["failure_reason"])
	var ok []map[string]any
	get(t, w.srv, path+"?status=success", admin).decode(t, &ok)
	assert.NotContains(t, ok[0], "failure_reason")
	assert.Equal(t, "dana", ok[0]["user"].(map[string]any)["username"])
	assert.Equal(t, float64(w.q), ok[0]["project"].(map[string]any)["id"])
	assert.Equal(t, float64(w.q), ok[0]["pipeline"].(map[string]any)["project_id"])

	for query, body := range map[string]string{
		"status=bogus":              `{"error":"status does not have a valid value"}`,
		"order_by=name":             `{"error":"order_by does not have a valid value"}`,
		"order_by=id&sort=sideways": `{"error":"sort does not have a valid value"}`,
	} {
		res := get(t, w.srv, path+"?"+query, admin)
		assert.Equal(t, http.StatusBadRequest, res.status, query)
		assert.JSONEq(t, body, string(res.body), query)
	}
	res := get(t, w.srv, path+"?pagination=keyset&order_by=id&sort=asc", admin)
	assert.Equal(t, http.StatusMethodNotAllowed, res.status)
	assert.JSONEq(t, `{"error":"Keyset pagination is not yet available for this type of request"}`, string(res.body))
}

func TestJobs_visibilityForMembers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.srv.AddJob(w.groupRunner, glrunnerstest.Job{ProjectID: w.p})
	w.srv.AddJob(w.groupRunner, glrunnerstest.Job{ProjectID: w.q})
	path := fmt.Sprintf("/runners/%d/jobs", w.groupRunner)
	assert.Equal(t, []int64{1, 2}, get(t, w.srv, path, w.ownerTok).ids(t))
	// A maintainer of the group (not owner) reads the runner but sees only
	// jobs of projects where they are at least Reporter.
	mgID, mgTok := w.srv.AddUser(glrunnerstest.User{Username: "gm"})
	w.srv.AddMember(mgID, glrunnerstest.MemberGroup, w.g, glrunnerstest.Maintainer)
	assert.Equal(t, []int64{1, 2}, get(t, w.srv, path, mgTok).ids(t))
	w.srv.AddMember(w.maint, glrunnerstest.MemberGroup, w.sub, glrunnerstest.Owner)
	res := get(t, w.srv, path, w.maintTok)
	assert.Equal(t, http.StatusForbidden, res.status, "an owner of the subgroup cannot read the parent group's runner")
}

func TestJobs_keysetCursorWalk(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for range 25 {
		w.srv.AddJob(w.projRunner, glrunnerstest.Job{Status: "success"})
	}
	next := w.srv.URL() + fmt.Sprintf("/api/v4/runners/%d/jobs?pagination=keyset&per_page=10", w.projRunner)
	var pages [][]int64
	for next != "" && len(pages) < 10 {
		req, err := http.NewRequestWithContext(t.Context(), "GET", next, nil)
		require.NoError(t, err)
		req.Header.Set("PRIVATE-TOKEN", w.srv.AdminToken())
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var items []struct {
			ID int64 `json:"id"`
		}
		require.NoError(t, decodeJSON(res, &items))
		page := []int64{}
		for _, it := range items {
			page = append(page, it.ID)
		}
		pages = append(pages, page)
		for _, h := range []string{"X-Total", "X-Page", "X-Total-Pages"} {
			assert.Empty(t, res.Header.Get(h), h)
		}
		next = ""
		if link := res.Header.Get("Link"); link != "" {
			require.True(t, strings.HasSuffix(link, `>; rel="next"`), link)
			next = strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
			u, err := url.Parse(next)
			require.NoError(t, err)
			assert.NotEmpty(t, u.Query().Get("cursor"))
			assert.Equal(t, "keyset", u.Query().Get("pagination"))
		}
	}
	require.Len(t, pages, 3)
	assert.Equal(t, []int64{25, 24, 23, 22, 21, 20, 19, 18, 17, 16}, pages[0])
	assert.Equal(t, []int64{15, 14, 13, 12, 11, 10, 9, 8, 7, 6}, pages[1])
	assert.Equal(t, []int64{5, 4, 3, 2, 1}, pages[2])

	bad := get(t, w.srv, fmt.Sprintf("/runners/%d/jobs?pagination=keyset&cursor=zzzz", w.projRunner), w.srv.AdminToken())
	assert.Equal(t, http.StatusBadRequest, bad.status)
}
