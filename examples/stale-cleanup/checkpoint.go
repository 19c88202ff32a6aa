package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/glrunners/glrunners"
)

// With -apply the deletes go through glrunners' Runners.Bulk, journalled
// in a checkpoint file (-checkpoint, by default a new file in the
// temporary directory). A run that dies, even by kill -9, is finished by
// -resume with that file: no second search, no runner deleted twice or
// missed, and each delete still conditional on the runner being unchanged
// since the search.

// defaultCheckpoint names the checkpoint of a run given no -checkpoint.
func defaultCheckpoint() string {
	name := fmt.Sprintf("stale-cleanup-%s-%s.checkpoint", time.Now().UTC().Format("20060102T150405Z"), rand.Text()[:8])
	return filepath.Join(os.TempDir(), name)
}

// deleteJournalled deletes the candidates and reports one outcome per
// candidate, in their order: those not reached (the run was stopped) as
// not attempted. The error is that of the checkpoint (nothing was deleted
// when it wraps ErrCheckpointMismatch or ErrCheckpointCorrupt). A default
// checkpoint is removed once every candidate is dealt with.
func deleteJournalled(st *stopper, c *glrunners.Client, cands []candidate, cfg config, out reporter, report func(outcome)) ([]outcome, error) {
	path, temporary := cfg.checkpoint, cfg.checkpoint == ""
	if temporary {
		path = defaultCheckpoint()
	}
	out.note("journal: " + path + "; if this run dies, finish it with -resume " + path)
	ids := make([]int64, len(cands))
	at := make(map[int64]int, len(cands))
	// One precondition for all, the earliest inspection: a runner changed
	// after it is left alone (412), as the per-runner time would, or more
	// cautiously when it changed between two inspections.
	since := cands[0].Seen
	for i, cd := range cands {
		ids[i], at[cd.ID] = cd.ID, i
		if cd.Seen.Before(since) {
			since = cd.Seen
		}
	}
	outs := make([]outcome, len(cands))
	for i, cd := range cands {
		outs[i] = outcome{ID: cd.ID, Result: notAttempted}
	}
	reported := make([]bool, len(cands))
	sum, err := c.Runners.Bulk(st.ctx, glrunners.BulkDelete(), glrunners.SelectIDs(ids...), &glrunners.BulkOptions{
		Checkpoint: path, Concurrency: cfg.concurrency, UnmodifiedSince: since, Stop: st.stop.Done(),
		Progress: func(ev glrunners.BulkEvent) {
			i := at[ev.ID]
			outs[i], reported[i] = fromBulk(ev), true
			report(outs[i])
		},
	})
	for i, done := range reported {
		if !done {
			report(outs[i])
		}
	}
	if errors.Is(err, glrunners.ErrBulkIncomplete) {
		return outs, nil // the outcomes say what is left
	}
	if err == nil && sum.Remaining == 0 && temporary {
		_ = os.Remove(path)
	}
	return outs, err
}

func fromBulk(ev glrunners.BulkEvent) outcome {
	o := outcome{ID: ev.ID, Err: ev.Err}
	switch ev.Outcome {
	case glrunners.BulkDone:
		o.Result = deleted
	case glrunners.BulkAlreadyGone:
		o.Result = alreadyGone
	case glrunners.BulkChanged:
		o.Result = changed
	case glrunners.BulkFailed:
		o.Result = failed
	}
	return o
}

// resumeRun finishes the run journalled in cfg.resume (-resume), without
// a search; without -apply it only reports what is left. It returns the
// exit status.
func resumeRun(st *stopper, c *glrunners.Client, cfg config, out reporter, stderr io.Writer) int {
	if cfg.checkpoint != "" || cfg.filter.Type != "" || len(cfg.filter.Tags) > 0 || cfg.filter.OlderThan != 0 ||
		cfg.filter.Group != "" || cfg.filter.Project != "" {
		fmt.Fprintln(stderr, "stale-cleanup: -resume takes the runners and conditions from the checkpoint: "+
			"it excludes -checkpoint, -type, -tags, -older-than, -group and -project")
		return exitUsage
	}
	var outs []outcome
	total := 0
	sum, err := c.Runners.ResumeBulk(st.ctx, cfg.resume, &glrunners.BulkOptions{
		Concurrency: cfg.concurrency, DryRun: !cfg.apply, Stop: st.stop.Done(),
		Progress: func(ev glrunners.BulkEvent) {
			if total == 0 {
				total = ev.Total - (ev.Finished - 1)
				if cfg.apply {
					out.deleting(total, cfg.concurrency)
				}
			}
			if ev.Outcome == glrunners.BulkDryRun {
				out.note(fmt.Sprintf("-resume without -apply: would delete runner %d", ev.ID))
				return
			}
			outs = append(outs, fromBulk(ev))
			out.result(outs[len(outs)-1], len(outs), total)
		},
	})
	if sum == nil {
		fmt.Fprintln(stderr, "stale-cleanup: -resume:", err)
		if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintln(stderr, "stale-cleanup: a checkpoint is written once the search is done: without it, nothing was deleted")
		}
		return exitUsage
	}
	out.note(fmt.Sprintf("-resume %s: %d of %d runners were finished before", cfg.resume, sum.Resumed, sum.Total))
	s := summarize(sum.Total-sum.Resumed, outs)
	s.DryRun = !cfg.apply
	if cfg.apply {
		s.NotAttempted = sum.Remaining - sum.Failed
	}
	if why := st.stopped(); why != nil {
		s.Stopped = why.Error()
	}
	out.summary(s)
	switch {
	case err != nil && !errors.Is(err, glrunners.ErrBulkIncomplete):
		fmt.Fprintln(stderr, "stale-cleanup: -resume:", err)
		return exitIncomplete
	case s.Stopped != "":
		fmt.Fprintln(stderr, "stale-cleanup: stopped:", s.Stopped)
		return exitIncomplete
	case !s.ok():
		return exitIncomplete
	}
	return exitOK
}
