package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

func TestDryRunDeletesNothing(t *testing.T) {
	f := newTestFleet(t)
	code, out, errOut := f.runTool(t, "")
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut)
	}
	if got := f.remaining(); !slices.Equal(got, allIDs) {
		t.Errorf("runners left %v, want all of %v", got, allIDs)
	}
	if d := f.deletes(); len(d) != 0 {
		t.Errorf("dry run sent DELETEs: %v", d)
	}
	want := `ID  TYPE           OWNER                   LAST CONTACT  CREATED     TAGS          DESCRIPTION
2   instance_type  (instance)              30d ago       2024-04-28  linux,docker  r2
3   instance_type  (instance)              200d ago      2024-04-28  windows       r3
4   group_type     acme                    10d ago       2024-04-28  linux         r4
5   group_type     acme/platform           60d ago       2024-04-28  linux,docker  r5
7   project_type   acme/platform/api       never         2025-05-13  linux,docker  r7
8   project_type   acme/platform/api (+1)  90d ago       2024-04-28  linux         r8
10  group_type     acme/web                45d ago       2024-04-28  docker        r10

dry run: found 7 stale runners, deleted none; add -apply to delete them
`
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestApplyDeletesExactlyTheMatchingStaleRunners(t *testing.T) {
	tests := []struct {
		args    []string
		deleted []int64
	}{
		{nil, []int64{2, 3, 4, 5, 7, 8, 10}},
		{[]string{"-tags", "docker"}, []int64{2, 5, 7, 10}},
		{[]string{"-tags", "linux,docker"}, []int64{2, 5, 7}},
		{[]string{"-type", "instance_type"}, []int64{2, 3}},
		{[]string{"-older-than", "40d"}, []int64{3, 5, 8, 10}},
		{[]string{"-older-than", "1000h", "-type", "group_type"}, []int64{5, 10}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f := newTestFleet(t)
			code, out, errOut := f.runTool(t, "", append([]string{"-apply", "-concurrency", "3"}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d, want 0; stdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			if got, want := f.remaining(), without(allIDs, tt.deleted...); !slices.Equal(got, want) {
				t.Errorf("runners left %v, want %v", got, want)
			}
			if d := f.deletes(); len(d) != len(tt.deleted) {
				t.Errorf("DELETE requests %v, want one for each of %v", d, tt.deleted)
			}
			n := len(tt.deleted)
			want := summaryLine(summary{Found: n, Deleted: n})
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		})
	}
}

func TestRunnerDeletedMeanwhileCountsAsAlreadyGone(t *testing.T) {
	f := newTestFleet(t)
	c := f.client(t)
	ctx := context.Background()
	found, err := (&finder{c: c, now: now, concurrency: 2}).find(ctx, filter{Type: glrunners.InstanceType})
	if err != nil {
		t.Fatal(err)
	}
	if got := candidateIDs(found.Candidates); !slices.Equal(got, []int64{2, 3}) {
		t.Fatalf("candidates %v, want [2 3]", got)
	}
	// Someone else deletes runner 3 between the search and the delete.
	if _, err := c.Runners.Delete(ctx, 3); err != nil {
		t.Fatal(err)
	}

	outs := (&deleter{c: c, concurrency: 2}).deleteAll(ctx, found.Candidates)
	want := []outcome{{ID: 2, Result: deleted}, {ID: 3, Result: alreadyGone}}
	if !slices.Equal(outs, want) {
		t.Errorf("outcomes %+v, want %+v", outs, want)
	}
	s := summarize(2, outs)
	if s != (summary{Found: 2, Deleted: 1, AlreadyGone: 1}) || !s.ok() {
		t.Errorf("summary %+v (ok %t), want 1 deleted, 1 already gone, ok", s, s.ok())
	}
}

func TestServerErrorOnOneDeleteFailsTheRun(t *testing.T) {
	f := newTestFleet(t)
	// Every attempt at deleting runner 5 fails, retries included.
	f.srv.AddFault(glrunnerstest.Fault{Method: http.MethodDelete, Pattern: "runners/5", Status: http.StatusInternalServerError, Times: glrunnerstest.Always})

	code, out, _ := f.runTool(t, "", "-apply", "-tags", "docker")
	if code != exitIncomplete {
		t.Errorf("exit %d, want %d", code, exitIncomplete)
	}
	if got, want := f.remaining(), without(allIDs, 2, 7, 10); !slices.Equal(got, want) {
		t.Errorf("runners left %v, want %v", got, want)
	}
	if n := f.deletes()["/api/v4/runners/5"]; n != 3 {
		t.Errorf("DELETE /runners/5 sent %d times, want 3 (1 + 2 retries)", n)
	}
	for _, want := range []string{
		"runner 5: FAILED: glrunners: DELETE /api/v4/runners/5: 500 Internal Server Error",
		summaryLine(summary{Found: 4, Deleted: 3, Failed: 1}),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestGroupScopeDeletesOnlyThatGroupsRunners(t *testing.T) {
	f := newTestFleet(t)
	code, out, errOut := f.runTool(t, "", "-apply", "-group", "acme/platform")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	// GitLab lists acme's runner 4 for acme/platform too (ancestor groups'
	// runners are available to subgroups); it must be left alone.
	if got, want := f.remaining(), without(allIDs, 5); !slices.Equal(got, want) {
		t.Errorf("runners left %v, want %v", got, want)
	}
	if want := "left alone: runner 4: owned by another group"; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}

	code, _, errOut = f.runTool(t, "", "-apply", "-group", "acme")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if got, want := f.remaining(), without(allIDs, 4, 5); !slices.Equal(got, want) {
		t.Errorf("after -group acme, runners left %v, want %v", got, want)
	}
}

func TestProjectScopeLeavesSharedRunners(t *testing.T) {
	f := newTestFleet(t)
	code, out, errOut := f.runTool(t, "", "-apply", "-project", "acme/platform/api")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if got, want := f.remaining(), without(allIDs, 7); !slices.Equal(got, want) {
		t.Errorf("runners left %v, want %v", got, want)
	}
	if want := "left alone: runner 8: also serves another project"; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}

func TestNonAdministratorCleansTheRunnersItOwns(t *testing.T) {
	f := newTestFleet(t)
	code, out, _ := f.runTool(t, f.aliceToken, "-apply")
	// Alice owns acme's group runners and its projects' runners, not the
	// instance runners 2 and 3. GitLab refuses her runner 8, which serves
	// two projects: only an administrator may delete that one.
	if code != exitIncomplete {
		t.Errorf("exit %d, want %d", code, exitIncomplete)
	}
	if got, want := f.remaining(), without(allIDs, 4, 5, 7, 10); !slices.Equal(got, want) {
		t.Errorf("runners left %v, want %v", got, want)
	}
	for _, want := range []string{
		"note: not an administrator: searched only the runners you own",
		"runner 8: FAILED: glrunners: DELETE /api/v4/runners/8: 403 Forbidden",
		summaryLine(summary{Found: 5, Deleted: 4, Failed: 1}),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunnerChangedSinceInspectionIsLeftAlone(t *testing.T) {
	f := newTestFleet(t)
	c := f.client(t)
	ctx := context.Background()
	found, err := (&finder{c: c, now: now, concurrency: 2}).find(ctx, filter{Type: glrunners.InstanceType})
	if err != nil {
		t.Fatal(err)
	}
	// Someone re-tags runner 3 after the search. The fake stamps the change
	// with its own clock and sends Date from the real one; a change "in
	// 2100" is after any Date the finder can have seen.
	f.srv.SetNow(func() time.Time { return time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC) })
	if _, _, err := c.Runners.Update(ctx, 3, &glrunners.UpdateRunnerOptions{TagList: []string{"windows", "keep"}}); err != nil {
		t.Fatal(err)
	}
	f.srv.SetNow(func() time.Time { return now })

	outs := (&deleter{c: c, concurrency: 2}).deleteAll(ctx, found.Candidates)
	want := []outcome{{ID: 2, Result: deleted}, {ID: 3, Result: changed}}
	if !slices.Equal(outs, want) {
		t.Errorf("outcomes %+v, want %+v", outs, want)
	}
	if got := f.remaining(); !slices.Contains(got, 3) {
		t.Errorf("runner 3 was deleted although it changed")
	}
	if s := summarize(2, outs); !s.ok() {
		t.Errorf("summary %+v not ok: a runner left alone on purpose is not a failure", s)
	}
}

func TestStoppedRunReportsNotAttempted(t *testing.T) {
	f := newTestFleet(t)
	c := f.client(t)
	found, err := (&finder{c: c, now: now, concurrency: 2}).find(context.Background(), filter{})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	close(stop) // Ctrl-C before the deletes start
	outs := (&deleter{c: c, concurrency: 2, stop: stop}).deleteAll(context.Background(), found.Candidates)
	s := summarize(len(found.Candidates), outs)
	if s != (summary{Found: 7, NotAttempted: 7}) || s.ok() {
		t.Errorf("summary %+v (ok %t), want 7 not attempted, not ok", s, s.ok())
	}
	if d := f.deletes(); len(d) != 0 {
		t.Errorf("DELETEs sent after the stop: %v", d)
	}
}

func TestUsage(t *testing.T) {
	f := newTestFleet(t)
	for _, args := range [][]string{
		{"-type", "shared"},
		{"-group", "acme", "-project", "acme/platform/api"},
		{"-group", "acme", "-type", "project_type"},
		{"-concurrency", "0"},
		{"-older-than", "soon"},
		{"-no-such-flag"},
		{"-timeout", "0s"},
	} {
		if code, _, _ := f.runTool(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, _, _ := f.runTool(t, "", "-h"); code != exitOK {
		t.Errorf("-h: exit %d, want 0", code)
	}
	if code, _, errOut := f.runTool(t, "", "-group", "nope/missing"); code != exitUsage || !strings.Contains(errOut, "404") {
		t.Errorf("unknown group: exit %d, stderr %q; want %d and a 404", code, errOut, exitUsage)
	}
	if d := f.deletes(); len(d) != 0 {
		t.Errorf("DELETEs sent: %v", d)
	}
}

func TestDaysFlag(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "36h": 36 * time.Hour, "0": 0} {
		var d days
		if err := d.Set(in); err != nil || time.Duration(d) != want {
			t.Errorf("Set(%q) = %v, %v; want %v", in, time.Duration(d), err, want)
		}
	}
	for _, in := range []string{"-3d", "1.5d", "d", "week"} {
		var d days
		if err := d.Set(in); err == nil {
			t.Errorf("Set(%q) accepted", in)
		}
	}
}
