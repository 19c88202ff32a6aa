package main

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/glrunners/glrunners"
)

// clean finds, reports and (with -apply) deletes, and returns the exit
// status.
func clean(st *stopper, client *glrunners.Client, cfg config, now time.Time, out reporter, stderr io.Writer) int {
	fd := &finder{c: client, now: now, concurrency: cfg.concurrency}
	found, err := fd.find(st.stop, cfg.filter)
	if err != nil {
		if why := st.stopped(); why != nil {
			fmt.Fprintln(stderr, "stale-cleanup: stopped during the search, nothing deleted:", why)
			return st.stopCode()
		}
		code, msg := searchFailure(err, cfg.filter)
		fmt.Fprintln(stderr, "stale-cleanup:", msg)
		return code
	}
	out.found(found, now)

	s := summary{Found: len(found.Candidates), DryRun: !cfg.apply}
	if cfg.apply && len(found.Candidates) > 0 {
		total := len(found.Candidates)
		out.deleting(total, cfg.concurrency)
		var mu sync.Mutex
		done := 0
		outs, err := deleteJournalled(st, client, found.Candidates, cfg, out, func(o outcome) {
			mu.Lock()
			defer mu.Unlock()
			done++
			out.result(o, done, total)
		})
		if err != nil {
			fmt.Fprintln(stderr, "stale-cleanup:", err)
			return exitIncomplete
		}
		s = summarize(total, outs)
	}
	if why := st.stopped(); why != nil {
		s.Stopped = why.Error()
	}
	out.summary(s)
	if s.Stopped != "" {
		fmt.Fprintln(stderr, "stale-cleanup: stopped:", s.Stopped)
		return st.stopCode()
	}
	if !s.ok() {
		return exitIncomplete
	}
	return exitOK
}

// searchFailure maps an error of the search to an exit status and a
// message. Nothing has been deleted when the search fails.
func searchFailure(err error, f filter) (int, string) {
	var te *glrunners.TransportError
	switch {
	case errors.As(err, &te):
		return exitGitLab, fmt.Sprintf("cannot reach GitLab, nothing deleted: %v", err)
	case errors.Is(err, glrunners.ErrUnauthorized):
		return exitGitLab, fmt.Sprintf("GitLab refused GITLAB_TOKEN, nothing deleted: %v", err)
	case errors.Is(err, glrunners.ErrNotFound) && f.Group != "":
		return exitUsage, fmt.Sprintf("-group %s: no such group, or not visible with this token: %v", f.Group, err)
	case errors.Is(err, glrunners.ErrNotFound) && f.Project != "":
		return exitUsage, fmt.Sprintf("-project %s: no such project, or not visible with this token: %v", f.Project, err)
	}
	return exitGitLab, fmt.Sprintf("search failed, nothing deleted: %v", err)
}
