package glrunners

import (
	"context"
	"iter"
)

// ListProjects returns one page of the projects a runner is assigned to that
// the caller can see; it is empty for instance and group runners. It needs
// GitLab 18 or later.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#list-projects-assigned-to-a-runner
//
// GitLab API: GET /runners/:id/projects
func (s *RunnersService) ListProjects(ctx context.Context, id int64, opt *ListOptions, opts ...RequestOption) ([]*Project, *Response, error) {
	path, err := runnerPath(id, "/projects")
	if err != nil {
		return nil, nil, err
	}
	if opt != nil {
		if err := checkListPage(*opt); err != nil {
			return nil, nil, err
		}
	}
	return getList[Project](ctx, s.client, path, opt, opts)
}

// ListProjectsIter ranges over the projects of ListProjects, page after
// page. It asks for 100 projects a page unless opt sets PerPage, starts at opt.Page when
// set, and sends nothing until the loop starts. opt is copied and never
// changed, so ranging twice starts over. An error is the last value.
// A list that changes while it is ranged shifts under its offset pages, so
// items are skipped or seen twice: to delete, update or (un)assign what it
// returns, gather it with [Collect] first, then change it.
func (s *RunnersService) ListProjectsIter(ctx context.Context, id int64, opt *ListOptions, opts ...RequestOption) iter.Seq2[*Project, error] {
	return iterate(ctx, s.client, opt, func(ctx context.Context, o *ListOptions) ([]*Project, *Response, error) {
		return s.ListProjects(ctx, id, o, opts...)
	})
}
