package glrunnerstest

import (
	"net/http"
	"slices"
)

// Handlers under /projects/:id/runners and /groups/:id/runners: list,
// assign, unassign.

// listProjectRunners: runners assigned to the project, group runners of its
// ancestor groups and instance runners, unless the project turns those off.
func (s *server) listProjectRunners(c *call) reply {
	f, bad := c.parseFilter(scopeFull)
	if bad != nil {
		return *bad
	}
	p, bad := c.projectWithRole(Maintainer)
	if bad != nil {
		return *bad
	}
	groups := map[int64]bool{}
	for _, id := range c.st.ancestors(p.GroupID) {
		groups[id] = true
	}
	include := func(r *runner) bool {
		switch r.RunnerType {
		case InstanceType:
			return !p.InstanceRunnersDisabled
		case GroupType:
			return !p.GroupRunnersDisabled && groups[r.GroupID]
		}
		return slices.Contains(r.ProjectIDs, p.ID)
	}
	return paginate(c, c.filterRunners(&f, include), true, c.runnerWire)
}

// listGroupRunners: group runners of the group and its ancestors, plus
// instance runners unless the group (or an ancestor) turns them off.
// Callers: administrators and group Owners (18.x rule; seed docs said
// Maintainer).
func (s *server) listGroupRunners(c *call) reply {
	f, bad := c.parseFilter(scopeNone)
	if bad != nil {
		return *bad
	}
	g, bad := c.groupWithRole(Owner)
	if bad != nil {
		return *bad
	}
	groups := map[int64]bool{}
	instance := true
	for _, id := range c.st.ancestors(g.ID) {
		groups[id] = true
		instance = instance && !c.st.groups[id].InstanceRunnersDisabled
	}
	include := func(r *runner) bool {
		switch r.RunnerType {
		case InstanceType:
			return instance
		case GroupType:
			return groups[r.GroupID]
		}
		return false
	}
	return paginate(c, c.filterRunners(&f, include), true, c.runnerWire)
}

// assignRunner: POST /projects/:id/runners.
func (s *server) assignRunner(c *call) reply {
	if !c.p.has("runner_id") {
		return paramErr("runner_id is missing")
	}
	runnerID, bad := c.p.integer("runner_id")
	if bad != nil {
		return *bad
	}
	p, bad := c.projectWithRole(Maintainer)
	if bad != nil {
		return *bad
	}
	r := c.st.runner(*runnerID)
	if r == nil {
		return errRunnerNotFound()
	}
	if r.RunnerType == GroupType {
		return errReply(http.StatusForbidden, "403 Forbidden - Runner is a group runner")
	}
	if !c.admin() {
		if r.Locked {
			return errReply(http.StatusForbidden, "403 Forbidden - Runner is locked")
		}
		if r.RunnerType != ProjectType || !c.maintainsAssigned(r) {
			return errNoAccess()
		}
	}
	switch {
	case r.RunnerType != ProjectType:
		return errReply(http.StatusBadRequest, "Runner is not a project runner - not_project_runner")
	case slices.Contains(r.ProjectIDs, p.ID):
		return errReply(http.StatusBadRequest, "Runner is already assigned to this project - runner_already_assigned")
	case c.st.orphaned(r):
		return errReply(http.StatusBadRequest, "Runner is orphaned - runner_orphaned")
	}
	c.st.remember(r)
	r.ProjectIDs = append(r.ProjectIDs, p.ID)
	r.UpdatedAt = c.now().UTC()
	return jsonReply(http.StatusCreated, c.runnerWire(r))
}

// unassignRunner: DELETE /projects/:id/runners/:runner_id.
func (s *server) unassignRunner(c *call) reply {
	runnerID, bad := c.pathInt("runner_id")
	if bad != nil {
		return *bad
	}
	p, bad := c.projectWithRole(Maintainer)
	if bad != nil {
		return *bad
	}
	r := c.st.runner(runnerID)
	if r == nil || !slices.Contains(r.ProjectIDs, p.ID) {
		return errRunnerNotFound()
	}
	if r.ownerProject() == p.ID {
		return errReply(http.StatusForbidden, "403 Forbidden - You cannot unassign a runner from the owner project. Delete the runner instead")
	}
	if r.Locked && !c.admin() {
		return errReply(http.StatusForbidden, "403 Forbidden - Runner is locked")
	}
	if !c.unmodifiedSince(r.UpdatedAt) {
		return errPrecondition()
	}
	c.st.remember(r)
	i := slices.Index(r.ProjectIDs, p.ID)
	r.ProjectIDs = slices.Delete(r.ProjectIDs, i, i+1)
	r.UpdatedAt = c.now().UTC()
	return noContent()
}
