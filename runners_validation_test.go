package glrunners

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rtBad is one input a method must refuse before sending anything.
type rtBad struct {
	name  string
	field string // the *ValidationError's Field
	call  func(ctx context.Context, c *Client) error
}

// rtRefused runs every case against a server that counts requests, and
// checks that each is a *ValidationError for its field and that nothing
// reached the server.
func rtRefused(t *testing.T, cases []rtBad) {
	t.Helper()
	c, mux, _ := setup(t)
	var requests atomic.Int32
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		writeJSON(w, http.StatusOK, `{}`)
	})
	for _, tc := range cases {
		err := tc.call(t.Context(), c)
		ve, ok := errors.AsType[*ValidationError](err)
		if assert.True(t, ok, "%s: want *ValidationError, got %T: %v", tc.name, err, err) {
			assert.Equal(t, tc.field, ve.Field, "%s: %v", tc.name, err)
		}
	}
	assert.Zero(t, requests.Load(), "refused calls reached the server")
}

// rtList, rtListAll, ... adapt each method to rtBad.call.
func rtList(o *ListRunnersOptions) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error { _, _, err := c.Runners.List(ctx, o); return err }
}

func rtListAll(o *ListRunnersOptions) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error { _, _, err := c.Runners.ListAll(ctx, o); return err }
}

func rtUpdate(id int64, o *UpdateRunnerOptions) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error { _, _, err := c.Runners.Update(ctx, id, o); return err }
}

func rtJobs(id int64, o *ListRunnerJobsOptions) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error { _, _, err := c.Runners.ListJobs(ctx, id, o); return err }
}

func rtCreate(o *CreateRunnerOptions) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error { _, _, err := c.Runners.Create(ctx, o); return err }
}

func rtRegister(o *RegisterRunnerOptions) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error { _, _, err := c.Runners.Register(ctx, o); return err }
}

func rtVerify(o *VerifyRunnerOptions) func(context.Context, *Client) error {
	return func(ctx context.Context, c *Client) error { _, _, err := c.Runners.Verify(ctx, o); return err }
}

var (
	rtLongText = strings.Repeat("é", 1025) // 1025 characters, 2050 bytes
	rtManyTags = strings.Split(strings.Repeat("t,", 50)+"t", ",")
)

func TestRunnersValidation_lists(t *testing.T) {
	t.Parallel()
	rtRefused(t, []rtBad{
		{"List: type-like scope specific", "scope", rtList(&ListRunnersOptions{Scope: ScopeSpecific})},
		{"List: scope shared", "scope", rtList(&ListRunnersOptions{Scope: ScopeShared})},
		{"List: scope instance_type", "scope", rtList(&ListRunnersOptions{Scope: ScopeInstanceType})},
		{"List: scope group_type", "scope", rtList(&ListRunnersOptions{Scope: ScopeGroupType})},
		{"List: scope project_type", "scope", rtList(&ListRunnersOptions{Scope: ScopeProjectType})},
		{"List: unknown scope", "scope", rtList(&ListRunnersOptions{Scope: "everything"})},
		{"ListAll: unknown scope", "scope", rtListAll(&ListRunnersOptions{Scope: "everything"})},
		{"List: unknown type", "type", rtList(&ListRunnersOptions{Type: "shared"})},
		{"ListAll: unknown status", "status", rtListAll(&ListRunnersOptions{Status: "busy"})},
		{"List: 51 tags", "tag_list", rtList(&ListRunnersOptions{TagList: rtManyTags})},
		{"List: empty tag", "tag_list", rtList(&ListRunnersOptions{TagList: []string{"a", " "}})},
		{"List: tag with comma", "tag_list", rtList(&ListRunnersOptions{TagList: []string{"a,b"}})},
		{"List: version prefix", "version_prefix", rtList(&ListRunnersOptions{VersionPrefix: "v17"})},
		{"List: negative page", "page", rtList(&ListRunnersOptions{ListOptions: ListOptions{Page: -1}})},
		{"ListAll: negative per_page", "per_page", rtListAll(&ListRunnersOptions{ListOptions: ListOptions{PerPage: -5}})},
		{"Get: zero id", "runner id", func(ctx context.Context, c *Client) error {
			_, _, err := c.Runners.Get(ctx, 0, nil)
			return err
		}},
		{"Delete: negative id", "runner id", func(ctx context.Context, c *Client) error {
			_, err := c.Runners.Delete(ctx, -1)
			return err
		}},
		{"Pause: zero id", "runner id", func(ctx context.Context, c *Client) error {
			_, _, err := c.Runners.Pause(ctx, 0)
			return err
		}},
		{"Unpause: zero id", "runner id", func(ctx context.Context, c *Client) error {
			_, _, err := c.Runners.Unpause(ctx, 0)
			return err
		}},
		{"ListManagers: zero id", "runner id", func(ctx context.Context, c *Client) error {
			_, _, err := c.Runners.ListManagers(ctx, 0)
			return err
		}},
		{"ListProjects: zero id", "runner id", func(ctx context.Context, c *Client) error {
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
	rtRefused(t, []rtBad{
		{"zero id", "runner id", rtUpdate(0, &UpdateRunnerOptions{Locked: Ptr(true)})},
		{"nil options", "options", rtUpdate(1, nil)},
		{"no field", "options", rtUpdate(1, &UpdateRunnerOptions{})},
		{"active with paused", "active", rtUpdate(1, &UpdateRunnerOptions{Active: Ptr(true), Paused: Ptr(false)})},
		{"long description", "description", rtUpdate(1, &UpdateRunnerOptions{Description: Ptr(rtLongText)})},
		{"long maintenance note", "maintenance_note", rtUpdate(1, &UpdateRunnerOptions{MaintenanceNote: Ptr(rtLongText)})},
		{"51 tags", "tag_list", rtUpdate(1, &UpdateRunnerOptions{TagList: rtManyTags})},
		{"empty tag", "tag_list", rtUpdate(1, &UpdateRunnerOptions{TagList: []string{""}})},
		{"access level", "access_level", rtUpdate(1, &UpdateRunnerOptions{AccessLevel: "protected"})},
		{"timeout 599", "maximum_timeout", rtUpdate(1, &UpdateRunnerOptions{MaximumTimeout: Ptr[int64](599)})},
		{"untagged false, tags cleared", "run_untagged",
			rtUpdate(1, &UpdateRunnerOptions{RunUntagged: Ptr(false), TagList: []string{}})},
	})
}

func TestRunnersValidation_updateAcceptsLimits(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]UpdateRunnerOptions{
		"1024 characters":  {Description: Ptr(strings.Repeat("é", 1024))},
		"50 tags":          {TagList: rtManyTags[:50]},
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
	rtRefused(t, []rtBad{
		{"zero id", "runner id", rtJobs(0, nil)},
		{"status", "status", rtJobs(1, &ListRunnerJobsOptions{Status: "done"})},
		{"order_by", "order_by", rtJobs(1, &ListRunnerJobsOptions{OrderBy: "created_at"})},
		{"sort", "sort", rtJobs(1, &ListRunnerJobsOptions{OrderBy: JobOrderByID, Sort: "up"})},
		{"sort without order_by", "sort", rtJobs(1, &ListRunnerJobsOptions{Sort: SortDesc})},
		{"system_id over 64", "system_id", rtJobs(1, &ListRunnerJobsOptions{SystemID: strings.Repeat("s", 65)})},
		{"keyset ascending", "pagination",
			rtJobs(1, &ListRunnerJobsOptions{KeysetOptions: keyset, OrderBy: JobOrderByID, Sort: SortAsc})},
		{"keyset with page", "page", rtJobs(1, &ListRunnerJobsOptions{KeysetOptions: keyset, ListOptions: ListOptions{Page: 2}})},
		{"unknown pagination", "pagination", rtJobs(1, &ListRunnerJobsOptions{KeysetOptions: KeysetOptions{Pagination: "cursor"}})},
		{"cursor without keyset", "cursor", rtJobs(1, &ListRunnerJobsOptions{KeysetOptions: KeysetOptions{Cursor: "abc"}})},
		{"negative per_page", "per_page", rtJobs(1, &ListRunnerJobsOptions{ListOptions: ListOptions{PerPage: -1}})},
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
	rtRefused(t, []rtBad{
		{"nil options", "runner_type", rtCreate(nil)},
		{"no runner type", "runner_type", rtCreate(&CreateRunnerOptions{ProjectID: 1})},
		{"unknown runner type", "runner_type", rtCreate(&CreateRunnerOptions{RunnerType: "specific"})},
		{"group without group_id", "group_id", rtCreate(&CreateRunnerOptions{RunnerType: GroupType})},
		{"group with negative group_id", "group_id", rtCreate(&CreateRunnerOptions{RunnerType: GroupType, GroupID: -3})},
		{"group with project_id", "project_id",
			rtCreate(&CreateRunnerOptions{RunnerType: GroupType, GroupID: 1, ProjectID: 2})},
		{"project without project_id", "project_id", rtCreate(&CreateRunnerOptions{RunnerType: ProjectType})},
		{"project with group_id", "group_id", rtCreate(&CreateRunnerOptions{RunnerType: ProjectType, ProjectID: 1, GroupID: 2})},
		{"instance with group_id", "group_id", rtCreate(&CreateRunnerOptions{RunnerType: InstanceType, GroupID: 2})},
		{"instance with project_id", "project_id", rtCreate(&CreateRunnerOptions{RunnerType: InstanceType, ProjectID: 2})},
		{"long description", "description", rtCreate(proj(CreateRunnerOptions{Description: rtLongText}))},
		{"long maintenance note", "maintenance_note", rtCreate(proj(CreateRunnerOptions{MaintenanceNote: rtLongText}))},
		{"51 tags", "tag_list", rtCreate(proj(CreateRunnerOptions{TagList: rtManyTags}))},
		{"untagged false without tags", "run_untagged", rtCreate(proj(CreateRunnerOptions{RunUntagged: Ptr(false)}))},
		{"access level", "access_level", rtCreate(proj(CreateRunnerOptions{AccessLevel: "all"}))},
		{"timeout", "maximum_timeout", rtCreate(proj(CreateRunnerOptions{MaximumTimeout: Ptr[int64](0)}))},
		{"zero expiry", "token_expires_at", rtCreate(proj(CreateRunnerOptions{TokenExpiresAt: &time.Time{}}))},
		{"deadline without expiry", "token_rotation_deadline",
			rtCreate(proj(CreateRunnerOptions{TokenRotationDeadline: Ptr(exp)}))},
		{"deadline after expiry", "token_rotation_deadline", rtCreate(proj(CreateRunnerOptions{
			TokenExpiresAt: Ptr(exp), TokenRotationDeadline: Ptr(exp.Add(time.Second)),
		}))},
	})
	same := proj(CreateRunnerOptions{TokenExpiresAt: Ptr(exp), TokenRotationDeadline: Ptr(exp)})
	assert.NoError(t, same.validate(), "a deadline equal to the expiry disables rotation")
}

func TestRunnersValidation_registration(t *testing.T) {
	t.Parallel()
	reg := func(o RegisterRunnerOptions) *RegisterRunnerOptions {
		o.Token = rtRegistrationToken
		return &o
	}
	rtRefused(t, []rtBad{
		{"Register: nil options", "token", rtRegister(nil)},
		{"Register: empty token", "token", rtRegister(&RegisterRunnerOptions{Description: "x"})},
		{"Register: blank token", "token", rtRegister(&RegisterRunnerOptions{Token: "  "})},
		{"Register: active with paused", "active", rtRegister(reg(RegisterRunnerOptions{Active: Ptr(true), Paused: Ptr(true)}))},
		{"Register: both notes", "maintainer_note",
			rtRegister(reg(RegisterRunnerOptions{MaintainerNote: "a", MaintenanceNote: "b"}))},
		{"Register: long description", "description", rtRegister(reg(RegisterRunnerOptions{Description: rtLongText}))},
		{"Register: long maintainer note", "maintainer_note", rtRegister(reg(RegisterRunnerOptions{MaintainerNote: rtLongText}))},
		{"Register: long maintenance note", "maintenance_note",
			rtRegister(reg(RegisterRunnerOptions{MaintenanceNote: rtLongText}))},
		{"Register: long info name", "info.name",
			rtRegister(reg(RegisterRunnerOptions{Info: &RunnerInfo{Name: strings.Repeat("n", 257)}}))},
		{"Register: 51 tags", "tag_list", rtRegister(reg(RegisterRunnerOptions{TagList: rtManyTags}))},
		{"Register: untagged false without tags", "run_untagged", rtRegister(reg(RegisterRunnerOptions{RunUntagged: Ptr(false)}))},
		{"Register: access level", "access_level", rtRegister(reg(RegisterRunnerOptions{AccessLevel: "x"}))},
		{"Register: timeout", "maximum_timeout", rtRegister(reg(RegisterRunnerOptions{MaximumTimeout: Ptr[int64](60)}))},
		{"Verify: nil options", "token", rtVerify(nil)},
		{"Verify: empty token", "token", rtVerify(&VerifyRunnerOptions{SystemID: "s_1"})},
		{"Verify: glrt- without system_id", "system_id", rtVerify(&VerifyRunnerOptions{Token: rtRunnerToken})},
		{"Verify: prefixed glrt- without system_id", "system_id",
			rtVerify(&VerifyRunnerOptions{Token: "mycompany-glrt-t1_FAKE"})},
		{"Verify: system_id over 64", "system_id",
			rtVerify(&VerifyRunnerOptions{Token: rtRunnerToken, SystemID: strings.Repeat("s", 65)})},
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
			_, err := c.Runners.DeleteManager(ctx, rtRunnerToken, "")
			return err
		}},
		{"DeleteManager: system_id over 64", "system_id", func(ctx context.Context, c *Client) error {
			_, err := c.Runners.DeleteManager(ctx, rtRunnerToken, strings.Repeat("s", 65))
			return err
		}},
	})
}

// A refused token call names the field, never the token.
func TestRunnersValidation_errorsHideToken(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t)
	_, _, err := c.Runners.Register(t.Context(), &RegisterRunnerOptions{
		Token: rtRegistrationToken, Active: Ptr(true), Paused: Ptr(true),
	})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), rtRegistrationToken)
	_, _, err = c.Runners.Verify(t.Context(), &VerifyRunnerOptions{Token: rtRunnerToken})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), rtRunnerToken)
}
