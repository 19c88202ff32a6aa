package fleet

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/glrunners/glrunners"
)

// ErrBlocked: the plan holds a change that needs -allow-replace or
// -prune; Apply then writes nothing.
var ErrBlocked = errors.New("fleet: the plan holds blocked changes")

// ErrNoSink: the plan creates runners or delivers tokens, and no sink
// was given to receive them.
var ErrNoSink = errors.New("fleet: the plan produces tokens and no token sink was given")

// Outcome is what became of one change.
type Outcome struct {
	Change   *Change
	RunnerID int64 // the runner made or changed
	Err      error // nil: done
}

// Result sums an Apply.
type Result struct {
	Outcomes []Outcome
	Done     int
	Failed   int
}

// Apply carries a plan out, at most the Reconciler's concurrency of
// changes at a time. Writes: a create is CreateOnce (2 requests) and one
// PUT that clears the token-pending tag once the sink has the token; an
// update is one PUT; a token delivery is a reset and one PUT; a replace
// is a DELETE and a create; a delete is one DELETE. A change that fails
// leaves the runner in a state the next plan sees (a token never
// delivered stays token-pending), so rerunning apply finishes the job.
func (r *Reconciler) Apply(ctx context.Context, p *Plan, sink TokenSink) (*Result, error) {
	if p.Blocked() {
		return nil, ErrBlocked
	}
	for _, c := range p.Changes {
		if sink == nil && (c.Action == Create || c.Action == Replace || c.Action == Deliver) {
			return nil, ErrNoSink
		}
	}
	res := &Result{Outcomes: make([]Outcome, len(p.Changes))}
	errs := r.forEach(ctx, len(p.Changes), func(i int) error {
		c := p.Changes[i]
		id, err := r.applyOne(ctx, p.Fleet, c, sink)
		res.Outcomes[i] = Outcome{Change: c, RunnerID: id, Err: err}
		if err != nil {
			r.log.Warn("failed", "action", string(c.Action), "key", c.Key, "runner", id, "error", err.Error())
		} else {
			r.log.Info("done", "action", string(c.Action), "key", c.Key, "runner", id)
		}
		return err
	})
	for i, err := range errs {
		if err != nil {
			res.Outcomes[i].Change, res.Outcomes[i].Err = p.Changes[i], err
			res.Failed++
		} else {
			res.Done++
		}
	}
	return res, errors.Join(errs...)
}

func (r *Reconciler) applyOne(ctx context.Context, fleet string, c *Change, sink TokenSink) (int64, error) {
	wrap := func(id int64, err error) (int64, error) {
		if err != nil {
			return id, fmt.Errorf("%s %s: %w", c.Action, c.Key, err)
		}
		return id, nil
	}
	switch c.Action {
	case Create:
		return wrap(r.create(ctx, fleet, c.want, sink))
	case Replace:
		if err := r.delete(ctx, c.have.ID); err != nil {
			return wrap(c.have.ID, err)
		}
		return wrap(r.create(ctx, fleet, c.want, sink))
	case Delete, Dedupe:
		return wrap(c.have.ID, r.delete(ctx, c.have.ID))
	case Update:
		return wrap(c.have.ID, r.update(ctx, c.have.ID, fieldUpdate(fleet, c.want, c.have, c.Fields, false)))
	case Deliver:
		tok, _, err := r.c.Tokens.ResetAuthenticationToken(ctx, c.have.ID)
		if err != nil {
			return wrap(c.have.ID, fmt.Errorf("resetting the token: %w", err))
		}
		return wrap(c.have.ID, r.deliver(ctx, fleet, c.Key, c.have.ID, tok.Token, sink,
			fieldUpdate(fleet, c.want, c.have, c.Fields, true)))
	}
	return wrap(0, fmt.Errorf("unknown action %q", c.Action))
}

// create makes the runner through CreateOnce, carrying its key and the
// token-pending tag from the first request on, then delivers the token.
func (r *Reconciler) create(ctx context.Context, fleet string, w *Runner, sink TokenSink) (int64, error) {
	scopeID, err := r.resolve(ctx, w.Scope)
	if err != nil {
		return 0, err
	}
	tags := slices.Concat(w.Tags, markerTags(fleet, w.Key))
	opt := &glrunners.CreateRunnerOptions{
		RunnerType:  w.Scope.Type,
		TagList:     slices.Concat(tags, []string{pendingTag(fleet)}),
		Paused:      w.Paused,
		Locked:      w.Locked,
		RunUntagged: w.RunUntagged,
	}
	switch w.Scope.Type {
	case glrunners.GroupType:
		opt.GroupID = scopeID
	case glrunners.ProjectType:
		opt.ProjectID = scopeID
	}
	if w.Description != nil {
		opt.Description = *w.Description
	}
	if w.AccessLevel != nil {
		opt.AccessLevel = *w.AccessLevel
	}
	if w.MaximumTimeout != nil && *w.MaximumTimeout > 0 {
		opt.MaximumTimeout = w.MaximumTimeout
	}
	if w.MaintenanceNote != nil {
		opt.MaintenanceNote = *w.MaintenanceNote
	}
	reg, _, err := r.c.Runners.CreateOnce(ctx, opt)
	if err != nil {
		return 0, err
	}
	return reg.ID, r.deliver(ctx, fleet, w.Key, reg.ID, reg.Token, sink, &glrunners.UpdateRunnerOptions{TagList: tags})
}

// deliver hands the token to the sink, then sends upd, which carries the
// runner's tags without the token-pending one. A crash in between leaves
// the tag, and the next apply resets the token and delivers again.
func (r *Reconciler) deliver(ctx context.Context, fleet, key string, id int64, tok glrunners.Secret, sink TokenSink, upd *glrunners.UpdateRunnerOptions) error {
	if err := sink.Put(ctx, Delivery{Fleet: fleet, Key: key, RunnerID: id}, tok); err != nil {
		return err
	}
	return r.update(ctx, id, upd)
}

func (r *Reconciler) update(ctx context.Context, id int64, u *glrunners.UpdateRunnerOptions) error {
	clear := u.MaximumTimeout != nil && *u.MaximumTimeout == 0
	if clear {
		u.MaximumTimeout = nil
	}
	empty := u.Description == nil && u.Paused == nil && u.TagList == nil && u.RunUntagged == nil && u.Locked == nil &&
		u.AccessLevel == "" && u.MaximumTimeout == nil && u.MaintenanceNote == nil
	if !empty {
		if _, _, err := r.c.Runners.Update(ctx, id, u); err != nil {
			return err
		}
	}
	if clear {
		// UpdateRunnerOptions cannot send null, which is how GitLab
		// removes a maximum timeout.
		req, err := r.c.NewRequest("PUT", "runners/"+fmt.Sprint(id), nil, map[string]any{"maximum_timeout": nil})
		if err != nil {
			return err
		}
		if _, err := r.c.Do(ctx, req, nil); err != nil {
			return err
		}
	}
	return nil
}

func (r *Reconciler) delete(ctx context.Context, id int64) error {
	_, err := r.c.Runners.Delete(ctx, id)
	if errors.Is(err, glrunners.ErrNotFound) {
		return nil // already gone
	}
	return err
}

// fieldUpdate is the PUT for the drifted fields. withTags sends the tag
// list even when tags did not drift: to drop the token-pending tag.
func fieldUpdate(fleet string, w *Runner, a *actual, fields []FieldChange, withTags bool) *glrunners.UpdateRunnerOptions {
	u := &glrunners.UpdateRunnerOptions{}
	for _, f := range fields {
		switch f.Field {
		case "description":
			u.Description = w.Description
		case "tags":
			withTags = true
		case "run_untagged":
			u.RunUntagged = w.RunUntagged
		case "locked":
			u.Locked = w.Locked
		case "access_level":
			u.AccessLevel = *w.AccessLevel
		case "maximum_timeout":
			u.MaximumTimeout = w.MaximumTimeout
		case "maintenance_note":
			u.MaintenanceNote = w.MaintenanceNote
		case "paused":
			u.Paused = w.Paused
		}
	}
	if withTags {
		user := a.Tags
		if w.TagsSet {
			user = w.Tags
		}
		u.TagList = slices.Concat(user, markerTags(fleet, w.Key))
	}
	return u
}
