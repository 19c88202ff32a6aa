package glrunnerstest

import (
	"strconv"
	"strings"
)

// Resolving the :id path segment to a runner, project or group, and the
// permission check most handlers make right after. Each step answers with
// its own error (400 bad id, 404 not found or not visible, 403 no right),
// so handlers only decide which check applies and in what order relative to
// their parameter parsing.

// runnerFor parses :id and finds the runner (400, 404).
func (c *call) runnerFor() (*runner, *reply) {
	id, bad := c.pathInt("id")
	if bad != nil {
		return nil, bad
	}
	r := c.st.runner(id)
	if r == nil {
		rep := errRunnerNotFound()
		return nil, &rep
	}
	return r, nil
}

// runnerWith is runnerFor followed by a permission rule (canRead,
// canUpdate): a runner the caller may not act on answers 403.
func (c *call) runnerWith(allowed func(*runner) bool) (*runner, *reply) {
	r, bad := c.runnerFor()
	if bad != nil {
		return nil, bad
	}
	if !allowed(r) {
		rep := errNoAccess()
		return nil, &rep
	}
	return r, nil
}

// idOrPath resolves a numeric ID or a full path, matched without case (the
// mux has already unescaped %2F); 0 when neither is known.
func idOrPath(s string, paths map[string]int64) int64 {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		return id
	}
	return paths[strings.ToLower(s)]
}

// findProject resolves :id. Projects the caller cannot see are not found.
func (c *call) findProject() (*project, *reply) {
	pid := idOrPath(c.r.PathValue("id"), c.st.projectPaths)
	if pid == 0 || !c.canSeeProject(pid) {
		rep := errProjectNF()
		return nil, &rep
	}
	return c.st.projects[pid], nil
}

// findGroup resolves :id. Groups the caller cannot see are not found.
func (c *call) findGroup() (*group, *reply) {
	gid := idOrPath(c.r.PathValue("id"), c.st.groupPaths)
	if gid == 0 || !c.canSeeGroup(gid) {
		rep := errGroupNF()
		return nil, &rep
	}
	return c.st.groups[gid], nil
}

// projectWithRole is findProject for endpoints that need at least role
// min in the project (administrators always pass); below it, 403.
func (c *call) projectWithRole(min Role) (*project, *reply) {
	p, bad := c.findProject()
	if bad != nil {
		return nil, bad
	}
	if !c.admin() && c.st.projectRole(c.u.ID, p.ID) < min {
		rep := errForbidden()
		return nil, &rep
	}
	return p, nil
}

// groupWithRole is findGroup for endpoints that need at least role min in
// the group, inherited from ancestors (administrators always pass); below
// it, 403.
func (c *call) groupWithRole(min Role) (*group, *reply) {
	g, bad := c.findGroup()
	if bad != nil {
		return nil, bad
	}
	if !c.admin() && c.st.groupRole(c.u.ID, g.ID) < min {
		rep := errForbidden()
		return nil, &rep
	}
	return g, nil
}
