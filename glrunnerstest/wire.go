package glrunnerstest

import (
	"time"
)

// Wire structs: the JSON GitLab sends. They are deliberately
// separate from the SDK's types.

// wireTime marshals as ISO-8601 UTC with milliseconds.
type wireTime time.Time

func (t wireTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z") + `"`), nil
}

func wt(t time.Time) wireTime { return wireTime(t) }

func wtp(t *time.Time) *wireTime {
	if t == nil {
		return nil
	}
	w := wireTime(*t)
	return &w
}

func strOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type wireUserBasic struct {
	ID          int64   `json:"id"`
	Username    string  `json:"username"`
	PublicEmail *string `json:"public_email"`
	Name        string  `json:"name"`
	State       string  `json:"state"`
	Locked      bool    `json:"locked"`
	AvatarURL   *string `json:"avatar_url"`
	WebURL      string  `json:"web_url"`
}

type wireUser struct {
	wireUserBasic
	CreatedAt       wireTime `json:"created_at"`
	Bio             string   `json:"bio"`
	Location        *string  `json:"location"`
	Linkedin        string   `json:"linkedin"`
	Twitter         string   `json:"twitter"`
	Discord         string   `json:"discord"`
	Github          string   `json:"github"`
	WebsiteURL      string   `json:"website_url"`
	Organization    *string  `json:"organization"`
	JobTitle        string   `json:"job_title"`
	Pronouns        *string  `json:"pronouns"`
	Bot             bool     `json:"bot"`
	WorkInformation *string  `json:"work_information"`
	Followers       int      `json:"followers"`
	Following       int      `json:"following"`
	IsFollowed      bool     `json:"is_followed"`
	LocalTime       *string  `json:"local_time"`
}

type wireRunner struct {
	ID                 int64          `json:"id"`
	Description        *string        `json:"description"`
	IPAddress          *string        `json:"ip_address"`
	Active             bool           `json:"active"`
	Paused             bool           `json:"paused"`
	IsShared           bool           `json:"is_shared"`
	RunnerType         string         `json:"runner_type"`
	Name               *string        `json:"name"`
	Online             *bool          `json:"online"`
	CreatedBy          *wireUserBasic `json:"created_by,omitempty"`
	CreatedAt          wireTime       `json:"created_at"`
	Status             string         `json:"status"`
	JobExecutionStatus string         `json:"job_execution_status"`
}

type wireRunnerDetails struct {
	wireRunner
	TagList         []string           `json:"tag_list"`
	RunUntagged     bool               `json:"run_untagged"`
	Locked          bool               `json:"locked"`
	MaximumTimeout  *int64             `json:"maximum_timeout"`
	AccessLevel     string             `json:"access_level"`
	Version         *string            `json:"version"`
	Revision        *string            `json:"revision"`
	Platform        *string            `json:"platform"`
	Architecture    *string            `json:"architecture"`
	ContactedAt     *wireTime          `json:"contacted_at"`
	MaintenanceNote *string            `json:"maintenance_note"`
	Projects        *[]wireProject     `json:"projects,omitempty"`
	Groups          []wireGroupDetails `json:"groups"`
}

type wireManager struct {
	ID                 int64     `json:"id"`
	SystemID           string    `json:"system_id"`
	Version            *string   `json:"version"`
	Revision           *string   `json:"revision"`
	Platform           *string   `json:"platform"`
	Architecture       *string   `json:"architecture"`
	CreatedAt          wireTime  `json:"created_at"`
	ContactedAt        *wireTime `json:"contacted_at"`
	IPAddress          *string   `json:"ip_address"`
	Status             string    `json:"status"`
	JobExecutionStatus string    `json:"job_execution_status"`
}

type wireRegistration struct {
	ID             int64     `json:"id"`
	Token          string    `json:"token"`
	TokenExpiresAt *wireTime `json:"token_expires_at"`
}

type wireRunnerToken struct {
	Token          string    `json:"token"`
	TokenExpiresAt *wireTime `json:"token_expires_at"`
}

type wireRegToken struct {
	Token string `json:"token"`
}

type wireProjectIdentity struct {
	ID                int64    `json:"id"`
	Description       *string  `json:"description"`
	Name              string   `json:"name"`
	NameWithNamespace string   `json:"name_with_namespace"`
	Path              string   `json:"path"`
	PathWithNamespace string   `json:"path_with_namespace"`
	CreatedAt         wireTime `json:"created_at"`
}

type wireNamespace struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Path      string  `json:"path"`
	Kind      string  `json:"kind"`
	FullPath  string  `json:"full_path"`
	ParentID  *int64  `json:"parent_id"`
	AvatarURL *string `json:"avatar_url"`
	WebURL    string  `json:"web_url"`
}

type wireProject struct {
	wireProjectIdentity
	DefaultBranch  string        `json:"default_branch"`
	TagList        []string      `json:"tag_list"`
	Topics         []string      `json:"topics"`
	SSHURLToRepo   string        `json:"ssh_url_to_repo"`
	HTTPURLToRepo  string        `json:"http_url_to_repo"`
	WebURL         string        `json:"web_url"`
	ReadmeURL      *string       `json:"readme_url"`
	ForksCount     int           `json:"forks_count"`
	AvatarURL      *string       `json:"avatar_url"`
	StarCount      int           `json:"star_count"`
	LastActivityAt wireTime      `json:"last_activity_at"`
	Namespace      wireNamespace `json:"namespace"`
}

type wireGroupDetails struct {
	ID     int64  `json:"id"`
	WebURL string `json:"web_url"`
	Name   string `json:"name"`
}

type wireCommit struct {
	ID               string              `json:"id"`
	ShortID          string              `json:"short_id"`
	CreatedAt        wireTime            `json:"created_at"`
	ParentIDs        []string            `json:"parent_ids"`
	Title            string              `json:"title"`
	Message          string              `json:"message"`
	AuthorName       string              `json:"author_name"`
	AuthorEmail      string              `json:"author_email"`
	AuthoredDate     wireTime            `json:"authored_date"`
	CommitterName    string              `json:"committer_name"`
	CommitterEmail   string              `json:"committer_email"`
	CommittedDate    wireTime            `json:"committed_date"`
	Trailers         map[string]string   `json:"trailers"`
	ExtendedTrailers map[string][]string `json:"extended_trailers"`
	WebURL           string              `json:"web_url"`
}

type wirePipeline struct {
	ID        int64    `json:"id"`
	IID       int64    `json:"iid"`
	ProjectID int64    `json:"project_id"`
	SHA       string   `json:"sha"`
	Ref       string   `json:"ref"`
	Status    string   `json:"status"`
	Source    string   `json:"source"`
	CreatedAt wireTime `json:"created_at"`
	UpdatedAt wireTime `json:"updated_at"`
	WebURL    string   `json:"web_url"`
}

type wireJob struct {
	ID             int64               `json:"id"`
	Status         string              `json:"status"`
	Stage          string              `json:"stage"`
	Name           string              `json:"name"`
	Ref            string              `json:"ref"`
	Tag            bool                `json:"tag"`
	Coverage       *float64            `json:"coverage"`
	AllowFailure   bool                `json:"allow_failure"`
	CreatedAt      wireTime            `json:"created_at"`
	StartedAt      *wireTime           `json:"started_at"`
	FinishedAt     *wireTime           `json:"finished_at"`
	ErasedAt       *wireTime           `json:"erased_at"`
	Duration       *float64            `json:"duration"`
	QueuedDuration *float64            `json:"queued_duration"`
	User           *wireUser           `json:"user"`
	Commit         *wireCommit         `json:"commit"`
	Pipeline       wirePipeline        `json:"pipeline"`
	FailureReason  *string             `json:"failure_reason,omitempty"`
	WebURL         string              `json:"web_url"`
	Project        wireProjectIdentity `json:"project"`
}
