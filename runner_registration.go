package glrunners

import (
	"context"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"
)

// maxRunnerNameLength is GitLab's limit on the name a runner reports.
const maxRunnerNameLength = 256

// CreateRunnerOptions describes a runner to create with Create. RunnerType
// is required, with GroupID for a group runner and ProjectID for a project
// runner (and neither for an instance runner). Zero-valued fields are not
// sent and GitLab applies its defaults.
type CreateRunnerOptions struct {
	RunnerType  RunnerType  `json:"runner_type"`
	GroupID     int64       `json:"group_id,omitempty"`
	ProjectID   int64       `json:"project_id,omitempty"`
	Description string      `json:"description,omitempty"`
	Paused      *bool       `json:"paused,omitempty"`       // default false
	Locked      *bool       `json:"locked,omitempty"`       // default false
	RunUntagged *bool       `json:"run_untagged,omitempty"` // default true; false needs TagList
	TagList     []string    `json:"tag_list,omitempty"`
	AccessLevel AccessLevel `json:"access_level,omitempty"`
	// MaximumTimeout is in seconds, at least 600.
	MaximumTimeout  *int64 `json:"maximum_timeout,omitempty"`
	MaintenanceNote string `json:"maintenance_note,omitempty"`
	// TokenExpiresAt sets when the first authentication token expires,
	// 5 minutes to 15 days ahead within the configured limits (GitLab 18,
	// Premium; other servers ignore it).
	TokenExpiresAt *time.Time `json:"token_expires_at,omitempty"`
	// TokenRotationDeadline is when rotating the token stops being allowed.
	// It needs TokenExpiresAt and must not be after it; equal to it, it
	// disables rotation (GitLab 18, Premium).
	TokenRotationDeadline *time.Time `json:"token_rotation_deadline,omitempty"`
}

func (o *CreateRunnerOptions) validate() error {
	if o == nil || o.RunnerType == "" {
		return invalidArg("runner_type", "is required")
	}
	if err := firstError(
		checkEnum("runner_type", o.RunnerType),
		checkOwnerIDs(o.RunnerType, o.GroupID, o.ProjectID),
		checkText("description", o.Description),
		checkTags(o.TagList),
		checkUntagged(o.RunUntagged, o.TagList),
		checkEnum("access_level", o.AccessLevel),
		checkMaximumTimeout(o.MaximumTimeout),
		checkText("maintenance_note", o.MaintenanceNote),
	); err != nil {
		return err
	}
	exp, deadline := o.TokenExpiresAt, o.TokenRotationDeadline
	switch {
	case exp != nil && exp.IsZero():
		return invalidArg("token_expires_at", "is the zero time")
	case deadline == nil:
		return nil
	case exp == nil:
		return invalidArg("token_rotation_deadline", "needs TokenExpiresAt")
	case deadline.After(*exp):
		return invalidArg("token_rotation_deadline", "must not be after TokenExpiresAt")
	}
	return nil
}

// checkOwnerIDs checks that the group or project ID is there exactly when
// the runner type needs it.
func checkOwnerIDs(t RunnerType, groupID, projectID int64) error {
	switch t {
	case GroupType:
		if projectID != 0 {
			return invalidArg("project_id", "must not be set for a group runner")
		}
		return checkPositive("group_id", groupID)
	case ProjectType:
		if groupID != 0 {
			return invalidArg("group_id", "must not be set for a project runner")
		}
		return checkPositive("project_id", projectID)
	}
	switch {
	case groupID != 0:
		return invalidArg("group_id", fmt.Sprintf("must not be set for runner type %q", string(t)))
	case projectID != 0:
		return invalidArg("project_id", fmt.Sprintf("must not be set for runner type %q", string(t)))
	}
	return nil
}

// checkUntagged refuses a new runner that may run no job at all: one that
// must not pick untagged jobs and has no tags (GitLab answers 400).
func checkUntagged(runUntagged *bool, tags []string) error {
	if runUntagged != nil && !*runUntagged && len(tags) == 0 {
		return invalidArg("run_untagged", "false needs a non-empty TagList")
	}
	return nil
}

// Create creates a runner owned by the caller's instance, group or project
// and returns its authentication token ("glrt-..."), which cannot be read
// again: store it before anything else. It is the supported replacement of
// Register. A failure that matches ErrOutcomeUnknown may have created the
// runner; it is not retried unless WithRetryNonIdempotent is given.
// CreateOnce does that reconciling for you, and FindCreated lists what a
// lost Create may have made.
//
// GitLab API docs: https://docs.gitlab.com/api/users/#create-a-runner-linked-to-a-user
//
// GitLab API: POST /user/runners
func (s *RunnersService) Create(ctx context.Context, opt *CreateRunnerOptions, opts ...RequestOption) (*RunnerRegistration, *Response, error) {
	if err := opt.validate(); err != nil {
		return nil, nil, err
	}
	return getOne[RunnerRegistration](ctx, s.client, http.MethodPost, "user/runners", nil, opt, opts)
}

// RunnerInfo is what a registering runner says about itself. GitLab keeps
// Name on the runner; the other fields reach its manager once the runner
// makes contact.
type RunnerInfo struct {
	Name         string `json:"name,omitempty"`
	Version      string `json:"version,omitempty"`
	Revision     string `json:"revision,omitempty"`
	Platform     string `json:"platform,omitempty"`
	Architecture string `json:"architecture,omitempty"`
}

// RegisterRunnerOptions describes a runner to register with a registration
// token. Zero-valued fields are not sent.
type RegisterRunnerOptions struct {
	// Token is the instance, group or project registration token; it
	// decides the runner's type. It travels in the request body only.
	Token       Secret      `json:"token"`
	Description string      `json:"description,omitempty"`
	Info        *RunnerInfo `json:"info,omitempty"`

	// Active is the negation of Paused; it cannot be set with Paused.
	//
	// Deprecated: use Paused.
	Active *bool `json:"active,omitempty"`

	Paused      *bool       `json:"paused,omitempty"`
	Locked      *bool       `json:"locked,omitempty"` // true: locked to the current project
	RunUntagged *bool       `json:"run_untagged,omitempty"`
	TagList     []string    `json:"tag_list,omitempty"`
	AccessLevel AccessLevel `json:"access_level,omitempty"`
	// MaximumTimeout is in seconds, at least 600.
	MaximumTimeout *int64 `json:"maximum_timeout,omitempty"`

	// MaintainerNote is the old name of MaintenanceNote; it cannot be set
	// with MaintenanceNote.
	//
	// Deprecated: use MaintenanceNote.
	MaintainerNote  string `json:"maintainer_note,omitempty"`
	MaintenanceNote string `json:"maintenance_note,omitempty"`
}

func (o *RegisterRunnerOptions) validate() error {
	if o == nil {
		return invalidArg("token", "is empty")
	}
	switch {
	case o.Active != nil && o.Paused != nil:
		return invalidArg("active", "is deprecated and mutually exclusive with paused: set only Paused")
	case o.MaintainerNote != "" && o.MaintenanceNote != "":
		return invalidArg("maintainer_note", "is deprecated and mutually exclusive with maintenance_note: set only MaintenanceNote")
	case o.Info != nil && utf8.RuneCountInString(o.Info.Name) > maxRunnerNameLength:
		return invalidArg("info[name]", fmt.Sprintf("is longer than %d characters", maxRunnerNameLength))
	}
	return firstError(
		checkToken("token", o.Token),
		checkText("description", o.Description),
		checkTags(o.TagList),
		checkUntagged(o.RunUntagged, o.TagList),
		checkEnum("access_level", o.AccessLevel),
		checkMaximumTimeout(o.MaximumTimeout),
		checkText("maintainer_note", o.MaintainerNote),
		checkText("maintenance_note", o.MaintenanceNote),
	)
}

// registerBody is the body of Register: every field of the options, with
// the token revealed. Its Token shadows the embedded one, which would
// marshal redacted.
type registerBody struct {
	*RegisterRunnerOptions
	Token string `json:"token"`
}

func (b registerBody) secretValues() []string { return []string{b.Token} }

// Register creates a runner with a registration token, the legacy workflow
// (registration tokens are disabled by default since GitLab 17.0: use
// Create). No user credential is sent. GitLab answers 403 to an unknown
// token and 410 (ErrGone) when registration with registration tokens is
// disabled; an unknown token may get 410 too. A failure that matches
// ErrOutcomeUnknown may have created the runner.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#create-a-runner
//
// GitLab API: POST /runners
func (s *RunnersService) Register(ctx context.Context, opt *RegisterRunnerOptions, opts ...RequestOption) (*RunnerRegistration, *Response, error) {
	if err := opt.validate(); err != nil {
		return nil, nil, err
	}
	body := registerBody{RegisterRunnerOptions: opt, Token: opt.Token.Reveal()}
	return getOne[RunnerRegistration](ctx, s.client, http.MethodPost, "runners", nil, body, withRunnerToken(opts))
}

// VerifyRunnerOptions names the runner credentials to verify.
type VerifyRunnerOptions struct {
	Token Secret `json:"token"` // the runner authentication token
	// SystemID identifies the host; it is required for the token of a
	// created runner ("glrt-..."), whose hosts each become a manager.
	SystemID string `json:"system_id,omitempty"`
}

func (o *VerifyRunnerOptions) validate() error {
	if o == nil {
		return invalidArg("token", "is empty")
	}
	if err := firstError(checkToken("token", o.Token), checkSystemID(o.SystemID)); err != nil {
		return err
	}
	if o.SystemID == "" && isCreatedRunnerToken(o.Token) {
		return invalidArg("system_id", "is required with the token of a created runner (glrt-)")
	}
	return nil
}

// Verify checks a runner authentication token and returns the runner it
// belongs to. The call counts as contact from the runner and, with a
// SystemID, creates or refreshes that manager. No user credential is sent.
// GitLab answers 403 to an unknown or expired token and 422 when the
// runner's project or group no longer exists.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#verify-authentication-for-a-registered-runner
//
// GitLab API: POST /runners/verify
func (s *RunnersService) Verify(ctx context.Context, opt *VerifyRunnerOptions, opts ...RequestOption) (*RunnerRegistration, *Response, error) {
	if err := opt.validate(); err != nil {
		return nil, nil, err
	}
	body := tokenBody{Token: opt.Token.Reveal(), SystemID: opt.SystemID}
	return getOne[RunnerRegistration](ctx, s.client, http.MethodPost, "runners/verify", nil, body, withRunnerToken(opts))
}

// DeleteByToken deletes the runner that token authenticates. No user
// credential is sent; the token travels in the body. GitLab answers 403 to
// an unknown or expired token.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#delete-a-runner-by-authentication-token
//
// GitLab API: DELETE /runners
func (s *RunnersService) DeleteByToken(ctx context.Context, token Secret, opts ...RequestOption) (*Response, error) {
	if err := checkToken("token", token); err != nil {
		return nil, err
	}
	return s.client.call(ctx, http.MethodDelete, "runners", nil, tokenBody{Token: token.Reveal()}, nil, withRunnerToken(opts)...)
}

// DeleteManager deletes one manager (host) of the runner that token
// authenticates, as gitlab-runner does on unregister. The runner itself
// stays. No user credential is sent.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#delete-a-runner-manager
//
// GitLab API: DELETE /runners/managers
func (s *RunnersService) DeleteManager(ctx context.Context, token Secret, systemID string, opts ...RequestOption) (*Response, error) {
	if err := checkToken("token", token); err != nil {
		return nil, err
	}
	if systemID == "" {
		return nil, invalidArg("system_id", "is required")
	}
	if err := checkSystemID(systemID); err != nil {
		return nil, err
	}
	body := tokenBody{Token: token.Reveal(), SystemID: systemID}
	return s.client.call(ctx, http.MethodDelete, "runners/managers", nil, body, nil, withRunnerToken(opts)...)
}
