package glrunners

import (
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGroupsListRunners_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	page := fixture(t, "runner_list.json")
	mux.HandleFunc("GET /api/v4/groups/{id}/runners", func(w http.ResponseWriter, r *http.Request) {
		assertUserRequest(t, r, "/api/v4/groups/platform%2Fnetworking/runners", url.Values{
			"type": {"group_type"}, "status": {"online"}, "paused": {"true"},
			"tag_list": {"arm64"}, "version_prefix": {"16.1."}, "page": {"1"}, "per_page": {"20"},
		})
		w.Header().Set("X-Page", "1")
		w.Header().Set("X-Next-Page", "")
		writeJSON(w, http.StatusOK, string(page))
	})
	got, resp, err := c.Groups.ListRunners(t.Context(), Path("platform/networking"), &ListGroupRunnersOptions{
		ListOptions: ListOptions{Page: 1, PerPage: 20},
		Type:        GroupType, Status: StatusOnline, Paused: Ptr(true),
		TagList: []string{"arm64"}, VersionPrefix: "16.1.",
	})
	require.NoError(t, err)
	assert.Equal(t, wantRunnerList(), got)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 1, resp.CurrentPage)
	assert.Zero(t, resp.NextPage)
}

func TestGroupsListRunners_nilOptions(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/v4/groups/{id}/runners", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/api/v4/groups/1904/runners", r.URL.EscapedPath())
		assert.Equal(t, url.Values{}, r.URL.Query())
		writeJSON(w, http.StatusOK, `[]`)
	})
	got, _, err := c.Groups.ListRunners(t.Context(), ID(1904), nil)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestGroupsListRunners_errors(t *testing.T) {
	t.Parallel()
	for _, tc := range []apiErrorCase{
		{"bad status", 400, `{"error":"status does not have a valid value"}`, ErrBadRequest, "status does not have a valid value", "status does not have a valid value"},
		{"unauthorized", 401, `{"message":"401 Unauthorized"}`, ErrUnauthorized, "401 Unauthorized", ""},
		{"forbidden", 403, `{"message":"403 Forbidden"}`, ErrForbidden, "403 Forbidden", ""},
		{"no group", 404, `{"message":"404 Group Not Found"}`, ErrNotFound, "404 Group Not Found", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var n atomic.Int32
			mux.HandleFunc("GET /api/v4/groups/1904/runners", serveCounting(&n, tc.status, tc.body))
			got, resp, err := c.Groups.ListRunners(t.Context(), ID(1904), nil)
			assert.Nil(t, got)
			checkAPIError(t, tc, http.MethodGet, "groups/1904/runners", resp, err)
		})
	}
}

func TestGroupsListRunners_validation(t *testing.T) {
	t.Parallel()
	tooMany := make([]string, 51)
	for i := range tooMany {
		tooMany[i] = "tag"
	}
	for _, tc := range []struct {
		name  string
		ref   Ref
		opt   *ListGroupRunnersOptions
		field string
	}{
		{"zero ref", Ref{}, nil, "id"},
		{"ID(0)", ID(0), nil, "id"},
		{"empty path", Path(""), nil, "id"},
		{"trailing slash", Path("grp/"), nil, "id"},
		{"bad type", ID(1), &ListGroupRunnersOptions{Type: "specific"}, "type"},
		{"project_type refused", ID(1), &ListGroupRunnersOptions{Type: ProjectType}, "type"},
		{"bad status", ID(1), &ListGroupRunnersOptions{Status: "busy"}, "status"},
		{"51 tags", ID(1), &ListGroupRunnersOptions{TagList: tooMany}, "tag_list"},
		{"blank tag", ID(1), &ListGroupRunnersOptions{TagList: []string{" "}}, "tag_list"},
		{"bad version prefix", ID(1), &ListGroupRunnersOptions{VersionPrefix: "latest"}, "version_prefix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			n := countRequests(mux)
			got, resp, err := c.Groups.ListRunners(t.Context(), tc.ref, tc.opt)
			assert.Nil(t, got)
			assert.Nil(t, resp)
			checkValidation(t, tc.field, err)
			for _, err := range c.Groups.ListRunnersIter(t.Context(), tc.ref, tc.opt) {
				checkValidation(t, tc.field, err)
			}
			assert.Zero(t, n.Load(), "no request may be sent")
		})
	}
}

func TestGroupsListRunnersIter_threePages(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	seen := servePages(t, mux, "GET /api/v4/groups/{id}/runners", "/api/v4/groups/1904/runners",
		url.Values{"type": {"instance_type"}, "paused": {"false"}}, threeRunnerPages)
	opt := &ListGroupRunnersOptions{Type: InstanceType, Paused: Ptr(false)}
	seq := c.Groups.ListRunnersIter(t.Context(), ID(1904), opt)
	got, err := Collect(seq)
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, runnerListIDs(got))
	assert.Equal(t, []string{"1", "2", "3"}, seen())

	// Ranging again starts over at page 1; an early break fetches no more.
	for r, err := range seq {
		require.NoError(t, err)
		assert.EqualValues(t, 1, r.ID)
		break
	}
	assert.Equal(t, []string{"1", "2", "3", "1"}, seen())
	assert.Equal(t, ListOptions{}, opt.ListOptions, "the caller's options are not changed")
}
