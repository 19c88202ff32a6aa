package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/examples/internal/exitcode"
)

// config is what the command line asks for.
type config struct {
	filter      filter
	concurrency int
	apply       bool
	demo        bool
	json        bool
	timeout     time.Duration
	checkpoint  string // -checkpoint: the journal of -apply
	resume      string // -resume: finish the run journalled there
}

// filter selects the stale runners to delete. Group and Project are full
// paths; at most one is set.
type filter struct {
	Type      glrunners.RunnerType
	Tags      []string
	OlderThan time.Duration // last activity (creation or contact) at least this long ago
	Group     string
	Project   string
}

// errUsage marks a command-line mistake; the flag package has already
// printed its message and the usage.
var errUsage = errors.New("usage")

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	var typ, tags string
	fs := flag.NewFlagSet("stale-cleanup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&typ, "type", "", "only runners of this type: instance_type, group_type or project_type")
	fs.StringVar(&tags, "tags", "", "only runners carrying all these tags (comma-separated)")
	fs.Var((*days)(&cfg.filter.OlderThan), "older-than", "only runners created and last contacted at least this long ago (e.g. 30d, 720h); stale already means 7d")
	fs.StringVar(&cfg.filter.Group, "group", "", "only the group runners owned by this group (full path)")
	fs.StringVar(&cfg.filter.Project, "project", "", "only the project runners of this project (full path)")
	fs.IntVar(&cfg.concurrency, "concurrency", 4, "requests in flight at once (1-32)")
	fs.BoolVar(&cfg.apply, "apply", false, "delete the runners found (default: dry run, print them)")
	fs.BoolVar(&cfg.demo, "demo", false, "run against an in-memory GitLab with a demo fleet instead of GITLAB_URL")
	fs.BoolVar(&cfg.json, "json", false, "print one JSON object per line instead of text")
	fs.StringVar(&cfg.checkpoint, "checkpoint", "", "with -apply, journal the deletes in this file (default: a new file in the temporary directory)")
	fs.StringVar(&cfg.resume, "resume", "", "finish the run journalled in this checkpoint file, without a new search (with -apply; without it, list what is left)")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Minute, "give up after this long, aborting the requests in flight")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: stale-cleanup [flags]

Finds stale runners (no contact for 7+ days) and, with -apply, deletes them.
Connects to GITLAB_URL with GITLAB_TOKEN; -demo runs against an in-memory
GitLab with a demo fleet instead. It takes flags only, no arguments.

Prints the runners found, then one line per runner as it is deleted (or
left alone), then a summary. -json prints the same as one JSON object per
line: note, candidate, skipped, result and, last, summary records.

Filters must not be blank: -tags ",," or -type "" is refused, not read as
no filter.

With -apply, deletes are journalled to -checkpoint before they are sent. If
the run is killed or stopped, -resume FILE -apply finishes the same runners
without a new search and without deleting any runner twice.

SIGINT or SIGTERM stops the run: no new delete starts, the deletes in flight
finish, the summary is printed and the exit status is 130. A second signal
aborts the deletes in flight.

`+exitcode.Help+`  Here 1 means some runners were not deleted (a delete failed, or -timeout);
  2 also an unknown -group or -project; 3 also a failed search.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, errUsage
	}
	if fs.NArg() > 0 {
		arg := fs.Arg(0)
		hint := ""
		if fs.Lookup(arg) != nil {
			hint = fmt.Sprintf(" (did you mean -%s?)", arg)
		}
		fmt.Fprintf(stderr, "stale-cleanup: unexpected argument %q%s: the tool takes flags only; see -h\n", arg, hint)
		return cfg, errUsage
	}
	cfg.filter.Type = glrunners.RunnerType(typ)
	err := blankFilter(fs)
	if err == nil && tags != "" {
		for t := range strings.SplitSeq(tags, ",") {
			if t = strings.TrimSpace(t); t == "" {
				err = fmt.Errorf("-tags %q: an empty tag; name each tag, as in -tags docker,linux", tags)
				break
			}
			cfg.filter.Tags = append(cfg.filter.Tags, t)
		}
	}
	if err == nil {
		err = cfg.check()
	}
	if err != nil {
		fmt.Fprintln(stderr, "stale-cleanup:", err)
		return cfg, errUsage
	}
	return cfg, nil
}

// blankFilter refuses a filter flag given an empty or blank value: read as
// "no filter", it would select every stale runner, and -apply would delete
// them all.
func blankFilter(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "type", "tags", "group", "project":
			if err == nil && strings.TrimSpace(f.Value.String()) == "" {
				err = fmt.Errorf("-%s %q: a blank filter is refused (it would match every runner); leave the flag out for no filter", f.Name, f.Value.String())
			}
		}
	})
	return err
}

func (cfg *config) check() error {
	f := &cfg.filter
	switch {
	case f.Type != "" && !f.Type.Valid():
		return fmt.Errorf("-type %q: want instance_type, group_type or project_type", f.Type)
	case f.Group != "" && f.Project != "":
		return errors.New("-group and -project exclude each other")
	case f.Group != "" && f.Type != "" && f.Type != glrunners.GroupType:
		return errors.New("-group finds group runners: -type must be group_type or unset")
	case f.Project != "" && f.Type != "" && f.Type != glrunners.ProjectType:
		return errors.New("-project finds project runners: -type must be project_type or unset")
	case f.OlderThan < 0:
		return errors.New("-older-than must not be negative")
	case cfg.concurrency < 1 || cfg.concurrency > 32:
		return errors.New("-concurrency must be between 1 and 32")
	case cfg.timeout <= 0:
		return errors.New("-timeout must be positive")
	}
	return nil
}

// days is a duration flag that also takes whole days ("30d"), the unit
// runner ages are thought of in; time.ParseDuration stops at hours.
type days time.Duration

func (d *days) String() string {
	if d == nil || *d == 0 {
		return "0"
	}
	if td := time.Duration(*d); td%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(td/(24*time.Hour)), 10) + "d"
	}
	return time.Duration(*d).String()
}

func (d *days) Set(s string) error {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		v, err := strconv.Atoi(n)
		if err != nil || v < 0 {
			return errors.New("want whole days such as 30d, or a duration such as 36h")
		}
		*d = days(time.Duration(v) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("want whole days such as 30d, or a duration such as 36h")
	}
	*d = days(v)
	return nil
}
