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
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/examples/internal/demofleet"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, getenv func(string) string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	if url := getenv("GITLAB_URL"); url != "" {
		token := getenv("GITLAB_TOKEN")
		if token == "" {
			return errors.New("GITLAB_URL is set but GITLAB_TOKEN is not")
		}
		client, err := glrunners.NewClient(url,
			glrunners.WithToken(token),
			glrunners.WithUserAgent("glrunners-quickstart"))
		if err != nil {
			return err
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
