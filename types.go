package glrunners

import "time"

// Decoding rules shared by every response type below. Field sets vary with
// the server version and the caller's permissions, so a field that is absent
// is left at its zero value and unknown keys are ignored. A field GitLab may
// send as JSON null is a pointer, so null (nil) stays distinct from a zero
// value; every other field is a value.

// Runner is a runner as listed by the list endpoints and returned when a
// runner is assigned to a project.
type Runner struct {
	ID          int64   `json:"id"`
	Description *string `json:"description"`

	// IPAddress carries no data since GitLab 17.0: servers send null or "".
	//
	// Deprecated: use RunnerManager.IPAddress, one per host.
	IPAddress *string `json:"ip_address"`

	// Active is the negation of Paused.
	//
	// Deprecated: use Paused.
	Active bool `json:"active"`

	Paused     bool       `json:"paused"`
	IsShared   bool       `json:"is_shared"` // true exactly for InstanceType
	RunnerType RunnerType `json:"runner_type"`
	Name       *string    `json:"name"` // reported by the runner process; nil until it reports one
	// Online is nil for a runner that never contacted GitLab, so "never" and
	// "not in the last 2 hours" (false) stay apart.
	Online *bool `json:"online"`
	// CreatedBy is nil when GitLab omits it: the caller may not see the
	// creator, the runner has none (legacy registration), or the server
	// predates the field.
	CreatedBy *UserBasic `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"` // zero from servers that predate the field
	// Status is a summary that may be Paused; see [RunnerStatus].
	Status             RunnerStatus       `json:"status"`
	JobExecutionStatus JobExecutionStatus `json:"job_execution_status"` // empty from servers that predate the field
}

// RunnerDetails is one runner with its configuration, as returned by Get and
// Update. It embeds Runner, so code written for list items also takes
// &details.Runner; no key of RunnerDetails repeats one of Runner, so JSON
// decoding fills both levels.
type RunnerDetails struct {
	Runner

	TagList        []string    `json:"tag_list"` // order not guaranteed
	RunUntagged    bool        `json:"run_untagged"`
	Locked         bool        `json:"locked"`
	MaximumTimeout *int64      `json:"maximum_timeout"` // seconds; nil means no limit
	AccessLevel    AccessLevel `json:"access_level"`

	// Version is that of the most recently contacted manager, nil without one.
	//
	// Deprecated: use RunnerManager.Version from ListManagers.
	Version *string `json:"version"`
	// Revision comes from the most recently contacted manager.
	//
	// Deprecated: use RunnerManager.Revision from ListManagers.
	Revision *string `json:"revision"`
	// Platform comes from the most recently contacted manager.
	//
	// Deprecated: use RunnerManager.Platform from ListManagers.
	Platform *string `json:"platform"`
	// Architecture comes from the most recently contacted manager.
	//
	// Deprecated: use RunnerManager.Architecture from ListManagers.
	Architecture *string `json:"architecture"`

	// ContactedAt is served from a cache that reaches the database at most
	// every 40-55 minutes, so status filters can lag it; nil means never.
	ContactedAt     *time.Time `json:"contacted_at"`
	MaintenanceNote *string    `json:"maintenance_note"` // nil unless the caller may update the runner
	// Projects holds the projects the runner serves that the caller can see.
	// It is nil when the server left the key out (include_projects=false) and
	// empty, not nil, when the runner serves none.
	Projects []Project `json:"projects"`
	Groups   []Group   `json:"groups"` // the owning group of a group runner, else empty
}

// RunnerManager is one host running a runner, identified by its system ID.
type RunnerManager struct {
	ID                 int64              `json:"id"`
	SystemID           string             `json:"system_id"` // "<legacy>" for contacts made without a system ID
	Version            *string            `json:"version"`
	Revision           *string            `json:"revision"`
	Platform           *string            `json:"platform"`
	Architecture       *string            `json:"architecture"`
	CreatedAt          time.Time          `json:"created_at"`
	ContactedAt        *time.Time         `json:"contacted_at"`
	IPAddress          *string            `json:"ip_address"`
	Status             RunnerStatus       `json:"status"` // never Paused
	JobExecutionStatus JobExecutionStatus `json:"job_execution_status"`
}

// RunnerRegistration is a runner just created, registered or verified, with
// its authentication token.
type RunnerRegistration struct {
	ID             int64      `json:"id"`
	Token          Secret     `json:"token"`
	TokenExpiresAt *time.Time `json:"token_expires_at"` // nil when the token does not expire
}

// Token is a token returned by a reset. TokenExpiresAt is nil for
// registration tokens, which never expire, and for authentication tokens
// without an expiry.
type Token struct {
	Token          Secret     `json:"token"`
	TokenExpiresAt *time.Time `json:"token_expires_at"`
}

// RunnerJob is a job that runs or ran on a runner.
type RunnerJob struct {
	ID             int64           `json:"id"`
	Status         JobStatus       `json:"status"`
	Stage          string          `json:"stage"`
	Name           string          `json:"name"`
	Ref            string          `json:"ref"` // branch or tag name
	Tag            bool            `json:"tag"` // Ref names a tag
	Coverage       *float64        `json:"coverage"`
	AllowFailure   bool            `json:"allow_failure"`
	CreatedAt      time.Time       `json:"created_at"`
	StartedAt      *time.Time      `json:"started_at"`
	FinishedAt     *time.Time      `json:"finished_at"`
	ErasedAt       *time.Time      `json:"erased_at"`
	Duration       *float64        `json:"duration"`        // seconds running; grows while the job runs
	QueuedDuration *float64        `json:"queued_duration"` // seconds queued
	User           *User           `json:"user"`            // who triggered the job
	Commit         *Commit         `json:"commit"`
	Pipeline       Pipeline        `json:"pipeline"`
	FailureReason  string          `json:"failure_reason"` // sent only for failed jobs, e.g. "script_failure"
	WebURL         string          `json:"web_url"`
	Project        ProjectIdentity `json:"project"`
}

// Commit is the commit a job ran on.
type Commit struct {
	ID               string              `json:"id"` // full SHA
	ShortID          string              `json:"short_id"`
	CreatedAt        time.Time           `json:"created_at"`
	ParentIDs        []string            `json:"parent_ids"`
	Title            string              `json:"title"`
	Message          string              `json:"message"`
	AuthorName       string              `json:"author_name"`
	AuthorEmail      string              `json:"author_email"`
	AuthoredDate     time.Time           `json:"authored_date"`
	CommitterName    string              `json:"committer_name"`
	CommitterEmail   string              `json:"committer_email"`
	CommittedDate    time.Time           `json:"committed_date"`
	Trailers         map[string]string   `json:"trailers"`          // one value per trailer key
	ExtendedTrailers map[string][]string `json:"extended_trailers"` // every value of each trailer key
	WebURL           string              `json:"web_url"`
}

// Pipeline is the pipeline a job belongs to (GitLab's PipelineBasic).
type Pipeline struct {
	ID        int64  `json:"id"`
	IID       int64  `json:"iid"` // number within the project
	ProjectID int64  `json:"project_id"`
	SHA       string `json:"sha"`
	Ref       string `json:"ref"`
	// Status uses the job status type: GitLab computes pipeline and job
	// statuses from the same set of values.
	Status    JobStatus `json:"status"`
	Source    string    `json:"source"` // what started it, e.g. "push", "schedule"
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	WebURL    string    `json:"web_url"`
}

// ProjectIdentity names a project: the project of a job.
type ProjectIdentity struct {
	ID                int64     `json:"id"`
	Description       *string   `json:"description"`
	Name              string    `json:"name"`
	NameWithNamespace string    `json:"name_with_namespace"`
	Path              string    `json:"path"`
	PathWithNamespace string    `json:"path_with_namespace"`
	CreatedAt         time.Time `json:"created_at"`
}

// Project is a project a runner serves (GitLab's BasicProjectDetails). The
// keys custom_attributes, license and license_url are not modelled: runner
// endpoints never ask for them.
type Project struct {
	ProjectIdentity

	DefaultBranch *string `json:"default_branch"` // absent unless the caller can read the code
	// TagList is an alias of Topics.
	//
	// Deprecated: use Topics.
	TagList           []string  `json:"tag_list"`
	Topics            []string  `json:"topics"`
	SSHURLToRepo      string    `json:"ssh_url_to_repo"`
	HTTPURLToRepo     string    `json:"http_url_to_repo"`
	WebURL            string    `json:"web_url"`
	ReadmeURL         *string   `json:"readme_url"`  // absent unless the caller can read the code
	ForksCount        int64     `json:"forks_count"` // absent unless the caller can read the code
	AvatarURL         *string   `json:"avatar_url"`
	StarCount         int64     `json:"star_count"`
	LastActivityAt    time.Time `json:"last_activity_at"`
	Namespace         Namespace `json:"namespace"`
	RepositoryStorage string    `json:"repository_storage"` // sent only to callers who may move storage
}

// Namespace is the group or user namespace a project lives in.
type Namespace struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Path      string  `json:"path"`
	Kind      string  `json:"kind"` // "group" or "user"
	FullPath  string  `json:"full_path"`
	ParentID  *int64  `json:"parent_id"` // nil for a top-level namespace
	AvatarURL *string `json:"avatar_url"`
	WebURL    string  `json:"web_url"`
}

// Group is the group that owns a group runner (GitLab's BasicGroupDetails).
type Group struct {
	ID     int64  `json:"id"`
	WebURL string `json:"web_url"`
	Name   string `json:"name"`
}

// UserBasic is the user who created a runner. The conditional keys
// avatar_path and custom_attributes are not modelled: runner endpoints do
// not send them.
type UserBasic struct {
	ID          int64   `json:"id"`
	Username    string  `json:"username"`
	PublicEmail *string `json:"public_email"`
	Name        string  `json:"name"`
	State       string  `json:"state"` // "active", "blocked", ...
	Locked      bool    `json:"locked"`
	AvatarURL   *string `json:"avatar_url"`
	WebURL      string  `json:"web_url"`
}

// User is the user who triggered a job: UserBasic plus the public profile.
// The profile keys change across GitLab versions and with what the caller
// may read, so any of them may be absent and left zero.
type User struct {
	UserBasic

	CreatedAt       time.Time `json:"created_at"` // absent unless the caller may read the profile
	Bio             string    `json:"bio"`
	Location        *string   `json:"location"`
	Linkedin        string    `json:"linkedin"`
	Twitter         string    `json:"twitter"`
	Discord         string    `json:"discord"`
	Github          string    `json:"github"`
	WebsiteURL      string    `json:"website_url"`
	Organization    *string   `json:"organization"`
	JobTitle        string    `json:"job_title"`
	Pronouns        *string   `json:"pronouns"`
	Bot             bool      `json:"bot"`
	WorkInformation *string   `json:"work_information"`
	Followers       int64     `json:"followers"`   // absent when the user hides follows
	Following       int64     `json:"following"`   // absent when the user hides follows
	IsFollowed      bool      `json:"is_followed"` // absent when the user hides follows
	LocalTime       *string   `json:"local_time"`  // e.g. "12:35 PM"

	// Skype is sent only by older servers.
	//
	// Deprecated: GitLab dropped the field; newer servers leave it out.
	Skype string `json:"skype"`
	// BioHTML is sent only by older servers.
	//
	// Deprecated: use Bio.
	BioHTML string `json:"bio_html"`
}

func (*RunnerRegistration) carriesSecret() {}
func (*Token) carriesSecret()              {}
