package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/glrunners/glrunners/glrunnerstest"
)

// The tests' stdout is a buffer, not a terminal: what they see is what a
// log or a pipe gets.
func TestOneLinePerRunnerInAnyOutput(t *testing.T) {
	f := newTestFleet(t)
	f.srv.AddFault(glrunnerstest.Fault{Method: http.MethodDelete, Pattern: "runners/5", Status: http.StatusInternalServerError, Times: glrunnerstest.Always})
	code, out, _ := f.runTool(t, "", "-apply", "-tags", "docker", "-concurrency", "2")
	if code != exitIncomplete {
		t.Errorf("exit %d, want %d", code, exitIncomplete)
	}
	line := regexp.MustCompile(`(?m)^\[(\d)/4\] runner (\d+): (.*)$`)
	var ids []string
	counts := map[string]bool{}
	for _, m := range line.FindAllStringSubmatch(out, -1) {
		counts[m[1]] = true
		ids = append(ids, m[2])
		want := "deleted"
		if m[2] == "5" {
			want = "FAILED: glrunners: DELETE /api/v4/runners/5: 500 Internal Server Error"
		}
		if !strings.HasPrefix(m[3], want) {
			t.Errorf("runner %s: %q, want %q", m[2], m[3], want)
		}
	}
	slices.Sort(ids)
	if want := []string{"10", "2", "5", "7"}; !slices.Equal(ids, want) {
		t.Errorf("one line each for runners %v, want %v; output:\n%s", ids, want, out)
	}
	if len(counts) != 4 {
		t.Errorf("progress counts %v, want 1 to 4 once each", counts)
	}
}

// jsonLines decodes every line of out as one JSON object.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for l := range strings.Lines(out) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("not a JSON object: %q: %v", l, err)
		}
		recs = append(recs, rec)
	}
	return recs
}

func byType(recs []map[string]any, typ string) []map[string]any {
	var out []map[string]any
	for _, r := range recs {
		if r["type"] == typ {
			out = append(out, r)
		}
	}
	return out
}

func idsOf(recs []map[string]any) []string {
	var ids []string
	for _, r := range recs {
		ids = append(ids, fmt.Sprint(r["id"]))
	}
	return ids
}

func TestJSONApply(t *testing.T) {
	f := newTestFleet(t)
	f.srv.AddFault(glrunnerstest.Fault{Method: http.MethodDelete, Pattern: "runners/5", Status: http.StatusInternalServerError, Times: glrunnerstest.Always})
	code, out, _ := f.runTool(t, "", "-apply", "-json", "-tags", "docker")
	if code != exitIncomplete {
		t.Errorf("exit %d, want %d", code, exitIncomplete)
	}
	recs := jsonLines(t, out)
	if got, want := idsOf(byType(recs, "candidate")), []string{"2", "5", "7", "10"}; !slices.Equal(got, want) {
		t.Errorf("candidates %v, want %v", got, want)
	}
	results := map[string]map[string]any{}
	for _, r := range byType(recs, "result") {
		results[fmt.Sprint(r["id"])] = r
	}
	for _, id := range []string{"2", "7", "10"} {
		if r := results[id]; r["result"] != "deleted" || r["error"] != nil {
			t.Errorf("result for %s: %v, want deleted and no error", id, r)
		}
	}
	if r := results["5"]; r["result"] != "failed" || !strings.Contains(fmt.Sprint(r["error"]), "500 Internal Server Error") {
		t.Errorf("result for 5: %v, want failed with the error", r)
	}
	if len(results) != 4 {
		t.Errorf("%d result records, want 4", len(results))
	}
	want := map[string]any{"type": "summary", "dry_run": false, "found": 4.0, "deleted": 3.0, "already_gone": 0.0,
		"changed": 0.0, "failed": 1.0, "not_attempted": 0.0}
	if last := recs[len(recs)-1]; fmt.Sprint(last) != fmt.Sprint(want) {
		t.Errorf("last record %v, want %v", last, want)
	}
}

func TestJSONDryRun(t *testing.T) {
	f := newTestFleet(t)
	code, out, errOut := f.runTool(t, "", "-json", "-group", "acme/platform")
	if code != exitOK {
		t.Fatalf("exit %d; stderr %q", code, errOut)
	}
	recs := jsonLines(t, out)
	want := []string{
		`{"type":"candidate","id":5,"runner_type":"group_type","owner":"acme/platform","projects":[],` +
			`"contacted_at":"2025-04-03T12:00:00Z","created_at":"2024-04-28T12:00:00Z","tags":["linux","docker"],"description":"r5"}`,
		`{"type":"skipped","id":4,"reason":"owned by another group (GitLab lists ancestor groups' runners too)"}`,
		`{"type":"summary","dry_run":true,"found":1,"deleted":0,"already_gone":0,"changed":0,"failed":0,"not_attempted":0}`,
	}
	if got := strings.Split(strings.TrimSpace(out), "\n"); !slices.Equal(got, want) {
		t.Errorf("output:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(byType(recs, "result")) != 0 || len(f.deletes()) != 0 {
		t.Errorf("a dry run deleted: %v", f.deletes())
	}
}

func TestJSONProjectRunner(t *testing.T) {
	f := newTestFleet(t)
	code, out, _ := f.runTool(t, "", "-json", "-type", "project_type")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	cands := byType(jsonLines(t, out), "candidate")
	if len(cands) != 2 {
		t.Fatalf("candidates %v, want runners 7 and 8", idsOf(cands))
	}
	r7, r8 := cands[0], cands[1]
	if r7["contacted_at"] != nil || r7["owner"] != "acme/platform/api" {
		t.Errorf("runner 7 %v: want contacted_at null (never) and owner acme/platform/api", r7)
	}
	if got := fmt.Sprint(r8["projects"]); got != "[acme/platform/api acme/web/shop]" {
		t.Errorf("runner 8 projects %s, want both", got)
	}
}
