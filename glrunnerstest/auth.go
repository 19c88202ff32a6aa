package glrunnerstest

import (
	"crypto/rand"
	"net/http"
	"strings"
)

// authMode is the set of token scopes an endpoint accepts (GitLab's personal access token scopes).
type authMode int

const (
	authNone        authMode = iota // runner-token endpoints: no user token
	authRead                        // api, read_api
	authRunnerRead                  // api, read_api, manage_runner (/runners/:id GETs)
	authRunnerWrite                 // api, manage_runner (/runners/:id writes)
	authAPI                         // api; manage_runner/create_runner-only tokens get 401
	authCreate                      // api, create_runner (POST /user/runners)
)

func (m authMode) scopes() []string {
	switch m {
	case authRead:
		return []string{"api", "read_api"}
	case authRunnerRead:
		return []string{"api", "read_api", "manage_runner"}
	case authRunnerWrite:
		return []string{"api", "manage_runner"}
	case authCreate:
		return []string{"api", "create_runner"}
	}
	return []string{"api"}
}

// userToken reads PRIVATE-TOKEN or Authorization: Bearer.
func userToken(r *http.Request) string {
	if t := r.Header.Get("Private-Token"); t != "" {
		return t
	}
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

// authenticate returns the caller, or nil and the error reply.
func (s *server) authenticate(r *http.Request, mode authMode) (*user, reply) {
	tok := s.st.tokens[userToken(r)]
	if tok == nil {
		return nil, errUnauthorized()
	}
	u := s.st.users[tok.userID]
	if u == nil || u.State == "blocked" {
		return nil, errUnauthorized()
	}
	want := mode.scopes()
	for _, sc := range tok.scopes {
		if contains(want, sc) {
			return u, reply{}
		}
	}
	// Assign/unassign and the registration-token resets answered 401 to
	// manage_runner/create_runner-only tokens in GitLab's tests.
	if mode == authAPI && !contains(tok.scopes, "read_api") {
		return nil, errUnauthorized()
	}
	return nil, insufficientScope(strings.Join(want, " "))
}

// insufficientScope is the 403 for a token without any of the scopes
// (space-separated) that would allow the request.
func insufficientScope(scope string) reply {
	desc := "The request requires higher privileges than provided by the access token."
	rep := jsonReply(http.StatusForbidden, map[string]string{
		"error": "insufficient_scope", "error_description": desc, "scope": scope})
	rep.setHeader("WWW-Authenticate", `Bearer realm="", error="insufficient_scope", error_description="`+desc+`", scope="`+scope+`"`)
	return rep
}

// Permission rules: who may call which runner endpoint, as GitLab's API
// documentation states them. Where older and 18.x documentation disagree,
// the 18.x rule is used.

func (c *call) admin() bool { return c.u != nil && c.u.Admin }

func (c *call) canSeeProject(id int64) bool {
	return c.st.projects[id] != nil && (c.admin() || c.st.projectRole(c.u.ID, id) > 0)
}

func (c *call) canSeeGroup(id int64) bool {
	return c.st.groups[id] != nil && (c.admin() || c.st.groupRole(c.u.ID, id) > 0)
}

// maintainsAssigned: Maintainer+ of any project the runner is assigned to.
func (c *call) maintainsAssigned(r *runner) bool {
	for _, pid := range r.ProjectIDs {
		if c.st.projectRole(c.u.ID, pid) >= Maintainer {
			return true
		}
	}
	return false
}

// canUpdate: admin; group runner: Owner of the owning group (inherited);
// project runner: Maintainer+ of an assigned project. The same rule decides
// what GET /runners lists for a non-admin (the runners the caller
// administers; instance runners only for administrators), so listOwned uses
// it as its filter too.
func (c *call) canUpdate(r *runner) bool {
	if c.admin() {
		return true
	}
	switch r.RunnerType {
	case GroupType:
		return c.st.groupRole(c.u.ID, r.GroupID) >= Owner
	case ProjectType:
		return c.maintainsAssigned(r)
	}
	return false
}

// canRead: instance runners for everyone; otherwise Maintainer+ of the
// owning group or of an assigned project (18.x; seed docs said Developer).
func (c *call) canRead(r *runner) bool {
	if c.admin() || r.RunnerType == InstanceType {
		return true
	}
	if r.RunnerType == GroupType {
		return c.st.groupRole(c.u.ID, r.GroupID) >= Maintainer
	}
	return c.maintainsAssigned(r)
}

// canDelete: group runner: Owner of the owning group or an ancestor; project
// runner: Maintainer+ of the owner project.
func (c *call) canDelete(r *runner) bool {
	if c.admin() {
		return true
	}
	switch r.RunnerType {
	case GroupType:
		return c.st.groupRole(c.u.ID, r.GroupID) >= Owner
	case ProjectType:
		return c.st.projectRole(c.u.ID, r.ownerProject()) >= Maintainer
	}
	return false
}

const tokenAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

// newToken returns prefix plus 20 random characters.
func newToken(prefix string) string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	out := []byte(prefix)
	for _, c := range b {
		out = append(out, tokenAlphabet[int(c)%len(tokenAlphabet)])
	}
	return string(out)
}

// runnerTokenPrefix gives "glrt-" (created runners) or "glrtr-" (legacy
// registration), followed by the partition marker of the runner type.
func runnerTokenPrefix(runnerType RunnerType, registered bool) string {
	p := "glrt-"
	if registered {
		p = "glrtr-"
	}
	switch runnerType {
	case GroupType:
		return p + "t2_"
	case ProjectType:
		return p + "t3_"
	}
	return p + "t1_"
}
