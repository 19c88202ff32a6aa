package glrunners

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProjectsListRunners_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	page := fixture(t, "runner_list.json")
	mux.HandleFunc("GET /api/v4/projects/{id}/runners", func(w http.ResponseWriter, r *http.Request) {
		assertUserRequest(t, r, "/api/v4/projects/platform%2Fnetworking%2Fedge-proxy/runners", url.Values{
			"scope": {"specific"}, "type": {"project_type"}, "status": {"online"}, "paused": {"false"},
			"tag_list": {"docker,linux"}, "version_prefix": {"17.9"}, "page": {"2"}, "per_page": {"50"},
		})
		w.Header().Set("X-Page", "2")
		w.Header().Set("X-Next-Page", "3")
		w.Header().Set("X-Total", "120")
		w.Header().Set("X-Total-Pages", "3")
		writeJSON(w, http.StatusOK, string(page))
	})
	got, resp, err := c.Projects.ListRunners(t.Context(), Path("platform/networking/edge-proxy"), &ListRunnersOptions{
		ListOptions: ListOptions{Page: 2, PerPage: 50},
		Scope:       ScopeSpecific, // the full scope set is allowed on projects
		Type:        ProjectType, Status: StatusOnline, Paused: Ptr(false),
		TagList: []string{"docker", "linux"}, VersionPrefix: "17.9",
	})
	require.NoError(t, err)
	assert.Equal(t, wantRunnerList(), got)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 2, resp.CurrentPage)
	assert.Equal(t, 3, resp.NextPage)
	assert.Equal(t, 120, resp.TotalItems)
}

func TestProjectsListRunners_nilOptionsAndEdgeCases(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	page := fixture(t, "runner_list_edge_cases.json")
	mux.HandleFunc("GET /api/v4/projects/{id}/runners", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/api/v4/projects/42/runners", r.URL.EscapedPath())
		assert.Empty(t, r.URL.RawQuery)
		writeJSON(w, http.StatusOK, string(page))
	})
	got, _, err := c.Projects.ListRunners(t.Context(), ID(42), nil)
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, []int64{5001, 5002, 5003}, runnerListIDs(got))
	assert.Nil(t, got[0].Description)                                                     // "description": null
	assert.Equal(t, Ptr(""), got[0].IPAddress)                                            // "ip_address": ""
	assert.Equal(t, StatusPaused, got[0].Status)                                          // legacy status value
	assert.Nil(t, got[0].CreatedBy.PublicEmail)                                           // "public_email": null
	assert.True(t, got[0].CreatedBy.Locked)                                               // "locked": true
	assert.Equal(t, Ptr(""), got[1].Description)                                          // "description": ""
	assert.Nil(t, got[1].Online)                                                          // "online": null
	assert.Nil(t, got[1].CreatedBy)                                                       // key absent
	assert.True(t, got[1].CreatedAt.Equal(time.Date(2025, 3, 1, 8, 0, 0, 5e8, time.UTC))) // +02:00 offset
	assert.Equal(t, Ptr(false), got[2].Online)
	assert.True(t, got[2].CreatedAt.IsZero()) // key absent
	assert.Equal(t, JobExecutionStatus(""), got[2].JobExecutionStatus)
}

// Every method taking a project or group escapes its path exactly once.
func TestProjectsAndGroups_refEscaping(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ref  Ref
		want string
	}{
		{ID(42), "42"},
		{Path("a/b c"), "a%2Fb%20c"},
		{Path("grp/sub.proj-1_x"), "grp%2Fsub.proj-1_x"},
		{Path("grp/100%"), "grp%2F100%25"},
	} {
		t.Run(tc.ref.String(), func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var mu sync.Mutex
			var paths []string
			record := func(status int, body string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					assert.Empty(t, r.URL.RawQuery)
					mu.Lock()
					paths = append(paths, r.Method+" "+r.URL.EscapedPath())
					mu.Unlock()
					writeJSON(w, status, body)
				}
			}
			mux.HandleFunc("GET /api/v4/projects/{id}/runners", record(200, `[]`))
			mux.HandleFunc("POST /api/v4/projects/{id}/runners", record(201, `{"id":7}`))
			mux.HandleFunc("DELETE /api/v4/projects/{id}/runners/{rid}", record(204, ``))
			mux.HandleFunc("GET /api/v4/groups/{id}/runners", record(200, `[]`))
			mux.HandleFunc("POST /api/v4/projects/{id}/runners/reset_registration_token", record(201, `{"token":"x"}`))
			mux.HandleFunc("POST /api/v4/groups/{id}/runners/reset_registration_token", record(201, `{"token":"x"}`))
			ctx := t.Context()
			_, _, err := c.Projects.ListRunners(ctx, tc.ref, nil)
			require.NoError(t, err)
			_, _, err = c.Projects.AssignRunner(ctx, tc.ref, 7)
			require.NoError(t, err)
			_, err = c.Projects.UnassignRunner(ctx, tc.ref, 7)
			require.NoError(t, err)
			_, _, err = c.Groups.ListRunners(ctx, tc.ref, nil)
			require.NoError(t, err)
			_, _, err = c.Tokens.ResetProjectRegistrationToken(ctx, tc.ref)
			require.NoError(t, err)
			_, _, err = c.Tokens.ResetGroupRegistrationToken(ctx, tc.ref)
			require.NoError(t, err)
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, []string{
				"GET /api/v4/projects/" + tc.want + "/runners",
				"POST /api/v4/projects/" + tc.want + "/runners",
				"DELETE /api/v4/projects/" + tc.want + "/runners/7",
				"GET /api/v4/groups/" + tc.want + "/runners",
				"POST /api/v4/projects/" + tc.want + "/runners/reset_registration_token",
				"POST /api/v4/groups/" + tc.want + "/runners/reset_registration_token",
			}, paths)
		})
	}
}

func TestProjectsListRunners_errors(t *testing.T) {
	t.Parallel()
	for _, tc := range []apiErrorCase{
		{"bad scope", 400, `{"error":"scope does not have a valid value"}`, ErrBadRequest, "scope does not have a valid value", "scope does not have a valid value"},
		{"unauthorized", 401, `{"message":"401 Unauthorized"}`, ErrUnauthorized, "401 Unauthorized", ""},
		{"forbidden", 403, `{"message":"403 Forbidden"}`, ErrForbidden, "403 Forbidden", ""},
		{"no project", 404, `{"message":"404 Project Not Found"}`, ErrNotFound, "404 Project Not Found", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var n atomic.Int32
			mux.HandleFunc("GET /api/v4/projects/21342/runners", serveCounting(&n, tc.status, tc.body))
			got, resp, err := c.Projects.ListRunners(t.Context(), ID(21342), nil)
			assert.Nil(t, got)
			checkAPIError(t, tc, http.MethodGet, "projects/21342/runners", resp, err)
		})
	}
}

func TestProjectsListRunners_validation(t *testing.T) {
	t.Parallel()
	tooMany := make([]string, 51)
	for i := range tooMany {
		tooMany[i] = "t" + strings.Repeat("x", i%3)
	}
	for _, tc := range []struct {
		name  string
		ref   Ref
		opt   *ListRunnersOptions
		field string
	}{
		{"zero ref", Ref{}, nil, "id"},
		{"ID(0)", ID(0), nil, "id"},
		{"negative ID", ID(-3), nil, "id"},
		{"empty path", Path(""), nil, "id"},
		{"blank path", Path("  "), nil, "id"},
		{"dot-dot path", Path("a/../b"), nil, "id"},
		{"bad scope", ID(1), &ListRunnersOptions{Scope: "everything"}, "scope"},
		{"bad type", ID(1), &ListRunnersOptions{Type: "shared"}, "type"},
		{"bad status", ID(1), &ListRunnersOptions{Status: "sleeping"}, "status"},
		{"51 tags", ID(1), &ListRunnersOptions{TagList: tooMany}, "tag_list"},
		{"empty tag", ID(1), &ListRunnersOptions{TagList: []string{"docker", ""}}, "tag_list"},
		{"comma in tag", ID(1), &ListRunnersOptions{TagList: []string{"docker,linux"}}, "tag_list"},
		{"bad version prefix", ID(1), &ListRunnersOptions{VersionPrefix: "v17"}, "version_prefix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			n := countRequests(mux)
			got, resp, err := c.Projects.ListRunners(t.Context(), tc.ref, tc.opt)
			assert.Nil(t, got)
			assert.Nil(t, resp)
			checkValidation(t, tc.field, err)
			for _, err := range c.Projects.ListRunnersIter(t.Context(), tc.ref, tc.opt) {
				checkValidation(t, tc.field, err)
			}
			assert.Zero(t, n.Load(), "no request may be sent")
		})
	}
}

func TestProjectsListRunnersIter_threePages(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	seen := servePages(t, mux, "GET /api/v4/projects/{id}/runners", "/api/v4/projects/grp%2Fproj/runners",
		url.Values{"status": {"offline"}, "tag_list": {"docker,linux"}}, threeRunnerPages)
	opt := &ListRunnersOptions{Status: StatusOffline, TagList: []string{"docker", "linux"}}
	got, err := Collect(c.Projects.ListRunnersIter(t.Context(), Path("grp/proj"), opt))
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, runnerListIDs(got))
	assert.Equal(t, []string{"1", "2", "3"}, seen())
	assert.Equal(t, ListOptions{}, opt.ListOptions, "the caller's options are not changed")
}

func TestProjectsAssignRunner_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	body := fixture(t, "runner_assigned.json")
	mux.HandleFunc("POST /api/v4/projects/{id}/runners", func(w http.ResponseWriter, r *http.Request) {
		assertUserRequest(t, r, "/api/v4/projects/21342/runners", nil)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.JSONEq(t, `{"runner_id":4117}`, readBody(t, r))
		writeJSON(w, http.StatusCreated, string(body))
	})
	got, resp, err := c.Projects.AssignRunner(t.Context(), ID(21342), 4117)
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, wantRunnerList()[1], got) // the fixture repeats runner 4117 of runner_list.json
}

func TestProjectsAssignRunner_errors(t *testing.T) {
	t.Parallel()
	for _, tc := range []apiErrorCase{
		{"group runner", 403, `{"message":"403 Forbidden - Runner is a group runner"}`, ErrForbidden, "403 Forbidden - Runner is a group runner", ""},
		{"locked", 403, `{"message":"403 Forbidden - Runner is locked"}`, ErrForbidden, "403 Forbidden - Runner is locked", ""},
		{"no access", 403, `{"message":"403 Forbidden - No access granted"}`, ErrForbidden, "403 Forbidden - No access granted", ""},
		{"already assigned", 400, `{"message":"Runner has already been taken - runner_projects_taken"}`, ErrBadRequest, "Runner has already been taken - runner_projects_taken", ""},
		{"runner_id missing", 400, `{"error":"runner_id is missing"}`, ErrBadRequest, "runner_id is missing", "runner_id is missing"},
		{"unauthorized", 401, `{"message":"401 Unauthorized"}`, ErrUnauthorized, "401 Unauthorized", ""},
		{"no runner", 404, `{"message":"404 Runner Not Found"}`, ErrNotFound, "404 Runner Not Found", ""},
		{"no project", 404, `{"message":"404 Project Not Found"}`, ErrNotFound, "404 Project Not Found", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var n atomic.Int32
			mux.HandleFunc("POST /api/v4/projects/21342/runners", serveCounting(&n, tc.status, tc.body))
			got, resp, err := c.Projects.AssignRunner(t.Context(), ID(21342), 4117)
			assert.Nil(t, got)
			checkAPIError(t, tc, http.MethodPost, "projects/21342/runners", resp, err)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown)
			assert.EqualValues(t, 1, n.Load())
		})
	}
}

// An assignment is a POST: a 5xx may have assigned the runner, so it is
// neither retried nor reported as a plain failure.
func TestProjectsAssignRunner_serverErrorNotRetried(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var n atomic.Int32
	mux.HandleFunc("POST /api/v4/projects/21342/runners", serveCounting(&n, 502, `{"message":"502 Bad Gateway"}`))
	_, _, err := c.Projects.AssignRunner(t.Context(), ID(21342), 4117)
	assert.ErrorIs(t, err, ErrServer)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.EqualValues(t, 1, n.Load())
}

func TestProjectsAssignRunner_validation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		ref      Ref
		runnerID int64
		field    string
	}{
		{"zero ref", Ref{}, 1, "id"},
		{"ID(0)", ID(0), 1, "id"},
		{"empty path", Path(""), 1, "id"},
		{"runner 0", ID(1), 0, "runner_id"},
		{"runner -1", Path("a/b"), -1, "runner_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			n := countRequests(mux)
			got, resp, err := c.Projects.AssignRunner(t.Context(), tc.ref, tc.runnerID)
			assert.Nil(t, got)
			assert.Nil(t, resp)
			checkValidation(t, tc.field, err)
			resp, err = c.Projects.UnassignRunner(t.Context(), tc.ref, tc.runnerID)
			assert.Nil(t, resp)
			checkValidation(t, tc.field, err)
			assert.Zero(t, n.Load(), "no request may be sent")
		})
	}
}

func TestProjectsUnassignRunner_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("DELETE /api/v4/projects/{id}/runners/{runner_id}", func(w http.ResponseWriter, r *http.Request) {
		assertUserRequest(t, r, "/api/v4/projects/a%2Fb%20c/runners/4117", nil)
		assert.Empty(t, r.Header.Get("If-Unmodified-Since"))
		assert.Empty(t, readBody(t, r))
		w.WriteHeader(http.StatusNoContent)
	})
	resp, err := c.Projects.UnassignRunner(t.Context(), Path("a/b c"), 4117)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
}

func TestProjectsUnassignRunner_errors(t *testing.T) {
	t.Parallel()
	const ownerMsg = "403 Forbidden - You cannot unassign a runner from the owner project. Delete the runner instead"
	for _, tc := range []apiErrorCase{
		{"owner project", 403, `{"message":"` + ownerMsg + `"}`, ErrForbidden, ownerMsg, ""},
		{"owner project, seed wording", 403, `{"message":"403 Forbidden - Only one project associated with the runner. Please remove the runner instead"}`,
			ErrForbidden, "403 Forbidden - Only one project associated with the runner. Please remove the runner instead", ""},
		{"locked", 403, `{"message":"403 Forbidden - Runner is locked"}`, ErrForbidden, "403 Forbidden - Runner is locked", ""},
		{"unauthorized", 401, `{"message":"401 Unauthorized"}`, ErrUnauthorized, "401 Unauthorized", ""},
		{"not assigned", 404, `{"message":"404 Runner Not Found"}`, ErrNotFound, "404 Runner Not Found", ""},
		{"no project", 404, `{"message":"404 Project Not Found"}`, ErrNotFound, "404 Project Not Found", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var n atomic.Int32
			mux.HandleFunc("DELETE /api/v4/projects/21342/runners/4117", serveCounting(&n, tc.status, tc.body))
			resp, err := c.Projects.UnassignRunner(t.Context(), ID(21342), 4117)
			checkAPIError(t, tc, http.MethodDelete, "projects/21342/runners/4117", resp, err)
			assert.EqualValues(t, 1, n.Load(), "4xx answers are not retried")
		})
	}
}

func TestProjectsUnassignRunner_preconditionFailed(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var n atomic.Int32
	mux.HandleFunc("DELETE /api/v4/projects/21342/runners/4117", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		assert.Equal(t, []string{"Thu, 20 Mar 2025 12:00:00 GMT"}, r.Header.Values("If-Unmodified-Since"))
		writeJSON(w, http.StatusPreconditionFailed, `{"message":"412 Precondition Failed"}`)
	})
	since := time.Date(2025, 3, 20, 13, 0, 0, 0, time.FixedZone("CET", 3600)) // sent in GMT
	resp, err := c.Projects.UnassignRunner(t.Context(), ID(21342), 4117, WithIfUnmodifiedSince(since))
	checkAPIError(t, apiErrorCase{status: 412, sentinel: ErrPreconditionFailed, message: "412 Precondition Failed"},
		http.MethodDelete, "projects/21342/runners/4117", resp, err)
	assert.EqualValues(t, 1, n.Load())
}
