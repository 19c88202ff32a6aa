package glrunners

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunnersList_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	list := fixture(t, "runner_list.json")
	mux.HandleFunc("GET /api/v4/runners", func(w http.ResponseWriter, r *http.Request) {
		assertUserRequest(t, r, "/api/v4/runners", url.Values{
			"scope": {"online"}, "type": {"project_type"}, "status": {"online"}, "paused": {"false"},
			"tag_list": {"docker,linux"}, "version_prefix": {"17.9"}, "page": {"2"}, "per_page": {"50"},
		})
		w.Header().Set("X-Page", "2")
		w.Header().Set("X-Total", "54")
		writeJSON(w, http.StatusOK, string(list))
	})
	got, resp, err := c.Runners.List(t.Context(), &ListRunnersOptions{
		ListOptions: ListOptions{Page: 2, PerPage: 50},
		Scope:       ScopeOnline,
		Type:        ProjectType, Status: StatusOnline, Paused: Ptr(false),
		TagList: []string{"docker", "linux"}, VersionPrefix: "17.9",
	})
	require.NoError(t, err)
	assert.Equal(t, 2, resp.CurrentPage)
	assert.Equal(t, 54, resp.TotalItems)
	require.Len(t, got, 4)
	assert.Equal(t, []int64{4102, 4117, 977, 2650}, []int64{got[0].ID, got[1].ID, got[2].ID, got[3].ID})
	assert.Equal(t, runner4117, *got[1])
	assert.Equal(t, Ptr("fleet-amd64-01 (docker-autoscaler)"), got[0].Description)
	assert.Equal(t, GroupType, got[0].RunnerType)
	assert.Equal(t, JobExecutionActive, got[0].JobExecutionStatus)
	assert.Equal(t, userMhartley, got[0].CreatedBy)
	assert.Nil(t, got[2].Online, "online: null")
	assert.Nil(t, got[2].CreatedBy, "created_by absent")
	assert.True(t, got[2].IsShared)
	assert.Equal(t, Ptr(""), got[3].IPAddress, `ip_address: ""`)
	assert.Equal(t, StatusStale, got[3].Status)
}

func TestRunnersList_nilOptionsSendNoQuery(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/v4/runners", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "", r.URL.RawQuery)
		writeJSON(w, http.StatusOK, `[]`)
	})
	got, _, err := c.Runners.List(t.Context(), nil)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestRunnersListAll_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	list := fixture(t, "runner_list_edge_cases.json")
	mux.HandleFunc("GET /api/v4/runners/all", func(w http.ResponseWriter, r *http.Request) {
		assertUserAuth(t, r)
		assert.Equal(t, "/api/v4/runners/all", r.URL.EscapedPath())
		// The type-like scopes List refuses are fine here.
		assert.Equal(t, url.Values{"scope": {"shared"}, "paused": {"true"}, "version_prefix": {"17.9"}}, r.URL.Query())
		writeJSON(w, http.StatusOK, string(list))
	})
	got, _, err := c.Runners.ListAll(t.Context(), &ListRunnersOptions{
		Scope: ScopeShared, Paused: Ptr(true), VersionPrefix: "17.9",
	})
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, []int64{5001, 5002, 5003}, []int64{got[0].ID, got[1].ID, got[2].ID})
	assert.Equal(t, StatusPaused, got[0].Status)
	assert.True(t, got[0].Paused)
	assert.Nil(t, got[0].Description)
	assert.Equal(t, Ptr("paused-group-runner"), got[0].Name)
	assert.Equal(t, Ptr(""), got[1].Description)
	assert.Nil(t, got[1].Online)
}

func TestRunnersListIter_threePages(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	filters := url.Values{"status": {"offline"}, "tag_list": {"a,b"}}
	servePages(t, mux, "GET /api/v4/runners", "/api/v4/runners", filters, threeRunnerPages)
	opt := &ListRunnersOptions{Status: StatusOffline, TagList: []string{"a", "b"}}
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, collectIDs(t, c.Runners.ListIter(t.Context(), opt), idOfRunner))
	assert.Equal(t, &ListRunnersOptions{Status: StatusOffline, TagList: []string{"a", "b"}}, opt, "caller's options untouched")
}

func TestRunnersListAllIter_threePages(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	servePages(t, mux, "GET /api/v4/runners/all", "/api/v4/runners/all", url.Values{"type": {"instance_type"}}, threeRunnerPages)
	seq := c.Runners.ListAllIter(t.Context(), &ListRunnersOptions{Type: InstanceType})
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, collectIDs(t, seq, idOfRunner))
}

// Each of the runner endpoints turns its documented error answers into an
// *Error with the status, the sentinel and GitLab's body.
func TestRunners_errors(t *testing.T) {
	t.Parallel()
	testEndpointErrors(t, []endpointErrors{
		{"List", "GET /api/v4/runners", []errorAnswer{
			{400, `{"error":"status does not have a valid value"}`, ErrBadRequest},
			{400, `{"error":"version_prefix is invalid"}`, ErrBadRequest},
			{401, `{"message":"401 Unauthorized"}`, ErrUnauthorized},
			{403, `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api read_api"}`, ErrForbidden},
		}, callList(nil)},
		{"ListAll", "GET /api/v4/runners/all", []errorAnswer{
			{400, `{"message":"Scope contains invalid value"}`, ErrBadRequest},
			{401, `{"message":"401 Unauthorized"}`, ErrUnauthorized},
			{403, `{"message":"403 Forbidden"}`, ErrForbidden},
		}, callListAll(nil)},
		{"Get", "GET /api/v4/runners/{id}", []errorAnswer{
			{400, `{"error":"id is invalid"}`, ErrBadRequest},
			{401, `{"message":"401 Unauthorized"}`, ErrUnauthorized},
			{403, `{"message":"403 Forbidden - No access granted"}`, ErrForbidden},
			{404, `{"message":"404 Runner Not Found"}`, ErrNotFound},
		}, func(ctx context.Context, c *Client) error {
			_, _, err := c.Runners.Get(ctx, 4117, nil)
			return err
		}},
		{"Update", "PUT /api/v4/runners/{id}", []errorAnswer{
			{400, `{"error":"active, paused are mutually exclusive"}`, ErrBadRequest},
			{400, `{"error":"access_level does not have a valid value"}`, ErrBadRequest},
			{400, `{"message":{"maximum_timeout":["needs to be at least 10 minutes"]}}`, ErrBadRequest},
			{401, `{"message":"401 Unauthorized"}`, ErrUnauthorized},
			{403, `{"message":"403 Forbidden - No access granted"}`, ErrForbidden},
			{404, `{"message":"404 Runner Not Found"}`, ErrNotFound},
		}, callUpdate(4117, &UpdateRunnerOptions{Locked: Ptr(true)})},
		{"Pause", "PUT /api/v4/runners/{id}", []errorAnswer{
			{403, `{"message":"403 Forbidden - No access granted"}`, ErrForbidden},
			{404, `{"message":"404 Runner Not Found"}`, ErrNotFound},
		}, func(ctx context.Context, c *Client) error {
			_, _, err := c.Runners.Pause(ctx, 4117)
			return err
		}},
		{"Delete", "DELETE /api/v4/runners/{id}", []errorAnswer{
			{401, `{"message":"401 Unauthorized"}`, ErrUnauthorized},
			{403, `{"message":"403 Forbidden - Runner associated with more than one project"}`, ErrForbidden},
			{403, `{"message":"403 Forbidden - No access granted"}`, ErrForbidden},
			{404, `{"message":"404 Runner Not Found"}`, ErrNotFound},
			{412, `{"message":"412 Precondition Failed"}`, ErrPreconditionFailed},
		}, func(ctx context.Context, c *Client) error {
			_, err := c.Runners.Delete(ctx, 4117, WithIfUnmodifiedSince(time.Now()))
			return err
		}},
	})
}

func TestRunnersGet_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	details := fixture(t, "runner_details.json")
	mux.HandleFunc("GET /api/v4/runners/{id}", func(w http.ResponseWriter, r *http.Request) {
		assertUserRequest(t, r, "/api/v4/runners/4117", nil)
		writeJSON(w, http.StatusOK, string(details))
	})
	got, _, err := c.Runners.Get(t.Context(), 4117, nil)
	require.NoError(t, err)
	assert.Equal(t, runner4117, got.Runner)
	assert.Equal(t, []string{"arm64", "docker", "linux"}, got.TagList)
	assert.False(t, got.RunUntagged)
	assert.True(t, got.Locked)
	assert.Equal(t, Ptr[int64](5400), got.MaximumTimeout)
	assert.Equal(t, RefProtected, got.AccessLevel)
	assert.Equal(t, rfc3339p("2025-03-20T11:40:07.215Z"), got.ContactedAt)
	assert.Equal(t, Ptr("Paused for a kernel upgrade on the host; unpause after 2025-03-21."), got.MaintenanceNote)
	require.Len(t, got.Projects, 2)
	assert.Equal(t, edgeProxy, got.Projects[0].ProjectIdentity)
	assert.Equal(t, edgeFirmware, got.Projects[1].ProjectIdentity)
	assert.Equal(t, networkingNamespace, got.Projects[1].Namespace)
	assert.Equal(t, []Group{}, got.Groups)
}

func TestRunnersGet_withoutProjects(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	details := fixture(t, "runner_details_without_projects.json")
	mux.HandleFunc("GET /api/v4/runners/{id}", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/api/v4/runners/4102", r.URL.EscapedPath())
		assert.Equal(t, url.Values{"include_projects": {"false"}}, r.URL.Query())
		writeJSON(w, http.StatusOK, string(details))
	})
	got, _, err := c.Runners.Get(t.Context(), 4102, &GetRunnerOptions{IncludeProjects: Ptr(false)})
	require.NoError(t, err)
	assert.Equal(t, int64(4102), got.ID)
	assert.Nil(t, got.Projects)
	assert.Equal(t, []Group{{ID: 1877, WebURL: "https://gitlab.example.test/groups/platform", Name: "Platform"}}, got.Groups)
	assert.Equal(t, NotProtected, got.AccessLevel)
	assert.Nil(t, got.MaximumTimeout)
}

func TestRunnersUpdate_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	details := fixture(t, "runner_details.json")
	mux.HandleFunc("PUT /api/v4/runners/{id}", func(w http.ResponseWriter, r *http.Request) {
		assertUserRequest(t, r, "/api/v4/runners/4117", nil)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.JSONEq(t, `{
			"description": "edge-arm64-builder", "paused": true, "tag_list": ["arm64","docker","linux"],
			"run_untagged": false, "locked": true, "access_level": "ref_protected",
			"maximum_timeout": 5400, "maintenance_note": ""
		}`, readBody(t, r))
		writeJSON(w, http.StatusOK, string(details))
	})
	got, _, err := c.Runners.Update(t.Context(), 4117, &UpdateRunnerOptions{
		Description: Ptr("edge-arm64-builder"), Paused: Ptr(true), TagList: []string{"arm64", "docker", "linux"},
		RunUntagged: Ptr(false), Locked: Ptr(true), AccessLevel: RefProtected, MaximumTimeout: Ptr[int64](5400),
		MaintenanceNote: Ptr(""),
	})
	require.NoError(t, err)
	assert.Equal(t, runner4117, got.Runner)
	assert.Equal(t, []string{"arm64", "docker", "linux"}, got.TagList)
	assert.Equal(t, Ptr[int64](5400), got.MaximumTimeout)
}

func TestRunnersUpdate_tagListNilOrEmpty(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		opt  UpdateRunnerOptions
		body string
	}{
		"nil leaves tags":       {UpdateRunnerOptions{Locked: Ptr(false)}, `{"locked":false}`},
		"empty clears tags":     {UpdateRunnerOptions{TagList: []string{}}, `{"tag_list":[]}`},
		"deprecated active":     {UpdateRunnerOptions{Active: Ptr(false)}, `{"active":false}`},
		"description cleared":   {UpdateRunnerOptions{Description: Ptr("")}, `{"description":""}`},
		"run_untagged with nil": {UpdateRunnerOptions{RunUntagged: Ptr(false)}, `{"run_untagged":false}`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			mux.HandleFunc("PUT /api/v4/runners/{id}", func(w http.ResponseWriter, r *http.Request) {
				assert.JSONEq(t, tc.body, readBody(t, r))
				writeJSON(w, http.StatusOK, `{"id":9}`)
			})
			got, _, err := c.Runners.Update(t.Context(), 9, &tc.opt)
			require.NoError(t, err)
			assert.Equal(t, int64(9), got.ID)
		})
	}
}

func TestRunnersUpdate_fieldErrors(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("PUT /api/v4/runners/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusBadRequest,
			`{"message":{"tags_list":["can not be empty when runner is not allowed to pick untagged jobs"]}}`)
	})
	_, resp, err := c.Runners.Update(t.Context(), 4117, &UpdateRunnerOptions{RunUntagged: Ptr(false)})
	e, ok := asType[*Error](err)
	require.True(t, ok, "%T", err)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, map[string][]string{
		"tags_list": {"can not be empty when runner is not allowed to pick untagged jobs"},
	}, e.FieldErrors)
}

func TestRunnersPauseUnpause_wire(t *testing.T) {
	t.Parallel()
	for _, paused := range []bool{true, false} {
		t.Run(strconv.FormatBool(paused), func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			details := fixture(t, "runner_details.json")
			mux.HandleFunc("PUT /api/v4/runners/{id}", func(w http.ResponseWriter, r *http.Request) {
				assertUserRequest(t, r, "/api/v4/runners/4117", nil)
				assert.JSONEq(t, `{"paused":`+strconv.FormatBool(paused)+`}`, readBody(t, r))
				writeJSON(w, http.StatusOK, string(details))
			})
			pause := c.Runners.Unpause
			if paused {
				pause = c.Runners.Pause
			}
			got, _, err := pause(t.Context(), 4117)
			require.NoError(t, err)
			assert.Equal(t, runner4117, got.Runner)
		})
	}
}

func TestRunnersDelete_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	since := time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)
	mux.HandleFunc("DELETE /api/v4/runners/{id}", func(w http.ResponseWriter, r *http.Request) {
		assertUserRequest(t, r, "/api/v4/runners/4117", nil)
		assert.Empty(t, readBody(t, r))
		assert.Equal(t, "Thu, 20 Mar 2025 12:00:00 GMT", r.Header.Get("If-Unmodified-Since"))
		w.WriteHeader(http.StatusNoContent)
	})
	resp, err := c.Runners.Delete(t.Context(), 4117, WithIfUnmodifiedSince(since))
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
}

func TestRunnersDelete_moreThanOneProjectMessage(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("DELETE /api/v4/runners/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, `{"message":"403 Forbidden - Runner associated with more than one project"}`)
	})
	_, err := c.Runners.Delete(t.Context(), 4117)
	e, ok := asType[*Error](err)
	require.True(t, ok, "%T", err)
	assert.Equal(t, "403 Forbidden - Runner associated with more than one project", e.Message)
	assert.Equal(t, "DELETE", e.Method)
	assert.Equal(t, "/api/v4/runners/4117", e.Path)
}
