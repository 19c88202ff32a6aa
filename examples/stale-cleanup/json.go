package main

import (
	"encoding/json"
	"io"
	"time"

	"github.com/glrunners/glrunners"
)

// jsonReport is the -json output: one JSON object per line (JSON Lines),
// written as things happen, each with a "type":
//
//	note       {"type":"note","message":...}
//	candidate  a stale runner to delete: id, runner_type, owner, projects,
//	           contacted_at (null: never), created_at, tags, description
//	skipped    a stale runner left alone: id, reason
//	result     one delete: id, result (deleted, already_gone, changed,
//	           failed, not_attempted), error
//	summary    the last line: dry_run, found, deleted, already_gone,
//	           changed, failed, not_attempted, stopped (why, when it was)
//
// A run that ends before the summary (bad usage, search failed) prints its
// error on stderr; the exit status says which.
type jsonReport struct{ enc *json.Encoder }

func newJSONReport(w io.Writer) *jsonReport { return &jsonReport{enc: json.NewEncoder(w)} }

type jsonNote struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

type jsonCandidate struct {
	Type        string               `json:"type"`
	ID          int64                `json:"id"`
	RunnerType  glrunners.RunnerType `json:"runner_type"`
	Owner       string               `json:"owner"`    // group or first project path; "" for instance runners
	Projects    []string             `json:"projects"` // of a project runner, owner first
	ContactedAt *time.Time           `json:"contacted_at"`
	CreatedAt   time.Time            `json:"created_at"`
	Tags        []string             `json:"tags"`
	Description string               `json:"description"`
}

type jsonSkipped struct {
	Type   string `json:"type"`
	ID     int64  `json:"id"`
	Reason string `json:"reason"`
}

type jsonResult struct {
	Type   string `json:"type"`
	ID     int64  `json:"id"`
	Result string `json:"result"`
	Error  string `json:"error,omitempty"`
}

type jsonSummary struct {
	Type         string `json:"type"`
	DryRun       bool   `json:"dry_run"`
	Found        int    `json:"found"`
	Deleted      int    `json:"deleted"`
	AlreadyGone  int    `json:"already_gone"`
	Changed      int    `json:"changed"`
	Failed       int    `json:"failed"`
	NotAttempted int    `json:"not_attempted"`
	Stopped      string `json:"stopped,omitempty"`
}

// write encodes v on its own line. Encoding these plain structs cannot
// fail; a write error (a closed pipe) leaves nothing to report to.
func (r *jsonReport) write(v any) { _ = r.enc.Encode(v) }

func (r *jsonReport) note(msg string) { r.write(jsonNote{Type: "note", Message: msg}) }

func (r *jsonReport) found(res *findResult, _ time.Time) {
	for _, n := range res.Notes {
		r.note(n)
	}
	for _, c := range res.Candidates {
		projects := []string{}
		if c.RunnerType == glrunners.ProjectType {
			for _, p := range c.Projects {
				projects = append(projects, p.PathWithNamespace)
			}
		}
		r.write(jsonCandidate{
			Type: "candidate", ID: c.ID, RunnerType: c.RunnerType, Owner: ownerPath(c.RunnerDetails),
			Projects: projects, ContactedAt: c.ContactedAt, CreatedAt: c.CreatedAt,
			Tags: append([]string{}, c.TagList...), Description: glrunners.Value(c.Description),
		})
	}
	for _, s := range res.Skipped {
		r.write(jsonSkipped{Type: "skipped", ID: s.ID, Reason: s.Reason})
	}
}

func (r *jsonReport) deleting(int, int) {}

func (r *jsonReport) result(o outcome, _, _ int) {
	jr := jsonResult{Type: "result", ID: o.ID, Result: o.Result.String()}
	if o.Err != nil {
		jr.Error = o.Err.Error()
	}
	r.write(jr)
}

func (r *jsonReport) summary(s summary) {
	r.write(jsonSummary{
		Type: "summary", DryRun: s.DryRun, Found: s.Found, Deleted: s.Deleted, AlreadyGone: s.AlreadyGone,
		Changed: s.Changed, Failed: s.Failed, NotAttempted: s.NotAttempted, Stopped: s.Stopped,
	})
}
