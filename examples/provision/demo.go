package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

// demoFaults are the ways the demo GitLab loses an answer. All but the
// first apply the request first: the runner exists, or the token rotated.
var demoFaults = []glrunnerstest.Fault{
	{Status: 502},
	{Status: 502, AfterApply: true},
	{Reset: true, AfterApply: true},
}

// runDemo provisions against an in-memory GitLab that loses cfg.faultRate
// of the answers to creates and token resets and serves lists 200 ms late,
// then checks that every runner in it belongs to exactly one machine and
// that every token works.
func runDemo(ctx context.Context, cfg config, stdout, stderr io.Writer) int {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	gid := srv.AddGroup(glrunnerstest.Group{Name: "fleet"})
	cfg.projectID, cfg.groupID = srv.AddProject(glrunnerstest.Project{Name: "builds", GroupID: gid}), 0
	uid, token := srv.AddUser(glrunnerstest.User{Username: "provisioner"})
	srv.AddMember(uid, "project", cfg.projectID, glrunnerstest.Maintainer)
	srv.SetListLag(200 * time.Millisecond)
	injected := addDemoFaults(srv, cfg.faultRate, 3*cfg.n)

	counter := newRequestCounter(nil)
	client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(token),
		glrunners.WithHTTPClient(counter.client()), glrunners.WithLogger(counter.logger()),
		// Short waits keep the demo quick. The in-memory GitLab commits at
		// once, so a 1 s settle window (the default, 90 s, is sized for a
		// real GitLab's request timeouts) still outlasts its 200 ms list lag.
		glrunners.WithRetry(glrunners.RetryPolicy{MaxRetries: 4, WaitMin: 100 * time.Millisecond,
			WaitMax: 400 * time.Millisecond, MaxRetryAfter: 5 * time.Second}),
		glrunners.WithSettleWindow(time.Second))
	if err != nil {
		fmt.Fprintln(stderr, "provision:", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "demo: an in-memory GitLab that loses %.0f%% of the answers to creates and token resets "+
		"(%d faults queued) and serves lists 200 ms late\n\n", 100*cfg.faultRate, injected)

	machines := provision(ctx, client, counter, cfg, createOptions(cfg))
	status := report(stdout, machines)
	if !checkDemo(ctx, stdout, client, srv, machines) {
		status = exitFailures
	}
	return status
}

// addDemoFaults queues, for the first n creates and the first n token
// resets, a fault with probability rate and a pass-through otherwise
// (glrunnerstest applies matching rules in order, one use each). It
// returns how many faults it queued.
func addDemoFaults(srv *glrunnerstest.Server, rate float64, n int) int {
	rng := rand.New(rand.NewPCG(1, 2))
	injected := 0
	for _, pattern := range []string{"/api/v4/user/runners", "/api/v4/runners/*/reset_authentication_token"} {
		for range n {
			f := glrunnerstest.Fault{Latency: time.Microsecond} // served normally
			if rng.Float64() < rate {
				f = demoFaults[rng.IntN(len(demoFaults))]
				injected++
			}
			f.Method, f.Pattern, f.Times = "POST", pattern, 1
			srv.AddFault(f)
		}
	}
	return injected
}

// checkDemo looks at the GitLab afterwards: every runner must belong to
// one machine (its own, or named in its error), and every returned token
// must verify.
func checkDemo(ctx context.Context, w io.Writer, c *glrunners.Client, srv *glrunnerstest.Server, machines []*machine) bool {
	owned := map[int64]int{}
	verified := 0
	for _, m := range machines {
		var e *glrunners.CreateOnceError
		switch {
		case m.reg != nil:
			owned[m.reg.ID]++
			got, _, err := c.Runners.Verify(ctx, &glrunners.VerifyRunnerOptions{Token: m.reg.Token, SystemID: "s_" + m.name})
			if err == nil && got.ID == m.reg.ID {
				verified++
			}
		case errors.As(m.err, &e):
			for _, id := range e.RunnerIDs {
				owned[id]++
			}
		}
	}
	var inGitLab []int64
	unaccounted := 0
	for _, r := range srv.Runners() {
		inGitLab = append(inGitLab, r.ID)
		if owned[r.ID] == 0 {
			unaccounted++
		}
	}
	shared := 0
	for id, n := range owned {
		if n > 1 || !slices.Contains(inGitLab, id) {
			shared++
		}
	}
	created := countCreated(machines)
	fmt.Fprintf(w, "GitLab holds %d runners: %d belong to no machine, %d are claimed twice or missing; %d of %d tokens verified\n",
		len(inGitLab), unaccounted, shared, verified, created)
	return unaccounted == 0 && shared == 0 && verified == created
}

func countCreated(machines []*machine) int {
	n := 0
	for _, m := range machines {
		if m.reg != nil {
			n++
		}
	}
	return n
}
