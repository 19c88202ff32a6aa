package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
)

// start runs the command in-process and returns its URL and token, as a
// user reads them from the first two lines of stdout.
func start(t *testing.T, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, pw, io.Discard); pw.Close() }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			assert.Equal(t, exitOK, code, "exit status after interrupt")
		case <-time.After(10 * time.Second):
			t.Error("fakegitlab did not stop after its context ended")
		}
	})
	sc := bufio.NewScanner(pr)
	var lines []string
	for len(lines) < 2 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	require.Len(t, lines, 2)
	u, ok := strings.CutPrefix(lines[0], "GITLAB_URL=")
	require.True(t, ok, "first line %q", lines[0])
	tok, ok := strings.CutPrefix(lines[1], "GITLAB_TOKEN=")
	require.True(t, ok, "second line names the token")
	require.True(t, strings.HasPrefix(u, "http://127.0.0.1:"), "loopback URL, got %q", u)
	return u, tok
}

func getJSON(t *testing.T, url string, out any) int {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	return resp.StatusCode
}

func TestDemoSeedServesRunnersGroupsAndProjects(t *testing.T) {
	u, tok := start(t, "-seed", "demo", "-runners", "120")
	c, err := glrunners.NewClient(u, glrunners.WithToken(tok))
	require.NoError(t, err)
	types := map[glrunners.RunnerType]int{}
	n := 0
	for r, err := range c.Runners.ListAllIter(context.Background(), nil) {
		require.NoError(t, err)
		types[r.RunnerType]++
		n++
	}
	assert.Equal(t, 120, n)
	assert.Len(t, types, 3, "instance, group and project runners: %v", types)

	var g map[string]any
	require.Equal(t, http.StatusOK, getJSON(t, u+"/api/v4/groups/acme%2Fweb", &g))
	assert.Equal(t, "acme/web", g["full_path"])
	var p map[string]any
	require.Equal(t, http.StatusOK, getJSON(t, u+"/api/v4/projects/acme%2Fdata%2Fapi", &p))
	assert.Equal(t, "acme/data/api", p["path_with_namespace"])
	var byID map[string]any
	require.Equal(t, http.StatusOK, getJSON(t, u+"/api/v4/projects/"+jsonNumber(p["id"]), &byID))
	assert.Equal(t, p["path_with_namespace"], byID["path_with_namespace"])
	var missing map[string]any
	assert.Equal(t, http.StatusNotFound, getJSON(t, u+"/api/v4/groups/nope", &missing))
	// the group's runner list still reaches the fake
	_, _, err = c.Groups.ListRunners(context.Background(), glrunners.Path("acme/web"), nil)
	require.NoError(t, err)
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRequestLogCountsEveryRequestWithoutTokens(t *testing.T) {
	u, tok := start(t)
	c, err := glrunners.NewClient(u, glrunners.WithToken(tok))
	require.NoError(t, err)
	reg, _, err := c.Runners.Create(context.Background(), &glrunners.CreateRunnerOptions{RunnerType: glrunners.InstanceType, Description: "a"})
	require.NoError(t, err)
	_, _, err = c.Runners.Get(context.Background(), reg.ID, nil)
	require.NoError(t, err)

	var log []loggedRequest
	require.Equal(t, http.StatusOK, getJSON(t, u+"/-/fake/requests", &log))
	require.Len(t, log, 2)
	assert.Equal(t, "POST", log[0].Method)
	assert.Equal(t, "/api/v4/user/runners", log[0].Path)
	assert.Equal(t, http.StatusCreated, log[0].Status)
	assert.Equal(t, "GET", log[1].Method)

	var tail []loggedRequest
	require.Equal(t, http.StatusOK, getJSON(t, u+"/-/fake/requests?since=1", &tail))
	assert.Equal(t, log[1:], tail)
	var bad map[string]any
	assert.Equal(t, http.StatusBadRequest, getJSON(t, u+"/-/fake/requests?since=x", &bad))

	resp, err := http.Get(u + "/-/fake/requests")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.NotContains(t, string(body), reg.Token.Reveal())
	assert.NotContains(t, string(body), tok)
}

func TestLoseCreatesAppliesThenAnswers502(t *testing.T) {
	u, tok := start(t, "-lose-creates", "1")
	c, err := glrunners.NewClient(u, glrunners.WithToken(tok), glrunners.WithoutRetries())
	require.NoError(t, err)
	_, _, err = c.Runners.Create(context.Background(), &glrunners.CreateRunnerOptions{RunnerType: glrunners.InstanceType, Description: "lost"})
	require.ErrorIs(t, err, glrunners.ErrOutcomeUnknown)
	all, _, err := c.Runners.ListAll(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, all, 1, "the create was applied although its answer was lost")
	assert.Equal(t, "lost", *all[0].Description)
}

func TestLatencyDelaysAnswers(t *testing.T) {
	u, tok := start(t, "-latency", "150ms")
	c, err := glrunners.NewClient(u, glrunners.WithToken(tok))
	require.NoError(t, err)
	t0 := time.Now()
	_, _, err = c.Runners.ListAll(context.Background(), nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(t0), 150*time.Millisecond)
}

func TestListLagHidesNewRunnersFromLists(t *testing.T) {
	u, tok := start(t, "-list-lag", "1h")
	c, err := glrunners.NewClient(u, glrunners.WithToken(tok))
	require.NoError(t, err)
	reg, _, err := c.Runners.Create(context.Background(), &glrunners.CreateRunnerOptions{RunnerType: glrunners.InstanceType})
	require.NoError(t, err)
	all, _, err := c.Runners.ListAll(context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, all, "the list lags an hour behind")
	_, _, err = c.Runners.Get(context.Background(), reg.ID, nil)
	assert.NoError(t, err, "a GET reads the primary")
}

func TestRateLimitThrottles(t *testing.T) {
	u, tok := start(t, "-rate-limit", "2", "-rate-window", "1h")
	for i, want := range []int{200, 200, 429} {
		req, _ := http.NewRequest("GET", u+"/api/v4/runners/all", nil)
		req.Header.Set("PRIVATE-TOKEN", tok)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, "request %d", i+1)
	}
}

func TestBadFlagsAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-seed", "big"}, {"-lose-creates", "1.5"}, {"-addr", "0.0.0.0:0"}, {"-latency", "-1s"}, {"-list-lag", "-1s"}, {"extra"}, {"-runners", "-1"},
	} {
		var errs strings.Builder
		assert.Equal(t, exitUsage, run(context.Background(), args, io.Discard, &errs), "%v", args)
		assert.NotEmpty(t, errs.String())
	}
	assert.Equal(t, exitOK, run(context.Background(), []string{"-h"}, io.Discard, io.Discard))
}
