package main

import (
	"testing"

	"github.com/glrunners/glrunners/examples/internal/exittest"
	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
)

// Every exit status of the convention; signals (130) and -timeout (1) are
// in stop_test.go, where a gate holds the deletes.
func TestExitCodes(t *testing.T) {
	f := newTestFleet(t)
	closed := exittest.ClosedURL(t)
	gitlab := map[string]string{"GITLAB_URL": f.srv.URL(), "GITLAB_TOKEN": f.srv.AdminToken()}

	for _, tc := range []struct {
		name   string
		args   []string
		env    map[string]string
		fault  *glrunnerstest.Fault
		want   int
		stderr string
	}{
		{name: "-h", args: []string{"-h"}, want: 0, stderr: "130  interrupted"},
		{name: "unknown flag", args: []string{"-bogus"}, env: gitlab, want: 2, stderr: "-bogus"},
		{name: "argument", args: []string{"apply"}, env: gitlab, want: 2, stderr: "did you mean -apply?"},
		{name: "no GITLAB_URL", want: 2, stderr: "GITLAB_URL is not set"},
		{name: "no token", env: map[string]string{"GITLAB_URL": f.srv.URL()}, want: 2, stderr: "GITLAB_TOKEN is not"},
		{name: "-tags ,,", args: []string{"-tags", ",,", "-apply"}, env: gitlab, want: 2, stderr: "an empty tag"},
		{name: "-tags a,,b", args: []string{"-tags", "a,,b", "-apply"}, env: gitlab, want: 2, stderr: "an empty tag"},
		{name: `-tags " "`, args: []string{"-tags", " ", "-apply"}, env: gitlab, want: 2, stderr: "a blank filter is refused"},
		{name: `-tags ""`, args: []string{"-tags", "", "-apply"}, env: gitlab, want: 2, stderr: "a blank filter is refused"},
		{name: `-type ""`, args: []string{"-type", "", "-apply"}, env: gitlab, want: 2, stderr: "a blank filter is refused"},
		{name: `-group " "`, args: []string{"-group", " ", "-apply"}, env: gitlab, want: 2, stderr: "a blank filter is refused"},
		{name: `-project ""`, args: []string{"-project", "", "-apply"}, env: gitlab, want: 2, stderr: "a blank filter is refused"},
		{name: "unreachable", args: []string{"-apply"}, env: map[string]string{"GITLAB_URL": closed, "GITLAB_TOKEN": "x"}, want: 3, stderr: "cannot reach GitLab"},
		{name: "token refused", args: []string{"-apply"}, env: map[string]string{"GITLAB_URL": f.srv.URL(), "GITLAB_TOKEN": "glpat-wrong"}, want: 3, stderr: "refused GITLAB_TOKEN"},
		{name: "a delete fails", args: []string{"-apply", "-tags", "docker"}, env: gitlab, want: 1,
			fault: &glrunnerstest.Fault{Method: "DELETE", Pattern: "/runners/*", Status: 500, Times: glrunnerstest.Always}},
		{name: "dry run", args: []string{"-tags", "docker"}, env: gitlab, want: 0},
		{name: "done", args: []string{"-apply", "-group", "acme/platform", "-type", "group_type"}, env: gitlab, want: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault != nil {
				f.srv.AddFault(*tc.fault)
				defer f.srv.ClearFaults()
			}
			before := len(f.srv.Requests())
			code, _, stderr := runTool(tc.env, nil, tc.args...)
			assert.Equal(t, tc.want, code, stderr)
			assert.Contains(t, stderr, tc.stderr)
			if tc.want == 2 {
				assert.Len(t, f.srv.Requests(), before, "a usage error sent requests")
			}
		})
	}
}
