package fleet

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/glrunners/glrunners"
)

// File is a desired state: the runners of one fleet, in file order.
type File struct {
	// Name is the file's name in errors (the path Load read).
	Name string
	// Fleet names this set of runners; its tags carry it, so two files
	// with different fleet names never see each other's runners.
	Fleet   string
	Runners []*Runner
}

// Runner is one desired runner. Nil fields are not managed.
type Runner struct {
	Key   string
	Scope Scope
	Line  int // where the key stands in the file; 0 when not read from one

	Description     *string
	Tags            []string // the user's tags, managed when TagsSet
	TagsSet         bool
	RunUntagged     *bool
	Locked          *bool
	AccessLevel     *glrunners.AccessLevel
	MaximumTimeout  *int64 // 0: no limit
	MaintenanceNote *string
	Paused          *bool
}

// Scope is where a runner lives: the instance, or a group or project
// named by ID or by full path.
type Scope struct {
	Type glrunners.RunnerType
	ID   int64  // group or project ID; 0 when Path names it
	Path string // group or project full path
}

func (s Scope) String() string {
	switch s.Type {
	case glrunners.GroupType, glrunners.ProjectType:
		kind := "group"
		if s.Type == glrunners.ProjectType {
			kind = "project"
		}
		if s.Path != "" {
			return kind + " " + s.Path
		}
		return kind + " " + strconv.FormatInt(s.ID, 10)
	}
	return "instance"
}

var (
	fleetName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,39}$`)
	keyName   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
)

// Marker tags (see the package documentation).
const tagPrefix = "runnerfleet:"

func fleetTag(fleet string) string          { return tagPrefix + fleet }
func keyTag(fleet, key string) string       { return tagPrefix + fleet + ":key:" + key }
func pendingTag(fleet string) string        { return tagPrefix + fleet + ":token-pending" }
func isMarkerTag(t string) bool             { return len(t) >= len(tagPrefix) && t[:len(tagPrefix)] == tagPrefix }
func keyTagPrefix(fleet string) string      { return tagPrefix + fleet + ":key:" }
func userTags(tags []string) []string       { return slices.DeleteFunc(slices.Clone(tags), isMarkerTag) }
func markerTags(fleet, key string) []string { return []string{fleetTag(fleet), keyTag(fleet, key)} }

// maxUserTags leaves room for the marker tags under GitLab's 50.
const maxUserTags = 50 - 3

// FieldError is a problem with one field of the desired state.
type FieldError struct {
	File  string
	Line  int
	Field string // dotted path, e.g. runners.build-1.tags
	Msg   string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
}

// ValidationError lists every problem found in a file.
type ValidationError struct{ Errs []*FieldError }

func (e *ValidationError) Error() string {
	s := ""
	for i, fe := range e.Errs {
		if i > 0 {
			s += "\n"
		}
		s += fe.Error()
	}
	return s
}

// Unwrap lets errors.As reach each FieldError.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Errs))
	for i, fe := range e.Errs {
		out[i] = fe
	}
	return out
}
