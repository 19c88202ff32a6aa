package glrunners_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

// The examples run against glrunnerstest, an in-memory GitLab, with its
// clock fixed so that statuses and times in the output never change.
var now = time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return now }

func ExampleNewClient() {
	srv := glrunnerstest.NewServer()
	defer srv.Close()

	// Against a real GitLab: glrunners.NewClient("https://gitlab.example.com",
	// glrunners.WithToken(os.Getenv("GITLAB_TOKEN"))).
	client, err := glrunners.NewClient(srv.URL(),
		glrunners.WithToken(srv.AdminToken()),
		glrunners.WithUserAgent("runner-janitor/1.4"))
	if err != nil {
		log.Fatal(err)
	}
	runners, _, err := client.Runners.ListAll(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(runners), "runners")

	// Configuration mistakes are errors from NewClient, never panics.
	_, err = glrunners.NewClient("gitlab.example.com")
	fmt.Println(err)
	// Output:
	// 0 runners
	// glrunners: invalid baseURL: scheme must be http or https
}

func ExampleRunnersService_List() {
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(fixedClock))
	defer srv.Close()
	srv.AddRunner(glrunnerstest.Runner{Description: "build-1", Status: "online"})
	srv.AddRunner(glrunnerstest.Runner{Description: "build-2", Status: "stale"})
	srv.AddRunner(glrunnerstest.Runner{Description: "build-3", Status: "online"})
	client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
	if err != nil {
		log.Fatal(err)
	}

	// One page; the Response tells how many there are in all.
	runners, resp, err := client.Runners.List(context.Background(), &glrunners.ListRunnersOptions{
		ListOptions: glrunners.ListOptions{PerPage: 1},
		Status:      glrunners.StatusOnline,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range runners {
		fmt.Println(r.ID, glrunners.Value(r.Description), r.Status)
	}
	fmt.Printf("page %d of %d, next page %d\n", resp.CurrentPage, resp.TotalPages, resp.NextPage)
	// Output:
	// 1 build-1 online
	// page 1 of 2, next page 2
}

func ExampleRunnersService_ListIter() {
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(fixedClock))
	defer srv.Close()
	srv.AddRunner(glrunnerstest.Runner{Description: "build-1", Status: "online", TagList: []string{"docker", "linux"}})
	srv.AddRunner(glrunnerstest.Runner{Description: "build-2", Status: "offline", TagList: []string{"linux"}})
	srv.AddRunner(glrunnerstest.Runner{Description: "build-3", Status: "stale", TagList: []string{"docker", "linux"}})
	client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
	if err != nil {
		log.Fatal(err)
	}

	// Every page, fetched as the loop goes; breaking out stops fetching.
	opt := &glrunners.ListRunnersOptions{TagList: []string{"docker", "linux"}}
	for r, err := range client.Runners.ListIter(context.Background(), opt) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(glrunners.Value(r.Description), r.Status)
	}
	// Output:
	// build-1 online
	// build-3 stale
}

func ExampleRunnersService_Get() {
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(fixedClock))
	defer srv.Close()
	timeout := int64(3600)
	contacted := now.Add(-5 * time.Minute)
	id := srv.AddRunner(glrunnerstest.Runner{
		Description:    "build-1",
		TagList:        []string{"docker"},
		MaximumTimeout: &timeout,
		ContactedAt:    &contacted,
		CreatedAt:      now.Add(-30 * 24 * time.Hour),
	})
	client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
	if err != nil {
		log.Fatal(err)
	}

	r, _, err := client.Runners.Get(context.Background(), id, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.ID, r.RunnerType, r.Status, r.TagList)
	if r.MaximumTimeout != nil {
		fmt.Println("maximum timeout:", time.Duration(*r.MaximumTimeout)*time.Second)
	}
	if r.ContactedAt != nil { // nil: never contacted
		fmt.Println("last contact:", r.ContactedAt.Format(time.RFC3339))
	}
	// Output:
	// 1 instance_type online [docker]
	// maximum timeout: 1h0m0s
	// last contact: 2025-06-02T11:55:00Z
}

func ExampleRunnersService_Update() {
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(fixedClock))
	defer srv.Close()
	id := srv.AddRunner(glrunnerstest.Runner{Description: "build-1", TagList: []string{"linux"}, Status: "online"})
	client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
	if err != nil {
		log.Fatal(err)
	}

	// Nil fields are left alone; Ptr sets the ones whose zero is a value.
	r, _, err := client.Runners.Update(context.Background(), id, &glrunners.UpdateRunnerOptions{
		Description: glrunners.Ptr("build-1 (GPU)"),
		TagList:     []string{"linux", "gpu"},
		RunUntagged: glrunners.Ptr(false),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(glrunners.Value(r.Description))
	fmt.Println(r.TagList, "run untagged:", r.RunUntagged)
	// Output:
	// build-1 (GPU)
	// [linux gpu] run untagged: false
}

func ExampleRunnersService_Pause() {
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(fixedClock))
	defer srv.Close()
	id := srv.AddRunner(glrunnerstest.Runner{Description: "build-1", Status: "online"})
	client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	r, _, err := client.Runners.Pause(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	// Read Paused for decisions: Status is a summary that says "paused" only
	// for a runner that is neither stale nor never contacted.
	fmt.Println("paused:", r.Paused, "status:", r.Status)

	if r, _, err = client.Runners.Unpause(ctx, id); err != nil {
		log.Fatal(err)
	}
	fmt.Println("paused:", r.Paused, "status:", r.Status)
	// Output:
	// paused: true status: paused
	// paused: false status: online
}

func ExampleRunnersService_Create() {
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(fixedClock))
	defer srv.Close()
	group := srv.AddGroup(glrunnerstest.Group{Name: "acme"})
	project := srv.AddProject(glrunnerstest.Project{Name: "api", GroupID: group})
	client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
	if err != nil {
		log.Fatal(err)
	}

	reg, _, err := client.Runners.Create(context.Background(), &glrunners.CreateRunnerOptions{
		RunnerType:  glrunners.ProjectType,
		ProjectID:   project,
		Description: "api-builder",
		TagList:     []string{"docker"},
	})
	if err != nil {
		log.Fatal(err)
	}
	// The token is a Secret: printing it shows [REDACTED]. Hand
	// reg.Token.Reveal() to the runner's configuration, never to a log.
	fmt.Println("runner", reg.ID, "token", reg.Token)
	fmt.Println("has a token:", reg.Token.Reveal() != "", "expires:", reg.TokenExpiresAt != nil)
	// Output:
	// runner 1 token [REDACTED]
	// has a token: true expires: false
}

func ExampleRunnersService_Verify() {
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(fixedClock))
	defer srv.Close()
	id := srv.AddRunner(glrunnerstest.Runner{Description: "build-1"})
	// The fake tells a test the runner's token; a real runner reads it from
	// its config.toml.
	token := glrunners.Secret(srv.RunnerToken(id))
	client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// Verify sends no user credential; the runner token travels in the body.
	reg, _, err := client.Runners.Verify(ctx, &glrunners.VerifyRunnerOptions{Token: token, SystemID: "s_0123456789ab"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("token belongs to runner", reg.ID)

	_, _, err = client.Runners.Verify(ctx, &glrunners.VerifyRunnerOptions{Token: "glrt-not-a-real-token", SystemID: "s_0123456789ab"})
	fmt.Println("unknown token refused:", errors.Is(err, glrunners.ErrForbidden))
	// Output:
	// token belongs to runner 1
	// unknown token refused: true
}

func Example_errors() {
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(fixedClock))
	defer srv.Close()
	_, devToken := srv.AddUser(glrunnerstest.User{Username: "dev"}) // no admin, no memberships
	admin, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
	if err != nil {
		log.Fatal(err)
	}
	dev, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(devToken))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// Sentinels classify GitLab's answers...
	_, _, err = admin.Runners.Get(ctx, 42, nil)
	fmt.Println("not found:", errors.Is(err, glrunners.ErrNotFound))
	_, _, err = dev.Runners.ListAll(ctx, nil)
	fmt.Println("forbidden:", errors.Is(err, glrunners.ErrForbidden))

	// ... and *Error carries the details.
	var apiErr *glrunners.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Method, apiErr.Path)
	}

	// Bad input is a *ValidationError, returned before anything is sent.
	_, _, err = admin.Projects.ListRunners(ctx, glrunners.Path("acme//api"), nil)
	var valErr *glrunners.ValidationError
	fmt.Println("validation:", errors.As(err, &valErr))
	// Output:
	// not found: true
	// forbidden: true
	// 403 GET /api/v4/runners/all
	// validation: true
}

// NewRequest and Do reach what the SDK does not wrap, such as a parameter
// newer than this release, through the same pipeline: authentication,
// retries, rate limits, typed errors and scrubbed secrets.
func ExampleClient_Do() {
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(fixedClock))
	defer srv.Close()
	srv.AddRunner(glrunnerstest.Runner{Description: "build-1", Status: "online"})
	srv.AddRunner(glrunnerstest.Runner{Description: "build-2", Status: "online", Paused: true})
	client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
	if err != nil {
		log.Fatal(err)
	}

	req, err := client.NewRequest(http.MethodGet, "runners/all", url.Values{"paused": {"true"}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	var paused []*glrunners.Runner
	resp, err := client.Do(context.Background(), req, &paused)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range paused {
		fmt.Println(r.ID, glrunners.Value(r.Description), r.Paused)
	}
	fmt.Println("total:", resp.TotalItems)

	req, _ = client.NewRequest(http.MethodGet, "runners/404", nil, nil)
	_, err = client.Do(context.Background(), req, &glrunners.RunnerDetails{})
	fmt.Println(errors.Is(err, glrunners.ErrNotFound))
	// Output:
	// 2 build-2 true
	// total: 1
	// true
}
