package glrunners

import (
	"net/url"
	"strconv"
	"strings"
)

// Ref names a project or a group, by numeric ID or by full path. Build one
// with [ID] or [Path]; the zero Ref names nothing and is rejected by every
// method that takes one.
type Ref struct {
	kind refKind
	id   int64
	path string
}

// refKind tells ID(0) and Path("") apart from the zero Ref, so each gets an
// error that names its real mistake.
type refKind uint8

const (
	refUnset refKind = iota
	refByID
	refByPath
)

// ID names a project or group by its numeric ID.
func ID(id int64) Ref { return Ref{kind: refByID, id: id} }

// Path names a project or group by its full path, such as
// "group/subgroup/project". The path is escaped when the request is built;
// pass it unescaped.
func Path(p string) Ref { return Ref{kind: refByPath, path: p} }

// String returns the ID in decimal or the path as given, unescaped. The zero
// Ref gives "".
func (r Ref) String() string {
	switch r.kind {
	case refByPath:
		return r.path
	case refByID:
		return strconv.FormatInt(r.id, 10)
	default:
		return ""
	}
}

// segment returns r as one URL path segment, escaped exactly once (so "/"
// becomes %2F), or a *ValidationError. Its Field is "id", the path
// parameter a Ref fills (/projects/:id, /groups/:id); noun ("project",
// "group") says in the Reason what r should have named. A path that can
// name no GitLab project or group is rejected before any request: the
// caller gets an error that says what is wrong instead of a 404, and "." or
// ".." never reaches a server or proxy that decodes %2F before routing.
func (r Ref) segment(noun string) (string, error) {
	switch r.kind {
	case refUnset:
		return "", invalidArg("id", "a "+noun+" is required: use glrunners.ID or glrunners.Path")
	case refByID:
		if r.id <= 0 {
			return "", invalidArg("id", "must be a positive "+noun+" ID, got "+strconv.FormatInt(r.id, 10))
		}
		return strconv.FormatInt(r.id, 10), nil
	}
	p := r.path
	switch {
	case strings.TrimSpace(p) == "":
		return "", invalidArg("id", noun+" path must not be empty")
	case strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/"):
		return "", invalidArg("id", noun+" path must not start or end with a slash")
	case strings.Trim(p, "0123456789") == "":
		// GitLab reads an all-digit :id as a numeric ID, never as a path.
		return "", invalidArg("id", noun+" path "+strconv.Quote(p)+" is all digits and would be read as an ID: use glrunners.ID")
	}
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "":
			return "", invalidArg("id", noun+" path must not contain an empty segment")
		case ".", "..":
			return "", invalidArg("id", noun+" path must not contain . or .. segments")
		}
	}
	return url.PathEscape(p), nil
}

// Ptr returns a pointer to a copy of v, for option fields where the zero
// value is meaningful and so cannot mean "not set" (Paused: Ptr(false)).
func Ptr[T any](v T) *T { return &v }

// Value returns *p, or the zero value when p is nil: the read side of the
// nullable fields (Runner.Description, RunnerDetails.MaximumTimeout, ...).
func Value[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
