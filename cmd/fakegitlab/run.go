package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
)

const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

type config struct {
	addr        string
	seed        string
	runners     int
	latency     time.Duration
	loseCreates float64
	rateLimit   int
	rateWindow  time.Duration
	randSeed    int64
	commitDelay time.Duration
	listLag     time.Duration
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("fakegitlab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "loopback `address` to listen on")
	fs.StringVar(&c.seed, "seed", "", "seed an organisation: demo (groups, projects and -runners runners)")
	fs.IntVar(&c.runners, "runners", 300, "`number` of runners -seed demo creates")
	fs.DurationVar(&c.latency, "latency", 0, "delay every answer by this `duration`")
	fs.Float64Var(&c.loseCreates, "lose-creates", 0, "`share` (0..1) of POST /user/runners answered 502 after the runner was created")
	fs.IntVar(&c.rateLimit, "rate-limit", 0, "requests per -rate-window per token; 0 = no throttle")
	fs.DurationVar(&c.rateWindow, "rate-window", time.Minute, "the throttle's fixed `window`")
	fs.DurationVar(&c.commitDelay, "commit-delay", 0, "keep runners created through the API invisible for this `duration` (SetCommitDelay)")
	fs.DurationVar(&c.listLag, "list-lag", 0, "answer lists like a read replica this `duration` behind (SetListLag)")
	fs.Int64Var(&c.randSeed, "rand", 1, "random `seed` for the demo organisation and for lost answers")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: fakegitlab [flags]\n\nServes the glrunnerstest fake GitLab on loopback until SIGINT/SIGTERM.\nThe first two stdout lines are GITLAB_URL=... and GITLAB_TOKEN=...\nThe request log is at GET $GITLAB_URL/-/fake/requests.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case c.seed != "" && c.seed != "demo":
		return nil, fmt.Errorf("-seed: unknown organisation %q (want demo)", c.seed)
	case c.runners < 0:
		return nil, errors.New("-runners must not be negative")
	case c.loseCreates < 0 || c.loseCreates > 1:
		return nil, errors.New("-lose-creates must be between 0 and 1")
	case c.latency < 0 || c.commitDelay < 0 || c.listLag < 0:
		return nil, errors.New("-latency, -commit-delay and -list-lag must not be negative")
	case c.rateLimit < 0 || c.rateWindow <= 0:
		return nil, errors.New("-rate-limit must not be negative and -rate-window must be positive")
	}
	host, _, err := net.SplitHostPort(c.addr)
	if err != nil {
		return nil, fmt.Errorf("-addr: %v", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("-addr: %s is not a loopback address", host)
	}
	return c, nil
}

// run serves until ctx ends; it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "fakegitlab:", err)
		return exitUsage
	}
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	if c.rateLimit > 0 {
		srv.SetRateLimit(c.rateLimit, c.rateWindow)
	}
	srv.SetCommitDelay(c.commitDelay)
	srv.SetListLag(c.listLag)
	org := newOrg()
	if c.seed == "demo" {
		seedDemo(srv, org, c.runners, c.randSeed)
	}
	front, err := newFront(srv, org, c)
	if err != nil {
		fmt.Fprintln(stderr, "fakegitlab:", err)
		return exitError
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		fmt.Fprintln(stderr, "fakegitlab:", err)
		return exitError
	}
	hs := &http.Server{Handler: front, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "GITLAB_URL=http://%s\nGITLAB_TOKEN=%s\n", ln.Addr(), srv.AdminToken())
	if f, ok := stdout.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}
	select {
	case <-ctx.Done():
	case err := <-done:
		fmt.Fprintln(stderr, "fakegitlab:", err)
		return exitError
	}
	shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = hs.Shutdown(shut)
	return exitOK
}
