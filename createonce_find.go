package glrunners

import (
	"cmp"
	"context"
	"errors"
	"iter"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// FindCreated returns the runners that a Create with opt may have made:
// the never-contacted runners of opt's instance, group or project, created
// at or after since (GitLab's clock; the zero time means no bound), whose
// settings are those opt asks for. It is the reconcile step for a Create
// that failed with ErrOutcomeUnknown: call it with the options you sent
// and a time taken before sending (less your clock skew).
//
// A runner whose description is opt's with a CreateOnce marker appended
// ("[glrunners:once:...]") matches too: it was left by a CreateOnce call
// with these options that did not finish (CreateOnceError.Marker tells
// which). Results come oldest first.
//
// What to make of them: none means nothing was created yet (a create can
// still commit up to DefaultSettleWindow, 90 s, after its answer was
// lost: look again after that before concluding); one is most likely
// yours, unless an identical Create ran at the same time: get a token for
// it with Tokens.ResetAuthenticationToken (no one holds the lost one) or
// delete it. Several mean identical creates raced, and no one can tell
// which is whose.
//
// Cost: one request per 100 never-contacted runners with opt's tags in
// the scope, plus one GET per runner whose listed fields match. The
// returned Response is that of the last GET (nil when there was none).
//
// Built on: the scope's runner list and Get.
func (s *RunnersService) FindCreated(ctx context.Context, opt *CreateRunnerOptions, since time.Time, opts ...RequestOption) ([]*RunnerDetails, *Response, error) {
	if err := opt.validate(); err != nil {
		return nil, nil, err
	}
	var last *Response
	var out []*RunnerDetails
	for r, err := range s.createScope(opt, opts)(ctx, opt.TagList) {
		if err != nil {
			return nil, last, err
		}
		if !listedAsCreated(r, opt, since) {
			continue
		}
		d, resp, err := s.Get(ctx, r.ID, &GetRunnerOptions{IncludeProjects: Ptr(false)}, opts...)
		if resp != nil {
			last = resp
		}
		switch {
		case errors.Is(err, ErrNotFound):
			continue // deleted since it was listed
		case err != nil:
			return nil, last, err
		case detailsAsCreated(d, opt):
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b *RunnerDetails) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, last, nil
}

// createScope lists the never-contacted runners with all of tags in the
// scope opt targets. Only a runner no one has a token for is a candidate:
// a runner whose create answer was lost has never made contact.
func (s *RunnersService) createScope(opt *CreateRunnerOptions, opts []RequestOption) scopeLister {
	return func(ctx context.Context, tags []string) iter.Seq2[*Runner, error] {
		lo := &ListRunnersOptions{Type: opt.RunnerType, Status: StatusNeverContacted, TagList: tags}
		switch opt.RunnerType {
		case GroupType:
			return s.client.Groups.ListRunnersIter(ctx, ID(opt.GroupID), &ListGroupRunnersOptions{
				Type: GroupType, Status: StatusNeverContacted, TagList: tags,
			}, opts...)
		case ProjectType:
			return s.client.Projects.ListRunnersIter(ctx, ID(opt.ProjectID), lo, opts...)
		}
		return s.ListAllIter(ctx, lo, opts...)
	}
}

// listedAsCreated checks what a list item shows: the description (plain,
// or carrying a CreateOnce marker), paused, and the creation time.
func listedAsCreated(r *Runner, opt *CreateRunnerOptions, since time.Time) bool {
	if !since.IsZero() && !r.CreatedAt.IsZero() && r.CreatedAt.Before(since) {
		return false
	}
	if r.Paused != (opt.Paused != nil && *opt.Paused) {
		return false
	}
	desc := ""
	if r.Description != nil {
		desc = *r.Description
	}
	if desc == opt.Description {
		return true
	}
	base, marked := markedBase(desc)
	if !marked {
		return false
	}
	// withMarker cuts the user's text when both would not fit.
	cut := utf8.RuneCountInString(desc) == maxTextLength
	return base == opt.Description || cut && strings.HasPrefix(opt.Description, base)
}

// detailsAsCreated checks the fields only runner details show.
func detailsAsCreated(d *RunnerDetails, opt *CreateRunnerOptions) bool {
	access := opt.AccessLevel
	if access == "" {
		access = NotProtected
	}
	note := ""
	if d.MaintenanceNote != nil {
		note = *d.MaintenanceNote
	}
	return sameTags(d.TagList, opt.TagList) &&
		d.RunUntagged == (opt.RunUntagged == nil || *opt.RunUntagged) &&
		d.Locked == (opt.Locked != nil && *opt.Locked) &&
		d.AccessLevel == access &&
		equalPtr(d.MaximumTimeout, opt.MaximumTimeout) &&
		note == opt.MaintenanceNote
}

func sameTags(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

func equalPtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}
