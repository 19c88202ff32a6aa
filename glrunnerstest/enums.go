package glrunnerstest

import "fmt"

// The seeding API's closed sets are named types with constants, so that a
// misspelt constant does not compile and the allowed values are listed
// together in the documentation. A string literal still converts implicitly
// (Status: "online" compiles); a value outside the set is reported by the
// seeding call that receives it: t.Fatal for a server from New, a panic
// for one from NewServer.

// RunnerStatus is a runner's or manager's status as GitLab reports it.
// Seeding with a status makes the fake derive contact times from its clock
// so that the computed status matches (see Runner).
type RunnerStatus string

// Runner statuses. A manager cannot be paused.
const (
	StatusOnline         RunnerStatus = "online"
	StatusOffline        RunnerStatus = "offline"
	StatusStale          RunnerStatus = "stale"
	StatusNeverContacted RunnerStatus = "never_contacted"
	StatusPaused         RunnerStatus = "paused"
)

// RunnerType is who a runner serves: the instance, one group (and its
// descendants) or assigned projects.
type RunnerType string

// Runner types as GitLab spells them.
const (
	InstanceType RunnerType = "instance_type"
	GroupType    RunnerType = "group_type"
	ProjectType  RunnerType = "project_type"
)

// AccessLevel says whether a runner takes jobs of protected refs only.
type AccessLevel string

// Access levels as GitLab spells them.
const (
	NotProtected AccessLevel = "not_protected"
	RefProtected AccessLevel = "ref_protected"
)

func (a AccessLevel) valid() bool { return a == NotProtected || a == RefProtected }

// MemberKind is what a membership is in: a group or a project.
type MemberKind string

// Membership kinds for AddMember.
const (
	MemberGroup   MemberKind = "group"
	MemberProject MemberKind = "project"
)

// TokenKind is the owner of a legacy registration token: the instance, a
// group or a project.
type TokenKind string

// Registration token owners for RegistrationToken and
// SetRegistrationEnabled. TokenInstance takes id 0.
const (
	TokenInstance TokenKind = "instance"
	TokenGroup    TokenKind = "group"
	TokenProject  TokenKind = "project"
)

// Role is a membership role in a group or project. The values are GitLab's
// access levels.
type Role int

// Membership roles, weakest first.
const (
	Guest      Role = 10
	Reporter   Role = 20
	Developer  Role = 30
	Maintainer Role = 40
	Owner      Role = 50
)

// String returns the lower-case role name: "none" for 0 (no membership),
// "Role(n)" for a value that is not one of the constants.
func (r Role) String() string {
	switch r {
	case Guest:
		return "guest"
	case Reporter:
		return "reporter"
	case Developer:
		return "developer"
	case Maintainer:
		return "maintainer"
	case Owner:
		return "owner"
	case 0:
		return "none"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

func (r Role) valid() bool {
	return r == Guest || r == Reporter || r == Developer || r == Maintainer || r == Owner
}
