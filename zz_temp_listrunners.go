package glrunners

// TEMPORARY: a copy of ListRunnersOptions and RunnerScope from runners.go
// (written in another worktree), so that this worktree compiles. Deleted at
// merge time; nothing else belongs in this file.

import "slices"

// RunnerScope is the deprecated scope filter of the list endpoints.
type RunnerScope string

// Runner scopes.
const (
	ScopeSpecific       RunnerScope = "specific"
	ScopeShared         RunnerScope = "shared"
	ScopeInstanceType   RunnerScope = "instance_type"
	ScopeGroupType      RunnerScope = "group_type"
	ScopeProjectType    RunnerScope = "project_type"
	ScopeActive         RunnerScope = "active"
	ScopePaused         RunnerScope = "paused"
	ScopeOnline         RunnerScope = "online"
	ScopeOffline        RunnerScope = "offline"
	ScopeNeverContacted RunnerScope = "never_contacted"
	ScopeStale          RunnerScope = "stale"
)

// Valid reports whether s is a scope GitLab knows.
func (s RunnerScope) Valid() bool {
	return slices.Contains([]RunnerScope{
		ScopeSpecific, ScopeShared, ScopeInstanceType, ScopeGroupType, ScopeProjectType,
		ScopeActive, ScopePaused, ScopeOnline, ScopeOffline, ScopeNeverContacted, ScopeStale,
	}, s)
}

// ListRunnersOptions filters runner lists. Zero-valued fields are not sent.
type ListRunnersOptions struct {
	ListOptions

	// Deprecated: use Type, Status and Paused.
	Scope RunnerScope `url:"scope,omitempty"`

	Type          RunnerType   `url:"type,omitempty"`
	Status        RunnerStatus `url:"status,omitempty"`
	Paused        *bool        `url:"paused,omitempty"`
	TagList       []string     `url:"tag_list,comma,omitempty"`
	VersionPrefix string       `url:"version_prefix,omitempty"`
}

func (o *ListRunnersOptions) validate(allowFullScope bool) error {
	if o == nil {
		return nil
	}
	scopeErr := checkEnum("scope", o.Scope)
	if scopeErr == nil && !allowFullScope && o.Scope != "" && !slices.Contains([]RunnerScope{
		ScopeActive, ScopePaused, ScopeOnline, ScopeOffline, ScopeNeverContacted, ScopeStale,
	}, o.Scope) {
		scopeErr = invalidArg("scope", "only active, paused, online, offline, never_contacted and stale filter here")
	}
	return firstError(
		scopeErr,
		checkEnum("type", o.Type),
		checkEnum("status", o.Status),
		checkTags(o.TagList),
		checkVersionPrefix(o.VersionPrefix),
	)
}
