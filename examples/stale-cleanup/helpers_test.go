package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

// The fixture the tests run on, and helpers to run the tool against it.

var now = time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC)

// testFleet is a small GitLab whose stale runners are 2, 3, 4, 5, 7, 8, 10.
//
//	ID  type      owner                       last activity   tags
//	1   instance                              online          linux,docker
//	2   instance                              30d             linux,docker
//	3   instance                              200d            windows
//	4   group     acme                        10d             linux
//	5   group     acme/platform               60d             linux,docker
//	6   group     acme/platform               online          linux
//	7   project   acme/platform/api           created 20d, never contacted  linux,docker
//	8   project   acme/platform/api + web/shop  90d           linux
//	9   project   acme/web/shop               offline (3h)    linux,docker
//	10  group     acme/web                    45d             docker
type testFleet struct {
	srv        *glrunnerstest.Server
	aliceToken string // owner of acme, not an administrator
}

func newTestFleet(t *testing.T) *testFleet {
	t.Helper()
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(func() time.Time { return now }))
	t.Cleanup(srv.Close)
	acme := srv.AddGroup(glrunnerstest.Group{Name: "acme"})
	platform := srv.AddGroup(glrunnerstest.Group{Name: "platform", ParentID: acme})
	web := srv.AddGroup(glrunnerstest.Group{Name: "web", ParentID: acme})
	api := srv.AddProject(glrunnerstest.Project{Name: "api", GroupID: platform})
	shop := srv.AddProject(glrunnerstest.Project{Name: "shop", GroupID: web})
	alice, aliceToken := srv.AddUser(glrunnerstest.User{Username: "alice"})
	srv.AddMember(alice, "group", acme, glrunnerstest.Owner)

	daysAgo := func(d int) *time.Time { t := now.Add(-time.Duration(d) * 24 * time.Hour); return &t }
	created := *daysAgo(400)
	add := func(r glrunnerstest.Runner, contactedDaysAgo int) {
		if r.CreatedAt.IsZero() {
			r.CreatedAt = created
		}
		if contactedDaysAgo > 0 {
			r.ContactedAt = daysAgo(contactedDaysAgo)
		}
		srv.AddRunner(r)
	}
	inst, grp, proj := glrunnerstest.InstanceType, glrunnerstest.GroupType, glrunnerstest.ProjectType
	add(glrunnerstest.Runner{Description: "r1", RunnerType: inst, TagList: []string{"linux", "docker"}, Status: "online"}, 0)
	add(glrunnerstest.Runner{Description: "r2", RunnerType: inst, TagList: []string{"linux", "docker"}}, 30)
	add(glrunnerstest.Runner{Description: "r3", RunnerType: inst, TagList: []string{"windows"}}, 200)
	add(glrunnerstest.Runner{Description: "r4", RunnerType: grp, GroupID: acme, TagList: []string{"linux"}}, 10)
	add(glrunnerstest.Runner{Description: "r5", RunnerType: grp, GroupID: platform, TagList: []string{"linux", "docker"}}, 60)
	add(glrunnerstest.Runner{Description: "r6", RunnerType: grp, GroupID: platform, TagList: []string{"linux"}, Status: "online"}, 0)
	add(glrunnerstest.Runner{Description: "r7", RunnerType: proj, ProjectIDs: []int64{api}, TagList: []string{"linux", "docker"}, CreatedAt: *daysAgo(20)}, 0)
	add(glrunnerstest.Runner{Description: "r8", RunnerType: proj, ProjectIDs: []int64{api, shop}, TagList: []string{"linux"}}, 90)
	add(glrunnerstest.Runner{Description: "r9", RunnerType: proj, ProjectIDs: []int64{shop}, TagList: []string{"linux", "docker"}, Status: "offline"}, 0)
	add(glrunnerstest.Runner{Description: "r10", RunnerType: grp, GroupID: web, TagList: []string{"docker"}}, 45)
	return &testFleet{srv: srv, aliceToken: aliceToken}
}

// remaining returns the IDs of the runners still on the server.
func (f *testFleet) remaining() []int64 {
	var ids []int64
	for _, r := range f.srv.Runners() {
		ids = append(ids, r.ID)
	}
	return ids
}

// deletes counts the DELETE requests the server saw, by path.
func (f *testFleet) deletes() map[string]int {
	n := map[string]int{}
	for _, r := range f.srv.Requests() {
		if r.Method == http.MethodDelete {
			n[r.Path]++
		}
	}
	return n
}

// fastRetries keeps the SDK's retries but without the real backoff.
var fastRetries = glrunners.WithRetry(glrunners.RetryPolicy{MaxRetries: 2, WaitMin: time.Millisecond, WaitMax: time.Millisecond})

// runTool runs the command against f as token (the admin's when empty).
func (f *testFleet) runTool(t *testing.T, token string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if token == "" {
		token = f.srv.AdminToken()
	}
	return runTool(map[string]string{"GITLAB_URL": f.srv.URL(), "GITLAB_TOKEN": token}, nil, args...)
}

// runTool runs the command with vars as its environment and signals as its
// signal source (nil: none).
func runTool(vars map[string]string, signals func(func(os.Signal)) func(), args ...string) (code int, stdout, stderr string) {
	var out, errOut lockedBuffer
	code = run(context.Background(), args, env{
		getenv:        func(k string) string { return vars[k] },
		stdout:        &out,
		stderr:        &errOut,
		signals:       signals,
		now:           func() time.Time { return now },
		clientOptions: []glrunners.Option{fastRetries},
	})
	return code, out.String(), errOut.String()
}

// lockedBuffer is a bytes.Buffer safe for the tool's goroutines and a
// test's signal handler to write at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// signalSeam stands in for notifySignals: the test calls handle itself,
// when it chooses, after ready is closed.
type signalSeam struct {
	ready  chan struct{}
	handle func(os.Signal)
}

func newSignalSeam() *signalSeam { return &signalSeam{ready: make(chan struct{})} }

func (s *signalSeam) signals(handle func(os.Signal)) func() {
	s.handle = handle
	close(s.ready)
	return func() {}
}

// send delivers sig as the tool would receive it from the OS; it returns
// once the tool has acted on it.
func (s *signalSeam) send(sig os.Signal) {
	<-s.ready
	s.handle(sig)
}

// gate is a proxy in front of a fake GitLab that holds each request hold
// picks until release is closed, so a test can act while those requests
// are in flight. A held request whose client gives up is dropped, never
// forwarded.
type gate struct {
	URL     string
	arrived chan string   // the path of each held request, as it arrives
	release chan struct{} // close to let held requests through
}

func newGate(t *testing.T, target *glrunnerstest.Server, hold func(*http.Request) bool) *gate {
	t.Helper()
	u, err := url.Parse(target.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // aborted requests are the point
	g := &gate{arrived: make(chan string, 100), release: make(chan struct{})}
	closing := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hold(r) {
			g.arrived <- r.URL.Path
			select {
			case <-g.release:
			case <-r.Context().Done():
				return
			case <-closing:
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(closing) }) // runs first: frees held handlers
	g.URL = srv.URL
	return g
}

func isDelete(r *http.Request) bool { return r.Method == http.MethodDelete }

func (f *testFleet) client(t *testing.T) *glrunners.Client {
	t.Helper()
	c, err := glrunners.NewClient(f.srv.URL(), glrunners.WithToken(f.srv.AdminToken()), fastRetries)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func without(all []int64, gone ...int64) []int64 {
	return slices.DeleteFunc(slices.Clone(all), func(id int64) bool { return slices.Contains(gone, id) })
}

var allIDs = []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}

func summaryLine(s summary) string {
	var b bytes.Buffer
	(&textReport{w: &b}).summary(s)
	return strings.TrimSpace(b.String())
}

func candidateIDs(cs []candidate) []int64 {
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}
