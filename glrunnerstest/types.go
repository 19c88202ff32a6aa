package glrunnerstest

import (
	"time"
)

// User seeds a user. The returned personal token carries Scopes (default
// ["api"]).
type User struct {
	ID       int64 // 0 = assign
	Username string
	Name     string
	Email    string // public_email; empty = null
	Admin    bool
	State    string // default "active"
	Scopes   []string
}

// Group seeds a group. ParentID 0 makes a top-level group. Path defaults to
// a slug of Name.
type Group struct {
	ID                      int64 // 0 = assign
	Name                    string
	Path                    string
	ParentID                int64
	InstanceRunnersDisabled bool // GET /groups/:id/runners then omits instance runners
}

// Project seeds a project inside group GroupID (required). Path defaults to a
// slug of Name.
type Project struct {
	ID                      int64 // 0 = assign
	Name                    string
	Path                    string
	GroupID                 int64
	Description             string   // empty = null
	DefaultBranch           string   // default "main"
	Topics                  []string // also sent as the deprecated tag_list
	InstanceRunnersDisabled bool     // GET /projects/:id/runners then omits instance runners
	GroupRunnersDisabled    bool     // ... and group runners
	CreatedAt               time.Time
}

// Runner seeds a runner; Runner and Runners return it with the fields filled
// in (ID, Token, CreatedAt, computed Status).
//
// Status is a seeding convenience: when ContactedAt is nil and Status is set
// (StatusPaused also sets Paused), AddRunner derives CreatedAt (if zero) and
// ContactedAt from the clock so that the computed status matches. The
// status is computed as GitLab does: stale when created, and last
// contacted, 7 days ago or more (a runner that never contacted becomes
// stale once it is 7 days old); else never_contacted without a contact;
// else paused when paused; else online when contacted within the last 2
// hours, offline otherwise. AddRunner reports misuse when an explicit
// CreatedAt makes the wanted status impossible.
type Runner struct {
	ID              int64 // 0 = assign
	Description     string
	Name            string     // info.name reported by the runner; empty = null
	RunnerType      RunnerType // default InstanceType
	GroupID         int64      // owning group of a group runner
	ProjectIDs      []int64
	Paused          bool
	Locked          bool
	RunUntagged     *bool // default true
	TagList         []string
	AccessLevel     AccessLevel // default NotProtected
	MaximumTimeout  *int64
	MaintenanceNote string
	CreatedBy       int64     // user ID; 0 = no creator (created_by key omitted)
	CreatedAt       time.Time // zero = now
	UpdatedAt       time.Time // zero = CreatedAt; compared with If-Unmodified-Since
	ContactedAt     *time.Time
	Token           string // authentication token; empty = generate ("glrt-…")
	TokenExpiresAt  *time.Time
	Status          RunnerStatus
}

// Manager seeds a runner manager (one host serving a runner). When both
// ContactedAt and Status are unset, the manager copies the runner's
// CreatedAt/ContactedAt. A ContactedAt later than the runner's moves the
// runner's contacted_at forward, as a real contact would.
type Manager struct {
	ID           int64  // 0 = assign
	SystemID     string // default "s_" + 12 hex digits
	Version      string
	Revision     string
	Platform     string
	Architecture string
	IPAddress    string
	CreatedAt    time.Time // zero = runner's CreatedAt
	ContactedAt  *time.Time
	Status       RunnerStatus // as Runner.Status; a manager is never paused
}

// Job seeds a job run by a runner. ProjectID defaults to the runner's owner
// project, and is required for instance and group runners; PipelineID 0
// gives the job a pipeline of its own. Duration nil is derived from StartedAt/FinishedAt (or
// the clock for a running job). A failed job without FailureReason reports
// "script_failure".
type Job struct {
	ID             int64 // 0 = assign
	Status         string
	Stage          string // default "test"
	Name           string // default "job"
	Ref            string // default the project's default branch
	Tag            bool
	Coverage       *float64
	AllowFailure   bool
	ProjectID      int64
	PipelineID     int64
	PipelineSource string // default "push"
	SystemID       string // the manager that ran it
	UserID         int64  // 0 = user null
	SHA            string // default derived from the job ID
	CommitTitle    string
	CreatedAt      time.Time // zero = now
	StartedAt      *time.Time
	FinishedAt     *time.Time
	ErasedAt       *time.Time
	Duration       *float64
	QueuedDuration *float64
	FailureReason  string
}

// Request is one entry of the request log. It never holds a token: runner
// and registration tokens travel in bodies, which are not logged, and token
// look-alikes in the path or query are replaced with [REDACTED].
type Request struct {
	Method string
	Path   string // escaped path, e.g. /api/v4/projects/a%2Fb/runners
	Query  string // raw query, redacted
	Status int    // 0 when the connection was reset by a fault
	Time   time.Time
	// RequestID is the X-Request-Id the answer carried ("" when the
	// connection was reset without one).
	RequestID string
}

// Fault makes the server misbehave for matching requests. Method "" or "*"
// matches any method. Pattern matches the escaped path segment by segment,
// with or without the /api/v4 prefix; a segment "*" or "{name}" matches any
// one segment, a final "**" any rest, and "" matches every path.
//
// Faults are checked in the order they were added; the first match applies.
// Times is how many matching requests the fault applies to before it is
// used up: Times: 3 three, Times: Always every one. Left unset (0) it
// applies once, so that the common one-shot fault is the plain
// Fault{Method: ..., Pattern: ..., Status: 502}.
//
// Latency delays the request (aborted when the client goes away). Then, if
// AfterApply, the request is served normally and its answer discarded. Then
// Reset closes the TCP connection abruptly without an answer, or Status
// (with Body; default {"message":"<code> <text>"}) is written. A fault with
// only Latency serves the request normally after the delay. A 429 fault gets
// "Retry-After: 1" unless Header sets it.
//
// Note that net/http's Transport silently retries an idempotent request
// (GET, HEAD) on a reused keep-alive connection that was closed without an
// answer, so a one-shot Reset on a GET may look like a success to a client.
type Fault struct {
	Method     string
	Pattern    string
	Status     int
	Body       string
	Header     map[string]string
	Latency    time.Duration
	Reset      bool
	AfterApply bool
	Times      int
}
