// Package conformance runs every operation of the SDK end to end against
// the glrunnerstest fake, directly and (when Prism is installed) through
// Prism's validating proxy built from GitLab's own OpenAPI document.
package conformance

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var clock = time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)

// world is the seeded fake the scenario runs on.
type world struct {
	srv              *glrunnerstest.Server
	group, sub       int64
	edge, web        int64
	runner, grRunner int64
}

func seed(t *testing.T) *world {
	t.Helper()
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(func() time.Time { return clock }))
	t.Cleanup(srv.Close)
	w := &world{srv: srv}
	w.group = srv.AddGroup(glrunnerstest.Group{Name: "Platform", Path: "platform"})
	w.sub = srv.AddGroup(glrunnerstest.Group{Name: "Networking", Path: "networking", ParentID: w.group})
	w.edge = srv.AddProject(glrunnerstest.Project{Name: "Edge Proxy", Path: "edge-proxy", GroupID: w.sub})
	w.web = srv.AddProject(glrunnerstest.Project{Name: "Web", Path: "web", GroupID: w.group})
	w.runner = srv.AddRunner(glrunnerstest.Runner{
		Description: "edge-arm64-builder", RunnerType: glrunnerstest.ProjectType,
		ProjectIDs: []int64{w.edge}, TagList: []string{"arm64", "docker"}, Status: "online",
	})
	w.grRunner = srv.AddRunner(glrunnerstest.Runner{
		Description: "fleet-amd64-01", RunnerType: glrunnerstest.GroupType, GroupID: w.group,
		TagList: []string{"docker", "linux"}, Status: "offline",
	})
	srv.AddManager(w.runner, glrunnerstest.Manager{SystemID: "s_5d1c9a0e7b34", Version: "17.9.1", Platform: "linux", Architecture: "arm64"})
	for i := range 3 {
		srv.AddJob(w.runner, glrunnerstest.Job{Status: "success", ProjectID: w.edge, Name: "build", CreatedAt: clock.Add(time.Duration(i) * time.Minute)})
	}
	return w
}

func ids[T any](items []*T, id func(*T) int64) []int64 {
	out := make([]int64, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	slices.Sort(out)
	return out
}

func runnerID(r *glrunners.Runner) int64 { return r.ID }

// runScenario calls each of the 23 operations once, against baseURL (the
// fake itself, or a proxy in front of it), and checks what came back.
func runScenario(t *testing.T, w *world, baseURL string, opts ...glrunners.Option) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	fast := glrunners.RetryPolicy{MaxRetries: 2, WaitMax: 10 * time.Millisecond, MaxRetryAfter: time.Second}
	opts = append([]glrunners.Option{glrunners.WithToken(w.srv.AdminToken()), glrunners.WithRetry(fast)}, opts...)
	c, err := glrunners.NewClient(baseURL, opts...)
	require.NoError(t, err)

	// 1, 2: lists with filters.
	list, _, err := c.Runners.List(ctx, &glrunners.ListRunnersOptions{Type: glrunners.ProjectType, TagList: []string{"arm64", "docker"}, Paused: glrunners.Ptr(false)})
	require.NoError(t, err)
	assert.Equal(t, []int64{w.runner}, ids(list, runnerID))
	all, resp, err := c.Runners.ListAll(ctx, &glrunners.ListRunnersOptions{Status: glrunners.StatusOffline, ListOptions: glrunners.ListOptions{PerPage: 50}})
	require.NoError(t, err)
	assert.Equal(t, []int64{w.grRunner}, ids(all, runnerID))
	assert.Equal(t, 1, resp.TotalItems)

	// 3, 4, 4a: details, update, pause/unpause.
	d, _, err := c.Runners.Get(ctx, w.runner, &glrunners.GetRunnerOptions{IncludeProjects: glrunners.Ptr(true)})
	require.NoError(t, err)
	assert.Equal(t, "edge-arm64-builder", *d.Description)
	assert.Equal(t, []string{"arm64", "docker"}, sorted(d.TagList))
	require.Len(t, d.Projects, 1)
	assert.Equal(t, "platform/networking/edge-proxy", d.Projects[0].PathWithNamespace)
	d, _, err = c.Runners.Update(ctx, w.runner, &glrunners.UpdateRunnerOptions{
		Description: glrunners.Ptr("edge-arm64"), MaximumTimeout: glrunners.Ptr[int64](5400), AccessLevel: glrunners.RefProtected,
	})
	require.NoError(t, err)
	assert.Equal(t, "edge-arm64", *d.Description)
	assert.Equal(t, int64(5400), *d.MaximumTimeout)
	assert.Equal(t, glrunners.RefProtected, d.AccessLevel)
	d, _, err = c.Runners.Pause(ctx, w.runner)
	require.NoError(t, err)
	assert.True(t, d.Paused)
	d, _, err = c.Runners.Unpause(ctx, w.runner)
	require.NoError(t, err)
	assert.False(t, d.Paused)

	// 6, 7, 11.3: jobs (offset and keyset), managers, projects.
	jobs, err := glrunners.Collect(c.Runners.ListJobsIter(ctx, w.runner, &glrunners.ListRunnerJobsOptions{Status: glrunners.JobSuccess}))
	require.NoError(t, err)
	assert.Len(t, jobs, 3)
	keyset, err := glrunners.Collect(c.Runners.ListJobsIter(ctx, w.runner, &glrunners.ListRunnerJobsOptions{
		KeysetOptions: glrunners.KeysetOptions{Pagination: glrunners.PaginationKeyset}, ListOptions: glrunners.ListOptions{PerPage: 2}}))
	require.NoError(t, err)
	require.Len(t, keyset, 3)
	assert.Greater(t, keyset[0].ID, keyset[2].ID, "keyset pages come id-descending")
	managers, _, err := c.Runners.ListManagers(ctx, w.runner)
	require.NoError(t, err)
	require.Len(t, managers, 1)
	assert.Equal(t, "s_5d1c9a0e7b34", managers[0].SystemID)
	projects, _, err := c.Runners.ListProjects(ctx, w.runner, nil)
	require.NoError(t, err)
	assert.Equal(t, []int64{w.edge}, ids(projects, func(p *glrunners.Project) int64 { return p.ID }))

	// 8, 9, 10, 11: project and group runners, assign/unassign.
	pr, _, err := c.Projects.ListRunners(ctx, glrunners.Path("platform/networking/edge-proxy"), &glrunners.ListRunnersOptions{Type: glrunners.ProjectType})
	require.NoError(t, err)
	assert.Equal(t, []int64{w.runner}, ids(pr, runnerID))
	assigned, _, err := c.Projects.AssignRunner(ctx, glrunners.ID(w.web), w.runner)
	require.NoError(t, err)
	assert.Equal(t, w.runner, assigned.ID)
	_, err = c.Projects.UnassignRunner(ctx, glrunners.ID(w.web), w.runner)
	require.NoError(t, err)
	gr, _, err := c.Groups.ListRunners(ctx, glrunners.Path("platform"), &glrunners.ListGroupRunnersOptions{Type: glrunners.GroupType})
	require.NoError(t, err)
	assert.Equal(t, []int64{w.grRunner}, ids(gr, runnerID))

	// 11.1, 14, 19, 18: create, verify, rotate tokens.
	created, _, err := c.Runners.Create(ctx, &glrunners.CreateRunnerOptions{
		RunnerType: glrunners.ProjectType, ProjectID: w.web, Description: "ephemeral", TagList: []string{"docker"},
	})
	require.NoError(t, err)
	tok := created.Token
	verified, _, err := c.Runners.Verify(ctx, &glrunners.VerifyRunnerOptions{Token: tok, SystemID: "s_0123456789ab"})
	require.NoError(t, err)
	assert.Equal(t, created.ID, verified.ID)
	rotated, _, err := c.Tokens.ResetAuthenticationTokenWithToken(ctx, tok)
	require.NoError(t, err)
	assert.NotEqual(t, tok.Reveal(), rotated.Token.Reveal())
	_, _, err = c.Runners.Verify(ctx, &glrunners.VerifyRunnerOptions{Token: tok, SystemID: "s_0123456789ab"})
	assert.ErrorIs(t, err, glrunners.ErrForbidden, "the old token stopped working")
	byID, _, err := c.Tokens.ResetAuthenticationToken(ctx, created.ID)
	require.NoError(t, err)
	tok = byID.Token

	// 15, 16, 17: registration token resets; 12: legacy registration.
	_, _, err = c.Tokens.ResetInstanceRegistrationToken(ctx)
	require.NoError(t, err)
	_, _, err = c.Tokens.ResetGroupRegistrationToken(ctx, glrunners.Path("platform"))
	require.NoError(t, err)
	projTok, _, err := c.Tokens.ResetProjectRegistrationToken(ctx, glrunners.ID(w.edge))
	require.NoError(t, err)
	reg, _, err := c.Runners.Register(ctx, &glrunners.RegisterRunnerOptions{
		Token: projTok.Token, Description: "legacy-box", TagList: []string{"shell"},
		Info: &glrunners.RunnerInfo{Name: "legacy-box", Version: "16.11.0"},
	})
	require.NoError(t, err)
	regDetails, _, err := c.Runners.Get(ctx, reg.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, glrunners.ProjectType, regDetails.RunnerType)

	// 11.4, 13, 5: delete a manager, then runners by token and by ID.
	_, err = c.Runners.DeleteManager(ctx, tok, "s_0123456789ab")
	require.NoError(t, err)
	_, err = c.Runners.DeleteByToken(ctx, tok)
	require.NoError(t, err)
	_, err = c.Runners.DeleteByToken(ctx, reg.Token)
	require.NoError(t, err)
	_, err = c.Runners.Delete(ctx, w.runner, glrunners.WithIfUnmodifiedSince(clock.Add(time.Hour)))
	require.NoError(t, err)
	_, _, err = c.Runners.Get(ctx, w.runner, nil)
	assert.True(t, errors.Is(err, glrunners.ErrNotFound), "%v", err)
	_, ok := w.srv.Runner(created.ID)
	assert.False(t, ok, "deleted by token")
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func TestScenario_againstFake(t *testing.T) {
	t.Parallel()
	w := seed(t)
	runScenario(t, w, w.srv.URL())
}
