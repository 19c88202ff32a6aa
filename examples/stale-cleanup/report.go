package main

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/glrunners/glrunners"
)

// reporter is what the run prints on stdout: the text report, or -json
// lines. result is called once per candidate as its delete ends, never
// concurrently.
type reporter interface {
	note(msg string)
	found(res *findResult, now time.Time)
	deleting(total, concurrency int)
	result(o outcome, done, total int)
	summary(s summary)
}

// textReport is the report for people: a table of the runners found, one
// line per runner dealt with, and a summary line.
type textReport struct{ w io.Writer }

func (r *textReport) note(msg string) { fmt.Fprintln(r.w, "note:", msg) }

func (r *textReport) found(res *findResult, now time.Time) {
	for _, n := range res.Notes {
		r.note(n)
	}
	printCandidates(r.w, res.Candidates, now)
	for _, s := range res.Skipped {
		fmt.Fprintf(r.w, "left alone: runner %d: %s\n", s.ID, s.Reason)
	}
}

func (r *textReport) deleting(total, concurrency int) {
	fmt.Fprintf(r.w, "\ndeleting %d runners, %d at a time\n", total, concurrency)
}

func (r *textReport) result(o outcome, done, total int) {
	var what string
	switch o.Result {
	case deleted:
		what = "deleted"
	case alreadyGone:
		what = "already gone (404)"
	case changed:
		what = "changed since it was inspected (412), left alone"
	case failed:
		what = fmt.Sprintf("FAILED: %v", o.Err)
	default:
		what = "not attempted (stopped)"
	}
	fmt.Fprintf(r.w, "[%d/%d] runner %d: %s\n", done, total, o.ID, what)
}

func (r *textReport) summary(s summary) {
	if s.DryRun {
		fmt.Fprintf(r.w, "\ndry run: found %d stale runners, deleted none; add -apply to delete them\n", s.Found)
		return
	}
	fmt.Fprintf(r.w, "\nfound %d, deleted %d, already gone %d, changed %d, failed %d, not attempted %d\n",
		s.Found, s.Deleted, s.AlreadyGone, s.Changed, s.Failed, s.NotAttempted)
}

// printCandidates prints the runners found as a table.
func printCandidates(w io.Writer, cands []candidate, now time.Time) {
	if len(cands) == 0 {
		fmt.Fprintln(w, "no stale runners match")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tOWNER\tLAST CONTACT\tCREATED\tTAGS\tDESCRIPTION")
	for _, c := range cands {
		tags := strings.Join(c.TagList, ",")
		if tags == "" {
			tags = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.RunnerType, owner(c.RunnerDetails),
			lastContact(c.ContactedAt, now), c.CreatedAt.Format(time.DateOnly), tags, orDash(glrunners.Value(c.Description)))
	}
	tw.Flush()
}

// owner names who owns the runner, for the table: a group path, a project
// path (with the count of other projects it serves) or "(instance)".
func owner(d *glrunners.RunnerDetails) string {
	if d.RunnerType == glrunners.InstanceType {
		return "(instance)"
	}
	p := orDash(ownerPath(d))
	if n := len(d.Projects) - 1; d.RunnerType == glrunners.ProjectType && n > 0 {
		p += fmt.Sprintf(" (+%d)", n)
	}
	return p
}

// ownerPath is the full path of the group or the first project owning the
// runner, "" for an instance runner or when GitLab did not say.
func ownerPath(d *glrunners.RunnerDetails) string {
	switch {
	case d.RunnerType == glrunners.InstanceType:
		return ""
	case len(d.Groups) > 0:
		if u, err := url.Parse(d.Groups[0].WebURL); err == nil {
			if _, path, ok := strings.Cut(u.Path, "/groups/"); ok {
				return path
			}
		}
		return d.Groups[0].Name
	case len(d.Projects) > 0:
		return d.Projects[0].PathWithNamespace
	}
	return ""
}

func lastContact(t *time.Time, now time.Time) string {
	if t == nil {
		return "never"
	}
	return ago(now.Sub(*t))
}

func ago(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
