// Command quickstart is a tour of the glrunners SDK.
//
//	go run ./examples/quickstart
//
// Without GITLAB_URL it starts an in-memory GitLab (package glrunnerstest)
// with a few hundred runners in it and walks through the whole API: lists
// with filters, details, managers and jobs, pause/unpause, then the life of
// a new runner (create, verify, reset its token, assign, delete) and the
// typed errors a low-privilege user runs into.
//
// With GITLAB_URL and GITLAB_TOKEN set it runs only the read-only part
// against that GitLab: it never changes anything there.
//
// Exit status, as for every example tool: 0 done, 1 the tour failed or
// was stopped by its 2-minute limit, 2 bad usage (-h shows it; no argument
// is taken), 3 GitLab unreachable or GITLAB_TOKEN refused, 130 interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/examples/internal/demofleet"
	"github.com/glrunners/glrunners/examples/internal/exitcode"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

const usageText = `Usage: quickstart [-h]

A tour of the glrunners SDK. Without GITLAB_URL it starts an in-memory
GitLab with a few hundred runners and walks through the whole API: lists,
details, managers and jobs, pause/unpause, the life of a new runner, and
the typed errors a low-privilege user runs into.

With GITLAB_URL and GITLAB_TOKEN set it runs only the read-only part of
the tour against that GitLab: it never changes anything there.

It takes no flags besides -h, and no arguments.

`

// run parses the command line, runs the tour and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usageText+exitcode.Help) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitcode.OK
		}
		return exitcode.Usage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "quickstart: unexpected argument %q: it takes none; see -h\n", fs.Arg(0))
		return exitcode.Usage
	}
	err := runTour(ctx, stdout, getenv)
	if err == nil {
		return exitcode.OK
	}
	fmt.Fprintln(stderr, "quickstart:", err)
	var usage usageError
	switch {
	case errors.As(err, &usage):
		return exitcode.Usage
	case ctx.Err() != nil:
		return exitcode.Interrupted
	case exitcode.Unreachable(err):
		return exitcode.GitLab
	}
	return exitcode.Failed
}

// usageError is a mistake in the environment: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// runTour runs the tour: the read-only part against GITLAB_URL when it is
// set, else all of it against an in-memory GitLab.
func runTour(ctx context.Context, w io.Writer, getenv func(string) string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	if url := getenv("GITLAB_URL"); url != "" {
		token := getenv("GITLAB_TOKEN")
		if token == "" {
			return usageError{"GITLAB_URL is set but GITLAB_TOKEN is not"}
		}
		client, err := glrunners.NewClient(url,
			glrunners.WithToken(token),
			glrunners.WithUserAgent("glrunners-quickstart"))
		if err != nil {
			return usageError{"GITLAB_URL: " + err.Error()}
		}
		fmt.Fprintf(w, "glrunners quickstart: read-only tour of %s\n", url)
		t := &tour{c: client, p: &printer{w: w, now: time.Now}}
		return t.readOnly(ctx)
	}

	fleet := demofleet.Start()
	defer fleet.Server.Close()
	client, err := glrunners.NewClient(fleet.Server.URL(), glrunners.WithToken(fleet.AdminToken))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "glrunners quickstart: an in-memory GitLab at %s with %d runners\n", fleet.Server.URL(), fleet.Runners)
	fmt.Fprintf(w, "(clock fixed at %s; set GITLAB_URL and GITLAB_TOKEN to tour your own GitLab, read-only)\n",
		demofleet.Now.Format("2006-01-02 15:04 MST"))
	t := &tour{c: client, p: &printer{w: w, now: func() time.Time { return demofleet.Now }}, fleet: fleet}
	if err := t.readOnly(ctx); err != nil {
		return err
	}
	if err := t.changes(ctx); err != nil {
		return err
	}
	return t.lowPrivilege(ctx)
}
