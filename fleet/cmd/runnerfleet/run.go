package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/fleet"
)

// run executes one command and returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := map[string]func(context.Context, *session, []string) int{
		"import": cmdImport, "plan": cmdPlan, "apply": cmdApply,
	}[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "runnerfleet: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	s := &session{getenv: getenv, stdout: stdout, stderr: stderr}
	code := cmd(ctx, s, args[1:])
	if ctx.Err() != nil && code != exitOK && code != exitUsage {
		fmt.Fprintln(stderr, "runnerfleet: interrupted")
		return exitInterrupted
	}
	return code
}

type session struct {
	getenv         func(string) string
	stdout, stderr io.Writer
	concurrency    int
}

func (s *session) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(s.stderr)
	fs.Usage = func() {
		fmt.Fprintf(s.stderr, "usage: runnerfleet %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
		fmt.Fprint(s.stderr, "\nExit status: 0 done, 1 failed or stopped, 2 usage, 3 GitLab unreachable or credentials refused, 4 plan has changes, 130 interrupted (runnerfleet -h).\n")
	}
	fs.IntVar(&s.concurrency, "concurrency", 8, "requests in flight at most")
	return fs
}

// parse parses flags; it returns an exit status when the command is over.
func (s *session) parse(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, true
		}
		return exitUsage, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(s.stderr, "runnerfleet %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitUsage, true
	}
	if s.concurrency < 1 || s.concurrency > 64 {
		fmt.Fprintf(s.stderr, "runnerfleet %s: -concurrency must be 1 to 64\n", fs.Name())
		return exitUsage, true
	}
	return 0, false
}

func (s *session) reconciler(name string) (*fleet.Reconciler, int) {
	base, tok := s.getenv("GITLAB_URL"), s.getenv("GITLAB_TOKEN")
	if base == "" || tok == "" {
		fmt.Fprintf(s.stderr, "runnerfleet %s: set GITLAB_URL and GITLAB_TOKEN\n", name)
		return nil, exitUsage
	}
	c, err := glrunners.NewClient(base, glrunners.WithToken(tok), glrunners.WithUserAgent("runnerfleet"))
	if err != nil {
		fmt.Fprintf(s.stderr, "runnerfleet %s: %v\n", name, err)
		return nil, exitUsage
	}
	log := slog.New(slog.NewTextHandler(s.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return fleet.New(c, fleet.Options{Concurrency: s.concurrency, Logger: log}), 0
}

// fail reports err and maps it to an exit status.
func (s *session) fail(name string, err error) int {
	fmt.Fprintf(s.stderr, "runnerfleet %s: %v\n", name, err)
	var te *glrunners.TransportError
	var ve *fleet.ValidationError
	switch {
	case errors.As(err, &ve):
		return exitUsage
	case errors.As(err, &te), errors.Is(err, glrunners.ErrUnauthorized), errors.Is(err, glrunners.ErrForbidden):
		return exitUnreachable
	}
	return exitFailed
}

func (s *session) load(name, path string) (*fleet.File, int) {
	if path == "" {
		fmt.Fprintf(s.stderr, "runnerfleet %s: -f names the desired-state file\n", name)
		return nil, exitUsage
	}
	f, err := fleet.Load(path)
	if err != nil {
		fmt.Fprintf(s.stderr, "runnerfleet %s: %v\n", name, err)
		return nil, exitUsage
	}
	return f, 0
}

func cmdPlan(ctx context.Context, s *session, args []string) int {
	fs := s.flags("plan", "plan -f FILE [-json] [-allow-replace] [-prune]")
	path := fs.String("f", "", "the desired-state `file`")
	asJSON := fs.Bool("json", false, "print the plan as JSON")
	var o fleet.PlanOptions
	fs.BoolVar(&o.AllowReplace, "allow-replace", false, "do not mark replacements as blocked")
	fs.BoolVar(&o.Prune, "prune", false, "do not mark deletes of runners gone from the file as blocked")
	if code, done := s.parse(fs, args); done {
		return code
	}
	f, code := s.load("plan", *path)
	if f == nil {
		return code
	}
	r, code := s.reconciler("plan")
	if r == nil {
		return code
	}
	p, err := r.Plan(ctx, f, o)
	if err != nil {
		return s.fail("plan", err)
	}
	if *asJSON {
		err = p.WriteJSON(s.stdout)
	} else {
		err = p.WriteText(s.stdout)
	}
	if err != nil {
		return s.fail("plan", err)
	}
	if len(p.Changes) > 0 {
		return exitPending
	}
	return exitOK
}

func cmdApply(ctx context.Context, s *session, args []string) int {
	fs := s.flags("apply", "apply -f FILE (-token-dir DIR | -token-cmd CMD) [-allow-replace] [-prune]")
	path := fs.String("f", "", "the desired-state `file`")
	dir := fs.String("token-dir", "", "write each new token to `dir`/<key>.token, mode 0600")
	cmd := fs.String("token-cmd", "", "run `command` (with /bin/sh -c) for each new token, given on stdin; RUNNERFLEET_KEY, RUNNERFLEET_RUNNER_ID and RUNNERFLEET_FLEET name the runner")
	var o fleet.PlanOptions
	fs.BoolVar(&o.AllowReplace, "allow-replace", false, "replace runners whose type, group or project changed (a new runner with a new token)")
	fs.BoolVar(&o.Prune, "prune", false, "delete managed runners no longer in the file")
	if code, done := s.parse(fs, args); done {
		return code
	}
	if *dir != "" && *cmd != "" {
		fmt.Fprintln(s.stderr, "runnerfleet apply: give -token-dir or -token-cmd, not both")
		return exitUsage
	}
	f, code := s.load("apply", *path)
	if f == nil {
		return code
	}
	r, code := s.reconciler("apply")
	if r == nil {
		return code
	}
	var sink fleet.TokenSink
	switch {
	case *dir != "":
		sink = fleet.DirSink{Dir: *dir}
	case *cmd != "":
		sink = fleet.ShellSink(*cmd)
	}
	p, err := r.Plan(ctx, f, o)
	if err != nil {
		return s.fail("apply", err)
	}
	if err := p.WriteText(s.stdout); err != nil {
		return s.fail("apply", err)
	}
	if len(p.Changes) == 0 {
		return exitOK
	}
	res, err := r.Apply(ctx, p, sink)
	switch {
	case errors.Is(err, fleet.ErrBlocked):
		fmt.Fprintln(s.stderr, "runnerfleet apply: refused: the plan holds blocked changes (see above); nothing was changed")
		return exitFailed
	case errors.Is(err, fleet.ErrNoSink):
		fmt.Fprintln(s.stderr, "runnerfleet apply: the plan creates runners or delivers tokens: give -token-dir or -token-cmd")
		return exitUsage
	}
	fmt.Fprintf(s.stdout, "Applied: %d done, %d failed.\n", res.Done, res.Failed)
	if err != nil {
		return s.fail("apply", errors.New("some changes failed (see the log); rerun apply to finish"))
	}
	return exitOK
}

func cmdImport(ctx context.Context, s *session, args []string) int {
	fs := s.flags("import", "import -fleet NAME [-scope SCOPE] [-status S] [-tag T] [-match RE] [-o FILE]")
	name := fs.String("fleet", "", "the fleet's `name` (the file's fleet:)")
	scope := fs.String("scope", "", "instance, group:<path or ID> or project:<path or ID>; empty: every runner the token sees")
	status := fs.String("status", "", "only runners with this `status` (online, offline, stale, never_contacted)")
	tags := fs.String("tag", "", "only runners carrying all these comma-separated `tags`")
	match := fs.String("match", "", "only runners whose description matches this `regexp`")
	out := fs.String("o", "-", "write the file here; - for stdout")
	force := fs.Bool("force", false, "overwrite an existing -o file")
	if code, done := s.parse(fs, args); done {
		return code
	}
	sel, err := selection(*scope, *status, *tags, *match)
	if err == nil && *name == "" {
		err = errors.New("-fleet names the fleet")
	}
	if err != nil {
		fmt.Fprintf(s.stderr, "runnerfleet import: %v\n", err)
		return exitUsage
	}
	if *out != "-" && !*force {
		if _, err := os.Stat(*out); err == nil {
			fmt.Fprintf(s.stderr, "runnerfleet import: %s exists; give -force to overwrite it\n", *out)
			return exitUsage
		}
	}
	r, code := s.reconciler("import")
	if r == nil {
		return code
	}
	res, err := r.Import(ctx, *name, sel)
	if res == nil {
		return s.fail("import", err)
	}
	data, merr := fleet.Marshal(res.File, fmt.Sprintf("Imported by runnerfleet: %d runners (fields as GitLab has them).", len(res.File.Runners)))
	if merr != nil {
		return s.fail("import", merr)
	}
	if *out == "-" {
		_, merr = s.stdout.Write(data)
	} else {
		merr = os.WriteFile(*out, data, 0o644)
	}
	if merr != nil {
		return s.fail("import", merr)
	}
	for _, sk := range res.Skipped {
		fmt.Fprintf(s.stderr, "runnerfleet import: skipped %s\n", sk)
	}
	fmt.Fprintf(s.stderr, "runnerfleet import: %d runners written, %d newly adopted\n", len(res.File.Runners), res.Adopted)
	if err != nil {
		return s.fail("import", err)
	}
	return exitOK
}

func selection(scope, status, tags, match string) (fleet.Selection, error) {
	var sel fleet.Selection
	kind, ref, _ := strings.Cut(scope, ":")
	switch kind {
	case "":
	case "instance":
		sel.Scope = fleet.Scope{Type: glrunners.InstanceType}
	case "group", "project":
		if ref == "" {
			return sel, fmt.Errorf("-scope %s: needs :<path or ID>", kind)
		}
		sel.Scope = fleet.Scope{Type: glrunners.GroupType}
		if kind == "project" {
			sel.Scope.Type = glrunners.ProjectType
		}
		if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
			sel.Scope.ID = id
		} else {
			sel.Scope.Path = ref
		}
	default:
		return sel, fmt.Errorf("-scope %q: want instance, group:<path or ID> or project:<path or ID>", scope)
	}
	sel.Status = glrunners.RunnerStatus(status)
	if tags != "" {
		sel.Tags = strings.Split(tags, ",")
	}
	if match != "" {
		re, err := regexp.Compile(match)
		if err != nil {
			return sel, fmt.Errorf("-match: %v", err)
		}
		sel.Match = re
	}
	return sel, nil
}
