package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners/glrunnerstest"
)

func runWith(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errs strings.Builder
	code := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errs)
	return code, out.String(), errs.String()
}

func TestHelpDocumentsExitStatuses(t *testing.T) {
	code, _, errs := runWith(t, nil, "-h")
	assert.Equal(t, exitOK, code)
	for _, s := range []string{"0 ", "1 ", "2 ", "3 ", "4 ", "130", "GITLAB_URL", "GITLAB_TOKEN", "-allow-replace", "-prune"} {
		assert.Contains(t, errs, s)
	}
	code, _, errs = runWith(t, nil, "apply", "-h")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, errs, "-token-dir")
	assert.Contains(t, errs, "130 interrupted")
}

func TestUsageErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("fleet: a\nrunners:\n  r:\n    instance: true\n    colour: red\n"), 0o644))
	good := filepath.Join(dir, "good.yaml")
	require.NoError(t, os.WriteFile(good, []byte("fleet: a\nrunners: {}\n"), 0o644))
	env := map[string]string{"GITLAB_URL": "http://127.0.0.1:1", "GITLAB_TOKEN": "x"}
	for _, args := range [][]string{
		nil, {"frobnicate"}, {"plan"}, {"plan", "-f", bad}, {"plan", "-f", good, "extra"},
		{"apply", "-f", good, "-token-dir", "d", "-token-cmd", "c"}, {"import"}, {"import", "-fleet", "a", "-scope", "galaxy"},
		{"import", "-fleet", "a", "-match", "("}, {"plan", "-f", good, "-concurrency", "0"},
	} {
		code, _, errs := runWith(t, env, args...)
		assert.Equal(t, exitUsage, code, "%v: %s", args, errs)
	}
	code, _, errs := runWith(t, env, "plan", "-f", bad)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, bad+":5: runners.r.colour: unknown key")
	code, _, errs = runWith(t, nil, "plan", "-f", good)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, "GITLAB_URL")
}

func TestUnreachableAndRefusedExit3(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	require.NoError(t, os.WriteFile(good, []byte("fleet: a\nrunners: {}\n"), 0o644))

	srv := glrunnerstest.NewServer()
	defer srv.Close()
	code, _, errs := runWith(t, map[string]string{"GITLAB_URL": srv.URL(), "GITLAB_TOKEN": "glpat-wrongwrongwrong"}, "plan", "-f", good)
	assert.Equal(t, exitUnreachable, code, errs)
	assert.NotContains(t, errs, "wrongwrong")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	code, _, errs = runWith(t, map[string]string{"GITLAB_URL": "http://" + addr, "GITLAB_TOKEN": "glpat-x"}, "plan", "-f", good)
	assert.Equal(t, exitUnreachable, code, errs)
}

func TestPlanExit4ThenApplyThenExit0(t *testing.T) {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "f.yaml")
	require.NoError(t, os.WriteFile(path, []byte("fleet: a\nrunners:\n  r:\n    instance: true\n    description: R\n"), 0o644))
	env := map[string]string{"GITLAB_URL": srv.URL(), "GITLAB_TOKEN": srv.AdminToken()}
	code, out, _ := runWith(t, env, "plan", "-f", path)
	assert.Equal(t, exitPending, code)
	assert.Contains(t, out, "+ create")
	code, _, errs := runWith(t, env, "apply", "-f", path)
	assert.Equal(t, exitUsage, code, "creates need a sink")
	assert.Contains(t, errs, "-token-dir")
	code, _, errs = runWith(t, env, "apply", "-f", path, "-token-dir", filepath.Join(dir, "tok"))
	require.Equal(t, exitOK, code, errs)
	code, out, _ = runWith(t, env, "plan", "-f", path)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "No changes.")
	b, err := os.ReadFile(filepath.Join(dir, "tok", "r.token"))
	require.NoError(t, err)
	assert.NotContains(t, errs, strings.TrimSpace(string(b)))

	code, _, errs = runWith(t, env, "import", "-fleet", "a", "-o", path)
	assert.Equal(t, exitUsage, code, "import does not overwrite without -force: %s", errs)
	code, _, errs = runWith(t, env, "import", "-fleet", "a", "-o", path, "-force")
	require.Equal(t, exitOK, code, errs)
	code, _, _ = runWith(t, env, "plan", "-f", path)
	assert.Equal(t, exitOK, code)
}

func TestInterruptedExit130(t *testing.T) {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "f.yaml")
	require.NoError(t, os.WriteFile(path, []byte("fleet: a\nrunners:\n  r:\n    instance: true\n"), 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errs strings.Builder
	env := map[string]string{"GITLAB_URL": srv.URL(), "GITLAB_TOKEN": srv.AdminToken()}
	code := run(ctx, []string{"plan", "-f", path}, func(k string) string { return env[k] }, &out, &errs)
	assert.Equal(t, exitInterrupted, code, errs.String())
}
