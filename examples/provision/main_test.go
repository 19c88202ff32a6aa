package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

func TestDemoAccountsForEveryRunner(t *testing.T) {
	var out, errs bytes.Buffer
	code := run(context.Background(), []string{"-n", "16", "-fault-rate", "0.5"}, func(string) string { return "" }, &out, &errs)
	s := out.String()
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, s, errs.String())
	}
	for _, want := range []string{
		"16 machines: 16 runners created",
		"GitLab holds 16 runners: 0 belong to no machine, 0 are claimed twice or missing; 16 of 16 tokens verified",
		"recovered the runner of a lost create answer",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "glrt-") {
		t.Errorf("output shows a runner token:\n%s", s)
	}
}

// Against a GitLab (here a fake), tokens go to files only, and they work.
func TestAgainstAGitLabWritesTokenFiles(t *testing.T) {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	gid := srv.AddGroup(glrunnerstest.Group{Name: "fleet"})
	pid := srv.AddProject(glrunnerstest.Project{Name: "builds", GroupID: gid})
	srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/api/v4/user/runners", Status: 502, AfterApply: true})
	dir := t.TempDir()
	vars := map[string]string{"GITLAB_URL": srv.URL(), "GITLAB_TOKEN": srv.AdminToken()}
	var out, errs bytes.Buffer
	code := run(context.Background(), []string{"-n", "2", "-project-id", strconv.FormatInt(pid, 10), "-token-dir", dir},
		func(k string) string { return vars[k] }, &out, &errs)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errs.String())
	}
	c, err := glrunners.NewClient(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"vm-01", "vm-02"} {
		path := filepath.Join(dir, name+".token")
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", path, info.Mode().Perm())
		}
		tok, _ := os.ReadFile(path)
		if _, _, err := c.Runners.Verify(context.Background(), &glrunners.VerifyRunnerOptions{
			Token: glrunners.Secret(strings.TrimSpace(string(tok))), SystemID: "s_" + name}); err != nil {
			t.Errorf("%s: token does not verify: %v", name, err)
		}
		if strings.Contains(out.String(), strings.TrimSpace(string(tok))) {
			t.Errorf("output shows the token of %s", name)
		}
	}
	if n := len(srv.Runners()); n != 2 {
		t.Errorf("%d runners in GitLab, want 2", n)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"-n", "0"}, {"-project-id", "1", "-group-id", "2"}, {"extra"}, {"-fault-rate", "1"}} {
		var out, errs bytes.Buffer
		if code := run(context.Background(), args, func(string) string { return "" }, &out, &errs); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	var out, errs bytes.Buffer
	env := map[string]string{"GITLAB_URL": "http://127.0.0.1:1", "GITLAB_TOKEN": "glpat-x"}
	if code := run(context.Background(), nil, func(k string) string { return env[k] }, &out, &errs); code != exitUsage {
		t.Errorf("no -token-dir against a GitLab: exit %d, want %d", code, exitUsage)
	}
}
