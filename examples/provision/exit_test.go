package main

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/glrunners/glrunners/examples/internal/exittest"
	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
)

func TestExitCodes(t *testing.T) {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	gid := srv.AddGroup(glrunnerstest.Group{Name: "fleet"})
	srv.AddProject(glrunnerstest.Project{ID: 42, Name: "builds", GroupID: gid})
	gitlab := map[string]string{"GITLAB_URL": srv.URL(), "GITLAB_TOKEN": srv.AdminToken()}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		args   []string
		env    map[string]string
		ctx    context.Context
		want   int
		stderr string
		posts  bool // creates may reach the fake
	}{
		{name: "-h", args: []string{"-h"}, want: 0, stderr: "GITLAB_TOKEN  its access token"},
		{name: "unknown flag", args: []string{"-bogus"}, env: gitlab, want: 2, stderr: "-bogus"},
		{name: "argument", args: []string{"extra"}, env: gitlab, want: 2, stderr: "unexpected arguments"},
		{name: "no token", args: []string{"-token-dir", dir}, env: map[string]string{"GITLAB_URL": srv.URL()}, want: 2, stderr: "GITLAB_TOKEN"},
		{name: "unreachable", args: []string{"-token-dir", dir}, env: map[string]string{"GITLAB_URL": exittest.ClosedURL(t), "GITLAB_TOKEN": "x"}, want: 3, stderr: "cannot reach GitLab"},
		{name: "token refused", args: []string{"-token-dir", dir}, env: map[string]string{"GITLAB_URL": srv.URL(), "GITLAB_TOKEN": "glpat-wrong"}, want: 3, stderr: "refused GITLAB_TOKEN"},
		{name: "some calls fail", args: []string{"-n", "2", "-project-id", "999", "-token-dir", dir}, env: gitlab, want: 1, posts: true},
		{name: "interrupted", ctx: canceled, args: []string{"-n", "2", "-project-id", "42", "-token-dir", dir}, env: gitlab, want: 130},
		{name: "created", args: []string{"-n", "2", "-project-id", "42", "-token-dir", dir}, env: gitlab, want: 0, posts: true},
		{name: "demo", args: []string{"-demo", "-n", "2"}, want: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			before := len(srv.Requests())
			var stdout, stderr bytes.Buffer
			code := run(ctx, tc.args, func(k string) string { return tc.env[k] }, &stdout, &stderr)
			assert.Equal(t, tc.want, code, "stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), tc.stderr)
			for _, r := range srv.Requests()[before:] {
				if !tc.posts {
					assert.Equal(t, http.MethodGet, r.Method, "%s %s sent before the check passed", r.Method, r.Path)
				}
			}
			if tc.want == 2 || tc.want == 3 {
				assert.Empty(t, stdout.String(), "machines were provisioned")
			}
			if tc.want == 2 {
				assert.Len(t, srv.Requests(), before, "a usage error sent requests")
			}
		})
	}
}
