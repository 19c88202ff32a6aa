package glrunners

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// BulkChange is what Runners.Bulk does to each selected runner. Build one
// with BulkPause, BulkUnpause, BulkDelete, BulkSetTags or
// BulkSetMaintenanceNote; the zero BulkChange is refused.
type BulkChange struct {
	kind bulkKind
	tags []string
	note string
}

type bulkKind string

const (
	bulkPause   bulkKind = "pause"
	bulkUnpause bulkKind = "unpause"
	bulkDelete  bulkKind = "delete"
	bulkTags    bulkKind = "set_tags"
	bulkNote    bulkKind = "set_maintenance_note"
)

// BulkPause pauses each runner (PUT /runners/:id paused=true).
func BulkPause() BulkChange { return BulkChange{kind: bulkPause} }

// BulkUnpause unpauses each runner (PUT /runners/:id paused=false).
func BulkUnpause() BulkChange { return BulkChange{kind: bulkUnpause} }

// BulkDelete deletes each runner (DELETE /runners/:id). A runner already
// gone (404) counts as done.
func BulkDelete() BulkChange { return BulkChange{kind: bulkDelete} }

// BulkSetTags replaces each runner's tags with tags (PUT tag_list); no tags
// removes them all.
func BulkSetTags(tags ...string) BulkChange {
	return BulkChange{kind: bulkTags, tags: append([]string{}, tags...)}
}

// BulkSetMaintenanceNote sets each runner's maintenance note; "" clears it.
func BulkSetMaintenanceNote(note string) BulkChange { return BulkChange{kind: bulkNote, note: note} }

// String names the change, as in "delete" or "set_tags [a b]".
func (ch BulkChange) String() string {
	switch ch.kind {
	case bulkTags:
		return fmt.Sprintf("%s %q", ch.kind, ch.tags)
	case bulkNote:
		return fmt.Sprintf("%s %q", ch.kind, ch.note)
	}
	return string(ch.kind)
}

// update is the PUT body of a change other than delete.
func (ch BulkChange) update() *UpdateRunnerOptions {
	switch ch.kind {
	case bulkPause:
		return &UpdateRunnerOptions{Paused: Ptr(true)}
	case bulkUnpause:
		return &UpdateRunnerOptions{Paused: Ptr(false)}
	case bulkTags:
		return &UpdateRunnerOptions{TagList: append([]string{}, ch.tags...)}
	case bulkNote:
		return &UpdateRunnerOptions{MaintenanceNote: Ptr(ch.note)}
	}
	return nil
}

func (ch BulkChange) validate() error {
	switch ch.kind {
	case bulkDelete:
		return nil
	case "":
		return invalidArg("change", "is required: use BulkPause, BulkUnpause, BulkDelete, BulkSetTags or BulkSetMaintenanceNote")
	}
	return ch.update().validate()
}

// applied reports whether d already shows the change, so that a write
// whose answer a crash lost is not sent again.
func (ch BulkChange) applied(d *RunnerDetails) bool {
	switch ch.kind {
	case bulkPause:
		return d.Paused
	case bulkUnpause:
		return !d.Paused
	case bulkTags:
		return sameTags(d.TagList, ch.tags)
	case bulkNote:
		return d.MaintenanceNote != nil && *d.MaintenanceNote == ch.note
	}
	return false // a runner that can still be read is not deleted
}

// BulkOutcome is what happened to one runner of a bulk change.
type BulkOutcome string

// Outcomes of a bulk change, per runner.
const (
	// BulkDone: the change was made, or a resumed run found it made.
	BulkDone BulkOutcome = "done"
	// BulkAlreadyGone: the runner does not exist (404). For a delete this
	// is done; for the other changes there is nothing left to change.
	BulkAlreadyGone BulkOutcome = "already_gone"
	// BulkChanged: GitLab refused the delete (412) because the runner was
	// modified after BulkOptions.UnmodifiedSince; it is left alone.
	BulkChanged BulkOutcome = "changed"
	// BulkFailed: the request failed (BulkEvent.Err says why). The runner
	// is left for a resumed run, which checks its state before writing.
	BulkFailed BulkOutcome = "failed"
	// BulkDryRun: a dry run would change this runner; nothing was sent.
	BulkDryRun BulkOutcome = "dry_run"
)

// BulkOptions adjusts Runners.Bulk and Runners.ResumeBulk. A nil
// *BulkOptions means the defaults.
type BulkOptions struct {
	// Checkpoint is the path of the run's journal. Bulk creates it (after
	// snapshotting the selection, before the first write) or, when it
	// exists and holds the same change and selection, resumes it; a
	// journal for anything else is refused with ErrCheckpointMismatch.
	// Empty means no journal: a crash then loses track of the run.
	Checkpoint string
	// Concurrency is the number of runners worked on at once, 1 to 64;
	// 0 means 4. Every request goes through the client, so its rate limit
	// and retries apply.
	Concurrency int
	// DryRun sends no write: each runner that would change is reported
	// as BulkDryRun. An existing checkpoint is read (to report only what a
	// resume would still do) and never written.
	DryRun bool
	// UnmodifiedSince, when set, makes each delete conditional: a runner
	// modified after it is kept and reported as BulkChanged. GitLab
	// supports it on DELETE only. It is kept in the checkpoint.
	UnmodifiedSince time.Time
	// Stop, once closed, lets no new runner start; the writes in flight
	// finish, so that their outcomes are journalled and reported (cancel
	// ctx to abort them too). The run then ends with ErrBulkIncomplete.
	Stop <-chan struct{}
	// Progress, if set, is called once per runner as its outcome is known,
	// one call at a time (never concurrently), from the workers: keep it
	// fast. Runners finished by an earlier run of the checkpoint are not
	// reported again (BulkSummary.Resumed counts them).
	Progress func(BulkEvent)
}

// BulkEvent reports the outcome for one runner.
type BulkEvent struct {
	ID      int64
	Outcome BulkOutcome
	Err     error // set for BulkFailed
	// Checked is true when a resumed run decided the outcome by reading
	// the runner (GET), because an earlier run had sent, or was about to
	// send, its write when it stopped.
	Checked bool
	// Finished counts the runners with an outcome so far, this one and
	// those finished by earlier runs of the checkpoint included; Total is
	// the size of the selection.
	Finished, Total int
}

// BulkSummary counts the outcomes of a bulk change.
type BulkSummary struct {
	Change    string // BulkChange.String
	Total     int    // runners in the snapshotted selection
	Resumed   int    // finished by earlier runs of the checkpoint
	Done      int
	Gone      int // BulkAlreadyGone
	Changed   int // BulkChanged
	Failed    int
	DryRun    int
	Checked   int // outcomes decided by a GET on resume (see BulkEvent.Checked)
	Remaining int // neither finished earlier nor in this run (failed, or stopped)
	// Errors holds up to 10 of the failures, as "runner <id>: <error>".
	Errors []error
}

var (
	// ErrCheckpointMismatch is wrapped by the error of a Bulk call whose
	// checkpoint file holds another change or selection.
	ErrCheckpointMismatch = errors.New("glrunners: checkpoint is for another bulk change")
	// ErrCheckpointCorrupt is wrapped when a checkpoint file cannot be
	// read as one (a torn last line, from a crash mid-write, is not
	// corruption: it is ignored).
	ErrCheckpointCorrupt = errors.New("glrunners: checkpoint file is corrupt")
	// ErrBulkIncomplete is returned when some runners failed or were not
	// reached; BulkSummary says how many. Resume to finish them.
	ErrBulkIncomplete = errors.New("glrunners: bulk change incomplete: resume the checkpoint to finish it")
	// ErrCheckpointInUse is wrapped when another run (in this process or
	// another) has the checkpoint open for writing: two runs of one
	// journal would interleave their records.
	ErrCheckpointInUse = errors.New("glrunners: checkpoint is in use by another run")
)

// Bulk makes one change to every runner of sel, with opt.Concurrency
// runners at a time, and returns the counts of the outcomes.
//
// The selection is snapshotted first: all its runner IDs are listed and,
// with opt.Checkpoint, written to the checkpoint, before anything changes,
// so no runner is skipped as the list's offset pages shift under deletes.
//
// With a checkpoint, Bulk journals each runner ("about to write", then
// its outcome) and survives any crash, kill -9 included: call it again
// with the same arguments (or ResumeBulk with the path) and it goes on
// where the crashed run stopped. A runner whose write may have been sent
// is read first (GET) and written again only if the change is not there,
// so a delete GitLab applied is never sent twice. Intents are fsync'd
// before their write is sent, so a power loss is covered as well.
//
// The error is a *ValidationError for bad arguments (before any request),
// wraps ErrCheckpointMismatch or ErrCheckpointCorrupt, is the failure of
// the selection's listing (nothing changed), ctx's error, or
// ErrBulkIncomplete when some runners failed. The summary is non-nil
// once the selection is known.
//
// Cost: one request per 100 runners to list the selection, one write per
// runner, and one GET per runner a crashed run may have written.
//
// Built on: the selection's runner list, Get, Update and Delete.
func (s *RunnersService) Bulk(ctx context.Context, change BulkChange, sel BulkSelection, opt *BulkOptions, opts ...RequestOption) (*BulkSummary, error) {
	o, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := firstError(change.validate(), sel.validate(), o.checkCondition(change)); err != nil {
		return nil, err
	}
	p := newBulkPlan(change, sel, o.UnmodifiedSince)
	return s.runBulk(ctx, p, sel, o, opts)
}

// ResumeBulk finishes the bulk change journalled in the checkpoint file at
// path, taking the change, the selection and UnmodifiedSince from it. opt
// may set Concurrency, DryRun and Progress; its Checkpoint must be empty
// or path and its UnmodifiedSince zero. A checkpoint is only written once
// its selection is snapshotted, so a missing file (os.ErrNotExist) means
// the run that was to write it changed nothing.
//
// Built on: Get, Update and Delete, as Bulk.
func (s *RunnersService) ResumeBulk(ctx context.Context, path string, opt *BulkOptions, opts ...RequestOption) (*BulkSummary, error) {
	o, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	switch {
	case path == "":
		return nil, invalidArg("path", "is required: the checkpoint file to resume")
	case o.Checkpoint != "" && o.Checkpoint != path:
		return nil, invalidArg("Checkpoint", "differs from path: leave it empty")
	case !o.UnmodifiedSince.IsZero():
		return nil, invalidArg("UnmodifiedSince", "comes from the checkpoint: leave it zero")
	}
	o.Checkpoint = path
	cp, err := openCheckpoint(path, !o.DryRun)
	if err != nil {
		return nil, err
	}
	return s.resume(ctx, cp, o, opts)
}

func (o *BulkOptions) withDefaults() (BulkOptions, error) {
	var v BulkOptions
	if o != nil {
		v = *o
	}
	if v.Concurrency == 0 {
		v.Concurrency = 4
	}
	if v.Concurrency < 1 || v.Concurrency > 64 {
		return v, invalidArg("Concurrency", "must be between 1 and 64 (0 means 4)")
	}
	if strings.ContainsRune(v.Checkpoint, 0) {
		return v, invalidArg("Checkpoint", "must be a file path")
	}
	return v, nil
}

func (o *BulkOptions) checkCondition(ch BulkChange) error {
	if !o.UnmodifiedSince.IsZero() && ch.kind != bulkDelete {
		return invalidArg("UnmodifiedSince", "GitLab supports If-Unmodified-Since on deletes only")
	}
	return nil
}
