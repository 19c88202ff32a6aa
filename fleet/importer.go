package fleet

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/glrunners/glrunners"
)

// Selection chooses the runners Import takes.
type Selection struct {
	// Scope limits to the instance's runners, or to those a group or
	// project owns; the zero Scope takes every runner the token sees.
	Scope  Scope
	Status glrunners.RunnerStatus // "" = any
	Tags   []string               // runners carrying all of them
	Match  *regexp.Regexp         // on the description; nil = any
}

// ImportResult is what Import found.
type ImportResult struct {
	File    *File
	Adopted int      // runners that got the fleet's marker tags now
	Skipped []string // runners left out, and why
}

// Import writes a desired state from the selected runners, with every
// field set to what GitLab has, so that a plan right after shows no
// change. It adopts them: each runner not yet in the fleet gets the
// fleet's tag and its key's tag (one PUT each), so that from now on it
// is found by its key, whatever becomes of the file. Runners of another
// fleet are left out. Keys come from descriptions (made unique with the
// runner ID); a runner already in the fleet keeps its key.
func (r *Reconciler) Import(ctx context.Context, fleet string, sel Selection) (*ImportResult, error) {
	if !fleetName.MatchString(fleet) {
		return nil, fmt.Errorf("fleet: %q is not a fleet name (lower-case letters, digits, '.', '_', '-'; at most 40)", fleet)
	}
	type item struct {
		id  int64
		typ glrunners.RunnerType
	}
	var items []item
	for rn, err := range r.selected(ctx, sel) {
		if err != nil {
			return nil, fmt.Errorf("listing runners: %w", err)
		}
		desc := ""
		if rn.Description != nil {
			desc = *rn.Description
		}
		if sel.Match == nil || sel.Match.MatchString(desc) {
			items = append(items, item{rn.ID, rn.RunnerType})
		}
	}
	// Each runner is cut down to what the file needs as soon as it is
	// read: a fleet of 10,000 then costs a few MB, not the full details.
	got := make([]*actual, len(items))
	others := make([]string, len(items))
	errs := r.forEach(ctx, len(items), func(i int) error {
		opt := &glrunners.GetRunnerOptions{IncludeProjects: glrunners.Ptr(items[i].typ == glrunners.ProjectType)}
		d, _, err := r.c.Runners.Get(ctx, items[i].id, opt)
		if errors.Is(err, glrunners.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		got[i], others[i] = toActual(d, fleet), otherFleet(d.TagList, fleet)
		return nil
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	res := &ImportResult{File: &File{Fleet: fleet}}
	taken := map[string]bool{}
	var adopt []*actual
	var all []*actual
	for i, a := range got {
		if a == nil {
			continue
		}
		if others[i] != "" {
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s: belongs to fleet %q", idString(a.ID), others[i]))
			continue
		}
		if a.Key != "" {
			if taken[a.Key] {
				res.Skipped = append(res.Skipped, fmt.Sprintf("%s: a second runner with key %q (a duplicate apply resolves)", idString(a.ID), a.Key))
				continue
			}
			taken[a.Key] = true
		}
		all = append(all, a)
	}
	for _, a := range all { // keys for the runners new to the fleet
		if a.Key == "" {
			a.Key = uniqueKey(a, taken)
			taken[a.Key] = true
			adopt = append(adopt, a)
		}
	}
	errs = r.forEach(ctx, len(adopt), func(i int) error {
		a := adopt[i]
		tags := append(slices.Clone(a.Tags), markerTags(fleet, a.Key)...)
		if _, _, err := r.c.Runners.Update(ctx, a.ID, &glrunners.UpdateRunnerOptions{TagList: tags}); err != nil {
			return fmt.Errorf("adopting runner %s: %w", idString(a.ID), err)
		}
		r.log.Debug("adopted", "key", a.Key, "runner", a.ID)
		return nil
	})
	for i, err := range errs {
		if err == nil {
			res.Adopted++
		} else {
			adopt[i].Key = "" // not in the fleet: left out of the file
		}
	}
	for _, a := range all {
		if a.Key != "" {
			res.File.Runners = append(res.File.Runners, desiredFrom(a))
		}
	}
	slices.SortFunc(res.File.Runners, func(x, y *Runner) int { return strings.Compare(x.Key, y.Key) })
	return res, errors.Join(errs...)
}

// selected lists the candidates of a selection.
func (r *Reconciler) selected(ctx context.Context, sel Selection) iter.Seq2[*glrunners.Runner, error] {
	page := glrunners.ListOptions{PerPage: 100}
	lo := &glrunners.ListRunnersOptions{ListOptions: page, Type: sel.Scope.Type, Status: sel.Status, TagList: sel.Tags}
	ref := glrunners.ID(sel.Scope.ID)
	if sel.Scope.Path != "" {
		ref = glrunners.Path(sel.Scope.Path)
	}
	switch sel.Scope.Type {
	case glrunners.GroupType:
		return r.c.Groups.ListRunnersIter(ctx, ref, &glrunners.ListGroupRunnersOptions{
			ListOptions: page, Type: glrunners.GroupType, Status: sel.Status, TagList: sel.Tags})
	case glrunners.ProjectType:
		return r.c.Projects.ListRunnersIter(ctx, ref, lo)
	}
	return r.listTaggedWith(ctx, lo)
}

func otherFleet(tags []string, fleet string) string {
	for _, t := range tags {
		if rest, ok := strings.CutPrefix(t, tagPrefix); ok {
			name, _, _ := strings.Cut(rest, ":")
			if name != fleet {
				return name
			}
		}
	}
	return ""
}

var notKeyChars = regexp.MustCompile(`[^a-z0-9._-]+`)

// uniqueKey derives a key from the description: "Build runner 1" becomes
// "build-runner-1"; a key already taken gets the runner ID appended.
func uniqueKey(a *actual, taken map[string]bool) string {
	k := strings.Trim(notKeyChars.ReplaceAllString(strings.ToLower(a.Description), "-"), "-._")
	if len(k) > 40 {
		k = strings.TrimRight(k[:40], "-._")
	}
	if k == "" {
		k = "runner"
	}
	if taken[k] {
		k += "-" + strconv.FormatInt(a.ID, 10)
	}
	return k
}

// desiredFrom states every field as GitLab has it.
func desiredFrom(a *actual) *Runner {
	w := &Runner{
		Key:             a.Key,
		Scope:           a.scope(),
		Description:     &a.Description,
		Tags:            nonNil(a.Tags),
		TagsSet:         true,
		RunUntagged:     &a.RunUntagged,
		Locked:          &a.Locked,
		AccessLevel:     &a.AccessLevel,
		MaximumTimeout:  &a.MaximumTimeout,
		MaintenanceNote: &a.MaintenanceNote,
		Paused:          &a.Paused,
	}
	if w.Scope.Type == glrunners.InstanceType {
		w.Scope = Scope{Type: glrunners.InstanceType}
	}
	return w
}
