package fleet

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

func TestApplyCreatesDeliversAndThenDoesNothing(t *testing.T) {
	e := newEnv(t)
	g := e.srv.AddGroup(glrunnerstest.Group{Name: "Acme", Path: "acme"})
	p := e.srv.AddProject(glrunnerstest.Project{Name: "api", Path: "api", GroupID: g})
	other := e.srv.AddRunner(glrunnerstest.Runner{Description: "someone else's", TagList: []string{"linux"}})
	f := e.parse(t, "fleet: prod\nrunners:\n"+
		"  a:\n    instance: true\n    description: A\n    tags: [linux]\n    run_untagged: false\n    maximum_timeout: 3600\n"+
		"  b:\n    group: "+itoa(g)+"\n    paused: true\n    access_level: ref_protected\n"+
		"  c:\n    project: "+itoa(p)+"\n    maintenance_note: hello\n    locked: true\n")
	plan := e.plan(t, f, PlanOptions{})
	assert.Equal(t, map[Action]int{Create: 3}, plan.Counts())

	res, err := e.r.Apply(context.Background(), plan, DirSink{Dir: e.dir})
	require.NoError(t, err)
	assert.Equal(t, 3, res.Done)
	for _, key := range []string{"a", "b", "c"} {
		rs := e.runnerByKey(t, "prod", key)
		require.Len(t, rs, 1, key)
		assert.Equal(t, e.srv.RunnerToken(rs[0].ID), e.token(t, key), "the sink holds the runner's current token")
		assert.NotContains(t, rs[0].TagList, pendingTag("prod"), "delivered: the pending tag is gone")
		st, err := os.Stat(filepath.Join(e.dir, key+".token"))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	}
	a := e.runnerByKey(t, "prod", "a")[0]
	assert.Equal(t, "A", a.Description)
	assert.False(t, *a.RunUntagged)
	assert.Equal(t, int64(3600), *a.MaximumTimeout)
	b := e.runnerByKey(t, "prod", "b")[0]
	assert.Equal(t, g, b.GroupID)
	assert.True(t, b.Paused)
	assert.Equal(t, glrunnerstest.RefProtected, b.AccessLevel)
	c := e.runnerByKey(t, "prod", "c")[0]
	assert.Equal(t, []int64{p}, c.ProjectIDs)
	assert.Equal(t, "hello", c.MaintenanceNote)

	n := len(e.srv.Requests())
	again := e.plan(t, f, PlanOptions{Prune: true})
	assert.Empty(t, again.Changes)
	_, err = e.r.Apply(context.Background(), again, DirSink{Dir: e.dir})
	require.NoError(t, err)
	assert.Equal(t, 0, e.writes(n), "a second apply writes nothing")
	for _, q := range e.srv.Requests() {
		assert.NotContains(t, q.Path, "/runners/"+itoa(other), "the runner outside the file is never read or written")
	}
	o, _ := e.srv.Runner(other)
	assert.Equal(t, []string{"linux"}, o.TagList)
}

func TestPlanShowsDriftInDesiredFieldsOnly(t *testing.T) {
	e := newEnv(t)
	f := e.parse(t, "fleet: prod\nrunners:\n  a:\n    instance: true\n    description: A\n    tags: [x]\n    maximum_timeout: 3600\n")
	_, err := e.r.Apply(context.Background(), e.plan(t, f, PlanOptions{}), DirSink{Dir: e.dir})
	require.NoError(t, err)

	changed := e.parse(t, "fleet: prod\nrunners:\n  a:\n    instance: true\n    description: B\n    tags: [y, x]\n    maximum_timeout: 0\n    paused: true\n")
	plan := e.plan(t, changed, PlanOptions{})
	require.Len(t, plan.Changes, 1)
	assert.Equal(t, Update, plan.Changes[0].Action)
	assert.Equal(t, []FieldChange{
		{Field: "description", From: "A", To: "B"},
		{Field: "tags", From: []string{"x"}, To: []string{"x", "y"}},
		{Field: "maximum_timeout", From: int64(3600), To: int64(0)},
		{Field: "paused", From: false, To: true},
	}, plan.Changes[0].Fields)
	n := len(e.srv.Requests())
	_, err = e.r.Apply(context.Background(), plan, nil)
	require.NoError(t, err, "an update needs no sink")
	assert.Equal(t, 2, e.writes(n), "one PUT, and one to clear the timeout")
	assert.Empty(t, e.plan(t, changed, PlanOptions{}).Changes)
	r := e.runnerByKey(t, "prod", "a")[0]
	assert.Nil(t, r.MaximumTimeout)
	assert.True(t, slices.Contains(r.TagList, keyTag("prod", "a")), "the markers stay")
}

func TestCrashBeforeDeliveryResetsAndDelivers(t *testing.T) {
	e := newEnv(t)
	// what a crash between the create and the sink leaves
	id := e.srv.AddRunner(glrunnerstest.Runner{Description: "A", Status: "never_contacted",
		TagList: []string{fleetTag("prod"), keyTag("prod", "a"), pendingTag("prod")}})
	lost := e.srv.RunnerToken(id)
	f := e.parse(t, "fleet: prod\nrunners:\n  a:\n    instance: true\n    description: A\n")
	plan := e.plan(t, f, PlanOptions{})
	require.Len(t, plan.Changes, 1)
	assert.Equal(t, Deliver, plan.Changes[0].Action)
	assert.Empty(t, plan.Changes[0].Fields)
	_, err := e.r.Apply(context.Background(), plan, DirSink{Dir: e.dir})
	require.NoError(t, err)
	assert.Equal(t, e.srv.RunnerToken(id), e.token(t, "a"))
	assert.NotEqual(t, lost, e.token(t, "a"))
	r, _ := e.srv.Runner(id)
	assert.ElementsMatch(t, markerTags("prod", "a"), r.TagList)
	assert.Empty(t, e.plan(t, f, PlanOptions{}).Changes)
}

func TestDuplicateWithUndeliveredTokenIsDeleted(t *testing.T) {
	e := newEnv(t)
	keep := e.srv.AddRunner(glrunnerstest.Runner{Description: "A", TagList: markerTags("prod", "a")})
	dup := e.srv.AddRunner(glrunnerstest.Runner{Description: "A", TagList: append(markerTags("prod", "a"), pendingTag("prod"))})
	f := e.parse(t, "fleet: prod\nrunners:\n  a:\n    instance: true\n")
	plan := e.plan(t, f, PlanOptions{})
	require.Len(t, plan.Changes, 1)
	assert.Equal(t, Dedupe, plan.Changes[0].Action)
	assert.Equal(t, dup, plan.Changes[0].RunnerID)
	_, err := e.r.Apply(context.Background(), plan, nil)
	require.NoError(t, err)
	_, ok := e.srv.Runner(dup)
	assert.False(t, ok)
	_, ok = e.srv.Runner(keep)
	assert.True(t, ok)

	// two delivered runners for one key: a conflict, left alone
	e.srv.AddRunner(glrunnerstest.Runner{Description: "A", TagList: markerTags("prod", "a")})
	plan = e.plan(t, f, PlanOptions{})
	assert.Empty(t, plan.Changes)
	assert.Equal(t, []string{"a"}, plan.Conflicts)
}

func TestReplaceAndPruneAreBlockedUntilAllowed(t *testing.T) {
	e := newEnv(t)
	g := e.srv.AddGroup(glrunnerstest.Group{Name: "Acme", Path: "acme"})
	p1 := e.srv.AddProject(glrunnerstest.Project{Name: "one", Path: "one", GroupID: g})
	p2 := e.srv.AddProject(glrunnerstest.Project{Name: "two", Path: "two", GroupID: g})
	f := e.parse(t, "fleet: prod\nrunners:\n  a:\n    project: "+itoa(p1)+"\n  b:\n    instance: true\n")
	_, err := e.r.Apply(context.Background(), e.plan(t, f, PlanOptions{}), DirSink{Dir: e.dir})
	require.NoError(t, err)
	oldA := e.runnerByKey(t, "prod", "a")[0].ID
	oldB := e.runnerByKey(t, "prod", "b")[0].ID

	moved := e.parse(t, "fleet: prod\nrunners:\n  a:\n    project: "+itoa(p2)+"\n")
	plan := e.plan(t, moved, PlanOptions{})
	require.Len(t, plan.Changes, 2)
	assert.Equal(t, Replace, plan.Changes[0].Action)
	assert.Equal(t, "-allow-replace", plan.Changes[0].Blocked)
	assert.Equal(t, Delete, plan.Changes[1].Action)
	assert.Equal(t, "-prune", plan.Changes[1].Blocked)
	n := len(e.srv.Requests())
	_, err = e.r.Apply(context.Background(), plan, DirSink{Dir: e.dir})
	require.ErrorIs(t, err, ErrBlocked)
	assert.Equal(t, 0, e.writes(n), "a blocked plan writes nothing")

	plan = e.plan(t, moved, PlanOptions{AllowReplace: true})
	_, err = e.r.Apply(context.Background(), plan, DirSink{Dir: e.dir})
	require.ErrorIs(t, err, ErrBlocked, "the delete still needs -prune")
	plan = e.plan(t, moved, PlanOptions{AllowReplace: true, Prune: true})
	_, err = e.r.Apply(context.Background(), plan, DirSink{Dir: e.dir})
	require.NoError(t, err)
	for _, id := range []int64{oldA, oldB} {
		_, ok := e.srv.Runner(id)
		assert.False(t, ok, "runner %d deleted", id)
	}
	a := e.runnerByKey(t, "prod", "a")
	require.Len(t, a, 1)
	assert.Equal(t, []int64{p2}, a[0].ProjectIDs)
	assert.Equal(t, e.srv.RunnerToken(a[0].ID), e.token(t, "a"))
}

func TestImportAdoptsAndPlansNoChange(t *testing.T) {
	e := newEnv(t)
	g := e.srv.AddGroup(glrunnerstest.Group{Name: "Acme", Path: "acme"})
	p := e.srv.AddProject(glrunnerstest.Project{Name: "api", Path: "api", GroupID: g})
	to := int64(7200)
	e.srv.AddRunner(glrunnerstest.Runner{Description: "Build 1", TagList: []string{"linux"}, RunUntagged: new(bool),
		Locked: true, AccessLevel: "ref_protected", MaximumTimeout: &to, MaintenanceNote: "n", Status: "paused"})
	e.srv.AddRunner(glrunnerstest.Runner{Description: "Build 1", RunnerType: "group_type", GroupID: g})
	e.srv.AddRunner(glrunnerstest.Runner{Description: "", RunnerType: "project_type", ProjectIDs: []int64{p}})
	theirs := e.srv.AddRunner(glrunnerstest.Runner{Description: "x", TagList: []string{fleetTag("other"), keyTag("other", "x")}})

	res, err := e.r.Import(context.Background(), "prod", Selection{})
	require.NoError(t, err)
	assert.Equal(t, 3, res.Adopted)
	assert.Len(t, res.Skipped, 1)
	keys := []string{}
	for _, r := range res.File.Runners {
		keys = append(keys, r.Key)
	}
	assert.Equal(t, 3, len(keys))
	assert.Contains(t, keys, "build-1")
	out, err := Marshal(res.File, "")
	require.NoError(t, err)
	f, err := Parse("imported.yaml", out)
	require.NoError(t, err, "%s", out)
	assert.Empty(t, e.plan(t, f, PlanOptions{}).Changes, "%s", out)
	o, _ := e.srv.Runner(theirs)
	assert.Equal(t, []string{fleetTag("other"), keyTag("other", "x")}, o.TagList, "another fleet's runner is left alone")

	// importing again keeps the keys and adopts nothing
	again, err := e.r.Import(context.Background(), "prod", Selection{Match: nil})
	require.NoError(t, err)
	assert.Equal(t, 0, again.Adopted)
	out2, _ := Marshal(again.File, "")
	assert.Equal(t, string(out), string(out2))
}

func TestCommandSinkGetsTokenOnStdin(t *testing.T) {
	e := newEnv(t)
	f := e.parse(t, "fleet: prod\nrunners:\n  a:\n    instance: true\n")
	out := filepath.Join(e.dir, "got")
	sink := ShellSink(`cat > "` + out + `.$RUNNERFLEET_KEY"; echo "$RUNNERFLEET_FLEET $RUNNERFLEET_RUNNER_ID" > "` + out + `.env"`)
	_, err := e.r.Apply(context.Background(), e.plan(t, f, PlanOptions{}), sink)
	require.NoError(t, err)
	id := e.runnerByKey(t, "prod", "a")[0].ID
	b, err := os.ReadFile(out + ".a")
	require.NoError(t, err)
	assert.Equal(t, e.srv.RunnerToken(id)+"\n", string(b))
	b, _ = os.ReadFile(out + ".env")
	assert.Equal(t, "prod "+itoa(id)+"\n", string(b))

	// a failing command leaves the token pending: the next plan delivers it
	f2 := e.parse(t, "fleet: prod\nrunners:\n  b:\n    instance: true\n")
	f2.Runners = append(f2.Runners, f.Runners...)
	_, err = e.r.Apply(context.Background(), e.plan(t, f2, PlanOptions{}), CommandSink{Argv: []string{"false"}})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "glrt-")
	plan := e.plan(t, f2, PlanOptions{})
	require.Len(t, plan.Changes, 1)
	assert.Equal(t, Deliver, plan.Changes[0].Action)
	assert.Equal(t, "b", plan.Changes[0].Key)
}

func TestApplyWithoutSinkRefusesCreates(t *testing.T) {
	e := newEnv(t)
	f := e.parse(t, "fleet: prod\nrunners:\n  a:\n    instance: true\n")
	_, err := e.r.Apply(context.Background(), e.plan(t, f, PlanOptions{}), nil)
	require.ErrorIs(t, err, ErrNoSink)
	assert.Empty(t, e.srv.Runners())
}

func TestPlanTextAndJSONNeverHoldTokens(t *testing.T) {
	e := newEnv(t)
	f := e.parse(t, "fleet: prod\nrunners:\n  a:\n    instance: true\n    description: A\n")
	plan := e.plan(t, f, PlanOptions{})
	var txt, js strings.Builder
	require.NoError(t, plan.WriteText(&txt))
	require.NoError(t, plan.WriteJSON(&js))
	assert.Contains(t, txt.String(), "+ create")
	assert.Contains(t, js.String(), `"action": "create"`)
	_, err := e.r.Apply(context.Background(), plan, DirSink{Dir: e.dir})
	require.NoError(t, err)
	txt.Reset()
	require.NoError(t, e.plan(t, f, PlanOptions{}).WriteText(&txt))
	assert.Contains(t, txt.String(), "No changes.")
	assert.NotContains(t, txt.String(), e.token(t, "a"))
}

func itoa(i int64) string { return glrunners.ID(i).String() }
