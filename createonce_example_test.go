package glrunners_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

func ExampleRunnersService_CreateOnce() {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	// GitLab creates the runner, then a proxy answers 502: the ID and the
	// token are lost, and a plain Create would return ErrOutcomeUnknown.
	srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/user/runners", Status: 502, AfterApply: true})
	client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()),
		glrunners.WithRetry(glrunners.RetryPolicy{MaxRetries: 3, WaitMin: 10 * time.Millisecond, WaitMax: 50 * time.Millisecond}))
	if err != nil {
		log.Fatal(err)
	}

	reg, _, err := client.Runners.CreateOnce(context.Background(), &glrunners.CreateRunnerOptions{
		RunnerType: glrunners.InstanceType, Description: "vm-17", TagList: []string{"docker"},
	})
	var failed *glrunners.CreateOnceError
	switch {
	case errors.Is(err, glrunners.ErrRunnerUnrecovered) && errors.As(err, &failed):
		log.Fatalf("delete runners %v: %v", failed.RunnerIDs, err)
	case err != nil: // ErrNotCreated, or ErrOutcomeUnknown if the context ran out
		log.Fatal(err)
	}
	fmt.Println("runner", reg.ID, "token", reg.Token)
	for _, r := range srv.Runners() {
		fmt.Printf("GitLab holds runner %d %q\n", r.ID, r.Description)
	}
	_, _, err = client.Runners.Verify(context.Background(), &glrunners.VerifyRunnerOptions{Token: reg.Token, SystemID: "s_vm17"})
	fmt.Println("token works:", err == nil)
	// Output:
	// runner 1 token [REDACTED]
	// GitLab holds runner 1 "vm-17"
	// token works: true
}
