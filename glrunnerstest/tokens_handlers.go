package glrunnerstest

import (
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Endpoints that take a runner's own token (register, verify, delete,
// delete a manager, reset the token), POST /user/runners, and the
// registration-token resets.

// runnerToken reads the required body parameter `token`.
func (c *call) bodyToken() (string, *reply) {
	if !c.p.has("token") {
		rep := paramErr("token is missing")
		return "", &rep
	}
	t, _, bad := c.p.str("token")
	return t, bad
}

// authRunner finds the runner of a valid, unexpired authentication token.
func (c *call) authRunner() (*runner, *reply) {
	t, bad := c.bodyToken()
	if bad != nil {
		return nil, bad
	}
	r := c.st.runnerByToken(t)
	if r == nil {
		rep := errForbidden()
		return nil, &rep
	}
	return r, nil
}

// newRunner stores a runner created through the API.
func (c *call) newRunner(base Runner, a runnerAttrs, registered bool) (*runner, map[string][]string) {
	base.RunUntagged = ptrTo(true)
	base.AccessLevel = NotProtected
	base.TagList = []string{}
	a.tagsSet = a.tagsSet || len(a.tags) > 0
	if errs := a.apply(&base); errs != nil {
		return nil, errs
	}
	now := c.now().UTC()
	base.CreatedAt, base.UpdatedAt = now, now
	base.ID = assignID(0, &c.st.nextRunner)
	r := &runner{Runner: base, createdWall: time.Now()}
	c.st.runners[r.ID] = r
	c.st.insertRunnerID(r.ID)
	c.st.setRunnerToken(r, newToken(runnerTokenPrefix(r.RunnerType, registered)))
	return r, nil
}

func registration(r *runner) wireRegistration {
	return wireRegistration{ID: r.ID, Token: r.Token, TokenExpiresAt: wtp(r.TokenExpiresAt)}
}

// registerRunner: POST /runners with a registration token [legacy].
func (s *server) registerRunner(c *call) reply {
	tok, bad := c.bodyToken()
	if bad != nil {
		return *bad
	}
	if c.p.has("maintainer_note") && c.p.has("maintenance_note") {
		return paramErr("maintainer_note, maintenance_note are mutually exclusive")
	}
	attrs, bad := c.parseAttrs("maintenance_note", "maintainer_note")
	if bad != nil {
		return *bad
	}
	gone := errReply(http.StatusGone, "410 Gone - runner registration disallowed")
	if c.st.regDisabled[regKey{"instance", 0}] {
		return gone
	}
	key, ok := c.st.regTokens[tok]
	if !ok {
		return errReply(http.StatusForbidden, "403 Forbidden - invalid token supplied")
	}
	if c.st.regDisabledFor(key) {
		return gone
	}
	base := Runner{RunnerType: InstanceType}
	switch key.kind {
	case "group":
		base.RunnerType, base.GroupID = GroupType, key.id
	case "project":
		base.RunnerType, base.ProjectIDs = ProjectType, []int64{key.id}
	}
	info := c.p.object("info")
	base.Name = info["name"]
	if len(base.Name) > 256 {
		return fieldErrs(map[string][]string{"name": {"is too long (maximum is 256 characters)"}})
	}
	r, errs := c.newRunner(base, attrs, true)
	if errs != nil {
		return fieldErrs(errs)
	}
	r.info = runnerInfo{version: info["version"], revision: info["revision"],
		platform: info["platform"], architecture: info["architecture"]}
	return jsonReply(http.StatusCreated, registration(r))
}

// deleteByToken: DELETE /runners with the runner's token in the body.
func (s *server) deleteByToken(c *call) reply {
	r, bad := c.authRunner()
	if bad != nil {
		return *bad
	}
	return c.removeRunner(r)
}

// verifyRunner: POST /runners/verify. Counts as a contact: contacted_at of
// the runner and of the manager `system_id` (default "<legacy>", created on
// first use) move to now.
func (s *server) verifyRunner(c *call) reply {
	r, bad := c.authRunner()
	if bad != nil {
		return *bad
	}
	systemID, ok, bad := c.p.str("system_id")
	if bad != nil {
		return *bad
	}
	if len(systemID) > 64 {
		return paramErr("system_id is invalid")
	}
	if !ok || systemID == "" {
		systemID = "<legacy>"
	}
	if c.st.orphaned(r) {
		return errReply(http.StatusUnprocessableEntity, "Runner is orphaned")
	}
	now := c.now().UTC()
	r.ContactedAt = &now
	var m *manager
	for _, x := range r.managers {
		if x.SystemID == systemID {
			m = x
		}
	}
	if m == nil {
		m = &manager{runnerID: r.ID, Manager: Manager{ID: assignID(0, &c.st.nextManager), SystemID: systemID,
			Version: r.info.version, Revision: r.info.revision, Platform: r.info.platform,
			Architecture: r.info.architecture, CreatedAt: now}}
		c.st.managers[m.ID] = m
		r.managers = append(r.managers, m)
	}
	m.ContactedAt = ptrTo(now)
	if host, _, err := net.SplitHostPort(c.r.RemoteAddr); err == nil {
		m.IPAddress = host
	}
	return jsonReply(http.StatusOK, registration(r))
}

// deleteManager: DELETE /runners/managers [newer].
func (s *server) deleteManager(c *call) reply {
	tok, bad := c.bodyToken()
	if bad != nil {
		return *bad
	}
	systemID, ok, bad := c.p.str("system_id")
	if bad != nil {
		return *bad
	}
	if !ok {
		return paramErr("system_id is missing")
	}
	r := c.st.runnerByToken(tok)
	if r == nil {
		return errForbidden()
	}
	i := slices.IndexFunc(r.managers, func(m *manager) bool { return m.SystemID == systemID })
	if i < 0 {
		return errReply(http.StatusNotFound, "404 Runner manager not found Not Found")
	}
	delete(c.st.managers, r.managers[i].ID)
	r.managers = slices.Delete(r.managers, i, i+1)
	return noContent()
}

// resetAuthTokenByToken: POST /runners/reset_authentication_token; an
// expired token cannot rotate itself.
func (s *server) resetAuthTokenByToken(c *call) reply {
	r, bad := c.authRunner()
	if bad != nil {
		return *bad
	}
	if r.RunnerType == ProjectType && len(r.ProjectIDs) == 0 {
		return jsonReply(http.StatusUnprocessableEntity, map[string]string{"error": "Runner needs to be assigned to at least one project"})
	}
	if c.st.orphaned(r) {
		return jsonReply(http.StatusUnprocessableEntity, map[string]string{"error": "Runner is orphaned"})
	}
	return c.rotate(r)
}

var fieldTitles = map[string]string{"description": "Description", "maintenance_note": "Maintenance note",
	"tags_list": "Tags list", "maximum_timeout": "Maximum timeout"}

// createUserRunner: POST /user/runners, the modern way to create a runner.
// Project runners may be created by project Maintainers (UNCONFIRMED; docs
// say Owner).
func (s *server) createUserRunner(c *call) reply {
	if !c.p.has("runner_type") {
		return paramErr("runner_type is missing, runner_type does not have a valid value")
	}
	typName, bad := c.p.enum("runner_type", runnerTypes...)
	if bad != nil {
		return *bad
	}
	typ := RunnerType(typName)
	scopeKey := map[RunnerType]string{GroupType: "group_id", ProjectType: "project_id"}[typ]
	var scopeID *int64
	if scopeKey != "" {
		if !c.p.has(scopeKey) {
			return paramErr(scopeKey + " is missing")
		}
		if scopeID, bad = c.p.integer(scopeKey); bad != nil {
			return *bad
		}
	}
	attrs, bad := c.parseAttrs("maintenance_note")
	if bad != nil {
		return *bad
	}
	var expires *time.Time
	if v, ok, bad := c.p.str("token_expires_at"); bad != nil {
		return *bad
	} else if ok {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return paramErr("token_expires_at is invalid")
		}
		expires = ptrTo(t.UTC())
	}
	denied := errReply(http.StatusForbidden, "403 Forbidden - Insufficient permissions")
	base := Runner{RunnerType: typ, CreatedBy: c.u.ID}
	switch typ {
	case InstanceType:
		if !c.admin() {
			return denied
		}
	case GroupType:
		if !c.canSeeGroup(*scopeID) {
			return errGroupNF()
		}
		if !c.admin() && c.st.groupRole(c.u.ID, *scopeID) < Owner {
			return denied
		}
		base.GroupID = *scopeID
	case ProjectType:
		if !c.canSeeProject(*scopeID) {
			return errProjectNF()
		}
		if !c.admin() && c.st.projectRole(c.u.ID, *scopeID) < Maintainer {
			return denied
		}
		base.ProjectIDs = []int64{*scopeID}
	}
	r, errs := c.newRunner(base, attrs, false)
	if errs != nil {
		var msgs []string
		for _, k := range []string{"description", "maintenance_note", "tags_list", "maximum_timeout"} {
			for _, m := range errs[k] {
				msgs = append(msgs, fieldTitles[k]+" "+m)
			}
		}
		return errReply(http.StatusBadRequest, "400 Bad request - "+strings.Join(msgs, ", "))
	}
	if expires != nil {
		r.TokenExpiresAt = expires
	}
	return jsonReply(http.StatusCreated, registration(r))
}

func (s *server) resetInstanceRegToken(c *call) reply {
	if !c.admin() || c.st.regDisabled[regKey{"instance", 0}] {
		return errForbidden()
	}
	c.st.instanceRegToken = c.st.newRegToken(regKey{"instance", 0}, c.st.instanceRegToken)
	return jsonReply(http.StatusCreated, wireRegToken{Token: c.st.instanceRegToken})
}

// resetProjectRegToken: Maintainer+ (UNCONFIRMED minimum role).
func (s *server) resetProjectRegToken(c *call) reply {
	p, bad := c.projectWithRole(Maintainer)
	if bad != nil {
		return *bad
	}
	if c.st.regDisabledFor(regKey{"project", p.ID}) {
		return errForbidden()
	}
	p.regToken = c.st.newRegToken(regKey{"project", p.ID}, p.regToken)
	return jsonReply(http.StatusCreated, wireRegToken{Token: p.regToken})
}

// resetGroupRegToken: group Owner (18.x docs; UNCONFIRMED, older docs
// said Maintainer).
func (s *server) resetGroupRegToken(c *call) reply {
	g, bad := c.groupWithRole(Owner)
	if bad != nil {
		return *bad
	}
	if c.st.regDisabledFor(regKey{"group", g.ID}) {
		return errForbidden()
	}
	g.regToken = c.st.newRegToken(regKey{"group", g.ID}, g.regToken)
	return jsonReply(http.StatusCreated, wireRegToken{Token: g.regToken})
}
