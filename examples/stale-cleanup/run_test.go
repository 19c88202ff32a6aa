package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/glrunners/glrunners/examples/internal/exitcode"
	"github.com/glrunners/glrunners/glrunnerstest"
)

func TestDemoOnlyWithTheFlag(t *testing.T) {
	for name, args := range map[string][]string{"dry run": nil, "apply": {"-apply"}} {
		code, out, errOut := runTool(nil, nil, args...)
		if code != exitUsage {
			t.Errorf("%s without GITLAB_URL: exit %d, want %d", name, code, exitUsage)
		}
		if out != "" {
			t.Errorf("%s without GITLAB_URL printed %q", name, out)
		}
		for _, want := range []string{"GITLAB_URL is not set", "-demo"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s without GITLAB_URL: stderr %q lacks %q", name, errOut, want)
			}
		}
	}

	code, out, errOut := runTool(nil, nil, "-demo")
	if code != exitOK || !strings.HasPrefix(out, "note: -demo: an in-memory GitLab with ") {
		t.Errorf("-demo: exit %d, stdout starts %.80q, stderr %q; want 0 and the demo note", code, out, errOut)
	}

	// -demo wins over GITLAB_URL: a real GitLab is not touched.
	f := newTestFleet(t)
	vars := map[string]string{"GITLAB_URL": f.srv.URL(), "GITLAB_TOKEN": f.srv.AdminToken()}
	if code, _, errOut := runTool(vars, nil, "-demo", "-apply"); code != exitOK {
		t.Errorf("-demo -apply with GITLAB_URL: exit %d; stderr %q", code, errOut)
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("-demo sent %d requests to GITLAB_URL", n)
	}
}

func TestPositionalArgumentsAreRefused(t *testing.T) {
	f := newTestFleet(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"apply"}, `unexpected argument "apply" (did you mean -apply?)`},
		{[]string{"-type", "group_type", "now"}, `unexpected argument "now": the tool takes flags only`},
		{[]string{"-apply", "--", "-demo"}, `unexpected argument "-demo": the tool takes flags only`},
	} {
		code, out, errOut := f.runTool(t, "", tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, exitUsage, tc.want)
		}
		if out != "" {
			t.Errorf("%q printed %q", tc.args, out)
		}
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("refused command lines sent %d requests", n)
	}
}

func TestExitStatusWhenGitLabFails(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // nothing listens here any more

	f := newTestFleet(t)
	f.srv.AddFault(glrunnerstest.Fault{Method: http.MethodGet, Pattern: "groups/*/runners", Status: http.StatusInternalServerError, Times: glrunnerstest.Always})
	for _, tc := range []struct {
		name, url, token string
		args             []string
		want             string
	}{
		{"connection refused", gone.URL, "glpat-any", nil, "cannot reach GitLab, nothing deleted"},
		{"token refused", f.srv.URL(), "glpat-not-a-token", []string{"-apply"}, "GitLab refused GITLAB_TOKEN, nothing deleted: "},
		{"search failed", f.srv.URL(), f.srv.AdminToken(), []string{"-apply", "-group", "acme"}, "search failed, nothing deleted: "},
	} {
		code, _, errOut := runTool(map[string]string{"GITLAB_URL": tc.url, "GITLAB_TOKEN": tc.token}, nil, tc.args...)
		if code != exitGitLab || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tc.name, code, errOut, exitGitLab, tc.want)
		}
		if strings.Contains(errOut, tc.token) {
			t.Errorf("%s: stderr shows the token: %q", tc.name, errOut)
		}
	}
	if d := f.deletes(); len(d) != 0 {
		t.Errorf("DELETEs sent: %v", d)
	}
}

func TestHelpDocumentsExitStatuses(t *testing.T) {
	code, out, errOut := runTool(nil, nil, "-h")
	if code != exitOK || out != "" {
		t.Fatalf("-h: exit %d, stdout %q; want 0 and usage on stderr", code, out)
	}
	for _, want := range []string{
		exitcode.Help, // the convention of every example tool
		"Here 1 means some runners were not deleted",
		"SIGINT or SIGTERM stops the run",
		"-json",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("-h lacks %q:\n%s", want, errOut)
		}
	}
}
