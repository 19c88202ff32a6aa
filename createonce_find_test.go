package glrunners

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFindCreated_afterPlainCreate is the reconcile path of a plain Create
// whose answer was lost: FindCreated returns the runner it made and the
// leftover of an unfinished CreateOnce with the same options, and none of
// the runners that differ in a field, made contact, or are older than
// since. A reset then gives a working token.
func TestFindCreated_afterPlainCreate(t *testing.T) {
	t.Parallel()
	f := newOnceFake()
	defer f.srv.Close()
	c := f.client()
	opt := f.onceOptions("build-vm")
	like := func(change func(r *glrunnerstest.Runner)) int64 {
		r := glrunnerstest.Runner{
			RunnerType: glrunnerstest.ProjectType, ProjectIDs: []int64{f.projectID},
			Description: opt.Description, MaintenanceNote: opt.MaintenanceNote, Paused: true, Locked: true,
			RunUntagged: Ptr(false), TagList: opt.TagList, AccessLevel: glrunnerstest.RefProtected,
			MaximumTimeout: opt.MaximumTimeout, Status: "never_contacted", CreatedAt: time.Now(),
		}
		change(&r)
		return f.srv.AddRunner(r)
	}
	leftover := like(func(r *glrunnerstest.Runner) { r.Description += " " + newMarker() })
	decoys := []int64{
		like(func(r *glrunnerstest.Runner) { r.Status, r.CreatedAt = "online", time.Time{} }),
		like(func(r *glrunnerstest.Runner) { r.Description = "build-vm-2" }),
		like(func(r *glrunnerstest.Runner) { r.Description = "build-vm [glrunners:once:nothex]" }),
		like(func(r *glrunnerstest.Runner) { r.TagList = append([]string{"gpu"}, opt.TagList...) }),
		like(func(r *glrunnerstest.Runner) { r.Paused = false }),
		like(func(r *glrunnerstest.Runner) { r.Locked = false }),
		like(func(r *glrunnerstest.Runner) { r.RunUntagged = Ptr(true) }),
		like(func(r *glrunnerstest.Runner) { r.AccessLevel = glrunnerstest.NotProtected }),
		like(func(r *glrunnerstest.Runner) { r.MaximumTimeout = Ptr(int64(7200)) }),
		like(func(r *glrunnerstest.Runner) { r.MaintenanceNote = "someone else's" }),
		like(func(r *glrunnerstest.Runner) { r.CreatedAt = time.Now().Add(-time.Hour) }),
	}
	since := time.Now().Add(-time.Minute)
	f.srv.AddFault(fault502AfterApply(1))
	_, _, err := c.Runners.Create(t.Context(), opt)
	require.ErrorIs(t, err, ErrOutcomeUnknown)

	found, resp, err := c.Runners.FindCreated(t.Context(), opt, since)
	require.NoError(t, err)
	var got []int64
	for _, d := range found {
		got = append(got, d.ID)
	}
	created := decoys[len(decoys)-1] + 1
	assert.Equal(t, []int64{leftover, created}, got, "oldest first; decoys %v left out", decoys)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	tok, _, err := c.Tokens.ResetAuthenticationToken(t.Context(), created)
	require.NoError(t, err)
	assertTokenWorks(t, c, &RunnerRegistration{ID: created, Token: tok.Token})
}

func TestFindCreated_refusesBadOptions(t *testing.T) {
	t.Parallel()
	f := newOnceFake()
	defer f.srv.Close()
	_, _, err := f.client().Runners.FindCreated(t.Context(), &CreateRunnerOptions{RunnerType: GroupType}, time.Time{})
	checkValidation(t, "group_id", err)
	assert.Empty(t, f.srv.Requests())
}

// TestCreateOnce_scopes recovers a lost answer for an instance runner (an
// administrator, found through GET /runners/all) and a group runner (the
// group's Owner, found through GET /groups/:id/runners).
func TestCreateOnce_scopes(t *testing.T) {
	t.Parallel()
	f := newOnceFake()
	defer f.srv.Close()
	gid := f.srv.AddGroup(glrunnerstest.Group{Name: "platform"})
	owner, ownerToken := f.srv.AddUser(glrunnerstest.User{Username: "owner"})
	f.srv.AddMember(owner, "group", gid, glrunnerstest.Owner)
	for _, tc := range []struct {
		token string
		opt   *CreateRunnerOptions
		list  string
	}{
		{f.srv.AdminToken(), &CreateRunnerOptions{RunnerType: InstanceType, Description: "shared", TagList: []string{"linux"}}, "/api/v4/runners/all"},
		{ownerToken, &CreateRunnerOptions{RunnerType: GroupType, GroupID: gid, Description: "group"}, fmt.Sprintf("/api/v4/groups/%d/runners", gid)},
	} {
		f.srv.AddFault(fault502AfterApply(1))
		before := len(f.srv.Requests())
		c := f.client(WithToken(tc.token))
		reg, _, err := c.Runners.CreateOnce(t.Context(), tc.opt)
		if !assert.NoError(t, err, tc.opt.RunnerType) {
			continue
		}
		assertTokenWorks(t, c, reg)
		r, _ := f.srv.Runner(reg.ID)
		assert.Equal(t, glrunnerstest.RunnerType(tc.opt.RunnerType), r.RunnerType)
		assert.Equal(t, tc.opt.Description, r.Description)
		assert.Equal(t, tc.list, f.srv.Requests()[before+1].Path, "the look lists the create's scope")
	}
	assert.Len(t, f.srv.Runners(), 2)
}
