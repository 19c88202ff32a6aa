package glrunners

import (
	"net/http"
	"net/url"
	"testing"
	"time"

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

func TestDecodeRunnerJobs(t *testing.T) {
	t.Parallel()
	got := decodeFixture[[]*RunnerJob](t, "runner_jobs.json", true)
	want := []*RunnerJob{
		{
			ID: 913344, Status: JobRunning, Stage: "build", Name: "compile:linux-amd64", Ref: "main", Tag: false,
			Coverage: nil, AllowFailure: false, CreatedAt: rfc3339("2025-03-20T11:31:02.118Z"),
			StartedAt: rfc3339p("2025-03-20T11:31:06.027Z"), FinishedAt: nil, ErasedAt: nil,
			Duration: Ptr(212.48), QueuedDuration: Ptr(3.909),
			User: &User{
				UserBasic: *userOkafor,
				CreatedAt: rfc3339("2021-11-08T14:02:37.560Z"), Bio: "", Location: Ptr("Lagos"),
				Linkedin: "", Twitter: "", Discord: "", Github: "", WebsiteURL: "",
				Organization: Ptr("Example Corp"), JobTitle: "Build engineer", Pronouns: nil, Bot: false,
				WorkInformation: Ptr("Build engineer at Example Corp"), Followers: 4, Following: 2,
				IsFollowed: false, LocalTime: Ptr("12:35 PM"),
			},
			Commit: &Commit{
				ID: "5e0c9b7a41d2f38e6a0b1c4d7e9f2a3b8c6d1e04", ShortID: "5e0c9b7a",
				CreatedAt:  rfc3339("2025-03-20T12:29:41.000+01:00"),
				ParentIDs:  []string{"a93f1c0e2b7d4465c8e1f0a2b3c4d5e6f7081920"},
				Title:      "Bump proxy buffer sizes for amd64 builds",
				Message:    "Bump proxy buffer sizes for amd64 builds\n\nChangelog: changed\n",
				AuthorName: "Dayo Okafor", AuthorEmail: "dayo.okafor@example.test",
				AuthoredDate:  rfc3339("2025-03-20T12:29:41.000+01:00"),
				CommitterName: "Dayo Okafor", CommitterEmail: "dayo.okafor@example.test",
				CommittedDate:    rfc3339("2025-03-20T12:29:41.000+01:00"),
				Trailers:         map[string]string{"Changelog": "changed"},
				ExtendedTrailers: map[string][]string{"Changelog": {"changed"}},
				WebURL:           "https://gitlab.example.test/platform/networking/edge-proxy/-/commit/5e0c9b7a41d2f38e6a0b1c4d7e9f2a3b8c6d1e04",
			},
			Pipeline: Pipeline{
				ID: 517730, IID: 1288, ProjectID: 20815, SHA: "5e0c9b7a41d2f38e6a0b1c4d7e9f2a3b8c6d1e04",
				Ref: "main", Status: JobRunning, Source: "push",
				CreatedAt: rfc3339("2025-03-20T11:31:01.884Z"), UpdatedAt: rfc3339("2025-03-20T11:31:06.540Z"),
				WebURL: "https://gitlab.example.test/platform/networking/edge-proxy/-/pipelines/517730",
			},
			FailureReason: "",
			WebURL:        "https://gitlab.example.test/platform/networking/edge-proxy/-/jobs/913344",
			Project:       edgeProxy,
		},
		{
			ID: 912987, Status: JobFailed, Stage: "test", Name: "firmware:unit", Ref: "release", Tag: false,
			Coverage: Ptr(71.4), AllowFailure: false, CreatedAt: rfc3339("2025-03-19T16:02:55.301Z"),
			StartedAt: rfc3339p("2025-03-19T16:03:20.740Z"), FinishedAt: rfc3339p("2025-03-19T16:09:48.112Z"),
			ErasedAt: nil, Duration: Ptr(387.372), QueuedDuration: Ptr(25.439),
			User: &User{
				UserBasic: *userMhartley,
				CreatedAt: rfc3339("2019-05-21T09:44:10.112Z"), Bio: "Firmware and CI plumbing.", Location: nil,
				Linkedin: "", Twitter: "", Discord: "", Github: "mhartley-dev",
				WebsiteURL: "https://hartley.example.test", Organization: nil, JobTitle: "",
				Pronouns: Ptr("she/her"), Bot: false, WorkInformation: nil, Followers: 12, Following: 9,
				IsFollowed: true, LocalTime: Ptr("11:35 AM"),
			},
			Commit: &Commit{
				ID: "0d4e8f1a2b3c5d6e7f8091a2b3c4d5e6f7a8b9c0", ShortID: "0d4e8f1a",
				CreatedAt: rfc3339("2025-03-19T15:58:12.000+00:00"),
				ParentIDs: []string{
					"f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e",
					"9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3",
				},
				Title:      "Merge branch 'fix-watchdog' into 'release'",
				Message:    "Merge branch 'fix-watchdog' into 'release'\n\nFix watchdog reset on cold boot\n\nSee merge request platform/networking/edge-firmware!214",
				AuthorName: "Maya Hartley", AuthorEmail: "maya.hartley@example.test",
				AuthoredDate:  rfc3339("2025-03-19T15:58:12.000+00:00"),
				CommitterName: "Maya Hartley", CommitterEmail: "maya.hartley@example.test",
				CommittedDate:    rfc3339("2025-03-19T15:58:12.000+00:00"),
				Trailers:         map[string]string{},
				ExtendedTrailers: map[string][]string{},
				WebURL:           "https://gitlab.example.test/platform/networking/edge-firmware/-/commit/0d4e8f1a2b3c5d6e7f8091a2b3c4d5e6f7a8b9c0",
			},
			Pipeline: Pipeline{
				ID: 517402, IID: 377, ProjectID: 21342, SHA: "0d4e8f1a2b3c5d6e7f8091a2b3c4d5e6f7a8b9c0",
				Ref: "release", Status: JobFailed, Source: "merge_request_event",
				CreatedAt: rfc3339("2025-03-19T16:02:54.967Z"), UpdatedAt: rfc3339("2025-03-19T16:09:49.020Z"),
				WebURL: "https://gitlab.example.test/platform/networking/edge-firmware/-/pipelines/517402",
			},
			FailureReason: "script_failure",
			WebURL:        "https://gitlab.example.test/platform/networking/edge-firmware/-/jobs/912987",
			Project:       edgeFirmware,
		},
	}
	assert.Equal(t, want, got)

	// The commit's zone offset survives decoding.
	c := got[0].Commit.CreatedAt
	assert.True(t, c.Equal(time.Date(2025, 3, 20, 11, 29, 41, 0, time.UTC)))
	_, offset := c.Zone()
	assert.Equal(t, 3600, offset)
	for _, j := range got {
		assert.True(t, j.Status.Valid(), j.Status)
		assert.True(t, j.Pipeline.Status.Valid(), j.Pipeline.Status)
	}
}

func TestDecodeRunnerJobsNullCommitAndUser(t *testing.T) {
	t.Parallel()
	got := decodeFixture[[]*RunnerJob](t, "runner_jobs_null_commit_user.json", false)
	want := []*RunnerJob{{
		ID: 3000000001, Status: JobPending, Stage: "deploy", Name: "deploy:production", Ref: "v2.4.0", Tag: true,
		AllowFailure: true, CreatedAt: rfc3339("2025-03-20T11:59:00.000Z"),
		Pipeline: Pipeline{
			ID: 517999, ProjectID: 20815, SHA: "1111111111111111111111111111111111111111", Ref: "v2.4.0",
			Status: JobPending,
		},
		WebURL: "https://gitlab.example.test/platform/networking/edge-proxy/-/jobs/3000000001",
		Project: ProjectIdentity{
			ID: 20815, Description: Ptr(""), Name: "edge-proxy", NameWithNamespace: "Platform / Networking / edge-proxy",
			Path: "edge-proxy", PathWithNamespace: "platform/networking/edge-proxy",
			CreatedAt: rfc3339("2023-09-04T13:02:44.118Z"),
		},
	}}
	assert.Equal(t, want, got)
	j := got[0]
	assert.Nil(t, j.User)
	assert.Nil(t, j.Commit)
	assert.Nil(t, j.Coverage)
	assert.Nil(t, j.Duration)
	assert.Nil(t, j.QueuedDuration)
	assert.Nil(t, j.StartedAt)
	assert.Greater(t, j.ID, int64(1<<31), "job IDs pass 2^31")
}
