package glrunnerstest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

// The four failure cases exactly-once creation has to survive, each shown
// through the SDK, as its tests will meet them.

func sdkClient(t *testing.T, srv *glrunnerstest.Server, token string) *glrunners.Client {
	t.Helper()
	c, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(token), glrunners.WithoutRetries())
	require.NoError(t, err)
	return c
}

func listedIDs(t *testing.T, runners []*glrunners.Runner, err error) []int64 {
	t.Helper()
	require.NoError(t, err)
	ids := []int64{}
	for _, r := range runners {
		ids = append(ids, r.ID)
	}
	return ids
}

// verifies reports whether a runner authentication token is accepted.
func verifies(t *testing.T, c *glrunners.Client, token string) bool {
	t.Helper()
	_, _, err := c.Runners.Verify(t.Context(), &glrunners.VerifyRunnerOptions{Token: glrunners.Secret(token), SystemID: "s_0123456789ab"})
	if err != nil {
		require.ErrorIs(t, err, glrunners.ErrForbidden)
	}
	return err == nil
}

func TestConsistency_createAppliedThenFailed(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := sdkClient(t, srv, srv.AdminToken())
	srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/user/runners", Status: http.StatusBadGateway, AfterApply: true})

	reg, _, err := c.Runners.Create(t.Context(), &glrunners.CreateRunnerOptions{RunnerType: glrunners.InstanceType, Description: "marker-1"})
	require.ErrorIs(t, err, glrunners.ErrOutcomeUnknown)
	assert.Nil(t, reg)

	runners := srv.Runners()
	require.Len(t, runners, 1, "created although the client saw a 502")
	listed, _, err := c.Runners.ListAll(t.Context(), nil)
	assert.Equal(t, []int64{runners[0].ID}, listedIDs(t, listed, err), "visible at once without a commit delay")
	assert.Equal(t, "marker-1", *listed[0].Description)
	assert.True(t, verifies(t, c, srv.RunnerToken(runners[0].ID)), "the lost token works")
}

func TestConsistency_slowCommit(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := sdkClient(t, srv, srv.AdminToken())
	srv.SetCommitDelay(time.Hour)
	srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/user/runners", Status: http.StatusBadGateway, AfterApply: true})

	_, _, err := c.Runners.Create(t.Context(), &glrunners.CreateRunnerOptions{RunnerType: glrunners.InstanceType, Description: "slow"})
	require.ErrorIs(t, err, glrunners.ErrOutcomeUnknown)
	runners := srv.Runners()
	require.Len(t, runners, 1, "Runners shows the runner still committing")
	id, token := runners[0].ID, srv.RunnerToken(runners[0].ID)

	_, _, err = c.Runners.Get(t.Context(), id, nil)
	assert.ErrorIs(t, err, glrunners.ErrNotFound)
	listed, _, err := c.Runners.ListAll(t.Context(), nil)
	assert.Empty(t, listedIDs(t, listed, err))
	listed, _, err = c.Runners.List(t.Context(), nil)
	assert.Empty(t, listedIDs(t, listed, err))
	_, _, err = c.Tokens.ResetAuthenticationToken(t.Context(), id)
	assert.ErrorIs(t, err, glrunners.ErrNotFound)
	_, err = c.Runners.Delete(t.Context(), id)
	assert.ErrorIs(t, err, glrunners.ErrNotFound)
	assert.False(t, verifies(t, c, token), "its token is unknown while it commits")
	assert.Equal(t, token, srv.RunnerToken(id), "nothing changed it")

	// The ID is taken: the next runner gets the one after it.
	next, _, err := c.Runners.Create(t.Context(), &glrunners.CreateRunnerOptions{RunnerType: glrunners.InstanceType})
	require.NoError(t, err)
	assert.Equal(t, id+1, next.ID)

	// A short delay, read at request time, has long passed for both.
	srv.SetCommitDelay(time.Millisecond)
	require.Eventually(t, func() bool {
		_, _, errFirst := c.Runners.Get(t.Context(), id, nil)
		_, _, errNext := c.Runners.Get(t.Context(), next.ID, nil)
		return errFirst == nil && errNext == nil
	}, 10*time.Second, time.Millisecond)
	listed, _, err = c.Runners.ListAll(t.Context(), nil)
	assert.Equal(t, []int64{id, next.ID}, listedIDs(t, listed, err))
	assert.True(t, verifies(t, c, token))
}

func TestConsistency_resetAnswerLost(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := sdkClient(t, srv, srv.AdminToken())
	reg, _, err := c.Runners.Create(t.Context(), &glrunners.CreateRunnerOptions{RunnerType: glrunners.InstanceType})
	require.NoError(t, err)
	srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/runners/*/reset_authentication_token", Status: http.StatusBadGateway, AfterApply: true})

	_, _, err = c.Tokens.ResetAuthenticationToken(t.Context(), reg.ID)
	require.ErrorIs(t, err, glrunners.ErrOutcomeUnknown)
	assert.False(t, verifies(t, c, reg.Token.Reveal()), "the reset was applied: the old token is gone")
	assert.True(t, verifies(t, c, srv.RunnerToken(reg.ID)), "and the lost new one works")

	// Resetting again recovers a token the caller holds.
	tok, _, err := c.Tokens.ResetAuthenticationToken(t.Context(), reg.ID)
	require.NoError(t, err)
	assert.True(t, verifies(t, c, tok.Token.Reveal()))
	assert.Len(t, srv.Runners(), 1)
}

func TestConsistency_listLag(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	g := srv.AddGroup(glrunnerstest.Group{Name: "g"})
	p := srv.AddProject(glrunnerstest.Project{Name: "p", GroupID: g})
	old := srv.AddRunner(glrunnerstest.Runner{Description: "before", TagList: []string{"linux"}})
	c := sdkClient(t, srv, srv.AdminToken())
	srv.SetListLag(time.Hour)

	proj, _, err := c.Runners.Create(t.Context(), &glrunners.CreateRunnerOptions{RunnerType: glrunners.ProjectType, ProjectID: p})
	require.NoError(t, err)
	grp, _, err := c.Runners.Create(t.Context(), &glrunners.CreateRunnerOptions{RunnerType: glrunners.GroupType, GroupID: g})
	require.NoError(t, err)
	_, _, err = c.Runners.Update(t.Context(), old, &glrunners.UpdateRunnerOptions{
		Description: glrunners.Ptr("after"), TagList: []string{"arm"}})
	require.NoError(t, err)

	details, _, err := c.Runners.Get(t.Context(), proj.ID, nil)
	require.NoError(t, err, "single reads are current")
	assert.Equal(t, proj.ID, details.ID)
	details, _, err = c.Runners.Get(t.Context(), old, nil)
	require.NoError(t, err)
	assert.Equal(t, "after", *details.Description)

	listed, _, err := c.Runners.ListAll(t.Context(), nil)
	assert.Equal(t, []int64{old}, listedIDs(t, listed, err), "new runners are missing")
	assert.Equal(t, "before", *listed[0].Description, "the old description is listed")
	listed, _, err = c.Runners.List(t.Context(), nil)
	assert.Equal(t, []int64{old}, listedIDs(t, listed, err))
	listed, _, err = c.Projects.ListRunners(t.Context(), glrunners.ID(p), nil)
	assert.Equal(t, []int64{old}, listedIDs(t, listed, err))
	listed, _, err = c.Groups.ListRunners(t.Context(), glrunners.ID(g), nil)
	assert.Equal(t, []int64{old}, listedIDs(t, listed, err))
	listed, _, err = c.Runners.ListAll(t.Context(), &glrunners.ListRunnersOptions{TagList: []string{"linux"}})
	assert.Equal(t, []int64{old}, listedIDs(t, listed, err), "filters see the old tags")
	listed, _, err = c.Runners.ListAll(t.Context(), &glrunners.ListRunnersOptions{TagList: []string{"arm"}})
	assert.Empty(t, listedIDs(t, listed, err))

	srv.SetListLag(0)
	listed, _, err = c.Runners.ListAll(t.Context(), &glrunners.ListRunnersOptions{TagList: []string{"arm"}})
	assert.Equal(t, []int64{old}, listedIDs(t, listed, err))
	assert.Equal(t, "after", *listed[0].Description)
	listed, _, err = c.Runners.ListAll(t.Context(), nil)
	assert.Equal(t, []int64{old, proj.ID, grp.ID}, listedIDs(t, listed, err), "caught up")
}
