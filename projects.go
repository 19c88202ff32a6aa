package glrunners

import (
	"context"
	"iter"
	"net/http"
	"strconv"
)

// ListRunners returns one page of the runners the project can use: the
// runners assigned to it, the group runners of its ancestor groups (when
// group runners are enabled for the project) and the instance runners (when
// instance runners are enabled). The deprecated Scope filter accepts its
// full value set here.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#list-projects-runners
//
// GitLab API: GET /projects/:id/runners
func (s *ProjectsService) ListRunners(ctx context.Context, project Ref, opt *ListRunnersOptions, opts ...RequestOption) ([]*Runner, *Response, error) {
	path, err := refPath("projects", project, "/runners")
	if err != nil {
		return nil, nil, err
	}
	if opt != nil {
		if err := opt.validate(true); err != nil {
			return nil, nil, err
		}
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
func (s *ProjectsService) ListRunnersIter(ctx context.Context, project Ref, opt *ListRunnersOptions, opts ...RequestOption) iter.Seq2[*Runner, error] {
	return iterate(ctx, s.client, opt, func(ctx context.Context, o *ListRunnersOptions) ([]*Runner, *Response, error) {
		return s.ListRunners(ctx, project, o, opts...)
	})
}

// assignRunnerBody is the JSON body of AssignRunner.
type assignRunnerBody struct {
	RunnerID int64 `json:"runner_id"`
}

// AssignRunner assigns an existing project runner to another project and
// returns the runner. GitLab refuses group runners ("Runner is a group
// runner"), locked runners for non-administrators ("Runner is locked") and
// runners the caller cannot manage, instance runners included ("No access
// granted"), all with 403 (ErrForbidden); a runner already assigned to the
// project, or a plan limit, gives 400 (ErrBadRequest).
//
// The call is a POST and is not retried after a 5xx: such an error also
// matches ErrOutcomeUnknown, and ListRunners tells whether the runner was
// assigned.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#assign-a-runner-to-project
//
// GitLab API: POST /projects/:id/runners
func (s *ProjectsService) AssignRunner(ctx context.Context, project Ref, runnerID int64, opts ...RequestOption) (*Runner, *Response, error) {
	path, err := refPath("projects", project, "/runners")
	if err != nil {
		return nil, nil, err
	}
	if err := checkPositive("runner_id", runnerID); err != nil {
		return nil, nil, err
	}
	return getOne[Runner](ctx, s.client, http.MethodPost, path, nil, assignRunnerBody{RunnerID: runnerID}, opts)
}

// UnassignRunner removes a project runner from one of its projects. A
// runner cannot leave its owner project (the one it was created for): GitLab
// answers 403 (ErrForbidden), and the runner must be deleted instead. A
// runner not assigned to the project gives 404 (ErrNotFound); with
// WithIfUnmodifiedSince, a runner changed since then gives 412
// (ErrPreconditionFailed).
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#unassign-a-runner-from-project
//
// GitLab API: DELETE /projects/:id/runners/:runner_id
func (s *ProjectsService) UnassignRunner(ctx context.Context, project Ref, runnerID int64, opts ...RequestOption) (*Response, error) {
	path, err := refPath("projects", project, "/runners/")
	if err != nil {
		return nil, err
	}
	if err := checkPositive("runner_id", runnerID); err != nil {
		return nil, err
	}
	return s.client.call(ctx, http.MethodDelete, path+strconv.FormatInt(runnerID, 10), nil, nil, nil, opts...)
}
