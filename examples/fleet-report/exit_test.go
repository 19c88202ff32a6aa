package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/glrunners/glrunners/examples/internal/exittest"
	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every exit status of the convention, and -o checked before the walk.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	d := startTestFleet(t)
	gitlab := map[string]string{"GITLAB_URL": d.srv.URL(), "GITLAB_TOKEN": d.adminToken}
	dir := t.TempDir()
	aFile := filepath.Join(dir, "a-file")
	require.NoError(t, os.WriteFile(aFile, nil, 0o644))
	readOnly := filepath.Join(dir, "read-only")
	require.NoError(t, os.Mkdir(readOnly, 0o555))
	canceled, cancel := context.WithCancel(t.Context())
	cancel()

	for _, tc := range []struct {
		name   string
		args   []string
		env    map[string]string
		ctx    context.Context
		fault  *glrunnerstest.Fault
		want   int
		stderr string
		root   bool // meaningless as root, who may write anywhere
	}{
		{name: "-h", args: []string{"-h"}, want: 0, stderr: "130  interrupted"},
		{name: "unknown flag", args: []string{"-bogus"}, env: gitlab, want: 2, stderr: "-bogus"},
		{name: "argument", args: []string{"extra"}, env: gitlab, want: 2, stderr: `unexpected argument "extra"`},
		{name: "no token", env: map[string]string{"GITLAB_URL": d.srv.URL()}, want: 2, stderr: "GITLAB_TOKEN is not"},
		{name: "-o names a directory", args: []string{"-o", dir}, env: gitlab, want: 2, stderr: "is a directory"},
		{name: "-o in a directory that does not exist", args: []string{"-o", "/nonexistent/dir/r.html"}, env: gitlab, want: 2,
			stderr: "directory /nonexistent/dir does not exist"},
		{name: "-o under a file", args: []string{"-o", filepath.Join(aFile, "r.html")}, env: gitlab, want: 2, stderr: "is not a directory"},
		{name: "-o in a read-only directory", args: []string{"-o", filepath.Join(readOnly, "r.html")}, env: gitlab, want: 2,
			stderr: "is not writable", root: true},
		{name: "unreachable", args: []string{"-format", "json"}, env: map[string]string{"GITLAB_URL": exittest.ClosedURL(t), "GITLAB_TOKEN": "x"}, want: 3},
		{name: "token refused", args: []string{"-format", "json"}, env: map[string]string{"GITLAB_URL": d.srv.URL(), "GITLAB_TOKEN": "glpat-wrong"}, want: 3},
		{name: "walk fails", args: []string{"-format", "json"}, env: gitlab, want: 1,
			fault: &glrunnerstest.Fault{Method: "GET", Pattern: "/runners/*/managers", Status: 500, Times: glrunnerstest.Always}},
		{name: "interrupted", args: []string{"-format", "json"}, env: gitlab, ctx: canceled, want: 130},
		{name: "report written", args: []string{"-format", "json"}, env: gitlab, want: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.root && os.Geteuid() == 0 {
				t.Skip("root may write to a read-only directory")
			}
			ctx := tc.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			if tc.fault != nil {
				d.srv.AddFault(*tc.fault)
				defer d.srv.ClearFaults()
			}
			before := len(d.srv.Requests())
			res := runTool(ctx, tc.args, tc.env, fastRetries)
			assert.Equal(t, tc.want, res.code, res.stderr)
			assert.Contains(t, res.stderr, tc.stderr)
			if tc.want == 2 {
				assert.Len(t, d.srv.Requests(), before, "a usage error sent requests")
			}
			if tc.want != 0 {
				assert.Empty(t, res.stdout, "no report on a failure")
			}
		})
	}
}
