package glrunners

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
)

// Helpers of the CreateOnce tests, which run over real HTTP against
// glrunnerstest.

// onceRetry and onceSettle keep real waits but short ones, so that a
// fault sequence whose create left nothing to find runs in well under a
// second. Tests of commits that land late set a window longer than the
// lag (see onceCases).
var (
	onceRetry  = RetryPolicy{MaxRetries: 3, WaitMin: time.Millisecond, WaitMax: 4 * time.Millisecond, MaxRetryAfter: 5 * time.Second}
	onceSettle = 40 * time.Millisecond
)

// autoscalerRetry is the policy of an autoscaler or a test suite, under which
// issue 15 found duplicates when the settle window was made of its waits
// (5+10+20+40+80 ms at most, well under a 300 ms commit lag).
var autoscalerRetry = RetryPolicy{MaxRetries: 4, WaitMin: 5 * time.Millisecond, WaitMax: 80 * time.Millisecond}

// onceFake is a fake GitLab with one project and a Maintainer of it, who
// may create, list, update, reset and delete the project's runners but is
// no administrator.
type onceFake struct {
	srv       *glrunnerstest.Server
	projectID int64
	token     string // the Maintainer's api token
}

// newOnceFake starts the fake; close it with f.srv.Close.
func newOnceFake() *onceFake {
	srv := glrunnerstest.NewServer()
	gid := srv.AddGroup(glrunnerstest.Group{Name: "fleet"})
	pid := srv.AddProject(glrunnerstest.Project{Name: "builds", GroupID: gid})
	uid, tok := srv.AddUser(glrunnerstest.User{Username: "ops"})
	srv.AddMember(uid, "project", pid, glrunnerstest.Maintainer)
	return &onceFake{srv: srv, projectID: pid, token: tok}
}

// client returns a client of the Maintainer, with opts after the
// defaults. It may be called from any goroutine.
func (f *onceFake) client(opts ...Option) *Client {
	all := append([]Option{WithToken(f.token), WithRetry(onceRetry), WithSettleWindow(onceSettle)}, opts...)
	c, err := NewClient(f.srv.URL(), all...)
	if err != nil {
		panic(err) // the options are the test's own
	}
	return c
}

// onceOptions asks for a project runner with every field set away from
// GitLab's defaults, so that a field lost or left changed shows.
func (f *onceFake) onceOptions(description string) *CreateRunnerOptions {
	return &CreateRunnerOptions{
		RunnerType: ProjectType, ProjectID: f.projectID, Description: description,
		Paused: Ptr(true), Locked: Ptr(true), RunUntagged: Ptr(false), TagList: []string{"docker", "arm64"},
		AccessLevel: RefProtected, MaximumTimeout: Ptr(int64(3600)), MaintenanceNote: "provisioned by a test",
	}
}

// projectRunners returns the runners of the fake's project.
func (f *onceFake) projectRunners() []glrunnerstest.Runner {
	var out []glrunnerstest.Runner
	for _, r := range f.srv.Runners() {
		if slices.Contains(r.ProjectIDs, f.projectID) {
			out = append(out, r)
		}
	}
	return out
}

// requests counts the requests the fake has seen, faulted ones included.
func (f *onceFake) requests() int { return len(f.srv.Requests()) }

// assertAsAsked checks that the fake holds runner id with exactly the
// fields opt asked for (the marker gone).
func (f *onceFake) assertAsAsked(t *testing.T, id int64, opt *CreateRunnerOptions) bool {
	t.Helper()
	r, ok := f.srv.Runner(id)
	if !assert.True(t, ok, "runner %d does not exist", id) {
		return false
	}
	want := []any{opt.Description, opt.MaintenanceNote, *opt.Paused, *opt.Locked, *opt.RunUntagged,
		sortedTags(opt.TagList), string(opt.AccessLevel), *opt.MaximumTimeout}
	got := []any{r.Description, r.MaintenanceNote, r.Paused, r.Locked, r.RunUntagged != nil && *r.RunUntagged,
		sortedTags(r.TagList), string(r.AccessLevel), derefOr(r.MaximumTimeout, -1)}
	return assert.Equal(t, want, got, "fields of runner %d", id)
}

// assertTokenWorks verifies the returned token with Runners.Verify: it must
// authenticate the runner the call returned.
func assertTokenWorks(t *testing.T, c *Client, reg *RunnerRegistration) bool {
	t.Helper()
	if !assert.NotNil(t, reg) || !assert.False(t, reg.Token.IsZero(), "empty token") {
		return false
	}
	got, _, err := c.Runners.Verify(context.Background(), &VerifyRunnerOptions{Token: reg.Token, SystemID: "s_once0test01"})
	return assert.NoError(t, err, "verifying the returned token") && assert.Equal(t, reg.ID, got.ID)
}

// assertState checks that err is a *CreateOnceError matching want and none
// of the other two states.
func assertState(t *testing.T, want, err error) (*CreateOnceError, bool) {
	t.Helper()
	e, ok := asType[*CreateOnceError](err)
	if !assert.True(t, ok, "want *CreateOnceError, got %T: %v", err, err) {
		return nil, false
	}
	for _, s := range []error{ErrNotCreated, ErrRunnerUnrecovered, ErrOutcomeUnknown} {
		if !assert.Equal(t, s == want, errors.Is(err, s), "errors.Is(%v, %v)", err, s) {
			return e, false
		}
	}
	return e, true
}

func sortedTags(tags []string) []string {
	out := append([]string{}, tags...)
	slices.Sort(out)
	return out
}

func derefOr[T any](p *T, or T) T {
	if p == nil {
		return or
	}
	return *p
}

// cancelOn is an http.RoundTripper that cancels a context when it sees a
// matching request, then sends it: the call under test runs out of time at
// a chosen step, without a timed test.
type cancelOn struct {
	base   http.RoundTripper
	match  func(*http.Request) bool
	cancel context.CancelFunc
}

func (c *cancelOn) RoundTrip(r *http.Request) (*http.Response, error) {
	if c.match(r) {
		c.cancel()
	}
	return c.base.RoundTrip(r)
}

func isProjectList(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/runners") && strings.Contains(r.URL.Path, "/projects/")
}
