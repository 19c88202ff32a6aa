package glrunners

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Test helpers of the project, group and token endpoint tests.

// pgCountRequests registers a catch-all handler counting every request that
// no more specific pattern of the test took: validation tests expect zero.
func pgCountRequests(mux *http.ServeMux) *atomic.Int32 {
	var n atomic.Int32
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		writeJSON(w, http.StatusTeapot, `{"message":"unexpected request"}`)
	})
	return &n
}

// pgAPIError is one documented error answer and what the client must make
// of it.
type pgAPIError struct {
	name     string
	status   int
	body     string
	sentinel error
	message  string // the expected Error.Message
	code     string // the expected Error.Code ("" when the body has no error key)
}

// pgServe answers every request with status and body, counting them.
func pgServe(n *atomic.Int32, status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		writeJSON(w, status, body)
	}
}

// pgCheckAPIError asserts that err is the *Error of tc for method and path
// (escaped, under /api/v4/), and that resp carries the status too.
func pgCheckAPIError(t *testing.T, tc pgAPIError, method, path string, resp *Response, err error) {
	t.Helper()
	require.Error(t, err)
	e, ok := errors.AsType[*Error](err)
	require.True(t, ok, "want *Error, got %T: %v", err, err)
	assert.Equal(t, tc.status, e.StatusCode)
	assert.ErrorIs(t, err, tc.sentinel)
	assert.Equal(t, method, e.Method)
	assert.Equal(t, "/api/v4/"+path, e.Path)
	assert.Equal(t, tc.message, e.Message)
	assert.Equal(t, tc.code, e.Code)
	if assert.NotNil(t, resp) {
		assert.Equal(t, tc.status, resp.StatusCode)
	}
}

// pgCheckValidation asserts that err is a *ValidationError for field.
func pgCheckValidation(t *testing.T, field string, err error) {
	t.Helper()
	ve, ok := errors.AsType[*ValidationError](err)
	if assert.True(t, ok, "want *ValidationError, got %T: %v", err, err) {
		assert.Equal(t, field, ve.Field)
		assert.NotEmpty(t, ve.Reason)
	}
}

func pgIDs(rs []*Runner) []int64 {
	ids := make([]int64, 0, len(rs))
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

// pgRunnerList is testdata/runner_list.json, written out field by field.
func pgRunnerList() []*Runner {
	at := func(y int, mo time.Month, d, h, mi, s, ms int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ms*int(time.Millisecond), time.UTC)
	}
	return []*Runner{
		{
			ID: 4102, Description: Ptr("fleet-amd64-01 (docker-autoscaler)"), IPAddress: nil,
			Active: true, Paused: false, IsShared: false, RunnerType: GroupType,
			Name: Ptr("fleet-amd64-01"), Online: Ptr(true),
			CreatedBy: &UserBasic{
				ID: 311, Username: "mhartley", PublicEmail: Ptr(""), Name: "Maya Hartley",
				State: "active", Locked: false,
				AvatarURL: Ptr("https://gitlab.example.test/uploads/-/system/user/avatar/311/avatar.png"),
				WebURL:    "https://gitlab.example.test/mhartley",
			},
			CreatedAt: at(2025, time.January, 14, 8, 22, 51, 604),
			Status:    StatusOnline, JobExecutionStatus: JobExecutionActive,
		},
		{
			ID: 4117, Description: Ptr("edge-arm64-builder"), IPAddress: nil,
			Active: false, Paused: true, IsShared: false, RunnerType: ProjectType,
			Name: Ptr("edge-arm64-builder"), Online: Ptr(true),
			CreatedBy: &UserBasic{
				ID: 528, Username: "okafor.d", PublicEmail: Ptr("dayo.okafor@example.test"), Name: "Dayo Okafor",
				State: "active", Locked: false,
				AvatarURL: Ptr("https://gitlab.example.test/uploads/-/system/user/avatar/528/avatar.png"),
				WebURL:    "https://gitlab.example.test/okafor.d",
			},
			CreatedAt: at(2025, time.February, 3, 15, 47, 9, 331),
			Status:    StatusPaused, JobExecutionStatus: JobExecutionIdle,
		},
		{
			ID: 977, Description: Ptr("spare shared runner (not yet started)"), IPAddress: nil,
			Active: true, Paused: false, IsShared: true, RunnerType: InstanceType,
			Name: nil, Online: nil, CreatedBy: nil,
			CreatedAt: at(2025, time.March, 19, 10, 5, 40, 18),
			Status:    StatusNeverContacted, JobExecutionStatus: JobExecutionIdle,
		},
		{
			ID: 2650, Description: Ptr("old-windows-runner"), IPAddress: Ptr(""),
			Active: true, Paused: false, IsShared: false, RunnerType: ProjectType,
			Name: Ptr("win-2019-build"), Online: Ptr(false),
			CreatedBy: &UserBasic{
				ID: 87, Username: "lin.zhao", PublicEmail: nil, Name: "Lin Zhao",
				State: "blocked", Locked: false, AvatarURL: nil,
				WebURL: "https://gitlab.example.test/lin.zhao",
			},
			CreatedAt: at(2024, time.June, 10, 7, 31, 12, 900),
			Status:    StatusStale, JobExecutionStatus: JobExecutionIdle,
		},
	}
}

// pgThreePages serves a list of runners 1..5 over three pages at pattern,
// asserting the exact path and query of each page request (per_page=100,
// page=N, plus filters). It returns the pages asked for, in order.
func pgThreePages(t *testing.T, mux *http.ServeMux, pattern, escapedPath string, filters url.Values) func() []string {
	bodies := map[string]string{"1": `[{"id":1},{"id":2}]`, "2": `[{"id":3},{"id":4}]`, "3": `[{"id":5}]`}
	next := map[string]string{"1": "2", "2": "3", "3": ""}
	var mu sync.Mutex
	var seen []string
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		mu.Lock()
		seen = append(seen, page)
		mu.Unlock()
		want := url.Values{"page": {page}, "per_page": {"100"}}
		maps.Copy(want, filters)
		assert.Equal(t, escapedPath, r.URL.EscapedPath())
		assert.Equal(t, want, r.URL.Query())
		assert.Equal(t, testToken, r.Header.Get("PRIVATE-TOKEN"))
		body, ok := bodies[page]
		if !assert.True(t, ok, "unexpected page %q", page) {
			writeJSON(w, http.StatusBadRequest, `{"error":"page is invalid"}`)
			return
		}
		w.Header().Set("X-Page", page)
		w.Header().Set("X-Per-Page", "100")
		w.Header().Set("X-Next-Page", next[page])
		writeJSON(w, http.StatusOK, body)
	})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}
