package glrunnerstest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// AddUser adds a user and returns its ID and a personal token with
// u.Scopes (default api). A duplicate username or ID is misuse.
func (s *Server) AddUser(u User) (id int64, token string) {
	s.t().Helper()
	st := s.lock()
	defer s.unlock()
	if u.Username == "" {
		u.Username = fmt.Sprintf("user%d", st.nextUser)
	}
	if _, dup := st.usernames[strings.ToLower(u.Username)]; dup {
		s.misuse("AddUser", "duplicate username %s", u.Username)
	}
	if u.Name == "" {
		u.Name = u.Username
	}
	if u.State == "" {
		u.State = "active"
	}
	u.Scopes = slices.Clone(u.Scopes)
	if len(u.Scopes) == 0 {
		u.Scopes = []string{"api"}
	}
	if st.users[u.ID] != nil {
		s.misuse("AddUser", "duplicate ID %d", u.ID)
	}
	u.ID = assignID(u.ID, &st.nextUser)
	st.users[u.ID] = &user{User: u}
	st.usernames[strings.ToLower(u.Username)] = u.ID
	return u.ID, st.addToken(u.ID, u.Scopes)
}

// AddToken issues another personal token for the user with the given
// scopes (api, read_api, manage_runner, create_runner, ...; none = api).
func (s *Server) AddToken(userID int64, scopes ...string) string {
	s.t().Helper()
	st := s.lock()
	defer s.unlock()
	if st.users[userID] == nil {
		s.misuse("AddToken", "unknown user %d", userID)
	}
	if len(scopes) == 0 {
		scopes = []string{"api"}
	}
	return st.addToken(userID, slices.Clone(scopes))
}

func (st *state) addToken(userID int64, scopes []string) string {
	t := newToken("glpat-")
	st.tokens[t] = &personalToken{id: st.nextPAT, userID: userID, scopes: scopes}
	st.nextPAT++
	return t
}

// AddGroup adds a group (a subgroup when ParentID is set) and returns its ID.
func (s *Server) AddGroup(g Group) int64 {
	s.t().Helper()
	st := s.lock()
	defer s.unlock()
	if g.Name == "" {
		s.misuse("AddGroup", "Name is required")
	}
	if g.Path == "" {
		g.Path = slug(g.Name)
	}
	full := g.Path
	if g.ParentID != 0 {
		parent := st.groups[g.ParentID]
		if parent == nil {
			s.misuse("AddGroup", "unknown parent group %d", g.ParentID)
		}
		full = parent.fullPath + "/" + g.Path
	}
	if _, dup := st.groupPaths[strings.ToLower(full)]; dup || st.groups[g.ID] != nil {
		s.misuse("AddGroup", "duplicate group %s", full)
	}
	g.ID = assignID(g.ID, &st.nextGroup)
	st.groups[g.ID] = &group{Group: g, fullPath: full, regToken: st.newRegToken(regKey{"group", g.ID}, "")}
	st.groupPaths[strings.ToLower(full)] = g.ID
	return g.ID
}

// AddProject adds a project to group p.GroupID and returns its ID.
func (s *Server) AddProject(p Project) int64 {
	s.t().Helper()
	st := s.lock()
	defer s.unlock()
	if p.Name == "" {
		s.misuse("AddProject", "Name is required")
	}
	g := st.groups[p.GroupID]
	if g == nil {
		s.misuse("AddProject", "unknown group %d (GroupID is required)", p.GroupID)
	}
	if p.Path == "" {
		p.Path = slug(p.Name)
	}
	if p.DefaultBranch == "" {
		p.DefaultBranch = "main"
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = st.now()
	}
	p.Topics = slices.Clone(p.Topics)
	full := g.fullPath + "/" + p.Path
	if _, dup := st.projectPaths[strings.ToLower(full)]; dup || st.projects[p.ID] != nil {
		s.misuse("AddProject", "duplicate project %s", full)
	}
	p.ID = assignID(p.ID, &st.nextProject)
	st.projects[p.ID] = &project{Project: p, fullPath: full, regToken: st.newRegToken(regKey{"project", p.ID}, "")}
	st.projectPaths[strings.ToLower(full)] = p.ID
	return p.ID
}

// DeleteProject removes a project, its memberships and its runner
// assignments. Its project runners become orphaned (verify answers 422).
func (s *Server) DeleteProject(id int64) {
	s.t().Helper()
	st := s.lock()
	defer s.unlock()
	p := st.projects[id]
	if p == nil {
		s.misuse("DeleteProject", "unknown project %d", id)
	}
	delete(st.projects, id)
	delete(st.projectPaths, strings.ToLower(p.fullPath))
	delete(st.regTokens, p.regToken)
	for k := range st.members {
		if k.kind == "project" && k.id == id {
			delete(st.members, k)
		}
	}
	for _, r := range st.runners {
		if i := slices.Index(r.ProjectIDs, id); i >= 0 {
			r.ProjectIDs = slices.Delete(r.ProjectIDs, i, i+1)
		}
	}
}

// AddMember gives a user a role in a group (MemberGroup) or a project
// (MemberProject). Group roles are inherited by subgroups and their
// projects.
func (s *Server) AddMember(userID int64, kind MemberKind, id int64, role Role) {
	s.t().Helper()
	st := s.lock()
	defer s.unlock()
	if st.users[userID] == nil {
		s.misuse("AddMember", "unknown user %d", userID)
	}
	switch {
	case kind == MemberGroup && st.groups[id] != nil, kind == MemberProject && st.projects[id] != nil:
	case kind != MemberGroup && kind != MemberProject:
		s.misuse("AddMember", "unknown kind %q (want MemberGroup or MemberProject)", kind)
	default:
		s.misuse("AddMember", "unknown %s %d", kind, id)
	}
	if !role.valid() {
		s.misuse("AddMember", "unknown role %s (want Guest, Reporter, Developer, Maintainer or Owner)", role)
	}
	st.members[memberKey{userID, string(kind), id}] = role
}

// RegistrationToken returns the legacy registration token of the instance
// (TokenInstance, id 0), a group (TokenGroup) or a project (TokenProject).
func (s *Server) RegistrationToken(kind TokenKind, id int64) string {
	s.t().Helper()
	st := s.lock()
	defer s.unlock()
	if err := st.checkTokenOwner(kind, id); err != "" {
		s.misuse("RegistrationToken", "%s", err)
	}
	switch kind {
	case TokenGroup:
		return st.groups[id].regToken
	case TokenProject:
		return st.projects[id].regToken
	}
	return st.instanceRegToken
}

// SetRegistrationEnabled switches registration with registration tokens on
// or off for the instance (TokenInstance, id 0), a group (TokenGroup, and
// its descendants) or a project (TokenProject). Disabled: POST /runners
// answers 410 and the reset endpoint 403. Disabling the instance also
// answers 410 for unknown tokens, as GitLab does.
func (s *Server) SetRegistrationEnabled(kind TokenKind, id int64, enabled bool) {
	s.t().Helper()
	st := s.lock()
	defer s.unlock()
	if err := st.checkTokenOwner(kind, id); err != "" {
		s.misuse("SetRegistrationEnabled", "%s", err)
	}
	key := regKey{string(kind), id}
	if enabled {
		delete(st.regDisabled, key)
	} else {
		st.regDisabled[key] = true
	}
}

// checkTokenOwner says what is wrong with a registration token's owner, or
// "" when it exists.
func (st *state) checkTokenOwner(kind TokenKind, id int64) string {
	switch {
	case kind == TokenInstance && id == 0:
	case kind == TokenInstance:
		return fmt.Sprintf("the instance takes id 0, not %d", id)
	case kind == TokenGroup && st.groups[id] != nil, kind == TokenProject && st.projects[id] != nil:
	case kind != TokenGroup && kind != TokenProject:
		return fmt.Sprintf("unknown kind %q (want TokenInstance, TokenGroup or TokenProject)", kind)
	default:
		return fmt.Sprintf("unknown %s %d", kind, id)
	}
	return ""
}

func (s *Server) lock() *state { s.s.mu.Lock(); return s.s.st }
func (s *Server) unlock()      { s.s.mu.Unlock() }

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
