// Command stale-cleanup finds stale GitLab runners (no contact for 7 days
// or more) and deletes them.
//
//	go run ./examples/stale-cleanup -demo                 # dry run against an in-memory GitLab
//	go run ./examples/stale-cleanup -demo -apply          # ... and delete
//	GITLAB_URL=https://gitlab.example.com GITLAB_TOKEN=glpat-... \
//	  go run ./examples/stale-cleanup -group acme/platform -older-than 30d
//
// It is a dry run unless -apply is given. Deletes run with bounded
// concurrency, are conditional on the runner not having changed since it
// was inspected (If-Unmodified-Since), count 404 as already gone, and stop
// starting on Ctrl-C or -timeout. Exit status: 0 done, 1 some runners could
// not be deleted, 2 bad usage or the search failed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/examples/internal/demofleet"
)

// Exit statuses.
const (
	exitOK       = 0
	exitFailures = 1 // some candidates were not deleted (failed or not attempted)
	exitUsage    = 2 // bad flags or environment, or the search failed: nothing deleted
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], env{
		getenv:   os.Getenv,
		stdout:   os.Stdout,
		stderr:   os.Stderr,
		terminal: isTerminal(os.Stderr),
	}))
}

// env is what run takes from the process, so tests can supply their own.
type env struct {
	getenv   func(string) string
	stdout   io.Writer
	stderr   io.Writer
	terminal bool // stderr is a terminal: draw progress

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
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()

	baseURL, token, now := e.getenv("GITLAB_URL"), e.getenv("GITLAB_TOKEN"), e.now
	if now == nil {
		now = time.Now
	}
	if cfg.demo || baseURL == "" {
		fleet := demofleet.Start()
		defer fleet.Server.Close()
		baseURL, token = fleet.Server.URL(), fleet.AdminToken
		now = func() time.Time { return demofleet.Now }
		fmt.Fprintf(e.stdout, "demo: an in-memory GitLab with %d runners (set GITLAB_URL and GITLAB_TOKEN to use yours)\n\n", fleet.Runners)
	} else if token == "" {
		fmt.Fprintln(e.stderr, "stale-cleanup: GITLAB_URL is set but GITLAB_TOKEN is not")
		return exitUsage
	}
	opts := append([]glrunners.Option{
		glrunners.WithToken(token),
		glrunners.WithUserAgent("stale-cleanup/1.0"),
	}, e.clientOptions...)
	client, err := glrunners.NewClient(baseURL, opts...)
	if err != nil {
		fmt.Fprintln(e.stderr, "stale-cleanup:", err)
		return exitUsage
	}
	return clean(ctx, client, cfg, now(), e)
}

// clean finds, reports and (with -apply) deletes.
func clean(ctx context.Context, client *glrunners.Client, cfg config, now time.Time, e env) int {
	fd := &finder{c: client, now: now, concurrency: cfg.concurrency}
	found, err := fd.find(ctx, cfg.filter)
	if err != nil {
		fmt.Fprintln(e.stderr, "stale-cleanup: search failed, nothing deleted:", err)
		return exitUsage
	}
	for _, n := range found.Notes {
		fmt.Fprintln(e.stdout, "note:", n)
	}
	if err := printCandidates(e.stdout, found.Candidates, now); err != nil {
		fmt.Fprintln(e.stderr, "stale-cleanup:", err)
		return exitUsage
	}
	printSkipped(e.stdout, found.Skipped)
	if !cfg.apply {
		fmt.Fprintf(e.stdout, "\ndry run: found %d stale runners, deleted none; add -apply to delete them\n", len(found.Candidates))
		return exitOK
	}
	if len(found.Candidates) == 0 {
		return exitOK
	}

	fmt.Fprintf(e.stdout, "\ndeleting %d runners, %d at a time\n", len(found.Candidates), cfg.concurrency)
	dl := &deleter{c: client, concurrency: cfg.concurrency}
	var bar *progress
	if e.terminal {
		bar = &progress{w: e.stderr, total: len(found.Candidates)}
		dl.progress = bar.update
	}
	outs := dl.deleteAll(ctx, found.Candidates)
	if bar != nil {
		bar.finish()
	}
	s := summarize(len(found.Candidates), outs)
	printOutcomes(e.stdout, outs, s)
	if ctx.Err() != nil {
		fmt.Fprintln(e.stderr, "stale-cleanup: stopped:", context.Cause(ctx))
	}
	if !s.ok() {
		return exitFailures
	}
	return exitOK
}

// isTerminal reports whether f is a terminal (a character device), without
// a dependency: progress is drawn only there, never into a pipe or a log.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
