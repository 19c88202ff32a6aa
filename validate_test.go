package glrunners

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunnersValidation_lists(t *testing.T) {
	t.Parallel()
	checkRefused(t, []refusedCall{
		{"List: type-like scope specific", "scope", callList(&ListRunnersOptions{Scope: ScopeSpecific})},
		{"List: scope shared", "scope", callList(&ListRunnersOptions{Scope: ScopeShared})},
		{"List: scope instance_type", "scope", callList(&ListRunnersOptions{Scope: ScopeInstanceType})},
		{"List: scope group_type", "scope", callList(&ListRunnersOptions{Scope: ScopeGroupType})},
		{"List: scope project_type", "scope", callList(&ListRunnersOptions{Scope: ScopeProjectType})},
		{"List: unknown scope", "scope", callList(&ListRunnersOptions{Scope: "everything"})},
		{"ListAll: unknown scope", "scope", callListAll(&ListRunnersOptions{Scope: "everything"})},
		{"List: unknown type", "type", callList(&ListRunnersOptions{Type: "shared"})},
		{"ListAll: unknown status", "status", callListAll(&ListRunnersOptions{Status: "busy"})},
		{"List: 51 tags", "tag_list", callList(&ListRunnersOptions{TagList: tooManyTags})},
		{"List: empty tag", "tag_list", callList(&ListRunnersOptions{TagList: []string{"a", " "}})},
		{"List: tag with comma", "tag_list", callList(&ListRunnersOptions{TagList: []string{"a,b"}})},
		{"List: version prefix", "version_prefix", callList(&ListRunnersOptions{VersionPrefix: "v17"})},
		{"List: negative page", "page", callList(&ListRunnersOptions{ListOptions: ListOptions{Page: -1}})},
		{"ListAll: negative per_page", "per_page", callListAll(&ListRunnersOptions{ListOptions: ListOptions{PerPage: -5}})},
		{"Get: zero id", "id", func(ctx context.Context, c *Client) error {
			_, _, err := c.Runners.Get(ctx, 0, nil)
			return err
		}},
		{"Delete: negative id", "id", func(ctx context.Context, c *Client) error {
			_, err := c.Runners.Delete(ctx, -1)
			return err
		}},
		{"Pause: zero id", "id", func(ctx context.Context, c *Client) error {
			_, _, err := c.Runners.Pause(ctx, 0)
			return err
		}},
		{"Unpause: zero id", "id", func(ctx context.Context, c *Client) error {
			_, _, err := c.Runners.Unpause(ctx, 0)
			return err
		}},
		{"ListManagers: zero id", "id", func(ctx context.Context, c *Client) error {
			_, _, err := c.Runners.ListManagers(ctx, 0)
			return err
		}},
		{"ListProjects: zero id", "id", func(ctx context.Context, c *Client) error {
			_, _, err := c.Runners.ListProjects(ctx, 0, nil)
			return err
		}},
		{"ListProjects: negative page", "page", func(ctx context.Context, c *Client) error {
			_, _, err := c.Runners.ListProjects(ctx, 1, &ListOptions{Page: -2})
			return err
		}},
	})
}

func TestRunnersValidation_listAllAcceptsEveryScope(t *testing.T) {
	t.Parallel()
	for _, s := range []RunnerScope{ScopeSpecific, ScopeShared, ScopeInstanceType, ScopeGroupType, ScopeProjectType,
		ScopeActive, ScopePaused, ScopeOnline, ScopeOffline, ScopeNeverContacted, ScopeStale} {
		assert.True(t, s.Valid(), s)
		assert.NoError(t, (&ListRunnersOptions{Scope: s}).validate(true), s)
	}
	for _, s := range []RunnerScope{ScopeActive, ScopePaused, ScopeOnline, ScopeOffline, ScopeNeverContacted, ScopeStale} {
		assert.NoError(t, (&ListRunnersOptions{Scope: s}).validate(false), s)
	}
	var nilOpts *ListRunnersOptions
	assert.NoError(t, nilOpts.validate(false))
	assert.Equal(t, []RunnerScope{"specific", "shared", "instance_type", "group_type", "project_type", "active",
		"paused", "online", "offline", "never_contacted", "stale"},
		[]RunnerScope{ScopeSpecific, ScopeShared, ScopeInstanceType, ScopeGroupType, ScopeProjectType,
			ScopeActive, ScopePaused, ScopeOnline, ScopeOffline, ScopeNeverContacted, ScopeStale})
}

func TestRunnersValidation_update(t *testing.T) {
	t.Parallel()
	checkRefused(t, []refusedCall{
		{"zero id", "id", callUpdate(0, &UpdateRunnerOptions{Locked: Ptr(true)})},
		{"nil options", "UpdateRunnerOptions", callUpdate(1, nil)},
		{"no field", "UpdateRunnerOptions", callUpdate(1, &UpdateRunnerOptions{})},
		{"active with paused", "active", callUpdate(1, &UpdateRunnerOptions{Active: Ptr(true), Paused: Ptr(false)})},
		{"long description", "description", callUpdate(1, &UpdateRunnerOptions{Description: Ptr(longText)})},
		{"long maintenance note", "maintenance_note", callUpdate(1, &UpdateRunnerOptions{MaintenanceNote: Ptr(longText)})},
		{"51 tags", "tag_list", callUpdate(1, &UpdateRunnerOptions{TagList: tooManyTags})},
		{"empty tag", "tag_list", callUpdate(1, &UpdateRunnerOptions{TagList: []string{""}})},
		{"access level", "access_level", callUpdate(1, &UpdateRunnerOptions{AccessLevel: "protected"})},
		{"timeout 599", "maximum_timeout", callUpdate(1, &UpdateRunnerOptions{MaximumTimeout: Ptr[int64](599)})},
		{"untagged false, tags cleared", "run_untagged",
			callUpdate(1, &UpdateRunnerOptions{RunUntagged: Ptr(false), TagList: []string{}})},
	})
}

func TestRunnersValidation_updateAcceptsLimits(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]UpdateRunnerOptions{
		"1024 characters":  {Description: Ptr(strings.Repeat("é", 1024))},
		"50 tags":          {TagList: tooManyTags[:50]},
		"timeout 600":      {MaximumTimeout: Ptr[int64](600)},
		"untagged + tags":  {RunUntagged: Ptr(false), TagList: []string{"a"}},
		"clear tags alone": {TagList: []string{}},
	} {
		assert.NoError(t, o.validate(), name)
	}
}

func TestRunnersValidation_jobs(t *testing.T) {
	t.Parallel()
	keyset := KeysetOptions{Pagination: PaginationKeyset}
	checkRefused(t, []refusedCall{
		{"zero id", "id", callListJobs(0, nil)},
		{"status", "status", callListJobs(1, &ListRunnerJobsOptions{Status: "done"})},
		{"order_by", "order_by", callListJobs(1, &ListRunnerJobsOptions{OrderBy: "created_at"})},
		{"sort", "sort", callListJobs(1, &ListRunnerJobsOptions{OrderBy: JobOrderByID, Sort: "up"})},
		{"sort without order_by", "sort", callListJobs(1, &ListRunnerJobsOptions{Sort: SortDesc})},
		{"system_id over 64", "system_id", callListJobs(1, &ListRunnerJobsOptions{SystemID: strings.Repeat("s", 65)})},
		{"keyset ascending", "pagination",
			callListJobs(1, &ListRunnerJobsOptions{KeysetOptions: keyset, OrderBy: JobOrderByID, Sort: SortAsc})},
		{"keyset with page", "page", callListJobs(1, &ListRunnerJobsOptions{KeysetOptions: keyset, ListOptions: ListOptions{Page: 2}})},
		{"unknown pagination", "pagination", callListJobs(1, &ListRunnerJobsOptions{KeysetOptions: KeysetOptions{Pagination: "cursor"}})},
		{"cursor without keyset", "cursor", callListJobs(1, &ListRunnerJobsOptions{KeysetOptions: KeysetOptions{Cursor: "abc"}})},
		{"negative per_page", "per_page", callListJobs(1, &ListRunnerJobsOptions{ListOptions: ListOptions{PerPage: -1}})},
	})
	// The orders keyset pages allow.
	for _, o := range []ListRunnerJobsOptions{
		{KeysetOptions: keyset},
		{KeysetOptions: keyset, OrderBy: JobOrderByID},
		{KeysetOptions: keyset, OrderBy: JobOrderByID, Sort: SortDesc},
		{OrderBy: JobOrderByID, Sort: SortAsc},
	} {
		assert.NoError(t, o.validate(), "%+v", o)
	}
}

func TestRunnersValidation_create(t *testing.T) {
	t.Parallel()
	exp := time.Date(2025, 4, 19, 12, 0, 0, 0, time.UTC)
	proj := func(o CreateRunnerOptions) *CreateRunnerOptions {
		o.RunnerType, o.ProjectID = ProjectType, 20815
		return &o
	}
	checkRefused(t, []refusedCall{
		{"nil options", "runner_type", callCreate(nil)},
		{"no runner type", "runner_type", callCreate(&CreateRunnerOptions{ProjectID: 1})},
		{"unknown runner type", "runner_type", callCreate(&CreateRunnerOptions{RunnerType: "specific"})},
		{"group without group_id", "group_id", callCreate(&CreateRunnerOptions{RunnerType: GroupType})},
		{"group with negative group_id", "group_id", callCreate(&CreateRunnerOptions{RunnerType: GroupType, GroupID: -3})},
		{"group with project_id", "project_id",
			callCreate(&CreateRunnerOptions{RunnerType: GroupType, GroupID: 1, ProjectID: 2})},
		{"project without project_id", "project_id", callCreate(&CreateRunnerOptions{RunnerType: ProjectType})},
		{"project with group_id", "group_id", callCreate(&CreateRunnerOptions{RunnerType: ProjectType, ProjectID: 1, GroupID: 2})},
		{"instance with group_id", "group_id", callCreate(&CreateRunnerOptions{RunnerType: InstanceType, GroupID: 2})},
		{"instance with project_id", "project_id", callCreate(&CreateRunnerOptions{RunnerType: InstanceType, ProjectID: 2})},
		{"long description", "description", callCreate(proj(CreateRunnerOptions{Description: longText}))},
		{"long maintenance note", "maintenance_note", callCreate(proj(CreateRunnerOptions{MaintenanceNote: longText}))},
		{"51 tags", "tag_list", callCreate(proj(CreateRunnerOptions{TagList: tooManyTags}))},
		{"untagged false without tags", "run_untagged", callCreate(proj(CreateRunnerOptions{RunUntagged: Ptr(false)}))},
		{"access level", "access_level", callCreate(proj(CreateRunnerOptions{AccessLevel: "all"}))},
		{"timeout", "maximum_timeout", callCreate(proj(CreateRunnerOptions{MaximumTimeout: Ptr[int64](0)}))},
		{"zero expiry", "token_expires_at", callCreate(proj(CreateRunnerOptions{TokenExpiresAt: &time.Time{}}))},
		{"deadline without expiry", "token_rotation_deadline",
			callCreate(proj(CreateRunnerOptions{TokenRotationDeadline: Ptr(exp)}))},
		{"deadline after expiry", "token_rotation_deadline", callCreate(proj(CreateRunnerOptions{
			TokenExpiresAt: Ptr(exp), TokenRotationDeadline: Ptr(exp.Add(time.Second)),
		}))},
	})
	same := proj(CreateRunnerOptions{TokenExpiresAt: Ptr(exp), TokenRotationDeadline: Ptr(exp)})
	assert.NoError(t, same.validate(), "a deadline equal to the expiry disables rotation")
}

func TestRunnersValidation_registration(t *testing.T) {
	t.Parallel()
	reg := func(o RegisterRunnerOptions) *RegisterRunnerOptions {
		o.Token = testRegistrationToken
		return &o
	}
	checkRefused(t, []refusedCall{
		{"Register: nil options", "token", callRegister(nil)},
		{"Register: empty token", "token", callRegister(&RegisterRunnerOptions{Description: "x"})},
		{"Register: blank token", "token", callRegister(&RegisterRunnerOptions{Token: "  "})},
		{"Register: active with paused", "active", callRegister(reg(RegisterRunnerOptions{Active: Ptr(true), Paused: Ptr(true)}))},
		{"Register: both notes", "maintainer_note",
			callRegister(reg(RegisterRunnerOptions{MaintainerNote: "a", MaintenanceNote: "b"}))},
		{"Register: long description", "description", callRegister(reg(RegisterRunnerOptions{Description: longText}))},
		{"Register: long maintainer note", "maintainer_note", callRegister(reg(RegisterRunnerOptions{MaintainerNote: longText}))},
		{"Register: long maintenance note", "maintenance_note",
			callRegister(reg(RegisterRunnerOptions{MaintenanceNote: longText}))},
		{"Register: long info name", "info[name]",
			callRegister(reg(RegisterRunnerOptions{Info: &RunnerInfo{Name: strings.Repeat("n", 257)}}))},
		{"Register: 51 tags", "tag_list", callRegister(reg(RegisterRunnerOptions{TagList: tooManyTags}))},
		{"Register: untagged false without tags", "run_untagged", callRegister(reg(RegisterRunnerOptions{RunUntagged: Ptr(false)}))},
		{"Register: access level", "access_level", callRegister(reg(RegisterRunnerOptions{AccessLevel: "x"}))},
		{"Register: timeout", "maximum_timeout", callRegister(reg(RegisterRunnerOptions{MaximumTimeout: Ptr[int64](60)}))},
		{"Verify: nil options", "token", callVerify(nil)},
		{"Verify: empty token", "token", callVerify(&VerifyRunnerOptions{SystemID: "s_1"})},
		{"Verify: glrt- without system_id", "system_id", callVerify(&VerifyRunnerOptions{Token: testRunnerToken})},
		{"Verify: prefixed glrt- without system_id", "system_id",
			callVerify(&VerifyRunnerOptions{Token: "mycompany-glrt-t1_FAKE"})},
		{"Verify: system_id over 64", "system_id",
			callVerify(&VerifyRunnerOptions{Token: testRunnerToken, SystemID: strings.Repeat("s", 65)})},
		{"DeleteByToken: empty token", "token", func(ctx context.Context, c *Client) error {
			_, err := c.Runners.DeleteByToken(ctx, "")
			return err
		}},
		{"DeleteByToken: token with newline", "token", func(ctx context.Context, c *Client) error {
			_, err := c.Runners.DeleteByToken(ctx, "glrt-a\nb")
			return err
		}},
		{"DeleteManager: empty token", "token", func(ctx context.Context, c *Client) error {
			_, err := c.Runners.DeleteManager(ctx, "", "s_1")
			return err
		}},
		{"DeleteManager: empty system_id", "system_id", func(ctx context.Context, c *Client) error {
			_, err := c.Runners.DeleteManager(ctx, testRunnerToken, "")
			return err
		}},
		{"DeleteManager: system_id over 64", "system_id", func(ctx context.Context, c *Client) error {
			_, err := c.Runners.DeleteManager(ctx, testRunnerToken, strings.Repeat("s", 65))
			return err
		}},
	})
}

// A refused token call names the field, never the token.
func TestRunnersValidation_errorsHideToken(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t)
	_, _, err := c.Runners.Register(t.Context(), &RegisterRunnerOptions{
		Token: testRegistrationToken, Active: Ptr(true), Paused: Ptr(true),
	})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testRegistrationToken)
	_, _, err = c.Runners.Verify(t.Context(), &VerifyRunnerOptions{Token: testRunnerToken})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testRunnerToken)
}
