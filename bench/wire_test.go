package bench

import "time"

// The raw contender's structs. They carry every field of spec §4.1 (list
// items) and §4.2 (details), with nullable fields as pointers, so raw decodes
// the same work glrunners does. They are the bench's own rather than the
// SDK's types on purpose: a baseline must not change when the SDK's types
// gain decoding methods. The server also serializes its pages from them, and
// TestFixtures_carryEveryField checks each key against these tags.

type rawUser struct {
	ID          int64   `json:"id"`
	Username    string  `json:"username"`
	PublicEmail *string `json:"public_email"`
	Name        string  `json:"name"`
	State       string  `json:"state"`
	Locked      bool    `json:"locked"`
	AvatarURL   *string `json:"avatar_url"`
	WebURL      string  `json:"web_url"`
}

type rawRunner struct {
	ID                 int64     `json:"id"`
	Description        *string   `json:"description"`
	IPAddress          *string   `json:"ip_address"`
	Active             bool      `json:"active"`
	Paused             bool      `json:"paused"`
	IsShared           bool      `json:"is_shared"`
	RunnerType         string    `json:"runner_type"`
	Name               *string   `json:"name"`
	Online             *bool     `json:"online"`
	CreatedBy          *rawUser  `json:"created_by"`
	CreatedAt          time.Time `json:"created_at"`
	Status             string    `json:"status"`
	JobExecutionStatus string    `json:"job_execution_status"`
}

type rawRunnerDetails struct {
	rawRunner
	TagList         []string     `json:"tag_list"`
	RunUntagged     bool         `json:"run_untagged"`
	Locked          bool         `json:"locked"`
	MaximumTimeout  *int64       `json:"maximum_timeout"`
	AccessLevel     string       `json:"access_level"`
	Version         *string      `json:"version"`
	Revision        *string      `json:"revision"`
	Platform        *string      `json:"platform"`
	Architecture    *string      `json:"architecture"`
	ContactedAt     *time.Time   `json:"contacted_at"`
	MaintenanceNote *string      `json:"maintenance_note"`
	Projects        []rawProject `json:"projects"`
	Groups          []rawGroup   `json:"groups"`
}

type rawProject struct {
	ID                int64        `json:"id"`
	Description       *string      `json:"description"`
	Name              string       `json:"name"`
	NameWithNamespace string       `json:"name_with_namespace"`
	Path              string       `json:"path"`
	PathWithNamespace string       `json:"path_with_namespace"`
	CreatedAt         time.Time    `json:"created_at"`
	DefaultBranch     *string      `json:"default_branch"`
	TagList           []string     `json:"tag_list"`
	Topics            []string     `json:"topics"`
	SSHURLToRepo      string       `json:"ssh_url_to_repo"`
	HTTPURLToRepo     string       `json:"http_url_to_repo"`
	WebURL            string       `json:"web_url"`
	ReadmeURL         *string      `json:"readme_url"`
	ForksCount        int64        `json:"forks_count"`
	AvatarURL         *string      `json:"avatar_url"`
	StarCount         int64        `json:"star_count"`
	LastActivityAt    time.Time    `json:"last_activity_at"`
	Namespace         rawNamespace `json:"namespace"`
}

type rawNamespace struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Path      string  `json:"path"`
	Kind      string  `json:"kind"`
	FullPath  string  `json:"full_path"`
	ParentID  *int64  `json:"parent_id"`
	AvatarURL *string `json:"avatar_url"`
	WebURL    string  `json:"web_url"`
}

type rawGroup struct {
	ID     int64  `json:"id"`
	WebURL string `json:"web_url"`
	Name   string `json:"name"`
}

// rawError is GitLab's error body in its common shapes (spec §7).
type rawError struct {
	Message any    `json:"message"`
	Error   string `json:"error"`
}
