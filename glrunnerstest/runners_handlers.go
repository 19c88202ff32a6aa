package glrunnerstest

import (
	"net/http"
)

// Handlers under /runners that take a user token: list, get, update,
// delete, a runner's managers and projects, and the token reset by ID.

// listOwned: GET /runners — runners the caller administers; everything for
// an administrator.
func (s *server) listOwned(c *call) reply {
	f, bad := c.parseFilter(scopeOwned)
	if bad != nil {
		return *bad
	}
	return paginate(c, c.filterRunners(&f, c.canUpdate), true, c.runnerWire)
}

// listAll: GET /runners/all — administrators only.
func (s *server) listAll(c *call) reply {
	f, bad := c.parseFilter(scopeFull)
	if bad != nil {
		return *bad
	}
	if !c.admin() {
		return errForbidden()
	}
	return paginate(c, c.filterRunners(&f, func(*runner) bool { return true }), true, c.runnerWire)
}

func (s *server) getRunner(c *call) reply {
	include, bad := c.p.boolean("include_projects")
	if bad != nil {
		return *bad
	}
	r, bad := c.runnerWith(c.canRead)
	if bad != nil {
		return *bad
	}
	return jsonReply(http.StatusOK, c.runnerDetails(r, include == nil || *include))
}

var updateFields = []string{"description", "active", "paused", "tag_list", "run_untagged",
	"locked", "access_level", "maximum_timeout", "maintenance_note"}

// runnerAttrs are the settable attributes shared by update, register and create.
type runnerAttrs struct {
	description, note   *string
	paused, runUntagged *bool
	locked              *bool
	tags                []string
	tagsSet             bool
	accessLevel         string
	maxTimeout          *int64
	clearMaxTimeout     bool
}

// parseAttrs reads the attribute parameters; activeParam says whether the
// deprecated `active` is accepted (mutually exclusive with `paused`).
func (c *call) parseAttrs(noteKeys ...string) (runnerAttrs, *reply) {
	var a runnerAttrs
	var bad *reply
	if c.p.has("active") && c.p.has("paused") {
		rep := paramErr("active, paused are mutually exclusive")
		return a, &rep
	}
	if v, ok, bad := c.p.str("description"); bad != nil {
		return a, bad
	} else if ok || c.p.has("description") {
		a.description = &v
	}
	active, bad := c.p.boolean("active")
	if bad != nil {
		return a, bad
	}
	if a.paused, bad = c.p.boolean("paused"); bad != nil {
		return a, bad
	}
	if active != nil {
		a.paused = ptrTo(!*active)
	}
	if a.tags, a.tagsSet, bad = c.p.list("tag_list"); bad != nil {
		return a, bad
	}
	if a.runUntagged, bad = c.p.boolean("run_untagged"); bad != nil {
		return a, bad
	}
	if a.locked, bad = c.p.boolean("locked"); bad != nil {
		return a, bad
	}
	if a.accessLevel, bad = c.p.enum("access_level", string(NotProtected), string(RefProtected)); bad != nil {
		return a, bad
	}
	if a.maxTimeout, bad = c.p.integer("maximum_timeout"); bad != nil {
		return a, bad
	}
	// maximum_timeout: null clears the timeout (UNCONFIRMED; Grape passes
	// the nil on to the model).
	a.clearMaxTimeout = a.maxTimeout == nil && c.p.has("maximum_timeout")
	for _, k := range noteKeys {
		if v, ok, bad := c.p.str(k); bad != nil {
			return a, bad
		} else if ok || c.p.has(k) {
			a.note = &v
			break
		}
	}
	return a, nil
}

// apply sets the attributes on r and returns the model validation errors
// of PUT /runners/:id; on errors r is left unchanged.
func (a *runnerAttrs) apply(r *Runner) map[string][]string {
	next := *r
	if a.description != nil {
		next.Description = *a.description
	}
	if a.note != nil {
		next.MaintenanceNote = *a.note
	}
	if a.paused != nil {
		next.Paused = *a.paused
	}
	if a.locked != nil {
		next.Locked = *a.locked
	}
	if a.runUntagged != nil {
		next.RunUntagged = ptrTo(*a.runUntagged)
	}
	if a.tagsSet {
		next.TagList = append([]string{}, a.tags...)
	}
	if a.accessLevel != "" {
		next.AccessLevel = AccessLevel(a.accessLevel)
	}
	if a.maxTimeout != nil {
		next.MaximumTimeout = ptrTo(*a.maxTimeout)
	} else if a.clearMaxTimeout {
		next.MaximumTimeout = nil
	}
	errs := map[string][]string{}
	if len([]rune(next.Description)) > 1024 {
		errs["description"] = append(errs["description"], "is too long (maximum is 1024 characters)")
	}
	if len([]rune(next.MaintenanceNote)) > 1024 {
		errs["maintenance_note"] = append(errs["maintenance_note"], "is too long (maximum is 1024 characters)")
	}
	if a.tagsSet && len(next.TagList) > 50 {
		errs["tags_list"] = append(errs["tags_list"], "Too many tags specified. Please limit the number of tags to 50")
	}
	if next.RunUntagged != nil && !*next.RunUntagged && len(next.TagList) == 0 {
		errs["tags_list"] = append(errs["tags_list"], "can not be empty when runner is not allowed to pick untagged jobs")
	}
	if next.MaximumTimeout != nil && *next.MaximumTimeout < 600 {
		errs["maximum_timeout"] = append(errs["maximum_timeout"], "needs to be at least 10 minutes")
	}
	if len(errs) > 0 {
		return errs
	}
	*r = next
	return nil
}

// updateRunner: PUT /runners/:id (also pause/unpause).
func (s *server) updateRunner(c *call) reply {
	present := false
	for _, k := range updateFields {
		present = present || c.p.has(k)
	}
	if !present {
		return paramErr("description, active, paused, tag_list, run_untagged, locked, access_level, maximum_timeout, maintenance_note are missing, at least one parameter must be provided")
	}
	attrs, bad := c.parseAttrs("maintenance_note")
	if bad != nil {
		return *bad
	}
	r, bad := c.runnerWith(c.canUpdate)
	if bad != nil {
		return *bad
	}
	c.st.remember(r) // a failed update leaves a revision equal to r: harmless
	if errs := attrs.apply(&r.Runner); errs != nil {
		return fieldErrs(errs)
	}
	r.UpdatedAt = c.now().UTC()
	return jsonReply(http.StatusOK, c.runnerDetails(r, true))
}

// deleteRunner: DELETE /runners/:id.
func (s *server) deleteRunner(c *call) reply {
	r, bad := c.runnerFor()
	if bad != nil {
		return *bad
	}
	if !c.admin() {
		if len(r.ProjectIDs) > 1 {
			return errReply(http.StatusForbidden, "403 Forbidden - Runner associated with more than one project")
		}
		if !c.canDelete(r) {
			return errNoAccess()
		}
	}
	return c.removeRunner(r)
}

// removeRunner ends both DELETE endpoints (by id and by runner token): the
// If-Unmodified-Since precondition, then deletion and 204.
func (c *call) removeRunner(r *runner) reply {
	if !c.unmodifiedSince(r.UpdatedAt) {
		return errPrecondition()
	}
	c.st.deleteRunner(r)
	return noContent()
}

// listManagers: GET /runners/:id/managers, not paginated.
func (s *server) listManagers(c *call) reply {
	r, bad := c.runnerWith(c.canRead)
	if bad != nil {
		return *bad
	}
	out := make([]wireManager, 0, len(r.managers))
	for _, m := range r.managers {
		out = append(out, c.managerWire(r, m))
	}
	return jsonReply(http.StatusOK, out)
}

// listRunnerProjects: GET /runners/:id/projects [newer].
func (s *server) listRunnerProjects(c *call) reply {
	if _, bad := c.pageParams(); bad != nil {
		return *bad
	}
	r, bad := c.runnerWith(c.canRead)
	if bad != nil {
		return *bad
	}
	var ps []*project
	for _, pid := range r.ProjectIDs {
		if c.canSeeProject(pid) {
			ps = append(ps, c.st.projects[pid])
		}
	}
	return paginate(c, ps, true, c.projectWire)
}

// resetAuthTokenByID: POST /runners/:id/reset_authentication_token.
func (s *server) resetAuthTokenByID(c *call) reply {
	r, bad := c.runnerWith(c.canUpdate)
	if bad != nil {
		return *bad
	}
	if r.RunnerType == ProjectType && len(r.ProjectIDs) == 0 {
		return jsonReply(http.StatusUnprocessableEntity, map[string]string{"error": "Runner needs to be assigned to at least one project"})
	}
	return c.rotate(r)
}

// rotate gives the runner a new token of the same family and answers 201
// (POST's default; UNCONFIRMED for the resets, whose docs show no status).
func (c *call) rotate(r *runner) reply {
	registered := len(r.Token) >= 6 && r.Token[:6] == "glrtr-"
	c.st.setRunnerToken(r, newToken(runnerTokenPrefix(r.RunnerType, registered)))
	r.UpdatedAt = c.now().UTC()
	return jsonReply(http.StatusCreated, wireRunnerToken{Token: r.Token, TokenExpiresAt: wtp(r.TokenExpiresAt)})
}
