package glrunners

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeFixture decodes testdata/name into a T. With strict set it rejects
// unknown keys, which proves the types model every key of the spec fixtures.
func decodeFixture[T any](t *testing.T, name string, strict bool) T {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(b))
	if strict {
		dec.DisallowUnknownFields()
	}
	var v T
	require.NoError(t, dec.Decode(&v), name)
	return v
}

// rfc3339 parses a timestamp written in a fixture, so expected values are the
// fixture's literal text and carry the same zone offset as the decoded ones.
func rfc3339(s string) time.Time {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return v
}

func rfc3339p(s string) *time.Time { return Ptr(rfc3339(s)) }

var (
	userMhartley = &UserBasic{
		ID: 311, Username: "mhartley", PublicEmail: Ptr(""), Name: "Maya Hartley", State: "active",
		AvatarURL: Ptr("https://gitlab.example.test/uploads/-/system/user/avatar/311/avatar.png"),
		WebURL:    "https://gitlab.example.test/mhartley",
	}
	userOkafor = &UserBasic{
		ID: 528, Username: "okafor.d", PublicEmail: Ptr("dayo.okafor@example.test"), Name: "Dayo Okafor",
		State: "active", AvatarURL: Ptr("https://gitlab.example.test/uploads/-/system/user/avatar/528/avatar.png"),
		WebURL: "https://gitlab.example.test/okafor.d",
	}
	runner4117 = Runner{
		ID: 4117, Description: Ptr("edge-arm64-builder"), IPAddress: nil, Active: false, Paused: true,
		IsShared: false, RunnerType: ProjectType, Name: Ptr("edge-arm64-builder"), Online: Ptr(true),
		CreatedBy: userOkafor, CreatedAt: rfc3339("2025-02-03T15:47:09.331Z"),
		Status: StatusPaused, JobExecutionStatus: JobExecutionIdle,
	}
	networkingNamespace = Namespace{
		ID: 1904, Name: "Networking", Path: "networking", Kind: "group", FullPath: "platform/networking",
		ParentID: Ptr[int64](1877), AvatarURL: nil, WebURL: "https://gitlab.example.test/groups/platform/networking",
	}
	edgeProxy = ProjectIdentity{
		ID: 20815, Description: Ptr("Edge proxy configuration and build scripts"), Name: "edge-proxy",
		NameWithNamespace: "Platform / Networking / edge-proxy", Path: "edge-proxy",
		PathWithNamespace: "platform/networking/edge-proxy", CreatedAt: rfc3339("2023-09-04T13:02:44.118Z"),
	}
	edgeFirmware = ProjectIdentity{
		ID: 21342, Description: nil, Name: "edge-firmware",
		NameWithNamespace: "Platform / Networking / edge-firmware", Path: "edge-firmware",
		PathWithNamespace: "platform/networking/edge-firmware", CreatedAt: rfc3339("2024-02-27T09:18:30.442Z"),
	}
)

func TestDecodeRunnerList(t *testing.T) {
	t.Parallel()
	got := decodeFixture[[]*Runner](t, "runner_list.json", true)
	want := wantRunnerList()
	assert.Equal(t, want, got)

	// null and zero stay apart.
	assert.Nil(t, got[2].Online, "online: null")
	require.NotNil(t, got[3].Online)
	assert.False(t, *got[3].Online, "online: false")
	assert.Nil(t, got[0].IPAddress, `ip_address: null`)
	require.NotNil(t, got[3].IPAddress)
	assert.Empty(t, *got[3].IPAddress, `ip_address: ""`)
	assert.Nil(t, got[3].CreatedBy.PublicEmail, "public_email: null")
	assert.Equal(t, Ptr(""), got[0].CreatedBy.PublicEmail, `public_email: ""`)
	for _, r := range got {
		assert.True(t, r.RunnerType.Valid(), r.RunnerType)
		assert.True(t, r.Status.Valid(), r.Status)
		assert.True(t, r.JobExecutionStatus.Valid(), r.JobExecutionStatus)
	}
}

func TestDecodeRunnerListEdgeCases(t *testing.T) {
	t.Parallel()
	got := decodeFixture[[]*Runner](t, "runner_list_edge_cases.json", false)
	want := []*Runner{
		{
			ID: 5001, Description: nil, IPAddress: Ptr(""), Active: false, Paused: true, IsShared: false,
			RunnerType: GroupType, Name: Ptr("paused-group-runner"), Online: Ptr(true),
			CreatedBy: &UserBasic{
				ID: 42, Username: "ops.bot", PublicEmail: nil, Name: "Ops Bot", State: "active", Locked: true,
				AvatarURL: nil, WebURL: "https://gitlab.example.test/ops.bot",
			},
			CreatedAt: rfc3339("2024-12-01T00:00:00Z"), Status: StatusPaused, JobExecutionStatus: JobExecutionActive,
		},
		{
			ID: 5002, Description: Ptr(""), IPAddress: nil, Active: true, Paused: false, IsShared: true,
			RunnerType: InstanceType, Name: nil, Online: nil, CreatedBy: nil,
			CreatedAt: rfc3339("2025-03-01T10:00:00.5+02:00"), Status: StatusNeverContacted,
			JobExecutionStatus: JobExecutionIdle,
		},
		// An old server: optional and newer keys absent, left zero.
		{
			ID: 5003, Active: true, RunnerType: ProjectType, Online: Ptr(false), Status: StatusOffline,
		},
	}
	assert.Equal(t, want, got)
	assert.True(t, got[0].Status.Valid(), "GitLab still sends status paused")
	assert.True(t, got[2].CreatedAt.IsZero())
	assert.Empty(t, got[2].JobExecutionStatus)
	assert.True(t, got[1].CreatedAt.Equal(time.Date(2025, 3, 1, 8, 0, 0, 5e8, time.UTC)))

	// The fixture really holds unknown keys, nested ones included: a strict
	// decoder refuses it, the lenient one above ignored them.
	b, err := os.ReadFile(filepath.Join("testdata", "runner_list_edge_cases.json"))
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var strict []*Runner
	assert.ErrorContains(t, dec.Decode(&strict), "future_")
}

func TestDecodeRunnerDetails(t *testing.T) {
	t.Parallel()
	got := decodeFixture[RunnerDetails](t, "runner_details.json", true)
	want := RunnerDetails{
		Runner:          runner4117,
		TagList:         []string{"arm64", "docker", "linux"},
		RunUntagged:     false,
		Locked:          true,
		MaximumTimeout:  Ptr[int64](5400),
		AccessLevel:     RefProtected,
		Version:         Ptr("17.9.1"),
		Revision:        Ptr("c7a3e41d"),
		Platform:        Ptr("linux"),
		Architecture:    Ptr("arm64"),
		ContactedAt:     rfc3339p("2025-03-20T11:40:07.215Z"),
		MaintenanceNote: Ptr("Paused for a kernel upgrade on the host; unpause after 2025-03-21."),
		Projects: []Project{
			{
				ProjectIdentity: edgeProxy,
				DefaultBranch:   Ptr("main"),
				TagList:         []string{"networking"},
				Topics:          []string{"networking"},
				SSHURLToRepo:    "git@gitlab.example.test:platform/networking/edge-proxy.git",
				HTTPURLToRepo:   "https://gitlab.example.test/platform/networking/edge-proxy.git",
				WebURL:          "https://gitlab.example.test/platform/networking/edge-proxy",
				ReadmeURL:       Ptr("https://gitlab.example.test/platform/networking/edge-proxy/-/blob/main/README.md"),
				ForksCount:      0,
				AvatarURL:       nil,
				StarCount:       3,
				LastActivityAt:  rfc3339("2025-03-19T17:55:02.771Z"),
				Namespace:       networkingNamespace,
			},
			{
				ProjectIdentity: edgeFirmware,
				DefaultBranch:   Ptr("release"),
				TagList:         []string{},
				Topics:          []string{},
				SSHURLToRepo:    "git@gitlab.example.test:platform/networking/edge-firmware.git",
				HTTPURLToRepo:   "https://gitlab.example.test/platform/networking/edge-firmware.git",
				WebURL:          "https://gitlab.example.test/platform/networking/edge-firmware",
				ReadmeURL:       nil,
				ForksCount:      1,
				AvatarURL:       Ptr("https://gitlab.example.test/uploads/-/system/project/avatar/21342/chip.png"),
				StarCount:       0,
				LastActivityAt:  rfc3339("2025-03-12T06:41:58.003Z"),
				Namespace:       networkingNamespace,
			},
		},
		Groups: []Group{},
	}
	assert.Equal(t, want, got)

	// The embedded Runner is filled, and its fields are promoted.
	assert.Equal(t, int64(4117), got.ID)
	assert.Equal(t, runner4117, got.Runner)
	assert.NotNil(t, got.Groups, `"groups": [] decodes to an empty, non-nil slice`)
	assert.True(t, got.AccessLevel.Valid())
}

func TestDecodeRunnerDetailsWithoutProjects(t *testing.T) {
	t.Parallel()
	got := decodeFixture[RunnerDetails](t, "runner_details_without_projects.json", false)
	want := RunnerDetails{
		Runner: Runner{
			ID: 4102, Description: nil, IPAddress: Ptr(""), Active: true, Paused: false, IsShared: false,
			RunnerType: GroupType, Name: nil, Online: nil, CreatedBy: nil,
			CreatedAt: rfc3339("2025-01-14T08:22:51.604Z"), Status: StatusNeverContacted,
			JobExecutionStatus: JobExecutionIdle,
		},
		TagList:     []string{},
		RunUntagged: true,
		AccessLevel: NotProtected,
		Groups: []Group{{
			ID: 1877, WebURL: "https://gitlab.example.test/groups/platform", Name: "Platform",
		}},
	}
	assert.Equal(t, want, got)
	assert.Nil(t, got.Projects, "absent projects stay nil")
	assert.Nil(t, got.MaximumTimeout)
	assert.Nil(t, got.ContactedAt)
	assert.Nil(t, got.Version)

	var empty RunnerDetails
	require.NoError(t, json.Unmarshal([]byte(`{"id": 1, "projects": []}`), &empty))
	assert.NotNil(t, empty.Projects, "present but empty projects are not nil")
	assert.Empty(t, empty.Projects)
}

func TestRunnerDetailsMarshalsFlat(t *testing.T) {
	t.Parallel()
	rd := RunnerDetails{Runner: Runner{ID: 7, Paused: true}, Locked: true}
	b, err := json.Marshal(rd)
	require.NoError(t, err)
	var keys map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &keys))
	assert.NotContains(t, keys, "Runner")
	assert.JSONEq(t, `7`, string(keys["id"]))
	assert.JSONEq(t, `true`, string(keys["paused"]))
	assert.JSONEq(t, `true`, string(keys["locked"]))
}

func TestDecodeRunnerManagers(t *testing.T) {
	t.Parallel()
	got := decodeFixture[[]*RunnerManager](t, "runner_managers.json", true)
	want := []*RunnerManager{
		{
			ID: 88210, SystemID: "s_5d1c9a0e7b34", Version: Ptr("17.9.1"), Revision: Ptr("c7a3e41d"),
			Platform: Ptr("linux"), Architecture: Ptr("arm64"), CreatedAt: rfc3339("2025-02-03T16:02:15.871Z"),
			ContactedAt: rfc3339p("2025-03-20T11:40:07.215Z"), IPAddress: Ptr("10.40.12.7"),
			Status: StatusOnline, JobExecutionStatus: JobExecutionIdle,
		},
		{
			ID: 61002, SystemID: "<legacy>", Version: Ptr("16.11.3"), Revision: Ptr("4f2c1e07"),
			Platform: Ptr("linux"), Architecture: Ptr("arm64"), CreatedAt: rfc3339("2025-02-03T15:51:44.206Z"),
			ContactedAt: rfc3339p("2025-02-06T22:13:59.480Z"), IPAddress: Ptr("10.40.9.31"),
			Status: StatusStale, JobExecutionStatus: JobExecutionIdle,
		},
	}
	assert.Equal(t, want, got)
}

func TestDecodeRunnerRegistration(t *testing.T) {
	t.Parallel()
	got := decodeFixture[RunnerRegistration](t, "runner_registration.json", true)
	assert.Equal(t, RunnerRegistration{
		ID:             4188,
		Token:          "glrt-t3_FAKE-example-token-not-real-0a1b2c",
		TokenExpiresAt: rfc3339p("2025-04-19T12:00:00.000Z"),
	}, got)
	assert.Equal(t, "glrt-t3_FAKE-example-token-not-real-0a1b2c", got.Token.Reveal())

	noExpiry := decodeFixture[RunnerRegistration](t, "runner_registration_no_expiry.json", true)
	assert.Equal(t, RunnerRegistration{
		ID: 4189, Token: "mycompany-glrt-t1_FAKE-prefixed-token-not-real", TokenExpiresAt: nil,
	}, noExpiry)
	assert.True(t, isCreatedRunnerToken(noExpiry.Token))
}

func TestDecodeToken(t *testing.T) {
	t.Parallel()
	got := decodeFixture[Token](t, "token_reset.json", true)
	assert.Equal(t, Token{
		Token:          "glrt-t3_FAKE-rotated-example-token-9z8y7x",
		TokenExpiresAt: rfc3339p("2025-04-03T09:30:00.000Z"),
	}, got)

	reg := decodeFixture[Token](t, "token_reset_registration.json", true)
	assert.Equal(t, Token{Token: "GR1348941FAKE-registration-token-not-real"}, reg)
	assert.Nil(t, reg.TokenExpiresAt, "registration tokens come without token_expires_at")
}
