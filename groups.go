package glrunners

import (
	"context"
	"iter"
)

// ListGroupRunnersOptions filters Groups.ListRunners. Zero-valued fields are
// not sent. Unlike ListRunnersOptions it has no Scope: GitLab takes no scope
// parameter on group runner lists.
type ListGroupRunnersOptions struct {
	ListOptions

	// Type is InstanceType or GroupType. ProjectType is refused before
	// sending: GitLab deprecated it here and always answers an empty list,
	// because a group lists no project runners. Use Projects.ListRunners, or
	// Runners.ListAll with Type ProjectType, to find project runners.
	Type          RunnerType   `url:"type,omitempty"`
	Status        RunnerStatus `url:"status,omitempty"`
	Paused        *bool        `url:"paused,omitempty"`         // nil: no filter; Ptr(false) sends paused=false
	TagList       []string     `url:"tag_list,comma,omitempty"` // runners carrying all these tags
	VersionPrefix string       `url:"version_prefix,omitempty"` // e.g. "17" or "16.1"
}

func (o *ListGroupRunnersOptions) validate() error {
	if o == nil {
		return nil
	}
	typeErr := checkEnum("type", o.Type)
	if o.Type == ProjectType {
		typeErr = invalidArg("type", "project_type is deprecated on group runner lists and always gives an empty list; "+
			"use Projects.ListRunners or Runners.ListAll to find project runners")
	}
	return firstError(
		checkListPage(o.ListOptions),
		typeErr,
		checkEnum("status", o.Status),
		checkTags(o.TagList),
		checkVersionPrefix(o.VersionPrefix),
	)
}

// ListRunners returns one page of the runners available to the group: the
// group runners of the group and of its ancestor groups, and the instance
// runners when the group allows them. Runners of subgroups and projects are
// not included.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#list-groups-runners
//
// GitLab API: GET /groups/:id/runners
func (s *GroupsService) ListRunners(ctx context.Context, group Ref, opt *ListGroupRunnersOptions, opts ...RequestOption) ([]*Runner, *Response, error) {
	path, err := refPath("groups", group, "/runners")
	if err != nil {
		return nil, nil, err
	}
	if err := opt.validate(); err != nil {
		return nil, nil, err
	}
	return getList[Runner](ctx, s.client, path, opt, opts)
}

// ListRunnersIter ranges over the runners of ListRunners, page after page.
// It asks for 100 runners a page unless opt sets PerPage, starts at opt.Page when
// set, and sends nothing until the loop starts. opt is copied and never
// changed, so ranging twice starts over. An error is the last value.
// A list that changes while it is ranged shifts under its offset pages, so
// items are skipped or seen twice: to delete, update or (un)assign what it
// returns, gather it with [Collect] first, then change it.
func (s *GroupsService) ListRunnersIter(ctx context.Context, group Ref, opt *ListGroupRunnersOptions, opts ...RequestOption) iter.Seq2[*Runner, error] {
	return iterate(ctx, s.client, opt, func(ctx context.Context, o *ListGroupRunnersOptions) ([]*Runner, *Response, error) {
		return s.ListRunners(ctx, group, o, opts...)
	})
}
