package glrunnerstest

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Sudo: an administrator's token with the sudo scope may act as another
// user, named by the `sudo` parameter (query or body) or else the Sudo
// header, by numeric ID or username (without case). The request is then
// served with that user's permissions, as GitLab does. The checks, their
// order and the error bodies follow GitLab's API helpers and its REST
// authentication docs:
//
//	not an administrator   403 {"message":"403 Forbidden - Must be admin to use sudo"}
//	token without sudo     403 insufficient_scope, scope "sudo"
//	no such user           404 {"message":"404 User with ID or username '<id>' Not Found"}
//
// The endpoint's own scope check comes first: a token with only the sudo
// scope is refused as it would be without Sudo. Endpoints that take no
// user token (the runner-token ones) ignore Sudo, as GitLab does since they
// never look up a current user.

var allDigits = regexp.MustCompile(`^\d+$`)

// sudo returns the user to serve the request as: u itself without Sudo,
// else the named user, or nil and the error reply.
func (s *server) sudo(r *http.Request, p params, u *user) (*user, reply) {
	ident, ok := sudoIdentifier(r, p)
	if !ok {
		return u, reply{}
	}
	if !u.Admin {
		return nil, errReply(http.StatusForbidden, "403 Forbidden - Must be admin to use sudo")
	}
	if tok := s.st.tokens[userToken(r)]; tok == nil || !contains(tok.scopes, "sudo") {
		return nil, insufficientScope("sudo")
	}
	var target *user
	if allDigits.MatchString(ident) {
		if id, err := strconv.ParseInt(ident, 10, 64); err == nil {
			target = s.st.users[id]
		}
	} else if id, found := s.st.usernames[strings.ToLower(ident)]; found {
		target = s.st.users[id]
	}
	if target == nil {
		return nil, errReply(http.StatusNotFound, "404 User with ID or username '"+ident+"' Not Found")
	}
	// A blocked user is served too: GitLab's sudo does not check the
	// target's state (UNCONFIRMED whether its policies then refuse).
	return target, reply{}
}

// sudoIdentifier is GitLab's `params[:sudo] || env["HTTP_SUDO"]`: a null
// parameter (`?sudo` without "=") falls back to the header; an empty one
// does not.
func sudoIdentifier(r *http.Request, p params) (string, bool) {
	switch v := p["sudo"].(type) {
	case nil:
	case string:
		return v, true
	default:
		if s, ok, _ := p.str("sudo"); ok {
			return s, true
		}
		return fmt.Sprint(v), true // a list or hash names no user
	}
	if vs, ok := r.Header["Sudo"]; ok && len(vs) > 0 {
		return vs[0], true
	}
	return "", false
}
