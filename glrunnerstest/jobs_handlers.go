package glrunnerstest

import (
	"net/http"
	"slices"
)

// listJobs: GET /runners/:id/jobs, offset or keyset. Deep
// offset pages are served (GitLab's 405 offset limit is not modelled).
func (s *server) listJobs(c *call) reply {
	systemID, hasSystemID, bad := c.p.str("system_id")
	if bad != nil {
		return *bad
	}
	status, bad := c.p.enum("status", jobStatuses...)
	if bad != nil {
		return *bad
	}
	orderBy, bad := c.p.enum("order_by", "id")
	if bad != nil {
		return *bad
	}
	sort, bad := c.p.enum("sort", "asc", "desc")
	if bad != nil {
		return *bad
	}
	mode, bad := c.p.enum("pagination", "offset", "keyset")
	if bad != nil {
		return *bad
	}
	if _, bad := c.pageParams(); bad != nil {
		return *bad
	}
	r, bad := c.runnerWith(c.canRead)
	if bad != nil {
		return *bad
	}
	// Jobs of instance runners are for administrators only, although
	// everyone may read the runner itself.
	if !c.admin() && r.RunnerType == InstanceType {
		return errNoAccess()
	}
	// Without order_by the offset paginator orders by id ascending; with
	// order_by=id the default sort is desc. Keyset is id-desc only.
	desc := orderBy != "" && sort != "asc"
	if mode == "keyset" {
		if orderBy != "" && sort == "asc" {
			return jsonReply(http.StatusMethodNotAllowed, map[string]string{"error": "Keyset pagination is not yet available for this type of request"})
		}
		desc = true
	}
	jobs := make([]*job, 0, len(r.jobs))
	for _, j := range r.jobs {
		if status != "" && j.Status != status || hasSystemID && j.SystemID != systemID {
			continue
		}
		// Only jobs of projects where the caller is Reporter+ (UNCONFIRMED:
		// the level GitLab's job policy asks for reading a job).
		if !c.admin() && c.st.projectRole(c.u.ID, j.ProjectID) < Reporter {
			continue
		}
		if c.st.projects[j.ProjectID] == nil {
			continue
		}
		jobs = append(jobs, j)
	}
	if desc {
		slices.Reverse(jobs)
	}
	if mode == "keyset" {
		return keysetPage(c, jobs, func(j *job) int64 { return j.ID }, c.jobWire)
	}
	return paginate(c, jobs, !hasSystemID, c.jobWire)
}
