package glrunnerstest_test

import (
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners/glrunnerstest"
)

// fakeTB stands in for a test: it records Fatal messages and cleanups, and
// stops the calling goroutine at Fatal as testing does (runtime.Goexit).
// Everything else goes to the real test it embeds.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	fatals   []string
	cleanups []func()
}

func newFakeTB(t *testing.T) *fakeTB {
	f := &fakeTB{TB: t}
	t.Cleanup(f.runCleanups)
	return f
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatal(args ...any) {
	f.mu.Lock()
	f.fatals = append(f.fatals, fmt.Sprint(args...))
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Fatalf(format string, args ...any) { f.Fatal(fmt.Sprintf(format, args...)) }

func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

// runCleanups runs the recorded cleanups last first, as testing does.
func (f *fakeTB) runCleanups() {
	f.mu.Lock()
	fns := f.cleanups
	f.cleanups = nil
	f.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}

func (f *fakeTB) messages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.fatals...)
}

// run calls fn on a goroutine of its own, as testing runs a test function,
// and reports whether fn returned (false: it was stopped by Fatal).
func (f *fakeTB) run(fn func()) bool {
	done := make(chan bool)
	go func() {
		returned := false
		defer func() { done <- returned }()
		fn()
		returned = true
	}()
	return <-done
}

// misuseWorld seeds fixed IDs: group 10 "platform", project 20
// "platform/api", user 2 "dana", instance runner 30 with a manager whose
// system ID is s_000000000001.
func misuseWorld(srv *glrunnerstest.Server) {
	srv.AddGroup(glrunnerstest.Group{ID: 10, Name: "Platform"})
	srv.AddProject(glrunnerstest.Project{ID: 20, Name: "api", GroupID: 10})
	srv.AddUser(glrunnerstest.User{Username: "dana"})
	srv.AddRunner(glrunnerstest.Runner{ID: 30})
	srv.AddManager(30, glrunnerstest.Manager{SystemID: "s_000000000001"})
}

// misuses are seeding mistakes and the message each must give, the same
// from New (t.Fatal) and NewServer (panic).
var misuses = []struct {
	name string
	call func(*glrunnerstest.Server)
	want string
}{
	{"runner status", func(s *glrunnerstest.Server) { s.AddRunner(glrunnerstest.Runner{Status: "onlin"}) },
		`glrunnerstest: AddRunner: unknown Status "onlin" (want one of the Status constants)`},
	{"runner type", func(s *glrunnerstest.Server) { s.AddRunner(glrunnerstest.Runner{RunnerType: "shared"}) },
		`glrunnerstest: AddRunner: unknown RunnerType "shared" (want InstanceType, GroupType or ProjectType)`},
	{"access level", func(s *glrunnerstest.Server) { s.AddRunner(glrunnerstest.Runner{AccessLevel: "protected"}) },
		`glrunnerstest: AddRunner: unknown AccessLevel "protected" (want NotProtected or RefProtected)`},
	{"runner project", func(s *glrunnerstest.Server) {
		s.AddRunner(glrunnerstest.Runner{RunnerType: glrunnerstest.ProjectType, ProjectIDs: []int64{99}})
	}, `glrunnerstest: AddRunner: unknown project 99`},
	{"runner group", func(s *glrunnerstest.Server) {
		s.AddRunner(glrunnerstest.Runner{RunnerType: glrunnerstest.GroupType, GroupID: 99})
	}, `glrunnerstest: AddRunner: a group runner needs a known GroupID and no ProjectIDs (got group 99)`},
	{"runner creator", func(s *glrunnerstest.Server) { s.AddRunner(glrunnerstest.Runner{CreatedBy: 99}) },
		`glrunnerstest: AddRunner: unknown CreatedBy user 99`},
	{"runner ID", func(s *glrunnerstest.Server) { s.AddRunner(glrunnerstest.Runner{ID: 30}) },
		`glrunnerstest: AddRunner: duplicate ID 30`},
	{"impossible status", func(s *glrunnerstest.Server) {
		s.AddRunner(glrunnerstest.Runner{Status: glrunnerstest.StatusStale, CreatedAt: fixedNow.Add(-time.Hour)})
	}, `glrunnerstest: AddRunner: CreatedAt 2025-03-20T11:00:00Z cannot give Status "stale"`},
	{"username", func(s *glrunnerstest.Server) { s.AddUser(glrunnerstest.User{Username: "Dana"}) },
		`glrunnerstest: AddUser: duplicate username Dana`},
	{"token user", func(s *glrunnerstest.Server) { s.AddToken(99) },
		`glrunnerstest: AddToken: unknown user 99`},
	{"group name", func(s *glrunnerstest.Server) { s.AddGroup(glrunnerstest.Group{}) },
		`glrunnerstest: AddGroup: Name is required`},
	{"group parent", func(s *glrunnerstest.Server) { s.AddGroup(glrunnerstest.Group{Name: "x", ParentID: 99}) },
		`glrunnerstest: AddGroup: unknown parent group 99`},
	{"group path", func(s *glrunnerstest.Server) { s.AddGroup(glrunnerstest.Group{Name: "Other", Path: "platform"}) },
		`glrunnerstest: AddGroup: duplicate group platform`},
	{"project group", func(s *glrunnerstest.Server) { s.AddProject(glrunnerstest.Project{Name: "web"}) },
		`glrunnerstest: AddProject: unknown group 0 (GroupID is required)`},
	{"project path", func(s *glrunnerstest.Server) { s.AddProject(glrunnerstest.Project{Name: "API", GroupID: 10}) },
		`glrunnerstest: AddProject: duplicate project platform/api`},
	{"delete project", func(s *glrunnerstest.Server) { s.DeleteProject(99) },
		`glrunnerstest: DeleteProject: unknown project 99`},
	{"member kind", func(s *glrunnerstest.Server) { s.AddMember(2, "team", 10, glrunnerstest.Owner) },
		`glrunnerstest: AddMember: unknown kind "team" (want MemberGroup or MemberProject)`},
	{"member user", func(s *glrunnerstest.Server) { s.AddMember(99, glrunnerstest.MemberGroup, 10, glrunnerstest.Owner) },
		`glrunnerstest: AddMember: unknown user 99`},
	{"member project", func(s *glrunnerstest.Server) {
		s.AddMember(2, glrunnerstest.MemberProject, 10, glrunnerstest.Owner)
	}, `glrunnerstest: AddMember: unknown project 10`},
	{"member role", func(s *glrunnerstest.Server) { s.AddMember(2, glrunnerstest.MemberProject, 20, 35) },
		`glrunnerstest: AddMember: unknown role Role(35) (want Guest, Reporter, Developer, Maintainer or Owner)`},
	{"token kind", func(s *glrunnerstest.Server) { s.RegistrationToken("runner", 30) },
		`glrunnerstest: RegistrationToken: unknown kind "runner" (want TokenInstance, TokenGroup or TokenProject)`},
	{"token group", func(s *glrunnerstest.Server) { s.RegistrationToken(glrunnerstest.TokenGroup, 20) },
		`glrunnerstest: RegistrationToken: unknown group 20`},
	{"token instance", func(s *glrunnerstest.Server) { s.RegistrationToken(glrunnerstest.TokenInstance, 10) },
		`glrunnerstest: RegistrationToken: the instance takes id 0, not 10`},
	{"registration project", func(s *glrunnerstest.Server) {
		s.SetRegistrationEnabled(glrunnerstest.TokenProject, 10, false)
	}, `glrunnerstest: SetRegistrationEnabled: unknown project 10`},
	{"manager runner", func(s *glrunnerstest.Server) { s.AddManager(99, glrunnerstest.Manager{}) },
		`glrunnerstest: AddManager: unknown runner 99`},
	{"manager paused", func(s *glrunnerstest.Server) {
		s.AddManager(30, glrunnerstest.Manager{Status: glrunnerstest.StatusPaused})
	}, `glrunnerstest: AddManager: a manager cannot be paused (Status "paused")`},
	{"manager system ID", func(s *glrunnerstest.Server) {
		s.AddManager(30, glrunnerstest.Manager{SystemID: "s_000000000001"})
	}, `glrunnerstest: AddManager: duplicate SystemID s_000000000001`},
	{"job runner", func(s *glrunnerstest.Server) { s.AddJob(99, glrunnerstest.Job{}) },
		`glrunnerstest: AddJob: unknown runner 99`},
	{"job status", func(s *glrunnerstest.Server) { s.AddJob(30, glrunnerstest.Job{ProjectID: 20, Status: "done"}) },
		`glrunnerstest: AddJob: unknown Status "done" (want one of GitLab's job statuses, e.g. success, failed, running)`},
	{"fault that does nothing", func(s *glrunnerstest.Server) { s.AddFault(glrunnerstest.Fault{Pattern: "/runners"}) },
		`glrunnerstest: AddFault: set Status, Reset or Latency`},
	{"fault status", func(s *glrunnerstest.Server) { s.AddFault(glrunnerstest.Fault{Status: 700}) },
		`glrunnerstest: AddFault: Status 700 is not an HTTP status (100-599)`},
	{"fault times", func(s *glrunnerstest.Server) { s.AddFault(glrunnerstest.Fault{Status: 502, Times: -2}) },
		`glrunnerstest: AddFault: Times -2: want a count (0 or 1 = once) or Always`},
}

func TestNew_misuseFailsTheTest(t *testing.T) {
	t.Parallel()
	for _, tc := range misuses {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ft := newFakeTB(t)
			srv := glrunnerstest.New(ft, glrunnerstest.WithNow(func() time.Time { return fixedNow }))
			misuseWorld(srv)
			before := srv.Runners()

			assert.False(t, ft.run(func() { tc.call(srv) }), "the call must stop at Fatal")
			assert.Equal(t, []string{tc.want}, ft.messages())

			// The lock was released and nothing was half-added.
			assert.Equal(t, before, srv.Runners())
			id, _ := srv.AddUser(glrunnerstest.User{Username: "after"})
			assert.Equal(t, int64(3), id, "the server keeps working after a misuse")
		})
	}
}

func TestNewServer_misusePanics(t *testing.T) {
	t.Parallel()
	for _, tc := range misuses {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := glrunnerstest.NewServer(glrunnerstest.WithNow(func() time.Time { return fixedNow }))
			defer srv.Close()
			misuseWorld(srv)
			assert.PanicsWithValue(t, tc.want, func() { tc.call(srv) })
			id, _ := srv.AddUser(glrunnerstest.User{Username: "after"})
			assert.Equal(t, int64(3), id, "the server keeps working after a panic")
		})
	}
}

// A TB whose Fatal returns (some test frameworks' adapters do) must not let
// the seeding call go on with bad input.
func TestNew_fatalThatReturns(t *testing.T) {
	t.Parallel()
	rt := &returningTB{TB: t}
	srv := glrunnerstest.New(rt)
	assert.PanicsWithValue(t, "glrunnerstest: AddToken: unknown user 99", func() { srv.AddToken(99) })
	assert.Equal(t, []string{"glrunnerstest: AddToken: unknown user 99"}, rt.fatals)
}

type returningTB struct {
	testing.TB
	fatals []string
}

func (r *returningTB) Helper()           {}
func (r *returningTB) Fatal(args ...any) { r.fatals = append(r.fatals, fmt.Sprint(args...)) }

func TestNew_closesAtCleanup(t *testing.T) {
	t.Parallel()
	ft := newFakeTB(t)
	srv := glrunnerstest.New(ft)
	client := &http.Client{Timeout: 5 * time.Second}
	res, err := client.Get(srv.URL() + "/api/v4/runners")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)

	ft.runCleanups()
	_, err = client.Get(srv.URL() + "/api/v4/runners")
	assert.Error(t, err, "the server is closed once the test's cleanups ran")
	srv.Close() // a Close of its own as well is harmless
}

func TestRole_String(t *testing.T) {
	t.Parallel()
	for role, want := range map[glrunnerstest.Role]string{
		glrunnerstest.Guest: "guest", glrunnerstest.Reporter: "reporter", glrunnerstest.Developer: "developer",
		glrunnerstest.Maintainer: "maintainer", glrunnerstest.Owner: "owner", 0: "none", 35: "Role(35)",
	} {
		assert.Equal(t, want, role.String())
	}
}
