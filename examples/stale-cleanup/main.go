// Command stale-cleanup finds stale GitLab runners (no contact for 7 days
// or more) and deletes them.
//
//	go run ./examples/stale-cleanup -demo                 # dry run against an in-memory GitLab
//	go run ./examples/stale-cleanup -demo -apply          # ... and delete
//	GITLAB_URL=https://gitlab.example.com GITLAB_TOKEN=glpat-... \
//	  go run ./examples/stale-cleanup -group acme/platform -older-than 30d
//
// It is a dry run unless -apply is given, and it talks to GITLAB_URL unless
// -demo is given; it takes no arguments besides flags. Deletes run with
// bounded concurrency, are conditional on the runner not having changed
// since it was inspected (If-Unmodified-Since), and count 404 as already
// gone. With -apply the deletes go through glrunners' Runners.Bulk: the
// selection is snapshotted and journalled to -checkpoint (default: a new
// file in the temporary directory, removed when the run completes), so
// after a crash, kill -9 included, or a stop,
//
//	go run ./examples/stale-cleanup -resume FILE -apply
//
// finishes the same selection without a new search, never deleting a
// runner twice; -resume without -apply lists what is left.
//
// Output is a table of the runners found, then one line per runner as its
// delete ends ("[3/7] runner 42: deleted"), then a summary, whether or not
// stdout is a terminal. -json prints JSON Lines instead: one object per
// line, each with a "type" (see jsonReport), the last one the summary.
//
// SIGINT or SIGTERM stops the run: no new delete starts, the deletes in
// flight finish, the summary is printed and the exit status is 130. A
// second signal aborts the deletes in flight.
//
// Exit status, as for every example tool: 0 done or dry run; 1 some
// runners were not deleted, or -timeout stopped the run; 2 bad usage
// (flags, blank filter values, arguments, environment, an unknown -group
// or -project); 3 GitLab could not be reached, refused the token, or
// failed the search; 130 interrupted. With 2 and 3 nothing was deleted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/examples/internal/demofleet"
	"github.com/glrunners/glrunners/examples/internal/exitcode"
)

// Exit statuses, documented in the usage text.
const (
	exitOK          = exitcode.OK
	exitIncomplete  = exitcode.Failed      // some candidates were not deleted (failed or not attempted), or -timeout
	exitUsage       = exitcode.Usage       // bad flags, arguments or environment, or an unknown -group/-project: nothing deleted
	exitGitLab      = exitcode.GitLab      // GitLab could not be reached, refused the token, or failed the search: nothing deleted
	exitInterrupted = exitcode.Interrupted // stopped by SIGINT or SIGTERM
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], env{
		getenv:  os.Getenv,
		stdout:  os.Stdout,
		stderr:  os.Stderr,
		signals: notifySignals,
	}))
}

// env is what run takes from the process, so tests can supply their own.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
	// signals passes each SIGINT and SIGTERM to handle until the returned
	// function is called; nil watches no signals.
	signals func(handle func(os.Signal)) (stop func())

	now           func() time.Time   // nil: time.Now (the demo uses its fixed clock)
	clientOptions []glrunners.Option // added to the client's options
}

func run(ctx context.Context, args []string, e env) int {
	cfg, err := parseFlags(args, e.stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	var out reporter = &textReport{w: e.stdout}
	if cfg.json {
		out = newJSONReport(e.stdout)
	}

	baseURL, token, now := e.getenv("GITLAB_URL"), e.getenv("GITLAB_TOKEN"), e.now
	if now == nil {
		now = time.Now
	}
	switch {
	case cfg.demo:
		fleet := demofleet.Start()
		defer fleet.Server.Close()
		baseURL, token = fleet.Server.URL(), fleet.AdminToken
		now = func() time.Time { return demofleet.Now }
		out.note(fmt.Sprintf("-demo: an in-memory GitLab with %d runners, not GITLAB_URL", fleet.Runners))
	case baseURL == "":
		fmt.Fprintln(e.stderr, "stale-cleanup: GITLAB_URL is not set: set GITLAB_URL and GITLAB_TOKEN, or pass -demo to try the tool on an in-memory fleet")
		return exitUsage
	case token == "":
		fmt.Fprintln(e.stderr, "stale-cleanup: GITLAB_URL is set but GITLAB_TOKEN is not")
		return exitUsage
	}
	opts := append([]glrunners.Option{
		glrunners.WithToken(token),
		glrunners.WithUserAgent("stale-cleanup/1.0"),
	}, e.clientOptions...)
	client, err := glrunners.NewClient(baseURL, opts...)
	if err != nil {
		fmt.Fprintln(e.stderr, "stale-cleanup: GITLAB_URL:", err)
		return exitUsage
	}

	st := newStopper(ctx, cfg.timeout, e.stderr)
	defer st.release()
	if e.signals != nil {
		defer e.signals(st.signal)()
	}
	if cfg.resume != "" {
		return resumeRun(st, client, cfg, out, e.stderr)
	}
	return clean(st, client, cfg, now(), out, e.stderr)
}
