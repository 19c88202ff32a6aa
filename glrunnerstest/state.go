package glrunnerstest

import (
	"slices"
	"strings"
	"time"
)

// The in-memory model. Every field is guarded by server.mu.

type user struct {
	User
}

type personalToken struct {
	id     int64 // rate-limit key; the token value itself is the map key
	userID int64
	scopes []string
}

type group struct {
	Group
	fullPath string
	regToken string
}

type project struct {
	Project
	fullPath string
	regToken string
}

// runnerInfo is the metadata a legacy registration sent in `info`; it reaches
// the manager created by the runner's first contact.
type runnerInfo struct {
	version, revision, platform, architecture string
}

type runner struct {
	Runner
	managers []*manager // ID order
	jobs     []*job     // ID order
	info     runnerInfo

	createdWall time.Time  // wall time of an API create; zero when seeded
	revisions   []revision // states lagging lists may still show, oldest first
}

type manager struct {
	Manager
	runnerID int64
}

type job struct {
	Job
	runnerID int64
}

type memberKey struct {
	userID int64
	kind   string // "group" or "project"
	id     int64
}

type regKey struct {
	kind string // "instance", "group", "project"
	id   int64
}

type state struct {
	now func() time.Time

	users     map[int64]*user
	usernames map[string]int64
	tokens    map[string]*personalToken
	members   map[memberKey]Role

	groups       map[int64]*group
	groupPaths   map[string]int64 // lower-case full path
	projects     map[int64]*project
	projectPaths map[string]int64

	runners      map[int64]*runner
	runnerIDs    []int64 // sorted ascending
	runnerTokens map[string]int64
	managers     map[int64]*manager
	jobs         map[int64]*job

	instanceRegToken string
	regTokens        map[string]regKey // registration token -> owner
	regDisabled      map[regKey]bool

	// customTokens holds tokens given by the seeding code; they may lack the
	// recognisable prefixes, so the request log redacts them by value.
	customTokens map[string]bool

	tokenTTL time.Duration // runner token expiry interval; 0 = none

	commitDelay, listLag time.Duration // see consistency.go

	nextUser, nextGroup, nextProject, nextRunner int64
	nextManager, nextJob, nextPipeline, nextPAT  int64
}

func newState(now func() time.Time) *state {
	return &state{
		now:          now,
		users:        map[int64]*user{},
		usernames:    map[string]int64{},
		tokens:       map[string]*personalToken{},
		members:      map[memberKey]Role{},
		groups:       map[int64]*group{},
		groupPaths:   map[string]int64{},
		projects:     map[int64]*project{},
		projectPaths: map[string]int64{},
		runners:      map[int64]*runner{},
		runnerTokens: map[string]int64{},
		managers:     map[int64]*manager{},
		jobs:         map[int64]*job{},
		regTokens:    map[string]regKey{},
		regDisabled:  map[regKey]bool{},
		customTokens: map[string]bool{},
		nextUser:     1,
		nextGroup:    101,
		nextProject:  1001,
		nextRunner:   1,
		nextManager:  1,
		nextJob:      1,
		nextPipeline: 1,
		nextPAT:      1,
	}
}

// assignID returns want (bumping the counter past it) or the next free ID.
func assignID(want int64, next *int64) int64 {
	if want == 0 {
		want = *next
	}
	if want >= *next {
		*next = want + 1
	}
	return want
}

// groupRole is the user's role in the group, inherited from ancestors.
func (st *state) groupRole(userID, groupID int64) Role {
	var best Role
	for id, depth := groupID, 0; id != 0 && depth < 64; depth++ {
		g := st.groups[id]
		if g == nil {
			break
		}
		best = max(best, st.members[memberKey{userID, "group", id}])
		id = g.ParentID
	}
	return best
}

// projectRole is the user's role in the project, direct or through its groups.
func (st *state) projectRole(userID, projectID int64) Role {
	p := st.projects[projectID]
	if p == nil {
		return 0
	}
	return max(st.members[memberKey{userID, "project", projectID}], st.groupRole(userID, p.GroupID))
}

// ancestors returns the group and its ancestors, nearest first.
func (st *state) ancestors(groupID int64) []int64 {
	var out []int64
	for id := groupID; id != 0 && len(out) < 64; {
		g := st.groups[id]
		if g == nil {
			break
		}
		out = append(out, id)
		id = g.ParentID
	}
	return out
}

func (st *state) fullGroupName(groupID int64) string {
	anc := st.ancestors(groupID)
	names := make([]string, len(anc))
	for i, id := range anc {
		names[len(anc)-1-i] = st.groups[id].Name
	}
	return strings.Join(names, " / ")
}

// ownerProject is the project a project runner was created for.
func (r *runner) ownerProject() int64 {
	if len(r.ProjectIDs) == 0 {
		return 0
	}
	return r.ProjectIDs[0]
}

// orphaned reports whether the runner's owning group/project is gone.
func (st *state) orphaned(r *runner) bool {
	switch r.RunnerType {
	case GroupType:
		return st.groups[r.GroupID] == nil
	case ProjectType:
		return len(r.ProjectIDs) == 0 || st.projects[r.ownerProject()] == nil
	}
	return false
}

func (st *state) insertRunnerID(id int64) {
	n := len(st.runnerIDs)
	if n == 0 || st.runnerIDs[n-1] < id {
		st.runnerIDs = append(st.runnerIDs, id)
		return
	}
	i, _ := slices.BinarySearch(st.runnerIDs, id)
	st.runnerIDs = slices.Insert(st.runnerIDs, i, id)
}

func (st *state) deleteRunner(r *runner) {
	for _, m := range r.managers {
		delete(st.managers, m.ID)
	}
	// Jobs outlive the runner in GitLab; here they simply become unreachable.
	delete(st.runnerTokens, r.Token)
	delete(st.runners, r.ID)
	if i, ok := slices.BinarySearch(st.runnerIDs, r.ID); ok {
		st.runnerIDs = slices.Delete(st.runnerIDs, i, i+1)
	}
}

// setRunnerToken replaces the runner's authentication token.
func (st *state) setRunnerToken(r *runner, token string) {
	delete(st.runnerTokens, r.Token)
	r.Token = token
	st.runnerTokens[token] = r.ID
	r.TokenExpiresAt = nil
	if st.tokenTTL > 0 {
		exp := st.now().Add(st.tokenTTL).UTC()
		r.TokenExpiresAt = &exp
	}
}

// newRegToken mints a legacy registration token for its owner and indexes
// it in regTokens, dropping old (the token it replaces; "" when seeding), so
// that the index never holds a stale token. The instance's token is
// "glrit-"; groups and projects share GitLab's "GR1348941" prefix.
func (st *state) newRegToken(owner regKey, old string) string {
	delete(st.regTokens, old)
	prefix := "GR1348941"
	if owner.kind == "instance" {
		prefix = "glrit-"
	}
	t := newToken(prefix)
	st.regTokens[t] = owner
	return t
}

// runnerByToken finds the runner for a valid, unexpired authentication token.
func (st *state) runnerByToken(token string) *runner {
	id, ok := st.runnerTokens[token]
	if !ok || token == "" {
		return nil
	}
	r := st.runner(id)
	if r == nil {
		return nil
	}
	if r.TokenExpiresAt != nil && !st.now().Before(*r.TokenExpiresAt) {
		return nil
	}
	return r
}

// regDisabledFor reports whether registration tokens are disabled for the
// owner of a registration token: the instance switch, any ancestor group,
// or the project itself.
func (st *state) regDisabledFor(k regKey) bool {
	if st.regDisabled[regKey{"instance", 0}] {
		return true
	}
	groupID := k.id
	if k.kind == "project" {
		if st.regDisabled[k] {
			return true
		}
		p := st.projects[k.id]
		if p == nil {
			return true
		}
		groupID = p.GroupID
	}
	if k.kind == "group" || k.kind == "project" {
		for _, id := range st.ancestors(groupID) {
			if st.regDisabled[regKey{"group", id}] {
				return true
			}
		}
	}
	return false
}

func slug(name string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

// ptrTo returns a pointer to a copy of v (Go 1.25 has no new(expr)).
func ptrTo[T any](v T) *T { return &v }
