package glrunners

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"slices"
)

// RunnerScope is a value of the scope filter of the runner lists.
//
// Deprecated: filter with ListRunnersOptions.Type, Status and Paused instead.
type RunnerScope string

// Runner scopes. GET /runners/all and GET /projects/:id/runners accept every
// value; GET /runners accepts only the status-like ones (ScopeActive,
// ScopePaused, ScopeOnline, ScopeOffline, ScopeNeverContacted, ScopeStale).
const (
	ScopeSpecific       RunnerScope = "specific"      // group and project runners
	ScopeShared         RunnerScope = "shared"        // instance runners
	ScopeInstanceType   RunnerScope = "instance_type" // like Type InstanceType
	ScopeGroupType      RunnerScope = "group_type"    // like Type GroupType
	ScopeProjectType    RunnerScope = "project_type"  // like Type ProjectType
	ScopeActive         RunnerScope = "active"        // like Paused false
	ScopePaused         RunnerScope = "paused"        // like Paused true
	ScopeOnline         RunnerScope = "online"        // like Status Online
	ScopeOffline        RunnerScope = "offline"       // like Status Offline
	ScopeNeverContacted RunnerScope = "never_contacted"
	ScopeStale          RunnerScope = "stale"
)

// typeScopes are the scopes GET /runners lets through its parameter check
// and then refuses with 400 "Scope contains invalid value".
var typeScopes = []RunnerScope{ScopeSpecific, ScopeShared, ScopeInstanceType, ScopeGroupType, ScopeProjectType}

// Valid reports whether s is one of the scopes GitLab knows.
func (s RunnerScope) Valid() bool {
	return slices.Contains(typeScopes, s) || slices.Contains([]RunnerScope{
		ScopeActive, ScopePaused, ScopeOnline, ScopeOffline, ScopeNeverContacted, ScopeStale,
	}, s)
}

// ListRunnersOptions filters List, ListAll and Projects.ListRunners. All
// filters are ANDed; zero-valued fields are not sent.
type ListRunnersOptions struct {
	ListOptions

	// Scope filters by a legacy scope. List refuses the type-like scopes
	// (specific, shared, *_type), which GitLab refuses on GET /runners.
	//
	// Deprecated: use Type, Status and Paused.
	Scope RunnerScope `url:"scope,omitempty"`

	Type   RunnerType   `url:"type,omitempty"`
	Status RunnerStatus `url:"status,omitempty"` // Offline also returns stale runners that once made contact
	Paused *bool        `url:"paused,omitempty"` // nil: no filter; Ptr(false): only runners accepting jobs
	// TagList keeps runners carrying every listed tag; sent comma-joined.
	TagList []string `url:"tag_list,comma,omitempty"`
	// VersionPrefix keeps runners with a manager whose version starts with
	// it, such as "17" or "16.11.".
	VersionPrefix string `url:"version_prefix,omitempty"`
}

// validate checks the filters. allowFullScope accepts every RunnerScope, as
// GET /runners/all and GET /projects/:id/runners do; without it the scopes
// GET /runners refuses are refused here.
func (o *ListRunnersOptions) validate(allowFullScope bool) error {
	if o == nil {
		return nil
	}
	scope := o.Scope
	if !allowFullScope && slices.Contains(typeScopes, scope) {
		return invalidArg("scope", fmt.Sprintf("%q is refused by GET /runners; use Type, or ListAll", string(scope)))
	}
	return firstError(
		checkListPage(o.ListOptions),
		checkEnum("scope", scope),
		checkEnum("type", o.Type),
		checkEnum("status", o.Status),
		checkTags(o.TagList),
		checkVersionPrefix(o.VersionPrefix),
	)
}

// List returns one page of the runners the caller can administer: group
// runners of groups the caller owns and project runners of projects the
// caller maintains. Administrators see every runner with ListAll.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#list-owned-runners
//
// GitLab API: GET /runners
func (s *RunnersService) List(ctx context.Context, opt *ListRunnersOptions, opts ...RequestOption) ([]*Runner, *Response, error) {
	if err := opt.validate(false); err != nil {
		return nil, nil, err
	}
	return getList[Runner](ctx, s.client, "runners", opt, opts)
}

// ListIter ranges over the runners of List, page after page. It
// asks for 100 runners a page unless opt sets PerPage, starts at opt.Page when
// set, and sends nothing until the loop starts. opt is copied and never
// changed, so ranging twice starts over. An error is the last value.
// A list that changes while it is ranged shifts under its offset pages, so
// items are skipped or seen twice: to delete, update or (un)assign what it
// returns, gather it with [Collect] first, then change it.
func (s *RunnersService) ListIter(ctx context.Context, opt *ListRunnersOptions, opts ...RequestOption) iter.Seq2[*Runner, error] {
	return iterate(ctx, s.client, opt, func(ctx context.Context, o *ListRunnersOptions) ([]*Runner, *Response, error) {
		return s.List(ctx, o, opts...)
	})
}

// ListAll returns one page of every runner of the instance. It needs an
// administrator (in admin mode where Admin Mode is on) or, on GitLab 18 and
// later, an auditor.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#list-all-runners
//
// GitLab API: GET /runners/all
func (s *RunnersService) ListAll(ctx context.Context, opt *ListRunnersOptions, opts ...RequestOption) ([]*Runner, *Response, error) {
	if err := opt.validate(true); err != nil {
		return nil, nil, err
	}
	return getList[Runner](ctx, s.client, "runners/all", opt, opts)
}

// ListAllIter ranges over the runners of ListAll, page after page. It
// asks for 100 runners a page unless opt sets PerPage, starts at opt.Page when
// set, and sends nothing until the loop starts. opt is copied and never
// changed, so ranging twice starts over. An error is the last value.
// A list that changes while it is ranged shifts under its offset pages, so
// items are skipped or seen twice: to delete, update or (un)assign what it
// returns, gather it with [Collect] first, then change it.
func (s *RunnersService) ListAllIter(ctx context.Context, opt *ListRunnersOptions, opts ...RequestOption) iter.Seq2[*Runner, error] {
	return iterate(ctx, s.client, opt, func(ctx context.Context, o *ListRunnersOptions) ([]*Runner, *Response, error) {
		return s.ListAll(ctx, o, opts...)
	})
}

// GetRunnerOptions adjusts Get.
type GetRunnerOptions struct {
	// IncludeProjects set to Ptr(false) leaves RunnerDetails.Projects nil,
	// which is faster for a runner serving many projects. GitLab before 18
	// ignores it and always sends the projects.
	IncludeProjects *bool `url:"include_projects,omitempty"`
}

// Get returns the details of one runner.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#get-runners-details
//
// GitLab API: GET /runners/:id
func (s *RunnersService) Get(ctx context.Context, id int64, opt *GetRunnerOptions, opts ...RequestOption) (*RunnerDetails, *Response, error) {
	path, err := runnerPath(id, "")
	if err != nil {
		return nil, nil, err
	}
	return getOne[RunnerDetails](ctx, s.client, http.MethodGet, path, opt, nil, opts)
}

// UpdateRunnerOptions changes a runner. A nil field is left unchanged; at
// least one field must be set.
type UpdateRunnerOptions struct {
	Description *string `json:"description,omitempty"` // Ptr("") clears it

	// Active is the negation of Paused; it cannot be set with Paused.
	//
	// Deprecated: use Paused.
	Active *bool `json:"active,omitempty"`

	Paused *bool `json:"paused,omitempty"` // true: the runner takes no new jobs
	// TagList replaces every tag: nil leaves the tags unchanged and
	// []string{} removes them all.
	TagList     []string `json:"tag_list,omitzero"`
	RunUntagged *bool    `json:"run_untagged,omitempty"` // false needs a non-empty tag list
	Locked      *bool    `json:"locked,omitempty"`       // true: cannot be assigned to other projects
	// AccessLevel is left unchanged when empty.
	AccessLevel     AccessLevel `json:"access_level,omitempty"`
	MaximumTimeout  *int64      `json:"maximum_timeout,omitempty"`  // seconds, at least 600
	MaintenanceNote *string     `json:"maintenance_note,omitempty"` // at most 1024 characters
}

func (o *UpdateRunnerOptions) validate() error {
	if o == nil || (o.Description == nil && o.Active == nil && o.Paused == nil && o.TagList == nil &&
		o.RunUntagged == nil && o.Locked == nil && o.AccessLevel == "" && o.MaximumTimeout == nil &&
		o.MaintenanceNote == nil) {
		return invalidArg("UpdateRunnerOptions", "set at least one field to update")
	}
	if o.Active != nil && o.Paused != nil {
		return invalidArg("active", "is deprecated and mutually exclusive with paused: set only Paused")
	}
	if o.RunUntagged != nil && !*o.RunUntagged && o.TagList != nil && len(o.TagList) == 0 {
		return invalidArg("run_untagged", "false needs tags, but TagList clears them")
	}
	return firstError(
		checkTextPtr("description", o.Description),
		checkTags(o.TagList),
		checkEnum("access_level", o.AccessLevel),
		checkMaximumTimeout(o.MaximumTimeout),
		checkTextPtr("maintenance_note", o.MaintenanceNote),
	)
}

// Update changes the settings of a runner and returns it as updated.
// GitLab checks the rules it does not share with the client (such as
// run_untagged false on a runner without tags) and answers 400 with
// Error.FieldErrors.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#update-runners-details
//
// GitLab API: PUT /runners/:id
func (s *RunnersService) Update(ctx context.Context, id int64, opt *UpdateRunnerOptions, opts ...RequestOption) (*RunnerDetails, *Response, error) {
	path, err := runnerPath(id, "")
	if err != nil {
		return nil, nil, err
	}
	if err := opt.validate(); err != nil {
		return nil, nil, err
	}
	return getOne[RunnerDetails](ctx, s.client, http.MethodPut, path, nil, opt, opts)
}

// Pause stops a runner from taking new jobs; running jobs go on.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#pause-a-runner
//
// GitLab API: PUT /runners/:id (paused=true)
func (s *RunnersService) Pause(ctx context.Context, id int64, opts ...RequestOption) (*RunnerDetails, *Response, error) {
	return s.Update(ctx, id, &UpdateRunnerOptions{Paused: Ptr(true)}, opts...)
}

// Unpause lets a paused runner take new jobs again.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#pause-a-runner
//
// GitLab API: PUT /runners/:id (paused=false)
func (s *RunnersService) Unpause(ctx context.Context, id int64, opts ...RequestOption) (*RunnerDetails, *Response, error) {
	return s.Update(ctx, id, &UpdateRunnerOptions{Paused: Ptr(false)}, opts...)
}

// Delete deletes a runner. A non-administrator cannot delete a project
// runner assigned to more than one project (403): unassign it first. With
// WithIfUnmodifiedSince, a runner changed since then is kept and the call
// fails with ErrPreconditionFailed.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#delete-a-runner-by-id
//
// GitLab API: DELETE /runners/:id
func (s *RunnersService) Delete(ctx context.Context, id int64, opts ...RequestOption) (*Response, error) {
	path, err := runnerPath(id, "")
	if err != nil {
		return nil, err
	}
	return s.client.call(ctx, http.MethodDelete, path, nil, nil, nil, opts...)
}
