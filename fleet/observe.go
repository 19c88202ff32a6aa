package fleet

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/glrunners/glrunners"
)

// actual is what plan needs of a runner in GitLab, kept small so that a
// fleet of tens of thousands fits in little memory.
type actual struct {
	ID        int64
	Key       string
	Pending   bool // carries the token-pending tag
	CreatedAt time.Time

	Type      glrunners.RunnerType
	OwnerID   int64  // owning group or project
	OwnerPath string // its full path, when GitLab tells it

	Description     string
	Tags            []string // the user's, without marker tags
	RunUntagged     bool
	Locked          bool
	AccessLevel     glrunners.AccessLevel
	MaximumTimeout  int64 // 0: no limit
	MaintenanceNote string
	Paused          bool
}

func (a *actual) scope() Scope {
	return Scope{Type: a.Type, ID: a.OwnerID, Path: a.OwnerPath}
}

// observed is the fleet as GitLab has it.
type observed struct {
	byKey   map[string][]*actual // oldest first
	unkeyed []int64              // fleet tag without a key tag: left alone
}

// observe lists the fleet's runners (one filtered walk) and reads each
// one's details, concurrently.
func (r *Reconciler) observe(ctx context.Context, fleet string) (*observed, error) {
	type item struct {
		id  int64
		typ glrunners.RunnerType
	}
	var items []item
	for rn, err := range r.listTagged(ctx, []string{fleetTag(fleet)}) {
		if err != nil {
			return nil, fmt.Errorf("listing the fleet's runners: %w", err)
		}
		items = append(items, item{rn.ID, rn.RunnerType})
	}
	got := make([]*actual, len(items))
	errs := r.forEach(ctx, len(items), func(i int) error {
		opt := &glrunners.GetRunnerOptions{IncludeProjects: glrunners.Ptr(items[i].typ == glrunners.ProjectType)}
		d, _, err := r.c.Runners.Get(ctx, items[i].id, opt)
		if errors.Is(err, glrunners.ErrNotFound) {
			return nil // deleted since it was listed
		}
		if err != nil {
			return fmt.Errorf("reading runner %s: %w", idString(items[i].id), err)
		}
		got[i] = toActual(d, fleet)
		return nil
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	o := &observed{byKey: map[string][]*actual{}}
	for _, a := range got {
		switch {
		case a == nil:
		case a.Key == "":
			o.unkeyed = append(o.unkeyed, a.ID)
		default:
			o.byKey[a.Key] = append(o.byKey[a.Key], a)
		}
	}
	for _, as := range o.byKey {
		slices.SortFunc(as, func(x, y *actual) int { return cmp.Compare(x.ID, y.ID) })
	}
	return o, nil
}

// listTagged walks the runners carrying every tag: all of them for an
// administrator, else those the user administers (GET /runners/all is
// for administrators only).
func (r *Reconciler) listTagged(ctx context.Context, tags []string) iter.Seq2[*glrunners.Runner, error] {
	return r.listTaggedWith(ctx, &glrunners.ListRunnersOptions{ListOptions: glrunners.ListOptions{PerPage: 100}, TagList: tags})
}

func (r *Reconciler) listTaggedWith(ctx context.Context, lo *glrunners.ListRunnersOptions) iter.Seq2[*glrunners.Runner, error] {
	return func(yield func(*glrunners.Runner, error) bool) {
		first := true
		for rn, err := range r.c.Runners.ListAllIter(ctx, lo) {
			if first && errors.Is(err, glrunners.ErrForbidden) {
				for rn, err := range r.c.Runners.ListIter(ctx, lo) {
					if !yield(rn, err) {
						return
					}
				}
				return
			}
			first = false
			if !yield(rn, err) {
				return
			}
		}
	}
}

func toActual(d *glrunners.RunnerDetails, fleet string) *actual {
	a := &actual{
		ID: d.ID, CreatedAt: d.CreatedAt, Type: d.RunnerType,
		Tags: userTags(d.TagList), RunUntagged: d.RunUntagged, Locked: d.Locked,
		AccessLevel: d.AccessLevel, Paused: d.Paused,
	}
	if d.Description != nil {
		a.Description = *d.Description
	}
	if d.MaintenanceNote != nil {
		a.MaintenanceNote = *d.MaintenanceNote
	}
	if d.MaximumTimeout != nil {
		a.MaximumTimeout = *d.MaximumTimeout
	}
	slices.Sort(a.Tags)
	prefix := keyTagPrefix(fleet)
	for _, t := range d.TagList {
		switch {
		case strings.HasPrefix(t, prefix):
			a.Key = strings.TrimPrefix(t, prefix)
		case t == pendingTag(fleet):
			a.Pending = true
		}
	}
	switch d.RunnerType {
	case glrunners.GroupType:
		if len(d.Groups) > 0 {
			a.OwnerID = d.Groups[0].ID
			if _, p, ok := strings.Cut(d.Groups[0].WebURL, "/groups/"); ok {
				a.OwnerPath = p
			}
		}
	case glrunners.ProjectType:
		if len(d.Projects) > 0 { // the first is the owner
			a.OwnerID = d.Projects[0].ID
			a.OwnerPath = d.Projects[0].PathWithNamespace
		}
	}
	return a
}

// sameScope reports whether the runner lives where the file wants it.
func sameScope(want Scope, a *actual) bool {
	if want.Type != a.Type {
		return false
	}
	switch {
	case want.Type == glrunners.InstanceType:
		return true
	case want.ID != 0:
		return want.ID == a.OwnerID
	}
	return strings.EqualFold(want.Path, a.OwnerPath)
}
