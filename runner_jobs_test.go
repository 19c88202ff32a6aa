package glrunners

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunnersListJobs_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	jobs := fixture(t, "runner_jobs.json")
	mux.HandleFunc("GET /api/v4/runners/{id}/jobs", func(w http.ResponseWriter, r *http.Request) {
		assertUserRequest(t, r, "/api/v4/runners/4102/jobs", url.Values{
			"system_id": {"s_5d1c9a0e7b34"}, "status": {"running"}, "order_by": {"id"}, "sort": {"desc"},
			"page": {"3"}, "per_page": {"2"},
		})
		writeJSON(w, http.StatusOK, string(jobs))
	})
	got, _, err := c.Runners.ListJobs(t.Context(), 4102, &ListRunnerJobsOptions{
		ListOptions: ListOptions{Page: 3, PerPage: 2},
		SystemID:    "s_5d1c9a0e7b34", Status: JobRunning, OrderBy: JobOrderByID, Sort: SortDesc,
	})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, int64(913344), got[0].ID)
	assert.Equal(t, JobRunning, got[0].Status)
	assert.Equal(t, "compile:linux-amd64", got[0].Name)
	assert.Equal(t, Ptr(212.48), got[0].Duration)
	assert.Nil(t, got[0].FinishedAt)
	assert.Equal(t, edgeProxy, got[0].Project)
	assert.Equal(t, int64(517730), got[0].Pipeline.ID)
	assert.Equal(t, *userOkafor, got[0].User.UserBasic)
	assert.Equal(t, int64(912987), got[1].ID)
	assert.Equal(t, JobFailed, got[1].Status)
	assert.Equal(t, "script_failure", got[1].FailureReason)
	assert.Equal(t, Ptr(71.4), got[1].Coverage)
	assert.Equal(t, edgeFirmware, got[1].Project)
}

func TestRunnersListJobsIter_offsetThreePages(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	servePages(t, mux, "GET /api/v4/runners/{id}/jobs", "/api/v4/runners/4102/jobs", url.Values{"status": {"failed"}},
		[]string{`[{"id":10},{"id":11}]`, `[{"id":12}]`, `[{"id":3000000001}]`})
	seq := c.Runners.ListJobsIter(t.Context(), 4102, &ListRunnerJobsOptions{Status: JobFailed})
	assert.Equal(t, []int64{10, 11, 12, 3000000001}, collectIDs(t, seq, idOfJob))
}

// A keyset walk follows the cursor of each page's Link rel="next" and ends
// on the page without one.
func TestRunnersListJobsIter_keysetFollowsLinkCursor(t *testing.T) {
	t.Parallel()
	c, mux, srv := setup(t)
	pages := map[string]struct{ body, next string }{
		"":                 {`[{"id":30},{"id":29}]`, "eyJpZCI6IjI5In0="},
		"eyJpZCI6IjI5In0=": {`[{"id":28},{"id":27}]`, "eyJpZCI6IjI3In0="},
		"eyJpZCI6IjI3In0=": {`[{"id":26}]`, ""},
	}
	var cursors []string
	mux.HandleFunc("GET /api/v4/runners/{id}/jobs", func(w http.ResponseWriter, r *http.Request) {
		assertUserAuth(t, r)
		assert.Equal(t, "/api/v4/runners/4102/jobs", r.URL.EscapedPath())
		cursor := r.URL.Query().Get("cursor")
		cursors = append(cursors, cursor)
		want := url.Values{"pagination": {"keyset"}, "per_page": {"100"}, "order_by": {"id"}}
		if cursor != "" {
			want["cursor"] = []string{cursor}
		}
		assert.Equal(t, want, r.URL.Query())
		p, ok := pages[cursor]
		if !assert.True(t, ok, "unknown cursor %q", cursor) {
			writeJSON(w, http.StatusBadRequest, `{"error":"cursor"}`)
			return
		}
		if p.next != "" {
			next := url.Values{"cursor": {p.next}, "order_by": {"id"}, "pagination": {"keyset"}, "per_page": {"100"}}
			w.Header().Set("Link", `<`+srv.URL+`/api/v4/runners/4102/jobs?`+next.Encode()+`>; rel="next"`)
		}
		writeJSON(w, http.StatusOK, p.body)
	})
	opt := &ListRunnerJobsOptions{KeysetOptions: KeysetOptions{Pagination: PaginationKeyset}, OrderBy: JobOrderByID}
	assert.Equal(t, []int64{30, 29, 28, 27, 26}, collectIDs(t, c.Runners.ListJobsIter(t.Context(), 4102, opt), idOfJob))
	assert.Equal(t, []string{"", "eyJpZCI6IjI5In0=", "eyJpZCI6IjI3In0="}, cursors)
	assert.Empty(t, opt.Cursor, "caller's options untouched")
}

func TestRunnersListJobs_keysetPageCarriesNextCursor(t *testing.T) {
	t.Parallel()
	c, mux, srv := setup(t)
	mux.HandleFunc("GET /api/v4/runners/{id}/jobs", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, url.Values{"pagination": {"keyset"}, "cursor": {"abc"}}, r.URL.Query())
		w.Header().Set("Link", `<`+srv.URL+`/api/v4/runners/7/jobs?cursor=def&pagination=keyset>; rel="next"`)
		writeJSON(w, http.StatusOK, `[{"id":5}]`)
	})
	got, resp, err := c.Runners.ListJobs(t.Context(), 7, &ListRunnerJobsOptions{
		KeysetOptions: KeysetOptions{Pagination: PaginationKeyset, Cursor: "abc"},
	})
	require.NoError(t, err)
	assert.Equal(t, int64(5), got[0].ID)
	assert.Equal(t, "def", resp.NextCursor)
}

// ListJobs turns its documented error answers into an *Error with the
// status, the sentinel and GitLab's body.
func TestRunnersListJobs_errors(t *testing.T) {
	t.Parallel()
	testEndpointErrors(t, []endpointErrors{
		{"ListJobs", "GET /api/v4/runners/{id}/jobs", []errorAnswer{
			{400, `{"error":"status does not have a valid value"}`, ErrBadRequest},
			{401, `{"message":"401 Unauthorized"}`, ErrUnauthorized},
			{403, `{"message":"403 Forbidden - No access granted"}`, ErrForbidden},
			{404, `{"message":"404 Runner Not Found"}`, ErrNotFound},
			{405, `{"error":"Keyset pagination is not yet available for this type of request"}`, ErrMethodNotAllowed},
		}, callListJobs(4102, &ListRunnerJobsOptions{KeysetOptions: KeysetOptions{Pagination: PaginationKeyset}})},
	})
}
