package glrunnerstest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

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
