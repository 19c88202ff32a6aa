package glrunners

import "context"

// ListManagers returns every manager (host) of a runner; the list is not
// paginated, and empty for a runner that never made contact.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#list-runners-managers
//
// GitLab API: GET /runners/:id/managers
func (s *RunnersService) ListManagers(ctx context.Context, id int64, opts ...RequestOption) ([]*RunnerManager, *Response, error) {
	path, err := runnerPath(id, "/managers")
	if err != nil {
		return nil, nil, err
	}
	return getList[RunnerManager](ctx, s.client, path, nil, opts)
}
