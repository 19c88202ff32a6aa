package glrunnerstest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

// New in a test: the server is closed when the test ends, and a seeding
// mistake fails the test with a message naming the call. Here runTest
// plays go test, calling the body as it would call TestFleet(t).
func ExampleNew() {
	runTest(func(t testing.TB) {
		srv := glrunnerstest.New(t)
		srv.AddRunner(glrunnerstest.Runner{Description: "build-1", Status: glrunnerstest.StatusOnline})
		client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
		if err != nil {
			t.Fatal(err)
		}
		runners, _, err := client.Runners.ListAll(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runners {
			fmt.Println(*r.Description, r.Status)
		}

		srv.AddRunner(glrunnerstest.Runner{Status: "onlin"}) // fails the test here
		fmt.Println("not reached")
	})
	// Output:
	// build-1 online
	// FAIL: glrunnerstest: AddRunner: unknown Status "onlin" (want one of the Status constants)
}

// NewServer in a program, such as a demo: the caller closes it, and a
// seeding mistake panics.
func ExampleNewServer() {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	srv.AddRunner(glrunnerstest.Runner{Description: "build-1", Status: glrunnerstest.StatusOnline})

	req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/api/v4/runners", nil)
	req.Header.Set("PRIVATE-TOKEN", srv.AdminToken())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var runners []struct {
		Description string `json:"description"`
		Status      string `json:"status"`
	}
	if err := json.NewDecoder(res.Body).Decode(&runners); err != nil {
		panic(err)
	}
	for _, r := range runners {
		fmt.Println(r.Description, r.Status)
	}
	fmt.Println(res.StatusCode, res.Header.Get("X-Total"))
	// Output:
	// build-1 online
	// 200 1
}

// An organisation with runners of each type. Status sets the contact times
// from the clock, so the status GitLab would compute is the one asked for.
func ExampleServer_AddRunner() {
	now := time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(func() time.Time { return now }))
	defer srv.Close()
	group := srv.AddGroup(glrunnerstest.Group{Name: "Platform"})
	project := srv.AddProject(glrunnerstest.Project{Name: "api", GroupID: group})

	srv.AddRunner(glrunnerstest.Runner{Description: "shared", Status: glrunnerstest.StatusOnline})
	srv.AddRunner(glrunnerstest.Runner{Description: "platform", RunnerType: glrunnerstest.GroupType,
		GroupID: group, Status: glrunnerstest.StatusStale, TagList: []string{"docker"}})
	srv.AddRunner(glrunnerstest.Runner{Description: "api-deploy", RunnerType: glrunnerstest.ProjectType,
		ProjectIDs: []int64{project}, Status: glrunnerstest.StatusPaused, AccessLevel: glrunnerstest.RefProtected})

	for _, r := range srv.Runners() {
		fmt.Println(r.ID, r.Description, r.RunnerType, r.Status, r.Paused)
	}
	// Output:
	// 1 shared instance_type online false
	// 2 platform group_type stale false
	// 3 api-deploy project_type paused true
}

// Members see the runners of what they belong to, with GitLab's rules: a
// project's maintainer lists its runners, an outsider gets 404.
func ExampleServer_AddMember() {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	group := srv.AddGroup(glrunnerstest.Group{Name: "Platform"})
	project := srv.AddProject(glrunnerstest.Project{Name: "api", GroupID: group})
	srv.AddRunner(glrunnerstest.Runner{Description: "api-runner", RunnerType: glrunnerstest.ProjectType, ProjectIDs: []int64{project}})
	mark, markToken := srv.AddUser(glrunnerstest.User{Username: "mark"})
	srv.AddMember(mark, glrunnerstest.MemberProject, project, glrunnerstest.Maintainer)
	_, outsiderToken := srv.AddUser(glrunnerstest.User{Username: "oscar"})

	ctx := context.Background()
	for _, token := range []string{markToken, outsiderToken} {
		client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(token))
		if err != nil {
			panic(err)
		}
		runners, _, err := client.Projects.ListRunners(ctx, glrunners.Path("platform/api"), nil)
		var e *glrunners.Error
		if errors.As(err, &e) {
			fmt.Println(e.StatusCode, e.Message)
			continue
		}
		fmt.Println(len(runners), *runners[0].Description)
	}
	// Output:
	// 1 api-runner
	// 404 404 Project Not Found
}

// Faults apply once unless Times says otherwise: a number, or Always until
// ClearFaults. Every answer, faults included, carries an X-Request-Id.
func ExampleServer_AddFault() {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/runners/all", Status: 503, Times: 2})
	srv.AddFault(glrunnerstest.Fault{Method: "DELETE", Pattern: "/runners/*", Status: 403, Times: glrunnerstest.Always})

	send := func(method, path string) {
		req, _ := http.NewRequest(method, srv.URL()+"/api/v4"+path, nil)
		req.Header.Set("PRIVATE-TOKEN", srv.AdminToken())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		res.Body.Close()
		fmt.Println(method, path, res.StatusCode, len(res.Header.Get("X-Request-Id")))
	}
	for range 3 {
		send("GET", "/runners/all")
	}
	send("DELETE", "/runners/7")
	send("DELETE", "/runners/7")
	// Output:
	// GET /runners/all 503 26
	// GET /runners/all 503 26
	// GET /runners/all 200 26
	// DELETE /runners/7 403 26
	// DELETE /runners/7 403 26
}

// A create that GitLab applied while a proxy answered 502, and a runner
// that takes time to commit: the client is told nothing was made, cannot
// see the runner yet, and the fake knows it exists.
func ExampleServer_SetCommitDelay() {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	srv.SetCommitDelay(time.Hour)
	srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/user/runners", Status: 502, AfterApply: true})

	client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	_, _, err = client.Runners.Create(ctx, &glrunners.CreateRunnerOptions{RunnerType: glrunners.InstanceType})
	fmt.Println("create:", errors.Is(err, glrunners.ErrOutcomeUnknown))
	listed, _, _ := client.Runners.ListAll(ctx, nil)
	fmt.Println("listed:", len(listed), "existing:", len(srv.Runners()))

	srv.SetCommitDelay(0)
	listed, _, _ = client.Runners.ListAll(ctx, nil)
	fmt.Println("after commit:", len(listed))
	// Output:
	// create: true
	// listed: 0 existing: 1
	// after commit: 1
}

// runTest calls test as go test calls a test function: on a goroutine of
// its own, stopped by Fatal, with the cleanups run when it ends. It stands
// in for the *testing.T an Example does not have.
func runTest(test func(t testing.TB)) {
	t := &exampleT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		test(t)
	}()
	<-done
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

type exampleT struct {
	testing.TB // only the methods below are called
	cleanups   []func()
}

func (*exampleT) Helper()            {}
func (t *exampleT) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }
func (*exampleT) Fatal(args ...any) {
	fmt.Println(append([]any{"FAIL:"}, args...)...)
	runtime.Goexit()
}
func (t *exampleT) Fatalf(f string, a ...any) { t.Fatal(fmt.Sprintf(f, a...)) }
