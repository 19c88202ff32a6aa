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

// fleet seeds one runner per interesting state; IDs in the comments.
func fleet(t *testing.T) (*glrunnerstest.Server, map[string]int64) {
	t.Helper()
	srv := newServer(t)
	g := srv.AddGroup(glrunnerstest.Group{Name: "ops"})
	p := srv.AddProject(glrunnerstest.Project{Name: "app", GroupID: g})
	ids := map[string]int64{
		"online":       srv.AddRunner(glrunnerstest.Runner{Description: "online", Status: glrunnerstest.StatusOnline, TagList: []string{"docker", "linux"}}),
		"offline":      srv.AddRunner(glrunnerstest.Runner{Description: "offline", Status: glrunnerstest.StatusOffline, TagList: []string{"docker"}}),
		"stale":        srv.AddRunner(glrunnerstest.Runner{Description: "stale", Status: glrunnerstest.StatusStale, RunnerType: glrunnerstest.GroupType, GroupID: g}),
		"staleNever":   srv.AddRunner(glrunnerstest.Runner{Description: "stale-never", CreatedAt: fixedNow.AddDate(0, 0, -30), RunnerType: glrunnerstest.ProjectType, ProjectIDs: []int64{p}}),
		"never":        srv.AddRunner(glrunnerstest.Runner{Description: "never", Status: glrunnerstest.StatusNeverContacted}),
		"pausedOnline": srv.AddRunner(glrunnerstest.Runner{Description: "paused", Status: glrunnerstest.StatusPaused, TagList: []string{"docker", "linux", "arm64"}}),
	}
	srv.AddManager(ids["online"], glrunnerstest.Manager{Version: "17.9.1"})
	srv.AddManager(ids["offline"], glrunnerstest.Manager{Version: "16.11.3"})
	srv.AddManager(ids["pausedOnline"], glrunnerstest.Manager{Version: "160.0.0"})
	return srv, ids
}

func TestAddRunner_statusConvenience(t *testing.T) {
	t.Parallel()
	srv, ids := fleet(t)
	want := map[string]glrunnerstest.RunnerStatus{"online": glrunnerstest.StatusOnline, "offline": glrunnerstest.StatusOffline, "stale": glrunnerstest.StatusStale,
		"staleNever": glrunnerstest.StatusStale, "never": glrunnerstest.StatusNeverContacted, "pausedOnline": glrunnerstest.StatusPaused}
	for name, status := range want {
		r, ok := srv.Runner(ids[name])
		require.True(t, ok)
		assert.Equal(t, status, r.Status, name)
	}
	var got []struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
		Online *bool  `json:"online"`
		Paused bool   `json:"paused"`
		Active bool   `json:"active"`
	}
	get(t, srv, "/runners/all?per_page=100", srv.AdminToken()).decode(t, &got)
	require.Len(t, got, 6)
	byID := map[int64]int{}
	for i, r := range got {
		byID[r.ID] = i
	}
	paused := got[byID[ids["pausedOnline"]]]
	assert.Equal(t, "paused", paused.Status)
	require.NotNil(t, paused.Online)
	assert.True(t, *paused.Online, "a paused runner that talks to GitLab is online")
	assert.False(t, paused.Active)
	assert.Nil(t, got[byID[ids["never"]]].Online, "never contacted: online is null")
	require.NotNil(t, got[byID[ids["offline"]]].Online)
	assert.False(t, *got[byID[ids["offline"]]].Online)
}

func TestListAll_filters(t *testing.T) {
	t.Parallel()
	srv, ids := fleet(t)
	id := func(names ...string) []int64 {
		out := []int64{}
		for _, n := range names {
			out = append(out, ids[n])
		}
		return out
	}
	rows := []struct {
		query string
		want  []int64
	}{
		{"", id("online", "offline", "stale", "staleNever", "never", "pausedOnline")},
		{"type=group_type", id("stale")},
		{"type=instance_type&paused=false", id("online", "offline", "never")},
		{"status=online", id("online", "pausedOnline")},
		{"status=offline", id("offline", "stale")}, // stale runners that contacted are offline too
		{"status=never_contacted", id("staleNever", "never")},
		{"status=stale", id("stale", "staleNever")},
		{"status=active", id("online", "offline", "stale", "staleNever", "never")},
		{"status=paused", id("pausedOnline")},
		{"paused=true", id("pausedOnline")},
		{"tag_list=docker", id("online", "offline", "pausedOnline")},
		{"tag_list=docker,linux", id("online", "pausedOnline")},
		{"tag_list[]=linux&tag_list[]=arm64", id("pausedOnline")},
		{"version_prefix=16", id("offline", "pausedOnline")}, // a plain prefix match, as GitLab's LIKE
		{"version_prefix=17.9", id("online")},
		{"version_prefix=17.9.1", id("online")},
		{"scope=specific", id("stale", "staleNever")},
		{"scope=shared", id("online", "offline", "never", "pausedOnline")},
		{"scope=online&type=instance_type", id("online", "pausedOnline")},
		{"status=offline&tag_list=docker", id("offline")},
	}
	for _, row := range rows {
		res := get(t, srv, "/runners/all?"+row.query, srv.AdminToken())
		require.Equal(t, http.StatusOK, res.status, "%s: %s", row.query, res.body)
		assert.Equal(t, row.want, res.ids(t), row.query)
	}
}

func TestListFilters_errors(t *testing.T) {
	t.Parallel()
	srv, _ := fleet(t)
	rows := []struct{ path, body string }{
		{"/runners?type=docker", `{"error":"type does not have a valid value"}`},
		{"/runners/all?status=busy", `{"error":"status does not have a valid value"}`},
		{"/runners?paused=maybe", `{"error":"paused is invalid"}`},
		{"/runners?version_prefix=v17", `{"error":"version_prefix is invalid"}`},
		{"/runners?scope=bogus", `{"error":"scope does not have a valid value"}`},
		{"/runners?scope=specific", `{"message":"Scope contains invalid value"}`},
		{"/runners?scope=instance_type", `{"message":"Scope contains invalid value"}`},
		{"/runners?per_page=0", `{"error":"per_page has a value not allowed"}`},
		{"/runners?per_page=-5", `{"error":"per_page does not have a valid value"}`},
		{"/runners?page=x", `{"error":"page is invalid"}`},
		{"/runners/abc", `{"error":"id is invalid"}`},
		{"/runners/999", `{"message":"404 Runner Not Found"}`},
	}
	for _, row := range rows {
		res := get(t, srv, row.path, srv.AdminToken())
		want := http.StatusBadRequest
		if strings.Contains(row.body, "404") {
			want = http.StatusNotFound
		}
		assert.Equal(t, want, res.status, row.path)
		assert.JSONEq(t, row.body, string(res.body), row.path)
	}
	// GET /runners accepts status-like scopes.
	res := get(t, srv, "/runners?scope=never_contacted", srv.AdminToken())
	assert.Equal(t, http.StatusOK, res.status)
	assert.Len(t, res.ids(t), 2)
}

func TestPagination_headers(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for i := range 45 {
		srv.AddRunner(glrunnerstest.Runner{Description: fmt.Sprint("r", i)})
	}
	res := get(t, srv, "/runners/all?type=instance_type&page=2", srv.AdminToken())
	require.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, []int64{21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40}, res.ids(t))
	h := res.header
	assert.Equal(t, "2", h.Get("X-Page"))
	assert.Equal(t, "20", h.Get("X-Per-Page"))
	assert.Equal(t, "3", h.Get("X-Next-Page"))
	assert.Equal(t, "1", h.Get("X-Prev-Page"))
	assert.Equal(t, "45", h.Get("X-Total"))
	assert.Equal(t, "3", h.Get("X-Total-Pages"))
	base := srv.URL() + "/api/v4/runners/all?"
	assert.Equal(t, "<"+base+`page=1&per_page=20&type=instance_type>; rel="prev", `+
		"<"+base+`page=3&per_page=20&type=instance_type>; rel="next", `+
		"<"+base+`page=1&per_page=20&type=instance_type>; rel="first", `+
		"<"+base+`page=3&per_page=20&type=instance_type>; rel="last"`, h.Get("Link"))

	last := get(t, srv, "/runners/all?page=3&per_page=20", srv.AdminToken())
	assert.Len(t, last.ids(t), 5)
	assert.Equal(t, "", last.header.Get("X-Next-Page"))
	_, present := last.header["X-Next-Page"]
	assert.True(t, present, "X-Next-Page is sent empty on the last page")
	assert.NotContains(t, last.header.Get("Link"), `rel="next"`)

	past := get(t, srv, "/runners/all?page=9", srv.AdminToken())
	assert.Equal(t, "[]", string(past.body))
	assert.Equal(t, "", past.header.Get("X-Next-Page"))
	assert.Equal(t, "", past.header.Get("X-Prev-Page"))
	assert.Equal(t, "45", past.header.Get("X-Total"))

	clamped := get(t, srv, "/runners/all?per_page=500", srv.AdminToken())
	assert.Equal(t, "100", clamped.header.Get("X-Per-Page"))
	assert.Len(t, clamped.ids(t), 45)
	assert.Equal(t, "1", clamped.header.Get("X-Total-Pages"))

	empty := get(t, srv, "/runners/all?type=group_type", srv.AdminToken())
	assert.Equal(t, "[]", string(empty.body))
	assert.Equal(t, "0", empty.header.Get("X-Total"))
	assert.Equal(t, "1", empty.header.Get("X-Total-Pages"))
}

func TestPagination_linkUsesRequestHost(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for range 3 {
		srv.AddRunner(glrunnerstest.Runner{})
	}
	req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL()+"/api/v4/runners?per_page=1", nil)
	require.NoError(t, err)
	req.Host = "gitlab.example.test:8443"
	req.Header.Set("PRIVATE-TOKEN", srv.AdminToken())
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Contains(t, res.Header.Get("Link"), `<http://gitlab.example.test:8443/api/v4/runners?page=2&per_page=1>; rel="next"`)
}

func TestPagination_totalsOmittedPast10000(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for range 10000 {
		srv.AddRunner(glrunnerstest.Runner{RunnerType: glrunnerstest.InstanceType})
	}
	at := get(t, srv, "/runners/all?per_page=100&page=100", srv.AdminToken())
	require.Equal(t, http.StatusOK, at.status)
	assert.Equal(t, "10000", at.header.Get("X-Total"))
	assert.Equal(t, "100", at.header.Get("X-Total-Pages"))
	assert.Contains(t, at.header.Get("Link"), `rel="last"`)
	assert.Equal(t, "", at.header.Get("X-Next-Page"))
	ids := at.ids(t)
	assert.Equal(t, int64(9901), ids[0])
	assert.Equal(t, int64(10000), ids[99])

	srv.AddRunner(glrunnerstest.Runner{})
	past := get(t, srv, "/runners/all?per_page=100&page=100", srv.AdminToken())
	require.Equal(t, http.StatusOK, past.status)
	for _, h := range []string{"X-Total", "X-Total-Pages"} {
		_, ok := past.header[h]
		assert.False(t, ok, "%s must be absent past 10,000 items", h)
	}
	assert.NotContains(t, past.header.Get("Link"), `rel="last"`)
	assert.Contains(t, past.header.Get("Link"), `rel="next"`)
	assert.Equal(t, "101", past.header.Get("X-Next-Page"))
	final := get(t, srv, "/runners/all?per_page=100&page=101", srv.AdminToken())
	assert.Equal(t, []int64{10001}, final.ids(t))
	assert.Equal(t, "", final.header.Get("X-Next-Page"))
	assert.Equal(t, "100", final.header.Get("X-Prev-Page"))
}

func TestProjectAndGroupLists(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	top := srv.AddGroup(glrunnerstest.Group{Name: "Platform"})
	sub := srv.AddGroup(glrunnerstest.Group{Name: "Networking", ParentID: top})
	other := srv.AddGroup(glrunnerstest.Group{Name: "Other", InstanceRunnersDisabled: true})
	p := srv.AddProject(glrunnerstest.Project{Name: "edge proxy", GroupID: sub})
	noShared := srv.AddProject(glrunnerstest.Project{Name: "quiet", GroupID: sub, InstanceRunnersDisabled: true, GroupRunnersDisabled: true})
	inst := srv.AddRunner(glrunnerstest.Runner{})
	topRunner := srv.AddRunner(glrunnerstest.Runner{RunnerType: glrunnerstest.GroupType, GroupID: top})
	subRunner := srv.AddRunner(glrunnerstest.Runner{RunnerType: glrunnerstest.GroupType, GroupID: sub})
	otherRunner := srv.AddRunner(glrunnerstest.Runner{RunnerType: glrunnerstest.GroupType, GroupID: other})
	projRunner := srv.AddRunner(glrunnerstest.Runner{RunnerType: glrunnerstest.ProjectType, ProjectIDs: []int64{p}})
	quietRunner := srv.AddRunner(glrunnerstest.Runner{RunnerType: glrunnerstest.ProjectType, ProjectIDs: []int64{noShared}})
	admin := srv.AdminToken()

	assert.Equal(t, []int64{inst, topRunner, subRunner, projRunner},
		get(t, srv, "/projects/platform%2Fnetworking%2Fedge-proxy/runners", admin).ids(t))
	assert.Equal(t, []int64{projRunner}, get(t, srv, fmt.Sprintf("/projects/%d/runners?type=project_type", p), admin).ids(t))
	assert.Equal(t, []int64{quietRunner}, get(t, srv, fmt.Sprintf("/projects/%d/runners", noShared), admin).ids(t))
	assert.Equal(t, []int64{topRunner, subRunner}, get(t, srv, "/projects/platform%2Fnetworking%2Fedge-proxy/runners?scope=specific&type=group_type", admin).ids(t))

	assert.Equal(t, []int64{inst, topRunner, subRunner}, get(t, srv, "/groups/platform%2Fnetworking/runners", admin).ids(t))
	assert.Equal(t, []int64{inst, topRunner}, get(t, srv, fmt.Sprintf("/groups/%d/runners", top), admin).ids(t))
	assert.Equal(t, []int64{otherRunner}, get(t, srv, fmt.Sprintf("/groups/%d/runners", other), admin).ids(t))
	assert.Equal(t, []int64{}, get(t, srv, fmt.Sprintf("/groups/%d/runners?type=project_type", sub), admin).ids(t))
	assert.Equal(t, []int64{subRunner}, get(t, srv, fmt.Sprintf("/groups/%d/runners?type=group_type&scope=ignored&per_page=1&page=2", sub), admin).ids(t))

	nf := get(t, srv, "/projects/platform%2Fnope/runners", admin)
	assert.Equal(t, http.StatusNotFound, nf.status)
	assert.JSONEq(t, `{"message":"404 Project Not Found"}`, string(nf.body))
	gnf := get(t, srv, "/groups/999999/runners", admin)
	assert.JSONEq(t, `{"message":"404 Group Not Found"}`, string(gnf.body))
}

func TestSeeding10001IsFast(t *testing.T) {
	t.Parallel()
	// Not a timing assertion: listing walks the runners once, so a filtered
	// list over 10,001 runners returns the right page.
	srv := newServer(t)
	for i := range 10001 {
		r := glrunnerstest.Runner{Status: glrunnerstest.StatusOnline}
		if i%1000 == 0 {
			r.Status, r.CreatedAt = "stale", fixedNow.Add(-60*24*time.Hour)
		}
		srv.AddRunner(r)
	}
	res := get(t, srv, "/runners/all?status=stale&per_page=100", srv.AdminToken())
	assert.Equal(t, []int64{1, 1001, 2001, 3001, 4001, 5001, 6001, 7001, 8001, 9001, 10001}, res.ids(t))
	assert.Equal(t, "11", res.header.Get("X-Total"))
	assert.Len(t, srv.Runners(), 10001)
}
