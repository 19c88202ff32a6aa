package glrunners

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Test helpers shared by every test file of the package.

const (
	testToken = "glpat-TESTTOKEN0123456789abcdef"
	// testRegistrationToken and testRunnerToken are the runner-side secrets
	// the runner-token endpoints send in their bodies.
	testRegistrationToken = "GR1348941rtFAKEq7Zp2wXk9LmV4sTb"
	testRunnerToken       = "glrt-t2_rtFAKE-authentication-token"
)

// fastRetry keeps retry tests quick: real retries, no real waiting.
var fastRetry = RetryPolicy{MaxRetries: 3, WaitMin: time.Millisecond, WaitMax: time.Millisecond, MaxRetryAfter: 5 * time.Second}

var (
	longText    = strings.Repeat("é", 1025) // 1025 characters, 2050 bytes
	tooManyTags = strings.Split(strings.Repeat("t,", 50)+"t", ",")
)

// setup starts an httptest server and a client pointed at it. The mux
// serves under /api/v4/, as GitLab does.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux, *httptest.Server) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	all := append([]Option{WithToken(testToken), WithRetry(fastRetry)}, opts...)
	c, err := NewClient(srv.URL, all...)
	require.NoError(t, err)
	return c, mux, srv
}

// fixture reads testdata/name on the test goroutine.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// readBody reads r's body inside a handler.
func readBody(t *testing.T, r *http.Request) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	assert.NoError(t, err)
	return string(b)
}

// assertUserAuth asserts that r carries the user's credential.
func assertUserAuth(t *testing.T, r *http.Request) {
	t.Helper()
	assert.Equal(t, testToken, r.Header.Get("PRIVATE-TOKEN"))
}

// assertNoUserAuth asserts that r carries no user credential (runner-token
// endpoints).
func assertNoUserAuth(t *testing.T, r *http.Request) {
	t.Helper()
	assert.Empty(t, r.Header.Values("PRIVATE-TOKEN"))
	assert.Empty(t, r.Header.Values("Authorization"))
}

// assertUserRequest asserts that r carries the user's credential and has
// exactly the escaped path and the query (none when query is empty).
func assertUserRequest(t *testing.T, r *http.Request, escapedPath string, query url.Values) {
	t.Helper()
	assertUserAuth(t, r)
	assert.Equal(t, escapedPath, r.URL.EscapedPath())
	if len(query) == 0 {
		assert.Empty(t, r.URL.RawQuery)
		query = url.Values{}
	}
	assert.Equal(t, query, r.URL.Query())
}

// assertNoTokenInURL asserts that no runner-side token appears in r's URL,
// which has no query at all.
func assertNoTokenInURL(t *testing.T, r *http.Request) {
	t.Helper()
	for _, tok := range []string{testRegistrationToken, testRunnerToken} {
		assert.NotContains(t, r.RequestURI, tok)
		assert.NotContains(t, r.URL.String(), tok)
	}
	assert.Empty(t, r.URL.RawQuery)
}

// countRequests registers a catch-all handler counting every request that
// no more specific pattern of the test took: validation tests expect zero.
func countRequests(mux *http.ServeMux) *atomic.Int32 {
	var n atomic.Int32
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		writeJSON(w, http.StatusTeapot, `{"message":"unexpected request"}`)
	})
	return &n
}

// serveCounting answers every request with status and body, counting them.
func serveCounting(n *atomic.Int32, status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		writeJSON(w, status, body)
	}
}

// errorAnswer is one documented error answer of an endpoint.
type errorAnswer struct {
	status   int
	body     string
	sentinel error
}

// testErrorAnswers answers call with each case on pattern, in a subtest of
// its own, and checks that the call returns an *Error with the status, the
// sentinel and GitLab's body.
func testErrorAnswers(t *testing.T, pattern string, cases []errorAnswer, call func(ctx context.Context, c *Client) error) {
	t.Helper()
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d %s", tc.status, tc.body), func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, WithoutRetries())
			mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tc.status, tc.body)
			})
			err := call(t.Context(), c)
			e, ok := asType[*Error](err)
			require.True(t, ok, "want *Error, got %T: %v", err, err)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.ErrorIs(t, err, tc.sentinel)
			assert.Equal(t, tc.body, e.Body)
		})
	}
}

// apiErrorCase is one documented error answer and all the client must make
// of it.
type apiErrorCase struct {
	name     string
	status   int
	body     string
	sentinel error
	message  string // the expected Error.Message
	code     string // the expected Error.Code ("" when the body has no error key)
}

var unauthorizedCase = apiErrorCase{"unauthorized", 401, `{"message":"401 Unauthorized"}`, ErrUnauthorized, "401 Unauthorized", ""}

// checkAPIError asserts that err is the *Error of tc for method and path
// (escaped, under /api/v4/), and that resp carries the status too.
func checkAPIError(t *testing.T, tc apiErrorCase, method, path string, resp *Response, err error) {
	t.Helper()
	require.Error(t, err)
	e, ok := asType[*Error](err)
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

// checkValidation asserts that err is a *ValidationError for field.
func checkValidation(t *testing.T, field string, err error) {
	t.Helper()
	ve, ok := asType[*ValidationError](err)
	if assert.True(t, ok, "want *ValidationError, got %T: %v", err, err) {
		assert.Equal(t, field, ve.Field)
		assert.NotEmpty(t, ve.Reason)
	}
}

// refusedCall is one input a method must refuse before sending anything.
type refusedCall struct {
	name  string
	field string // the *ValidationError's Field
	call  func(ctx context.Context, c *Client) error
}

// checkRefused runs every case against a server that counts requests, and
// checks that each is a *ValidationError for its field and that nothing
// reached the server.
func checkRefused(t *testing.T, cases []refusedCall) {
	t.Helper()
	c, mux, _ := setup(t)
	requests := countRequests(mux)
	for _, tc := range cases {
		err := tc.call(t.Context(), c)
		ve, ok := asType[*ValidationError](err)
		if assert.True(t, ok, "%s: want *ValidationError, got %T: %v", tc.name, err, err) {
			assert.Equal(t, tc.field, ve.Field, "%s: %v", tc.name, err)
		}
	}
	assert.Zero(t, requests.Load(), "refused calls reached the server")
}

// threeRunnerPages are three pages of runners with IDs 1 to 5.
var threeRunnerPages = []string{`[{"id":1},{"id":2}]`, `[{"id":3},{"id":4}]`, `[{"id":5}]`}

// pageQuery is the query an iterator sends for page n, given the filters.
func pageQuery(filters url.Values, n int) url.Values {
	q := url.Values{"per_page": {"100"}, "page": {strconv.Itoa(n)}}
	for k, v := range filters {
		q[k] = v
	}
	return q
}

// servePages serves len(pages) offset pages on pattern, linked with
// X-Next-Page, and checks that page n is asked for with the user's
// credential, escapedPath and exactly pageQuery(filters, n). It returns the
// pages asked for so far, in order.
func servePages(t *testing.T, mux *http.ServeMux, pattern, escapedPath string, filters url.Values, pages []string) func() []string {
	var mu sync.Mutex
	var seen []string
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		mu.Lock()
		seen = append(seen, page)
		mu.Unlock()
		n, err := strconv.Atoi(page)
		if !assert.NoError(t, err) || !assert.True(t, n >= 1 && n <= len(pages), "page %d", n) {
			writeJSON(w, http.StatusBadRequest, `{"error":"page is invalid"}`)
			return
		}
		assertUserRequest(t, r, escapedPath, pageQuery(filters, n))
		w.Header().Set("X-Page", page)
		w.Header().Set("X-Per-Page", "100")
		if n < len(pages) {
			w.Header().Set("X-Next-Page", strconv.Itoa(n+1))
		} else {
			w.Header().Set("X-Next-Page", "")
		}
		writeJSON(w, http.StatusOK, pages[n-1])
	})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// collectIDs ranges over seq and returns the IDs of its items.
func collectIDs[T any](t *testing.T, seq iter.Seq2[*T, error], id func(*T) int64) []int64 {
	t.Helper()
	var ids []int64
	for it, err := range seq {
		require.NoError(t, err)
		ids = append(ids, id(it))
	}
	return ids
}

func idOfRunner(r *Runner) int64   { return r.ID }
func idOfJob(j *RunnerJob) int64   { return j.ID }
func idOfProject(p *Project) int64 { return p.ID }

// runnerListIDs returns the IDs of rs.
func runnerListIDs(rs []*Runner) []int64 {
	ids := make([]int64, 0, len(rs))
	for _, r := range rs {
		ids = append(ids, idOfRunner(r))
	}
	return ids
}

// wantRunnerList is testdata/runner_list.json, written out field by field.
func wantRunnerList() []*Runner {
	r4117 := runner4117
	return []*Runner{
		{
			ID: 4102, Description: Ptr("fleet-amd64-01 (docker-autoscaler)"), IPAddress: nil, Active: true,
			Paused: false, IsShared: false, RunnerType: GroupType, Name: Ptr("fleet-amd64-01"), Online: Ptr(true),
			CreatedBy: userMhartley, CreatedAt: rfc3339("2025-01-14T08:22:51.604Z"),
			Status: StatusOnline, JobExecutionStatus: JobExecutionActive,
		},
		&r4117,
		{
			ID: 977, Description: Ptr("spare shared runner (not yet started)"), IPAddress: nil, Active: true,
			Paused: false, IsShared: true, RunnerType: InstanceType, Name: nil, Online: nil, CreatedBy: nil,
			CreatedAt: rfc3339("2025-03-19T10:05:40.018Z"), Status: StatusNeverContacted,
			JobExecutionStatus: JobExecutionIdle,
		},
		{
			ID: 2650, Description: Ptr("old-windows-runner"), IPAddress: Ptr(""), Active: true, Paused: false,
			IsShared: false, RunnerType: ProjectType, Name: Ptr("win-2019-build"), Online: Ptr(false),
			CreatedBy: &UserBasic{
				ID: 87, Username: "lin.zhao", PublicEmail: nil, Name: "Lin Zhao", State: "blocked",
				AvatarURL: nil, WebURL: "https://gitlab.example.test/lin.zhao",
			},
			CreatedAt: rfc3339("2024-06-10T07:31:12.900Z"), Status: StatusStale, JobExecutionStatus: JobExecutionIdle,
		},
	}
}

// endpointErrors are the documented error answers of one endpoint, served
// on pattern, and a call of it.
type endpointErrors struct {
	name    string
	pattern string
	answers []errorAnswer
	call    func(ctx context.Context, c *Client) error
}

// testEndpointErrors runs testErrorAnswers for each endpoint, in a subtest
// named after it.
func testEndpointErrors(t *testing.T, endpoints []endpointErrors) {
	t.Helper()
	for _, ep := range endpoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			testErrorAnswers(t, ep.pattern, ep.answers, ep.call)
		})
	}
}

// callList, callListAll, ... adapt each method to the
// func(ctx, c) error of refusedCall and endpointErrors.
func callList(o *ListRunnersOptions) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error { _, _, err := c.Runners.List(ctx, o); return err }
}

func callListAll(o *ListRunnersOptions) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error { _, _, err := c.Runners.ListAll(ctx, o); return err }
}

func callUpdate(id int64, o *UpdateRunnerOptions) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error { _, _, err := c.Runners.Update(ctx, id, o); return err }
}

func callListJobs(id int64, o *ListRunnerJobsOptions) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error { _, _, err := c.Runners.ListJobs(ctx, id, o); return err }
}

func callCreate(o *CreateRunnerOptions) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error { _, _, err := c.Runners.Create(ctx, o); return err }
}

func callRegister(o *RegisterRunnerOptions) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error { _, _, err := c.Runners.Register(ctx, o); return err }
}

func callVerify(o *VerifyRunnerOptions) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error { _, _, err := c.Runners.Verify(ctx, o); return err }
}

// asType is errors.As returning the target (errors.AsType needs Go 1.26).
func asType[E error](err error) (E, bool) {
	var target E
	ok := errors.As(err, &target)
	return target, ok
}
