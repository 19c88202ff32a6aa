package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/glrunners/glrunners/examples/internal/exitcode"
)

// config is what the command line asks for.
type config struct {
	out         string // file to write; "-" is stdout
	format      string // html, json or csv
	concurrency int    // pages fetched ahead, and runners read at once
	rate        float64
	behind      int // a version this many minors behind the newest is outdated
	timeout     time.Duration
	demo        bool
	demoRunners int
	demoLatency time.Duration
	quiet       bool
}

var formats = map[string]string{"html": "fleet-report.html", "json": "-", "csv": "-"}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("fleet-report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.out, "o", "", `write the report here; "-" is stdout (default fleet-report.html for html, stdout otherwise)`)
	fs.StringVar(&cfg.format, "format", "html", "html (one self-contained page with charts), json (the numbers of the charts) or csv (one row per runner)")
	fs.IntVar(&cfg.concurrency, "concurrency", 8, "requests in flight at once: list pages fetched ahead, and runners whose managers are read in parallel (1-64)")
	fs.Float64Var(&cfg.rate, "rate", 0, "at most this many requests per second (0: no client-side limit; GitLab's RateLimit headers are always honoured)")
	fs.IntVar(&cfg.behind, "behind", 3, "mark runner versions this many minor releases behind the newest one in the fleet as outdated (GitLab patches the newest three)")
	fs.DurationVar(&cfg.timeout, "timeout", 30*time.Minute, "give up after this long")
	fs.BoolVar(&cfg.demo, "demo", false, "report on an in-memory GitLab with a seeded fleet (default when GITLAB_URL is unset)")
	fs.IntVar(&cfg.demoRunners, "demo-runners", demoShape.runners, "size of the -demo fleet")
	fs.DurationVar(&cfg.demoLatency, "demo-latency", 0, "make the -demo GitLab take this long to answer each request, like a remote one")
	fs.BoolVar(&cfg.quiet, "q", false, "no progress line and no summary on stderr")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: fleet-report [flags]

Walks every runner GITLAB_TOKEN can see on GITLAB_URL (all of them for an
administrator), reads each runner's managers, and writes one report: an HTML
page that opens offline, or JSON or CSV for pipelines. It only reads.
Without GITLAB_URL, or with -demo, it reports on an in-memory GitLab with a
seeded fleet of 10,000 runners.

-o is checked before the walk: its directory must exist and be writable,
and it must not name a directory. No report is written unless the whole
walk succeeds (exit status 0).

`+exitcode.Help+`
Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fleet-report: unexpected argument %q\n", fs.Arg(0))
		return cfg, errUsage
	}
	if err := cfg.check(); err != nil {
		fmt.Fprintln(stderr, "fleet-report:", err)
		return cfg, errUsage
	}
	if cfg.out == "" {
		cfg.out = formats[cfg.format]
	}
	if err := checkOutput(cfg.out); err != nil {
		fmt.Fprintln(stderr, "fleet-report:", err)
		return cfg, errUsage
	}
	return cfg, nil
}

// checkOutput refuses an -o the report could not be written to, before a
// walk that may take minutes: a directory, or a file in a directory that
// does not exist or is not writable (tried with a temporary file, which
// is what writeReport makes there).
func checkOutput(path string) error {
	if path == "-" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("-o %s is a directory; name a file, such as %s", path, filepath.Join(path, "fleet-report.html"))
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("-o %s: directory %s does not exist", path, dir)
	case err != nil:
		return fmt.Errorf("-o %s: %w", path, err)
	case !fi.IsDir():
		return fmt.Errorf("-o %s: %s is not a directory", path, dir)
	}
	probe, err := os.CreateTemp(dir, ".fleet-report-check-*")
	if err != nil {
		return fmt.Errorf("-o %s: directory %s is not writable", path, dir)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// errUsage marks a command-line mistake that has already been reported.
var errUsage = errors.New("usage")

func (cfg *config) check() error {
	_, known := formats[cfg.format]
	switch {
	case !known:
		return fmt.Errorf("-format %q: want html, json or csv", cfg.format)
	case cfg.concurrency < 1 || cfg.concurrency > 64:
		return errors.New("-concurrency must be between 1 and 64")
	case cfg.rate < 0:
		return errors.New("-rate must not be negative")
	case cfg.behind < 1:
		return errors.New("-behind must be at least 1")
	case cfg.timeout <= 0:
		return errors.New("-timeout must be positive")
	case cfg.demoRunners < 1 || cfg.demoRunners > 200000:
		return errors.New("-demo-runners must be between 1 and 200000")
	case cfg.demoLatency < 0:
		return errors.New("-demo-latency must not be negative")
	}
	return nil
}
