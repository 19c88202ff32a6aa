// Command fleet-report walks a GitLab's runner fleet through the glrunners
// SDK and writes one report: an HTML page with charts that opens offline,
// or JSON or CSV for pipelines.
//
//	go run ./examples/fleet-report -demo -o report.html   # 10,000 seeded runners, in memory
//	GITLAB_URL=https://gitlab.example.com GITLAB_TOKEN=glpat-... \
//	  go run ./examples/fleet-report -o fleet.html
//
// It lists every runner (GET /runners/all for an administrator, else the
// runners the token may administer), reads each contacted runner's
// managers and each stale or never-contacted runner's details with a
// bounded number of requests in flight, and only reads: it changes
// nothing. The report is written only once everything was read, in one
// rename, so an interrupted or failed run leaves any earlier report as it
// was.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/examples/internal/exitcode"
	"github.com/glrunners/glrunners/glrunnerstest"
)

// Exit statuses: the convention of every example tool.
const (
	exitOK          = exitcode.OK
	exitFailed      = exitcode.Failed      // the walk or the write failed, or -timeout
	exitUsage       = exitcode.Usage       // bad flags (-o included), arguments or environment
	exitGitLab      = exitcode.GitLab      // no GitLab API at GITLAB_URL, or the token refused
	exitInterrupted = exitcode.Interrupted // SIGINT or SIGTERM
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
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

	clientOptions []glrunners.Option // added last to the client's options
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

	baseURL, token := e.getenv("GITLAB_URL"), e.getenv("GITLAB_TOKEN")
	demo := cfg.demo || baseURL == ""
	if demo {
		d := startDemo(fleetShape{runners: cfg.demoRunners, neverContacted: true, seed: demoShape.seed})
		defer d.close()
		if cfg.demoLatency > 0 {
			d.srv.AddFault(glrunnerstest.Fault{Latency: cfg.demoLatency, Times: glrunnerstest.Always})
		}
		baseURL, token = d.srv.URL(), d.adminToken
		if !cfg.quiet {
			fmt.Fprintf(e.stderr, "fleet-report: demo: an in-memory GitLab with %s runners (set GITLAB_URL and GITLAB_TOKEN to report on yours)\n",
				group(int64(cfg.demoRunners)))
		}
	} else if token == "" {
		fmt.Fprintln(e.stderr, "fleet-report: GITLAB_URL is set but GITLAB_TOKEN is not")
		return exitUsage
	}

	client, counter, err := newClient(baseURL, token, cfg, e.clientOptions...)
	if err != nil {
		fmt.Fprintln(e.stderr, "fleet-report: GITLAB_URL:", err)
		return exitUsage
	}
	gitlab := strings.TrimSuffix(strings.TrimRight(baseURL, "/"), "/api/v4")

	cl := &collector{c: client, gitlab: gitlab, concurrency: cfg.concurrency}
	if e.terminal && !cfg.quiet {
		cl.progress = newProgress(e.stderr, counter.n.Load)
	}
	began := time.Now()
	f, err := cl.collect(ctx)
	cl.progress.finish()
	if err == nil && ctx.Err() != nil {
		err = context.Cause(ctx) // interrupted after the last request: still write nothing
	}
	if err != nil {
		return failed(e.stderr, err, cfg.timeout)
	}
	took := time.Since(began)

	rep := aggregate(f, cfg.behind)
	if demo {
		rep.Notes = append(rep.Notes, "Demo: an in-memory GitLab with a seeded fleet, on a fixed clock; its links lead nowhere once the tool has exited.")
	}
	stats := fmt.Sprintf("%s runners read with %s requests in %s", group(int64(len(f.Runners))),
		group(counter.n.Load()), took.Round(10*time.Millisecond))
	var out []byte
	switch cfg.format {
	case "json":
		out, err = renderJSON(rep)
	case "csv":
		out, err = renderCSV(f)
	default:
		out, err = renderHTML(rep, stats)
	}
	if err == nil {
		err = writeReport(cfg.out, out, e.stdout)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "fleet-report: writing the report:", err)
		return exitFailed
	}
	if len(f.Runners) == 0 {
		fmt.Fprintln(e.stderr, "fleet-report: warning: the token sees no runners; is it the right one?")
	}
	if !cfg.quiet {
		dest := cfg.out
		if dest == "-" {
			dest = "stdout"
		}
		fmt.Fprintf(e.stderr, "fleet-report: %s (%s req/s); wrote %s\n", stats,
			group(int64(float64(counter.n.Load())/max(took.Seconds(), 0.001))), dest)
	}
	return exitOK
}

// newClient makes the SDK client the tool reads with, and the counter of
// the requests it sends.
func newClient(baseURL, token string, cfg config, extra ...glrunners.Option) (*glrunners.Client, *countingTransport, error) {
	hc, counter := newHTTPClient(cfg.concurrency)
	opts := []glrunners.Option{
		glrunners.WithToken(token),
		glrunners.WithUserAgent("glrunners-fleet-report/1.0"),
		glrunners.WithHTTPClient(hc),
		glrunners.WithPageConcurrency(cfg.concurrency),
	}
	if cfg.rate > 0 {
		opts = append(opts, glrunners.WithRateLimit(cfg.rate, cfg.concurrency))
	}
	client, err := glrunners.NewClient(baseURL, append(opts, extra...)...)
	return client, counter, err
}

// failed reports why no report was written and picks the exit status.
func failed(stderr io.Writer, err error, timeout time.Duration) int {
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "fleet-report: interrupted; no report written")
		return exitInterrupted
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(stderr, "fleet-report: gave up after -timeout %s; no report written\n", timeout)
	case errors.As(err, new(noGitLab)), errors.Is(err, errAccess):
		fmt.Fprintf(stderr, "fleet-report: %v; no report written\n", err)
		return exitGitLab
	default:
		fmt.Fprintf(stderr, "fleet-report: %v; no report written\n", err)
	}
	return exitFailed
}

// isTerminal reports whether f is a terminal (a character device): the
// progress line is drawn only there, never into a pipe or a log.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
