package glrunners

import (
	"context"
	"iter"
	"slices"
)

// JobOrderBy is what ListJobs can order by.
type JobOrderBy string

// JobOrderByID orders jobs by ID, the one order GitLab offers.
const JobOrderByID JobOrderBy = "id"

// Valid reports whether o is an order GitLab knows.
func (o JobOrderBy) Valid() bool { return o == JobOrderByID }

// SortOrder is the direction of an ordering.
type SortOrder string

// Sort orders.
const (
	SortAsc  SortOrder = "asc"
	SortDesc SortOrder = "desc" // GitLab's default once an order is given
)

// Valid reports whether o is a direction GitLab knows.
func (o SortOrder) Valid() bool { return slices.Contains([]SortOrder{SortAsc, SortDesc}, o) }

// ListRunnerJobsOptions filters and orders ListJobs. Zero-valued fields are
// not sent.
//
// Offset pages (the default) come in ascending ID order unless OrderBy is
// set. Keyset pages (KeysetOptions.Pagination = PaginationKeyset) come in
// descending ID order only, and stay fast however deep the walk goes.
type ListRunnerJobsOptions struct {
	ListOptions
	KeysetOptions

	// SystemID keeps the jobs run by the manager with this system ID. GitLab
	// then sends no totals (Response.TotalItems and TotalPages stay 0).
	SystemID string     `url:"system_id,omitempty"`
	Status   JobStatus  `url:"status,omitempty"`
	OrderBy  JobOrderBy `url:"order_by,omitempty"`
	// Sort is the direction of OrderBy, SortDesc when empty. GitLab ignores
	// sort without order_by, so Sort without OrderBy is refused rather than
	// silently dropped.
	Sort SortOrder `url:"sort,omitempty"`
}

func (o *ListRunnerJobsOptions) validate() error {
	if o == nil {
		return nil
	}
	if err := firstError(
		checkListPage(o.ListOptions),
		checkSystemID(o.SystemID),
		checkEnum("status", o.Status),
		checkEnum("order_by", o.OrderBy),
		checkEnum("sort", o.Sort),
	); err != nil {
		return err
	}
	if o.Sort != "" && o.OrderBy == "" {
		return invalidArg("sort", "GitLab ignores sort without order_by: set OrderBy to JobOrderByID")
	}
	switch o.Pagination {
	case "":
		if o.Cursor != "" {
			return invalidArg("cursor", "needs Pagination set to PaginationKeyset")
		}
	case PaginationKeyset:
		if o.Sort == SortAsc {
			return invalidArg("pagination", "keyset pages come only in descending ID order (GitLab answers 405 to sort=asc)")
		}
		if o.Page != 0 {
			return invalidArg("page", "keyset pagination moves by Cursor, not by Page")
		}
	default:
		return invalidArg("pagination", "must be empty or PaginationKeyset")
	}
	return nil
}

// ListJobs returns one page of the jobs that run or ran on a runner,
// limited to projects where the caller has at least the Reporter role
// (administrators and auditors see all).
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#list-jobs-processed-by-a-runner
//
// GitLab API: GET /runners/:id/jobs
func (s *RunnersService) ListJobs(ctx context.Context, id int64, opt *ListRunnerJobsOptions, opts ...RequestOption) ([]*RunnerJob, *Response, error) {
	path, err := runnerPath(id, "/jobs")
	if err != nil {
		return nil, nil, err
	}
	if err := opt.validate(); err != nil {
		return nil, nil, err
	}
	return getList[RunnerJob](ctx, s.client, path, opt, opts)
}

// ListJobsIter ranges over the jobs of ListJobs, page after page. It asks
// for 100 jobs a page unless opt sets PerPage, starts at opt.Page (or, with
// keyset pagination, at opt.Cursor) when set, and sends nothing until the
// loop starts. Keyset pages follow the cursor of each page's Link
// rel="next". opt is copied and never changed, so ranging twice starts
// over. An error is the last value.
// Offset pages shift when jobs start or end while they are ranged (keyset
// pages do not): items are skipped or seen twice.
func (s *RunnersService) ListJobsIter(ctx context.Context, id int64, opt *ListRunnerJobsOptions, opts ...RequestOption) iter.Seq2[*RunnerJob, error] {
	return iterate(ctx, s.client, opt, func(ctx context.Context, o *ListRunnerJobsOptions) ([]*RunnerJob, *Response, error) {
		return s.ListJobs(ctx, id, o, opts...)
	})
}
