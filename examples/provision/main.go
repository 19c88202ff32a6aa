// Command provision creates runners with Runners.CreateOnce, one per
// machine, and reports what happened to each: created outright, recovered
// after a lost answer, or failed (and in which state).
//
//	go run ./examples/provision                  # demo: an in-memory GitLab that loses answers
//	GITLAB_URL=https://gitlab.example.com GITLAB_TOKEN=glpat-... \
//	  go run ./examples/provision -project-id 42 -n 3 -tags docker -token-dir ./tokens
//
// Without GITLAB_URL (or with -demo) it starts glrunnerstest, which breaks
// a share of the creates and token resets (502 after applying, connection
// reset after applying, 502 before applying) and serves lists that lag, and
// checks afterwards that every runner in it belongs to exactly one machine.
//
// Against a real GitLab, it first checks the connection and the token with
// one GET, then writes each machine's token to
// -token-dir/<description>.token (mode 0600) and never prints it. Exit
// status, as for every example tool: 0 every runner created, 1 some calls
// failed or -timeout stopped the run, 2 bad usage, 3 GitLab unreachable or
// GITLAB_TOKEN refused (nothing created), 130 interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/examples/internal/exitcode"
)

// Exit statuses: the convention of every example tool.
const (
	exitOK          = exitcode.OK
	exitFailures    = exitcode.Failed
	exitUsage       = exitcode.Usage
	exitGitLab      = exitcode.GitLab
	exitInterrupted = exitcode.Interrupted
)

const usageText = `Usage: provision [flags]

Creates -n runners with Runners.CreateOnce, one per machine named
<prefix><i>, and reports what happened to each: created outright,
recovered after a lost answer, or failed (and in which state).

Without GITLAB_URL, or with -demo, it runs against an in-memory GitLab that
loses a share (-fault-rate) of the answers to creates and token resets, and
checks afterwards that every runner belongs to exactly one machine.

Against GITLAB_URL it needs GITLAB_TOKEN (a token with the api scope) and
-token-dir: tokens are shown only once, so each one is written to
DIR/<description>.token (mode 0600) and never printed. Before the first
machine it checks the connection and the token with one GET.

Environment:
  GITLAB_URL    the GitLab to create runners in (unset: the demo)
  GITLAB_TOKEN  its access token

`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// config is what the command line asks for.
type config struct {
	n           int
	concurrency int
	prefix      string
	tags        []string
	projectID   int64
	groupID     int64
	tokenDir    string
	demo        bool
	faultRate   float64
	timeout     time.Duration
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	var tags string
	fs := flag.NewFlagSet("provision", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.n, "n", 12, "runners to create, one per machine")
	fs.IntVar(&cfg.concurrency, "concurrency", 4, "calls in flight at once (1-32)")
	fs.StringVar(&cfg.prefix, "prefix", "vm-", "description prefix; machine i is <prefix><i>")
	fs.StringVar(&tags, "tags", "docker", "tags of the new runners (comma-separated)")
	fs.Int64Var(&cfg.projectID, "project-id", 0, "create project runners of this project")
	fs.Int64Var(&cfg.groupID, "group-id", 0, "create group runners of this group (default: instance runners)")
	fs.StringVar(&cfg.tokenDir, "token-dir", "", "write each token to DIR/<description>.token (required against a real GitLab)")
	fs.BoolVar(&cfg.demo, "demo", false, "use an in-memory GitLab that loses answers (default when GITLAB_URL is unset)")
	fs.Float64Var(&cfg.faultRate, "fault-rate", 0.3, "demo: share of creates and token resets whose answer is lost")
	fs.DurationVar(&cfg.timeout, "timeout", 5*time.Minute, "give up after this long")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageText+exitcode.Help+"\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if tags != "" {
		cfg.tags = strings.Split(tags, ",")
	}
	switch {
	case fs.NArg() > 0:
		return cfg, usage(fs, "unexpected arguments %q", fs.Args())
	case cfg.n < 1 || cfg.n > 1000:
		return cfg, usage(fs, "-n must be between 1 and 1000")
	case cfg.concurrency < 1 || cfg.concurrency > 32:
		return cfg, usage(fs, "-concurrency must be between 1 and 32")
	case cfg.projectID != 0 && cfg.groupID != 0:
		return cfg, usage(fs, "-project-id and -group-id are exclusive")
	case cfg.faultRate < 0 || cfg.faultRate > 0.9:
		return cfg, usage(fs, "-fault-rate must be between 0 and 0.9")
	}
	return cfg, nil
}

func usage(fs *flag.FlagSet, format string, a ...any) error {
	err := fmt.Errorf(format, a...)
	fmt.Fprintln(fs.Output(), "provision:", err)
	return err
}

func run(parent context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(parent, cfg.timeout)
	defer cancel()
	code := provisionAll(ctx, cfg, getenv, stdout, stderr)
	if code != exitUsage && parent.Err() != nil {
		fmt.Fprintln(stderr, "provision: interrupted")
		return exitInterrupted
	}
	return code
}

// provisionAll provisions against the demo or GITLAB_URL and returns the
// exit status.
func provisionAll(ctx context.Context, cfg config, getenv func(string) string, stdout, stderr io.Writer) int {

	baseURL, token := getenv("GITLAB_URL"), getenv("GITLAB_TOKEN")
	if cfg.demo || baseURL == "" {
		return runDemo(ctx, cfg, stdout, stderr)
	}
	if token == "" || cfg.tokenDir == "" {
		fmt.Fprintln(stderr, "provision: against GITLAB_URL, set GITLAB_TOKEN and -token-dir (tokens are shown only once)")
		return exitUsage
	}
	if err := os.MkdirAll(cfg.tokenDir, 0o700); err != nil {
		fmt.Fprintln(stderr, "provision:", err)
		return exitUsage
	}
	counter := newRequestCounter(nil)
	client, err := glrunners.NewClient(baseURL, glrunners.WithToken(token),
		glrunners.WithHTTPClient(counter.client()), glrunners.WithLogger(counter.logger()),
		glrunners.WithUserAgent("glrunners-provision"))
	if err != nil {
		fmt.Fprintln(stderr, "provision:", err)
		return exitUsage
	}
	if code := checkGitLab(ctx, baseURL, token, stderr); code != exitOK {
		return code
	}
	machines := provision(ctx, client, counter, cfg, createOptions(cfg))
	for _, m := range machines {
		if m.reg == nil {
			continue
		}
		path := filepath.Join(cfg.tokenDir, m.name+".token")
		if err := os.WriteFile(path, []byte(m.reg.Token.Reveal()+"\n"), 0o600); err != nil {
			m.err = fmt.Errorf("runner %d created, but its token could not be saved: %w", m.reg.ID, err)
		}
	}
	return report(stdout, machines)
}

// createOptions returns what machine i's runner is asked for.
func createOptions(cfg config) func(name string) *glrunners.CreateRunnerOptions {
	return func(name string) *glrunners.CreateRunnerOptions {
		opt := &glrunners.CreateRunnerOptions{RunnerType: glrunners.InstanceType, Description: name, TagList: cfg.tags}
		switch {
		case cfg.projectID != 0:
			opt.RunnerType, opt.ProjectID = glrunners.ProjectType, cfg.projectID
		case cfg.groupID != 0:
			opt.RunnerType, opt.GroupID = glrunners.GroupType, cfg.groupID
		}
		return opt
	}
}

// checkGitLab sends one authenticated GET (the caller's runners, one of
// them) before the first machine, so that a wrong URL or token fails at
// once with exit status 3 instead of once per machine. It is retried once:
// a GitLab that does not answer twice is down.
func checkGitLab(ctx context.Context, baseURL, token string, stderr io.Writer) int {
	c, err := glrunners.NewClient(baseURL, glrunners.WithToken(token), glrunners.WithUserAgent("glrunners-provision"),
		glrunners.WithRetry(glrunners.RetryPolicy{MaxRetries: 1, WaitMin: 200 * time.Millisecond, WaitMax: time.Second}))
	if err != nil {
		fmt.Fprintln(stderr, "provision: GITLAB_URL:", err)
		return exitUsage
	}
	_, _, err = c.Runners.List(ctx, &glrunners.ListRunnersOptions{ListOptions: glrunners.ListOptions{PerPage: 1}})
	switch {
	case err == nil:
		return exitOK
	case ctx.Err() != nil:
		return exitFailures // run tells an interrupt from -timeout
	case errors.Is(err, glrunners.ErrUnauthorized), errors.Is(err, glrunners.ErrForbidden):
		fmt.Fprintln(stderr, "provision: GitLab refused GITLAB_TOKEN (it needs the api scope), nothing created:", err)
	default:
		fmt.Fprintln(stderr, "provision: cannot reach GitLab, nothing created:", err)
	}
	return exitGitLab
}
