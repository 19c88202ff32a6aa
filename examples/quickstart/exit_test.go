package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/glrunners/glrunners/examples/internal/exittest"
	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
)

func TestExitCodes(t *testing.T) {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name   string
		args   []string
		env    map[string]string
		ctx    context.Context
		want   int
		stderr string
	}{
		{name: "-h", args: []string{"-h"}, want: 0, stderr: "130  interrupted"},
		{name: "unknown flag", args: []string{"-bogus"}, env: map[string]string{"GITLAB_URL": srv.URL(), "GITLAB_TOKEN": srv.AdminToken()}, want: 2, stderr: "-bogus"},
		{name: "argument", args: []string{"extra"}, env: map[string]string{"GITLAB_URL": srv.URL(), "GITLAB_TOKEN": srv.AdminToken()}, want: 2, stderr: `unexpected argument "extra"`},
		{name: "no token", env: map[string]string{"GITLAB_URL": srv.URL()}, want: 2, stderr: "GITLAB_TOKEN is not"},
		{name: "unreachable", env: map[string]string{"GITLAB_URL": exittest.ClosedURL(t), "GITLAB_TOKEN": "x"}, want: 3},
		{name: "token refused", env: map[string]string{"GITLAB_URL": srv.URL(), "GITLAB_TOKEN": "glpat-wrong"}, want: 3, stderr: "401"},
		{name: "interrupted", ctx: canceled, env: map[string]string{"GITLAB_URL": srv.URL(), "GITLAB_TOKEN": srv.AdminToken()}, want: 130},
		{name: "read-only tour of a GitLab", env: map[string]string{"GITLAB_URL": srv.URL(), "GITLAB_TOKEN": srv.AdminToken()}, want: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			before := len(srv.Requests())
			var stdout, stderr bytes.Buffer
			code := run(ctx, tc.args, &stdout, &stderr, func(k string) string { return tc.env[k] })
			assert.Equal(t, tc.want, code, "stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), tc.stderr)
			if tc.want == 2 {
				assert.Len(t, srv.Requests(), before, "a usage error sent requests")
				assert.Empty(t, stdout.String(), "a usage error ran the tour")
			}
		})
	}
}
