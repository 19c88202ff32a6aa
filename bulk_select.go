package glrunners

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"iter"
	"slices"
	"strconv"
)

// BulkSelection is the set of runners a bulk change applies to: explicit
// IDs, or the runners a list returns for a filter. Build one with
// SelectIDs, SelectAll, SelectOwned, SelectProject or SelectGroup; the
// zero BulkSelection is refused.
//
// A list selection must set at least one filter (Type, Status, Paused,
// TagList, VersionPrefix or Scope): an empty filter would change every
// runner of the instance, or of a project or group including the instance
// and ancestor-group runners available to it, and a fleet tool refuses
// what it cannot do safely. Select with explicit IDs to act on exactly
// those runners.
type BulkSelection struct {
	kind    string // "ids", "all", "owned", "project", "group"
	ids     []int64
	ref     Ref
	filter  *ListRunnersOptions
	gfilter *ListGroupRunnersOptions
}

// SelectIDs selects the runners with these IDs (duplicates are ignored).
func SelectIDs(ids ...int64) BulkSelection {
	return BulkSelection{kind: "ids", ids: append([]int64{}, ids...)}
}

// SelectAll selects the runners Runners.ListAll returns for opt (an
// administrator's view of the instance).
func SelectAll(opt *ListRunnersOptions) BulkSelection {
	return BulkSelection{kind: "all", filter: copyFilter(opt)}
}

// SelectOwned selects the runners Runners.List returns for opt.
func SelectOwned(opt *ListRunnersOptions) BulkSelection {
	return BulkSelection{kind: "owned", filter: copyFilter(opt)}
}

// SelectProject selects the runners Projects.ListRunners returns for
// project and opt.
func SelectProject(project Ref, opt *ListRunnersOptions) BulkSelection {
	return BulkSelection{kind: "project", ref: project, filter: copyFilter(opt)}
}

// SelectGroup selects the runners Groups.ListRunners returns for group
// and opt.
func SelectGroup(group Ref, opt *ListGroupRunnersOptions) BulkSelection {
	var f *ListGroupRunnersOptions
	if opt != nil {
		c := *opt
		c.ListOptions = ListOptions{}
		c.TagList = slices.Clone(opt.TagList)
		f = &c
	}
	return BulkSelection{kind: "group", ref: group, gfilter: f}
}

// copyFilter keeps the filter, not the page: the snapshot walks every page.
func copyFilter(opt *ListRunnersOptions) *ListRunnersOptions {
	if opt == nil {
		return nil
	}
	c := *opt
	c.ListOptions = ListOptions{}
	c.TagList = slices.Clone(opt.TagList)
	return &c
}

func (sel BulkSelection) validate() error {
	switch sel.kind {
	case "":
		return invalidArg("selection", "is required: use SelectIDs, SelectAll, SelectOwned, SelectProject or SelectGroup")
	case "ids":
		if len(sel.ids) == 0 {
			return invalidArg("selection", "SelectIDs needs at least one runner ID")
		}
		for _, id := range sel.ids {
			if id <= 0 {
				return invalidArg("selection", "runner ID "+strconv.FormatInt(id, 10)+" is not positive")
			}
		}
		return nil
	case "group":
		if _, err := sel.ref.segment("group"); err != nil {
			return err
		}
		f := sel.gfilter
		if f == nil || f.Type == "" && f.Status == "" && f.Paused == nil && len(f.TagList) == 0 && f.VersionPrefix == "" {
			return errEmptyFilter
		}
		return f.validate()
	case "project":
		if _, err := sel.ref.segment("project"); err != nil {
			return err
		}
	}
	f := sel.filter
	if f == nil || f.Scope == "" && f.Type == "" && f.Status == "" && f.Paused == nil && len(f.TagList) == 0 && f.VersionPrefix == "" {
		return errEmptyFilter
	}
	return f.validate(sel.kind != "owned")
}

var errEmptyFilter = invalidArg("selection", "the filter is empty and would select every runner: "+
	"set Type, Status, Paused, TagList or VersionPrefix, or use SelectIDs")

// spec is the selection as the checkpoint keeps it. Explicit IDs are kept
// as a hash (the IDs themselves are the snapshot).
func (sel BulkSelection) spec() selectionSpec {
	sp := selectionSpec{Kind: sel.kind, Filter: filterQuery(sel.filter)}
	if sel.gfilter != nil {
		sp.Filter = filterQuery(sel.gfilter)
	}
	switch sel.ref.kind {
	case refByID:
		sp.RefID = sel.ref.id
	case refByPath:
		sp.RefPath = sel.ref.path
	}
	if sel.kind == "ids" {
		sp.IDsSHA256 = hashIDs(sortedIDs(sel.ids))
	}
	return sp
}

// selectionSpec is the JSON form of a BulkSelection in a checkpoint.
type selectionSpec struct {
	Kind      string `json:"kind"`
	RefID     int64  `json:"ref_id,omitempty"`
	RefPath   string `json:"ref_path,omitempty"`
	Filter    string `json:"filter,omitempty"` // the list's query, keys sorted
	IDsSHA256 string `json:"ids_sha256,omitempty"`
}

// filterQuery is a validated filter as the list sends it.
func filterQuery(opt any) string {
	q, err := encodeQuery(opt)
	if err != nil {
		return ""
	}
	return q.Encode()
}

func sortedIDs(ids []int64) []int64 {
	s := slices.Clone(ids)
	slices.Sort(s)
	return slices.Compact(s)
}

func hashIDs(ids []int64) string {
	h := sha256.New()
	var b []byte
	for _, id := range ids {
		b = strconv.AppendInt(b[:0], id, 10)
		h.Write(append(b, '\n'))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// snapshot returns the sorted, distinct IDs of the selection. Only one
// page of runners is held at a time.
func (sel BulkSelection) snapshot(ctx context.Context, c *Client, opts []RequestOption) ([]int64, error) {
	if sel.kind == "ids" {
		return sortedIDs(sel.ids), nil
	}
	var ids []int64
	for r, err := range sel.list(ctx, c, opts) {
		if err != nil {
			return nil, err
		}
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

func (sel BulkSelection) list(ctx context.Context, c *Client, opts []RequestOption) iter.Seq2[*Runner, error] {
	switch sel.kind {
	case "owned":
		return c.Runners.ListIter(ctx, sel.filter, opts...)
	case "project":
		return c.Projects.ListRunnersIter(ctx, sel.ref, sel.filter, opts...)
	case "group":
		return c.Groups.ListRunnersIter(ctx, sel.ref, sel.gfilter, opts...)
	}
	return c.Runners.ListAllIter(ctx, sel.filter, opts...)
}
