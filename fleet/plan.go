package fleet

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Action is what a change does.
type Action string

// The actions of a plan.
const (
	Create  Action = "create"  // a key with no runner: CreateOnce
	Update  Action = "update"  // fields drifted: one PUT
	Replace Action = "replace" // type, group or project changed: delete, then create
	Delete  Action = "delete"  // a managed runner whose key left the file
	// Deliver: the token never reached the sink; reset it, deliver it,
	// then clear the token-pending tag (with any field drift, in one PUT).
	Deliver Action = "deliver-token"
	// Dedupe: a second runner for a key whose token was never delivered
	// (two runs raced): nobody can use it, so it is deleted.
	Dedupe Action = "delete-duplicate"
)

// FieldChange is one drifted field. From is absent for a create.
type FieldChange struct {
	Field string `json:"field"`
	From  any    `json:"from,omitempty"`
	To    any    `json:"to"`
}

// Change is one step of a plan.
type Change struct {
	Key      string        `json:"key"`
	Action   Action        `json:"action"`
	RunnerID int64         `json:"runner_id,omitempty"`
	Scope    string        `json:"scope"`
	Fields   []FieldChange `json:"fields,omitempty"`
	// Blocked says which flag apply needs for this change; apply refuses
	// a plan with a blocked change.
	Blocked string `json:"blocked,omitempty"`

	want *Runner
	have *actual
}

// Plan is what apply would do to make GitLab match a file.
type Plan struct {
	Fleet   string    `json:"fleet"`
	InFile  int       `json:"in_file"`
	Managed int       `json:"managed"` // runners of the fleet found in GitLab
	Changes []*Change `json:"changes"`
	// Conflicts are keys apply leaves alone: several runners whose tokens
	// were all delivered claim them. Resolve by deleting the wrong ones.
	Conflicts []string `json:"conflicts,omitempty"`
	// Unkeyed are runners with the fleet's tag but no key tag: left alone.
	Unkeyed []int64 `json:"unkeyed,omitempty"`
}

// PlanOptions unblock what a plan refuses by default.
type PlanOptions struct {
	AllowReplace bool // replacements (a new runner, a new token)
	Prune        bool // deletes of managed runners no longer in the file
}

// Blocked reports whether the plan holds a change apply will refuse.
func (p *Plan) Blocked() bool {
	return slices.ContainsFunc(p.Changes, func(c *Change) bool { return c.Blocked != "" })
}

// FieldCount is the number of drifted fields over every update.
func (p *Plan) FieldCount() int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == Update || c.Action == Deliver {
			n += len(c.Fields)
		}
	}
	return n
}

// Plan compares the file with the fleet in GitLab. It sends only reads:
// one list walk of the fleet, one GET per runner found, and one lookup
// per group or project path that a create needs.
func (r *Reconciler) Plan(ctx context.Context, f *File, o PlanOptions) (*Plan, error) {
	obs, err := r.observe(ctx, f.Fleet)
	if err != nil {
		return nil, err
	}
	p := &Plan{Fleet: f.Fleet, InFile: len(f.Runners), Unkeyed: obs.unkeyed}
	wanted := map[string]bool{}
	for _, w := range f.Runners {
		wanted[w.Key] = true
		have := obs.byKey[w.Key]
		p.Managed += len(have)
		keep, extra, conflict := pickKeeper(have)
		if conflict {
			p.Conflicts = append(p.Conflicts, w.Key)
			continue
		}
		for _, a := range extra {
			p.Changes = append(p.Changes, &Change{Key: w.Key, Action: Dedupe, RunnerID: a.ID, Scope: a.scope().String(), have: a})
		}
		c, err := r.compare(ctx, w, keep, o)
		if err != nil {
			return nil, err
		}
		if c != nil {
			p.Changes = append(p.Changes, c)
		}
	}
	var gone []string
	for k := range obs.byKey {
		if !wanted[k] {
			gone = append(gone, k)
		}
	}
	slices.Sort(gone)
	for _, k := range gone {
		for _, a := range obs.byKey[k] {
			p.Managed++
			c := &Change{Key: k, Action: Delete, RunnerID: a.ID, Scope: a.scope().String(), have: a}
			if !o.Prune {
				c.Blocked = "-prune"
			}
			p.Changes = append(p.Changes, c)
		}
	}
	return p, nil
}

// pickKeeper chooses, among the runners of one key, the one to keep: the
// newest whose token was delivered (the sink holds its token), else the
// oldest. The others may go only if their tokens were never delivered.
func pickKeeper(have []*actual) (keep *actual, extra []*actual, conflict bool) {
	if len(have) == 0 {
		return nil, nil, false
	}
	delivered := 0
	for _, a := range have {
		if !a.Pending {
			delivered++
			keep = a
		}
	}
	if delivered > 1 {
		return nil, nil, true
	}
	if keep == nil {
		keep = have[0]
	}
	for _, a := range have {
		if a != keep {
			extra = append(extra, a)
		}
	}
	return keep, extra, false
}

func (r *Reconciler) compare(ctx context.Context, w *Runner, a *actual, o PlanOptions) (*Change, error) {
	if a == nil {
		if _, err := r.resolve(ctx, w.Scope); err != nil {
			return nil, fmt.Errorf("runners.%s: %w", w.Key, err)
		}
		return &Change{Key: w.Key, Action: Create, Scope: w.Scope.String(), Fields: createFields(w), want: w}, nil
	}
	same := sameScope(w.Scope, a)
	if !same && w.Scope.Type == a.Type && w.Scope.Path != "" && a.OwnerPath == "" {
		id, err := r.resolve(ctx, w.Scope) // GitLab did not tell the owner's path
		if err != nil {
			return nil, fmt.Errorf("runners.%s: %w", w.Key, err)
		}
		same = id == a.OwnerID
	}
	if !same {
		if _, err := r.resolve(ctx, w.Scope); err != nil {
			return nil, fmt.Errorf("runners.%s: %w", w.Key, err)
		}
		c := &Change{Key: w.Key, Action: Replace, RunnerID: a.ID, Scope: w.Scope.String(), want: w, have: a,
			Fields: []FieldChange{{Field: "scope", From: a.scope().String(), To: w.Scope.String()}}}
		if !o.AllowReplace {
			c.Blocked = "-allow-replace"
		}
		return c, nil
	}
	fields := diff(w, a)
	switch {
	case a.Pending:
		return &Change{Key: w.Key, Action: Deliver, RunnerID: a.ID, Scope: w.Scope.String(), Fields: fields, want: w, have: a}, nil
	case len(fields) > 0:
		return &Change{Key: w.Key, Action: Update, RunnerID: a.ID, Scope: w.Scope.String(), Fields: fields, want: w, have: a}, nil
	}
	return nil, nil
}

// diff lists the managed fields that differ.
func diff(w *Runner, a *actual) []FieldChange {
	var out []FieldChange
	add := func(field string, from, to any) { out = append(out, FieldChange{Field: field, From: from, To: to}) }
	if w.Description != nil && *w.Description != a.Description {
		add("description", a.Description, *w.Description)
	}
	if w.TagsSet {
		want := slices.Clone(w.Tags)
		slices.Sort(want)
		if !slices.Equal(want, a.Tags) {
			add("tags", nonNil(a.Tags), want)
		}
	}
	if w.RunUntagged != nil && *w.RunUntagged != a.RunUntagged {
		add("run_untagged", a.RunUntagged, *w.RunUntagged)
	}
	if w.Locked != nil && *w.Locked != a.Locked {
		add("locked", a.Locked, *w.Locked)
	}
	if w.AccessLevel != nil && *w.AccessLevel != a.AccessLevel {
		add("access_level", a.AccessLevel, *w.AccessLevel)
	}
	if w.MaximumTimeout != nil && *w.MaximumTimeout != a.MaximumTimeout {
		add("maximum_timeout", a.MaximumTimeout, *w.MaximumTimeout)
	}
	if w.MaintenanceNote != nil && *w.MaintenanceNote != a.MaintenanceNote {
		add("maintenance_note", a.MaintenanceNote, *w.MaintenanceNote)
	}
	if w.Paused != nil && *w.Paused != a.Paused {
		add("paused", a.Paused, *w.Paused)
	}
	return out
}

// createFields lists what a create sets, for the plan's reader.
func createFields(w *Runner) []FieldChange {
	var out []FieldChange
	add := func(field string, to any) { out = append(out, FieldChange{Field: field, To: to}) }
	if w.Description != nil {
		add("description", *w.Description)
	}
	if w.TagsSet {
		add("tags", nonNil(w.Tags))
	}
	for _, b := range []struct {
		name string
		v    *bool
	}{{"run_untagged", w.RunUntagged}, {"locked", w.Locked}, {"paused", w.Paused}} {
		if b.v != nil {
			add(b.name, *b.v)
		}
	}
	if w.AccessLevel != nil {
		add("access_level", *w.AccessLevel)
	}
	if w.MaximumTimeout != nil {
		add("maximum_timeout", *w.MaximumTimeout)
	}
	if w.MaintenanceNote != nil {
		add("maintenance_note", *w.MaintenanceNote)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Counts sums the plan by action.
func (p *Plan) Counts() map[Action]int {
	m := map[Action]int{}
	for _, c := range p.Changes {
		m[c.Action]++
	}
	return m
}

func (c *Change) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", c.Action, c.Key)
	if c.RunnerID != 0 {
		fmt.Fprintf(&b, " (%s)", idString(c.RunnerID))
	}
	return b.String()
}
