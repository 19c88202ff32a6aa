package glrunners

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func assertRegistration4188(t *testing.T, got *RunnerRegistration) {
	t.Helper()
	require.NotNil(t, got)
	assert.Equal(t, int64(4188), got.ID)
	assert.Equal(t, "glrt-t3_FAKE-example-token-not-real-0a1b2c", got.Token.Reveal())
	assert.Equal(t, rfc3339p("2025-04-19T12:00:00.000Z"), got.TokenExpiresAt)
}

func TestRunnersCreate_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	reg := fixture(t, "runner_registration.json")
	mux.HandleFunc("POST /api/v4/user/runners", func(w http.ResponseWriter, r *http.Request) {
		assertUserRequest(t, r, "/api/v4/user/runners", nil)
		assert.JSONEq(t, `{
			"runner_type": "project_type", "project_id": 20815, "description": "edge-arm64-builder",
			"paused": false, "locked": true, "run_untagged": false, "tag_list": ["arm64","docker"],
			"access_level": "ref_protected", "maximum_timeout": 5400, "maintenance_note": "kernel upgrade",
			"token_expires_at": "2025-04-19T12:00:00Z", "token_rotation_deadline": "2025-04-18T12:00:00Z"
		}`, readBody(t, r))
		writeJSON(w, http.StatusCreated, string(reg))
	})
	got, resp, err := c.Runners.Create(t.Context(), &CreateRunnerOptions{
		RunnerType: ProjectType, ProjectID: 20815, Description: "edge-arm64-builder",
		Paused: Ptr(false), Locked: Ptr(true), RunUntagged: Ptr(false), TagList: []string{"arm64", "docker"},
		AccessLevel: RefProtected, MaximumTimeout: Ptr[int64](5400), MaintenanceNote: "kernel upgrade",
		TokenExpiresAt:        Ptr(time.Date(2025, 4, 19, 12, 0, 0, 0, time.UTC)),
		TokenRotationDeadline: Ptr(time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)),
	})
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assertRegistration4188(t, got)
}

func TestRunnersCreate_minimalBodies(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		opt  CreateRunnerOptions
		body string
	}{
		"instance": {CreateRunnerOptions{RunnerType: InstanceType}, `{"runner_type":"instance_type"}`},
		"group":    {CreateRunnerOptions{RunnerType: GroupType, GroupID: 1904}, `{"runner_type":"group_type","group_id":1904}`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			mux.HandleFunc("POST /api/v4/user/runners", func(w http.ResponseWriter, r *http.Request) {
				assert.JSONEq(t, tc.body, readBody(t, r))
				writeJSON(w, http.StatusCreated, `{"id":1,"token":"glrt-x","token_expires_at":null}`)
			})
			got, _, err := c.Runners.Create(t.Context(), &tc.opt)
			require.NoError(t, err)
			assert.Nil(t, got.TokenExpiresAt)
		})
	}
}

// Each of the create, register, verify and token-delete endpoints turns its documented error answers into an
// *Error with the status, the sentinel and GitLab's body.
func TestRunnersRegistration_errors(t *testing.T) {
	t.Parallel()
	testEndpointErrors(t, []endpointErrors{
		{"Create", "POST /api/v4/user/runners", []errorAnswer{
			{400, `{"error":"runner_type does not have a valid value"}`, ErrBadRequest},
			{400, `{"error":"project_id is missing"}`, ErrBadRequest},
			{400, `{"message":"400 Bad request - Tags list can not be empty when runner is not allowed to pick untagged jobs"}`, ErrBadRequest},
			{401, `{"message":"401 Unauthorized"}`, ErrUnauthorized},
			{403, `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"create_runner api"}`, ErrForbidden},
			{403, `{"message":"403 Forbidden - User does not have permission to create runner"}`, ErrForbidden},
		}, callCreate(&CreateRunnerOptions{RunnerType: ProjectType, ProjectID: 1})},
		{"Register", "POST /api/v4/runners", []errorAnswer{
			{400, `{"error":"token is missing"}`, ErrBadRequest},
			{400, `{"message":{"tags_list":["Too many tags specified. Please limit the number of tags to 50"]}}`, ErrBadRequest},
			{403, `{"message":"403 Forbidden - invalid token supplied"}`, ErrForbidden},
			{410, `{"message":"410 Gone - runner registration disallowed"}`, ErrGone},
			{429, `{"message":"Executing database migrations. Please retry later."}`, ErrRateLimited},
		}, callRegister(&RegisterRunnerOptions{Token: testRegistrationToken})},
		{"Verify", "POST /api/v4/runners/verify", []errorAnswer{
			{400, `{"error":"token is missing"}`, ErrBadRequest},
			{403, `{"message":"403 Forbidden"}`, ErrForbidden},
			{422, `{"message":"Runner is orphaned"}`, ErrUnprocessable},
		}, callVerify(&VerifyRunnerOptions{Token: testRunnerToken, SystemID: "s_1"})},
		{"DeleteByToken", "DELETE /api/v4/runners", []errorAnswer{
			{400, `{"error":"token is missing"}`, ErrBadRequest},
			{403, `{"message":"403 Forbidden"}`, ErrForbidden},
			{412, `{"message":"412 Precondition Failed"}`, ErrPreconditionFailed},
		}, func(ctx context.Context, c *Client) error {
			_, err := c.Runners.DeleteByToken(ctx, testRunnerToken, WithIfUnmodifiedSince(time.Now()))
			return err
		}},
		{"DeleteManager", "DELETE /api/v4/runners/managers", []errorAnswer{
			{400, `{"error":"system_id is missing"}`, ErrBadRequest},
			{403, `{"message":"403 Forbidden"}`, ErrForbidden},
			{404, `{"message":"404 Runner manager not found Not Found"}`, ErrNotFound},
		}, func(ctx context.Context, c *Client) error {
			_, err := c.Runners.DeleteManager(ctx, testRunnerToken, "s_1")
			return err
		}},
	})
}

func TestRunnersRegister_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	reg := fixture(t, "runner_registration.json")
	mux.HandleFunc("POST /api/v4/runners", func(w http.ResponseWriter, r *http.Request) {
		assertNoUserAuth(t, r)
		assertNoTokenInURL(t, r)
		assert.Equal(t, "/api/v4/runners", r.URL.EscapedPath())
		assert.JSONEq(t, `{
			"token": "`+testRegistrationToken+`", "description": "ci-box-7",
			"info": {"name": "ci-box-7", "version": "17.9.1", "revision": "c7a3e41d", "platform": "linux", "architecture": "amd64"},
			"paused": true, "locked": false, "run_untagged": true, "tag_list": ["docker","linux"],
			"access_level": "not_protected", "maximum_timeout": 3600, "maintenance_note": "rack 4"
		}`, readBody(t, r))
		writeJSON(w, http.StatusCreated, string(reg))
	})
	got, _, err := c.Runners.Register(t.Context(), &RegisterRunnerOptions{
		Token: testRegistrationToken, Description: "ci-box-7",
		Info:   &RunnerInfo{Name: "ci-box-7", Version: "17.9.1", Revision: "c7a3e41d", Platform: "linux", Architecture: "amd64"},
		Paused: Ptr(true), Locked: Ptr(false), RunUntagged: Ptr(true), TagList: []string{"docker", "linux"},
		AccessLevel: NotProtected, MaximumTimeout: Ptr[int64](3600), MaintenanceNote: "rack 4",
	})
	require.NoError(t, err)
	assertRegistration4188(t, got)
}

func TestRunnersRegister_deprecatedFields(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /api/v4/runners", func(w http.ResponseWriter, r *http.Request) {
		assert.JSONEq(t, `{"token":"`+testRegistrationToken+`","active":false,"maintainer_note":"old"}`, readBody(t, r))
		writeJSON(w, http.StatusCreated, `{"id":2,"token":"t","token_expires_at":null}`)
	})
	_, _, err := c.Runners.Register(t.Context(), &RegisterRunnerOptions{
		Token: testRegistrationToken, Active: Ptr(false), MaintainerNote: "old",
	})
	require.NoError(t, err)
}

// serveTokenEcho answers status with a body that echoes the request's token,
// as a careless proxy or server might.
func serveTokenEcho(t *testing.T, mux *http.ServeMux, pattern string, status int) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		body := readBody(t, r)
		writeJSON(w, status, `{"message":"403 Forbidden - invalid token supplied","echo":`+body+`}`)
	})
}

func TestRunnersRegister_errorHidesToken(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	serveTokenEcho(t, mux, "POST /api/v4/runners", http.StatusForbidden)
	_, _, err := c.Runners.Register(t.Context(), &RegisterRunnerOptions{Token: testRegistrationToken, Description: "x"})
	require.ErrorIs(t, err, ErrForbidden)
	assert.NotContains(t, err.Error(), testRegistrationToken)
	e, _ := err.(*Error)
	require.NotNil(t, e)
	assert.NotContains(t, e.Body, testRegistrationToken)
	assert.Contains(t, e.Body, "[REDACTED]")
}

func TestRunnersVerify_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	reg := fixture(t, "runner_registration.json")
	mux.HandleFunc("POST /api/v4/runners/verify", func(w http.ResponseWriter, r *http.Request) {
		assertNoUserAuth(t, r)
		assertNoTokenInURL(t, r)
		assert.Equal(t, "/api/v4/runners/verify", r.URL.EscapedPath())
		assert.JSONEq(t, `{"token":"`+testRunnerToken+`","system_id":"s_5d1c9a0e7b34"}`, readBody(t, r))
		writeJSON(w, http.StatusOK, string(reg))
	})
	got, resp, err := c.Runners.Verify(t.Context(), &VerifyRunnerOptions{Token: testRunnerToken, SystemID: "s_5d1c9a0e7b34"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assertRegistration4188(t, got)
}

func TestRunnersVerify_legacyTokenWithoutSystemID(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /api/v4/runners/verify", func(w http.ResponseWriter, r *http.Request) {
		assert.JSONEq(t, `{"token":"glrtr-legacy-FAKE"}`, readBody(t, r))
		writeJSON(w, http.StatusOK, `{"id":3,"token":"glrtr-legacy-FAKE","token_expires_at":null}`)
	})
	got, _, err := c.Runners.Verify(t.Context(), &VerifyRunnerOptions{Token: "glrtr-legacy-FAKE"})
	require.NoError(t, err)
	assert.Equal(t, int64(3), got.ID)
}

func TestRunnersVerify_errorHidesToken(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	serveTokenEcho(t, mux, "POST /api/v4/runners/verify", http.StatusUnprocessableEntity)
	_, _, err := c.Runners.Verify(t.Context(), &VerifyRunnerOptions{Token: testRunnerToken, SystemID: "s_1"})
	require.ErrorIs(t, err, ErrUnprocessable)
	assert.NotContains(t, err.Error(), testRunnerToken)
	assert.NotContains(t, err.(*Error).Body, testRunnerToken)
}

func TestRunnersDeleteByToken_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("DELETE /api/v4/runners", func(w http.ResponseWriter, r *http.Request) {
		assertNoUserAuth(t, r)
		assertNoTokenInURL(t, r)
		assert.Equal(t, "/api/v4/runners", r.URL.EscapedPath())
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.JSONEq(t, `{"token":"`+testRunnerToken+`"}`, readBody(t, r))
		w.WriteHeader(http.StatusNoContent)
	})
	resp, err := c.Runners.DeleteByToken(t.Context(), testRunnerToken)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
}

func TestRunnersDeleteManager_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("DELETE /api/v4/runners/managers", func(w http.ResponseWriter, r *http.Request) {
		assertNoUserAuth(t, r)
		assertNoTokenInURL(t, r)
		assert.Equal(t, "/api/v4/runners/managers", r.URL.EscapedPath())
		assert.JSONEq(t, `{"token":"`+testRunnerToken+`","system_id":"s_5d1c9a0e7b34"}`, readBody(t, r))
		w.WriteHeader(http.StatusNoContent)
	})
	resp, err := c.Runners.DeleteManager(t.Context(), testRunnerToken, "s_5d1c9a0e7b34")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
}

// Runner-token calls keep the token out of every error string, whatever the
// server echoes.
func TestRunnersTokenCalls_errorStringsHideToken(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	for _, p := range []string{"DELETE /api/v4/runners", "DELETE /api/v4/runners/managers"} {
		serveTokenEcho(t, mux, p, http.StatusForbidden)
	}
	_, err1 := c.Runners.DeleteByToken(t.Context(), testRunnerToken)
	_, err2 := c.Runners.DeleteManager(t.Context(), testRunnerToken, "s_1")
	for _, err := range []error{err1, err2} {
		require.ErrorIs(t, err, ErrForbidden)
		assert.False(t, strings.Contains(err.Error(), testRunnerToken), err.Error())
	}
}
