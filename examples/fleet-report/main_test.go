package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/examples/internal/exittest"
	"github.com/glrunners/glrunners/glrunnerstest"
)

// fastRetries keeps the SDK's retries but not its waits.
var fastRetries = glrunners.WithRetry(glrunners.RetryPolicy{MaxRetries: 2, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond})

func TestDemoFormats(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	demo := []string{"-demo", "-demo-runners", "300", "-concurrency", "4"}

	t.Run("html", func(t *testing.T) {
		out := filepath.Join(dir, "report.html")
		res := runTool(t.Context(), append(demo, "-o", out), nil)
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.Contains(t, res.stderr, "demo: an in-memory GitLab with 300 runners")
		assert.Contains(t, res.stderr, "wrote "+out)
		assert.Empty(t, res.stdout)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		doc, err := parseDOM(b)
		require.NoError(t, err)
		assert.Len(t, doc.all(withAttr("svg", "data-chart", "")), len(chartIDs))
		assert.Contains(t, string(b), "Demo: an in-memory GitLab")
		fi, err := os.Stat(out)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	})

	t.Run("json", func(t *testing.T) {
		res := runTool(t.Context(), append(demo, "-format", "json", "-q"), nil)
		require.Equal(t, exitOK, res.code, res.stderr)
		assert.Empty(t, res.stderr, "-q")
		var rep report
		require.NoError(t, json.Unmarshal([]byte(res.stdout), &rep), "JSON on stdout by default")
		assert.Equal(t, 300, rep.Totals.Runners)
		assert.Equal(t, "instance", rep.Scope)
		assert.Len(t, rep.LastContact, len(contactBuckets))
		assert.NotEmpty(t, rep.Versions.Rows)
	})

	t.Run("csv", func(t *testing.T) {
		res := runTool(t.Context(), append(demo, "-format", "csv", "-q"), nil)
		require.Equal(t, exitOK, res.code, res.stderr)
		rows, err := csv.NewReader(strings.NewReader(res.stdout)).ReadAll()
		require.NoError(t, err)
		require.Len(t, rows, 301)
		assert.Equal(t, csvHeader, rows[0])
		byCol := map[string]int{}
		for i, h := range csvHeader {
			byCol[h] = i
		}
		seen := map[string]bool{}
		for _, r := range rows[1:] {
			seen[r[byCol["status"]]] = true
			if r[byCol["status"]] == "stale" {
				assert.NotEmpty(t, r[byCol["owner"]], "stale runners have their owner")
			}
			assert.True(t, strings.HasSuffix(r[byCol["url"]], "/admin/runners/"+r[byCol["id"]]))
		}
		assert.Equal(t, map[string]bool{"online": true, "offline": true, "stale": true, "never_contacted": true}, seen)
	})
}

// A token that is not an administrator's still gets a report, of what it
// may administer, and is told so.
func TestNonAdminToken(t *testing.T) {
	t.Parallel()
	d := startTestFleet(t)
	res := runTool(t.Context(), []string{"-format", "json"},
		map[string]string{"GITLAB_URL": d.srv.URL(), "GITLAB_TOKEN": d.ownerToken})
	require.Equal(t, exitOK, res.code, res.stderr)
	var rep report
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &rep))
	assert.Equal(t, "owned", rep.Scope)
	assert.Positive(t, rep.Totals.Runners)
	assert.Less(t, rep.Totals.Runners, len(d.srv.Runners()))
	assert.NotContains(t, res.stderr+res.stdout, d.ownerToken)
}

// Failures: a clear message, exit 3 when there is no GitLab API at
// GITLAB_URL or the token is refused, else 1, and an existing report left
// alone.
func TestFailuresWriteNothing(t *testing.T) {
	t.Parallel()
	d := startTestFleet(t)
	noScope := d.srv.AddToken(1, "manage_runner")
	htmlServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>Sign in</body></html>"))
	}))
	defer htmlServer.Close()

	cases := []struct {
		name, url, token string
		fault            *glrunnerstest.Fault
		want             string
		code             int
	}{
		{name: "unreachable", url: exittest.ClosedURL(t), token: "glpat-x", want: "cannot reach GitLab at http://127.0.0.1:", code: exitGitLab},
		{name: "bad token", url: d.srv.URL(), token: "glpat-wrong-token", want: "rejected the token (401)", code: exitGitLab},
		{name: "token without read scope", url: d.srv.URL(), token: noScope, want: "may not list runners (403)", code: exitGitLab},
		{name: "not GitLab", url: htmlServer.URL, token: "glpat-x", want: "does not answer like GitLab's API", code: exitGitLab},
		{name: "fan-out refused", url: d.srv.URL(), token: d.adminToken, want: "reading the managers of runner", code: exitFailed,
			fault: &glrunnerstest.Fault{Method: "GET", Pattern: "/runners/*/managers", Status: 403, Times: glrunnerstest.Always}},
		{name: "walk fails", url: d.srv.URL(), token: d.adminToken, want: "listing runners:", code: exitFailed,
			fault: &glrunnerstest.Fault{Method: "GET", Pattern: "/runners/all", Status: 500, Times: glrunnerstest.Always}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.fault != nil {
				d.srv.AddFault(*c.fault)
				t.Cleanup(d.srv.ClearFaults)
			}
			dir := t.TempDir()
			out := filepath.Join(dir, "fleet.html")
			require.NoError(t, os.WriteFile(out, []byte("yesterday's report"), 0o644))
			res := runTool(t.Context(), []string{"-o", out}, map[string]string{"GITLAB_URL": c.url, "GITLAB_TOKEN": c.token}, fastRetries)
			assert.Equal(t, c.code, res.code)
			assert.Contains(t, res.stderr, c.want)
			assert.Contains(t, res.stderr, "no report written")
			assert.NotContains(t, res.stderr, c.token, "no token in messages")
			assertUntouched(t, dir, out)
		})
	}
}

// The walk fails on its second page, after the first page's runners
// have gone to the fan-out: a probe that succeeds proves nothing.
func TestWalkFailsLate(t *testing.T) {
	t.Parallel()
	d := startTestFleet(t)
	d.srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/runners/all", Latency: time.Millisecond, Times: 2}) // probe, page 1
	d.srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/runners/all", Status: 403, Times: glrunnerstest.Always})
	res := runTool(t.Context(), []string{"-format", "json", "-concurrency", "1"},
		map[string]string{"GITLAB_URL": d.srv.URL(), "GITLAB_TOKEN": d.adminToken}, fastRetries)
	assert.Equal(t, exitFailed, res.code)
	assert.Contains(t, res.stderr, "listing runners:")
	assert.Empty(t, res.stdout, "nothing half-done on stdout either")
}

// Ctrl-C in the middle of the fan-out: exit 130, nothing written.
func TestInterruptWritesNothing(t *testing.T) {
	t.Parallel()
	d := startTestFleet(t)
	d.srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/runners/*/managers", Latency: 20 * time.Millisecond, Times: glrunnerstest.Always})
	ctx, interrupt := context.WithCancel(t.Context())
	defer interrupt()
	go func() {
		// Interrupt once the fan-out is well under way.
		for ctx.Err() == nil {
			n := 0
			for _, r := range d.srv.Requests() {
				if strings.HasSuffix(r.Path, "/managers") {
					n++
				}
			}
			if n >= 10 {
				interrupt()
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	dir := t.TempDir()
	out := filepath.Join(dir, "fleet.html")
	require.NoError(t, os.WriteFile(out, []byte("yesterday's report"), 0o644))
	res := runTool(ctx, []string{"-o", out, "-concurrency", "2"}, map[string]string{"GITLAB_URL": d.srv.URL(), "GITLAB_TOKEN": d.adminToken})
	assert.Equal(t, exitInterrupted, res.code, res.stderr)
	assert.Contains(t, res.stderr, "interrupted; no report written")
	assertUntouched(t, dir, out)
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		vars map[string]string
		want string
	}{
		{args: []string{"-format", "xml"}, want: `-format "xml": want html, json or csv`},
		{args: []string{"-concurrency", "0"}, want: "-concurrency must be between 1 and 64"},
		{args: []string{"-behind", "0"}, want: "-behind must be at least 1"},
		{args: []string{"report.html"}, want: `unexpected argument "report.html"`},
		{args: []string{"-nope"}, want: "flag provided but not defined"},
		{vars: map[string]string{"GITLAB_URL": "https://gitlab.example.com"}, want: "GITLAB_TOKEN is not"},
		{vars: map[string]string{"GITLAB_URL": "ftp://gitlab.example.com", "GITLAB_TOKEN": "x"}, want: "GITLAB_URL:"},
	} {
		res := runTool(t.Context(), c.args, c.vars)
		assert.Equal(t, exitUsage, res.code, c.args)
		assert.Contains(t, res.stderr, c.want)
	}
	res := runTool(t.Context(), []string{"-h"}, nil)
	assert.Equal(t, exitOK, res.code)
	assert.Contains(t, res.stderr, "Usage: fleet-report")
}

func TestWriteReportReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.html")
	require.NoError(t, os.WriteFile(out, []byte("old"), 0o600))
	require.NoError(t, writeReport(out, []byte("new"), nil))
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "new", string(b))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")

	err = writeReport(filepath.Join(dir, "missing", "r.html"), []byte("x"), nil)
	assert.Error(t, err)
}

func TestProgressLine(t *testing.T) {
	requests := int64(0)
	p := newProgress(nil, func() int64 { return requests })
	p.total = 1000
	p.listed.Store(500)
	p.fanned.Store(250)
	requests = 300
	assert.Equal(t, "listed 500/1,000 runners · read 250 · 30 req/s · ETA 30s", p.line(10*time.Second))

	p.total = 0 // GitLab gave no total: the estimate uses what was listed
	assert.Equal(t, "listed 500 runners · read 250 · 30 req/s · ETA 10s", p.line(10*time.Second))
	assert.Equal(t, "12,345,678", group(12345678))
	assert.Equal(t, "-1,000", group(-1000))
}

// assertUntouched checks that out still holds the old report and that no
// temporary file was left beside it.
func assertUntouched(t *testing.T, dir, out string) {
	t.Helper()
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "yesterday's report", string(b))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")
}
