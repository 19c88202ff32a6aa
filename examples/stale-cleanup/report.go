package main

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/glrunners/glrunners"
)

// printCandidates prints the runners found as a table.
func printCandidates(w io.Writer, cands []candidate, now time.Time) error {
	if len(cands) == 0 {
		_, err := fmt.Fprintln(w, "no stale runners match")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tOWNER\tLAST CONTACT\tCREATED\tTAGS\tDESCRIPTION")
	for _, c := range cands {
		tags := strings.Join(c.TagList, ",")
		if tags == "" {
			tags = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.RunnerType, owner(c.RunnerDetails),
			lastContact(c.ContactedAt, now), c.CreatedAt.Format(time.DateOnly), tags, deref(c.Description))
	}
	return tw.Flush()
}

// printSkipped lists the stale runners left alone and why.
func printSkipped(w io.Writer, skips []skipped) {
	for _, s := range skips {
		fmt.Fprintf(w, "left alone: runner %d: %s\n", s.ID, s.Reason)
	}
}

// printOutcomes prints each runner that was not simply deleted, then the
// summary.
func printOutcomes(w io.Writer, outs []outcome, s summary) {
	for _, o := range outs {
		switch o.Result {
		case alreadyGone:
			fmt.Fprintf(w, "runner %d: already gone (404)\n", o.ID)
		case changed:
			fmt.Fprintf(w, "runner %d: changed since it was inspected (412), left alone\n", o.ID)
		case failed:
			fmt.Fprintf(w, "runner %d: FAILED: %v\n", o.ID, o.Err)
		case notAttempted:
			fmt.Fprintf(w, "runner %d: not attempted (stopped)\n", o.ID)
		}
	}
	fmt.Fprintf(w, "\nfound %d, deleted %d, already gone %d, changed %d, failed %d, not attempted %d\n",
		s.Found, s.Deleted, s.AlreadyGone, s.Changed, s.Failed, s.NotAttempted)
}

// owner names who owns the runner: a group path, a project path or the
// instance.
func owner(d *glrunners.RunnerDetails) string {
	switch {
	case d.RunnerType == glrunners.InstanceType:
		return "(instance)"
	case len(d.Groups) > 0:
		if u, err := url.Parse(d.Groups[0].WebURL); err == nil {
			if _, path, ok := strings.Cut(u.Path, "/groups/"); ok {
				return path
			}
		}
		return d.Groups[0].Name
	case len(d.Projects) > 0:
		p := d.Projects[0].PathWithNamespace
		if n := len(d.Projects) - 1; n > 0 {
			p += fmt.Sprintf(" (+%d)", n)
		}
		return p
	}
	return "-"
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

func deref(s *string) string {
	if s == nil || *s == "" {
		return "-"
	}
	return *s
}

// progress draws "deleting 12/40" on a terminal, rewriting one line.
type progress struct {
	mu     sync.Mutex
	w      io.Writer
	total  int
	done   int
	failed int
}

func (p *progress) update(o outcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if o.Result == failed {
		p.failed++
	}
	fmt.Fprintf(p.w, "\rdeleting %d/%d", p.done, p.total)
	if p.failed > 0 {
		fmt.Fprintf(p.w, " (%d failed)", p.failed)
	}
}

// finish ends the progress line, so what follows starts on its own line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done > 0 {
		fmt.Fprintln(p.w)
	}
}
