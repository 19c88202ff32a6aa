package glrunners

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestError_everyGitLabShape(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		status      int
		ctype       string
		body        string
		sentinel    error
		message     string
		code        string
		scope       string
		fieldErrors map[string][]string
	}{
		{"message string", 404, "application/json", `{"message":"404 Runner Not Found"}`, ErrNotFound, "404 Runner Not Found", "", "", nil},
		{"message field map", 400, "application/json",
			`{"message":{"tags_list":["can not be empty when runner is not allowed to pick untagged jobs"],"description":["is too long (maximum is 1024 characters)"]}}`,
			ErrBadRequest, "description is too long (maximum is 1024 characters): tags_list can not be empty when runner is not allowed to pick untagged jobs", "", "",
			map[string][]string{"tags_list": {"can not be empty when runner is not allowed to pick untagged jobs"}, "description": {"is too long (maximum is 1024 characters)"}}},
		{"error string", 400, "application/json", `{"error":"type does not have a valid value"}`, ErrBadRequest, "type does not have a valid value", "type does not have a valid value", "", nil},
		{"oauth error", 401, "application/json", `{"error":"invalid_token","error_description":"Token was revoked. You have to re-authorize from the user."}`,
			ErrUnauthorized, "invalid_token: Token was revoked. You have to re-authorize from the user.", "invalid_token", "", nil},
		{"insufficient scope", 403, "application/json", `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}`,
			ErrForbidden, "insufficient_scope: The request requires higher privileges than provided by the access token.", "insufficient_scope", "api", nil},
		{"message.error", 429, "application/json", `{"message":{"error":"This endpoint has been requested too many times. Try again later."}}`,
			ErrRateLimited, "This endpoint has been requested too many times. Try again later.", "This endpoint has been requested too many times. Try again later.", "", nil},
		{"plain text", 429, "text/plain", "Retry later\n", ErrRateLimited, "Retry later", "", "", nil},
		{"html 502", 502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>", ErrServer, "502 Bad Gateway Bad Gateway", "", "", nil},
		{"500 json", 500, "application/json", `{"message":"500 Internal Server Error"}`, ErrServer, "500 Internal Server Error", "", "", nil},
		{"truncated json", 400, "application/json", `{"message":"400 Bad requ`, ErrBadRequest, `{"message":"400 Bad requ`, "", "", nil},
		{"409", 409, "application/json", `{"message":"409 Conflict: Resource lock"}`, ErrConflict, "409 Conflict: Resource lock", "", "", nil},
		{"410", 410, "application/json", `{"message":"410 Gone - runner registration disallowed"}`, ErrGone, "410 Gone - runner registration disallowed", "", "", nil},
		{"412", 412, "application/json", `{"message":"412 Precondition Failed"}`, ErrPreconditionFailed, "412 Precondition Failed", "", "", nil},
		{"422", 422, "application/json", `{"message":"Runner is orphaned"}`, ErrUnprocessable, "Runner is orphaned", "", "", nil},
		{"405", 405, "application/json", `{"error":"Keyset pagination is not yet available for this type of request"}`, ErrMethodNotAllowed,
			"Keyset pagination is not yet available for this type of request", "Keyset pagination is not yet available for this type of request", "", nil},
		{"empty body", 401, "", "", ErrUnauthorized, "", "", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, WithoutRetries())
			mux.HandleFunc("GET /api/v4/runners/7", func(w http.ResponseWriter, r *http.Request) {
				if tc.ctype != "" {
					w.Header().Set("Content-Type", tc.ctype)
				}
				w.Header().Set("X-Request-Id", "01JREQ")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			resp, err := c.call(t.Context(), http.MethodGet, "runners/7", nil, nil, &struct{}{})
			require.Error(t, err)
			e, ok := asType[*Error](err)
			require.True(t, ok, "got %T", err)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.Equal(t, "GET", e.Method)
			assert.Equal(t, "/api/v4/runners/7", e.Path)
			assert.Equal(t, tc.message, e.Message)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.scope, e.Scope)
			assert.Equal(t, tc.fieldErrors, e.FieldErrors)
			assert.Equal(t, "01JREQ", e.RequestID)
			assert.ErrorIs(t, err, tc.sentinel)
			for _, other := range []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrConflict, ErrGone, ErrPreconditionFailed, ErrUnprocessable, ErrRateLimited, ErrServer, ErrOutcomeUnknown} {
				if other != tc.sentinel {
					assert.NotErrorIs(t, err, other)
				}
			}
			require.NotNil(t, resp, "the response comes back with the error")
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, "01JREQ", resp.RequestID)
		})
	}
}

func TestError_stringHasNoSecrets(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithoutRetries())
	const runnerTok = "glrt-RUNNERSECRET0123456789"
	mux.HandleFunc("POST /api/v4/runners/verify", func(w http.ResponseWriter, r *http.Request) {
		// A misbehaving proxy that echoes the request.
		writeJSON(w, 400, `{"message":"bad token `+runnerTok+` for `+testToken+`"}`)
	})
	body := map[string]string{"token": runnerTok}
	_, err := c.call(t.Context(), http.MethodPost, "runners/verify", nil, body, nil)
	e, ok := asType[*Error](err)
	require.True(t, ok)
	for _, s := range []string{err.Error(), e.Message, e.Body} {
		assert.NotContains(t, s, "RUNNERSECRET")
		assert.NotContains(t, s, testToken)
		assert.Contains(t, s, "[REDACTED]")
	}
}

func TestError_retryAfterAndRateLimitFields(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithoutRetries())
	reset := time.Now().Add(90 * time.Second).Unix()
	mux.HandleFunc("GET /api/v4/runners", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "45")
		w.Header().Set("RateLimit-Name", "throttle_authenticated_api")
		w.Header().Set("RateLimit-Limit", "120")
		w.Header().Set("RateLimit-Observed", "121")
		w.Header().Set("RateLimit-Remaining", "0")
		w.Header().Set("RateLimit-Reset", strconv64(reset))
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(429)
		_, _ = w.Write([]byte("Retry later\n"))
	})
	resp, err := c.call(t.Context(), http.MethodGet, "runners", nil, nil, nil)
	e, ok := asType[*Error](err)
	require.True(t, ok)
	assert.Equal(t, 45*time.Second, e.RetryAfter)
	assert.Equal(t, 45*time.Second, resp.RetryAfter)
	assert.Equal(t, RateLimit{Present: true, Name: "throttle_authenticated_api", Limit: 120, Observed: 121, Remaining: 0,
		Reset: time.Unix(reset, 0)}, resp.RateLimit)
	assert.Contains(t, err.Error(), "429 Too Many Requests: Retry later (GitLab asks to retry after 45s)")
}

func strconv64(n int64) string { return strconv.FormatInt(n, 10) }

func TestError_stringDropsRepeatedStatus(t *testing.T) {
	t.Parallel()
	for msg, want := range map[string]string{
		"403 Forbidden - No access granted": "glrunners: DELETE /api/v4/runners/7: 403 Forbidden: No access granted",
		"403 Forbidden":                     "glrunners: DELETE /api/v4/runners/7: 403 Forbidden",
		"Runner is locked":                  "glrunners: DELETE /api/v4/runners/7: 403 Forbidden: Runner is locked",
	} {
		e := &Error{StatusCode: 403, Method: "DELETE", Path: "/api/v4/runners/7", Message: msg}
		assert.Equal(t, want, e.Error())
		assert.Equal(t, msg, e.Message, "Message keeps GitLab's words")
	}
}

// TestErrors_onePrefix runs each kind of error that wraps another error of
// this package over HTTP and checks its whole text: "glrunners: " once, at
// the start, and every part on one line.
func TestErrors_onePrefix(t *testing.T) {
	t.Parallel()
	gitlab := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}
	}
	project := &CreateRunnerOptions{RunnerType: ProjectType, ProjectID: 42, Description: "vm-7"}
	cases := []struct {
		name  string
		opts  []Option
		route string
		h     http.HandlerFunc
		call  func(ctx context.Context, c *Client) error
		want  func(err error) string
	}{
		{
			name: "CreateOnce around *Error", route: "POST /api/v4/user/runners", h: gitlab(404, `{"message":"404 Project Not Found"}`),
			call: func(ctx context.Context, c *Client) error {
				_, _, err := c.Runners.CreateOnce(ctx, project)
				return err
			},
			want: func(error) string {
				return "glrunners: CreateOnce: no runner was created: POST /api/v4/user/runners: 404 Not Found: Project Not Found"
			},
		},
		{
			name: "RegisterOnce around *Error", route: "POST /api/v4/runners", h: gitlab(403, `{"message":"403 Forbidden"}`),
			call: func(ctx context.Context, c *Client) error {
				_, _, err := c.Runners.RegisterOnce(ctx, &RegisterRunnerOptions{Token: testRegistrationToken})
				return err
			},
			want: func(error) string {
				return "glrunners: RegisterOnce: no runner was created: POST /api/v4/runners: 403 Forbidden"
			},
		},
		{
			name: "CreateOnce around *ValidationError",
			call: func(ctx context.Context, c *Client) error {
				_, _, err := c.Runners.CreateOnce(ctx, &CreateRunnerOptions{RunnerType: ProjectType})
				return err
			},
			want: func(error) string {
				return "glrunners: CreateOnce: no runner was created: invalid project_id: must be a positive ID"
			},
		},
		{
			name: "CreateOnce, outcome unknown, around *Error and the context's end", route: "POST /api/v4/user/runners",
			h: gitlab(502, `{"message":"502 Bad Gateway"}`),
			call: func(ctx context.Context, c *Client) error {
				ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
				defer cancel()
				_, _, err := c.Runners.CreateOnce(ctx, project)
				return err
			},
			want: func(err error) string {
				e, _ := asType[*CreateOnceError](err)
				return "glrunners: CreateOnce: outcome unknown; a runner made by this call carries " + e.Marker +
					" in its description: POST /api/v4/user/runners: 502 Bad Gateway; looking for the runner: context deadline exceeded"
			},
		},
		{
			name: "*TransportError around a refused redirect (errors.Join)", route: "GET /api/v4/runners/1",
			h: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/api/v4/runners/1", http.StatusFound)
			},
			call: func(ctx context.Context, c *Client) error { _, _, err := c.Runners.Get(ctx, 1, nil); return err },
			want: func(error) string {
				return "glrunners: GET /api/v4/runners/1: no answer: redirect refused; stopped after 10 redirects"
			},
		},
		{
			name: "*DecodeError around ErrResponseTooLarge", opts: []Option{WithMaxResponseBytes(1024)},
			route: "GET /api/v4/runners/1", h: gitlab(200, `{"id":1,"description":"`+strings.Repeat("x", 4096)+`"}`),
			call: func(ctx context.Context, c *Client) error { _, _, err := c.Runners.Get(ctx, 1, nil); return err },
			want: func(error) string {
				return "glrunners: GET /api/v4/runners/1: unusable 200 answer: response body too large (over 1024 bytes)"
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, tc.opts...)
			mux.HandleFunc("GET /api/v4/projects/42/runners", gitlab(200, `[]`))
			if tc.route != "" {
				mux.HandleFunc(tc.route, tc.h)
			}
			err := tc.call(t.Context(), c)
			require.Error(t, err)
			assert.Equal(t, tc.want(err), err.Error())
			assert.Equal(t, 1, strings.Count(err.Error(), "glrunners: "), "one prefix: %s", err)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestError_retryAfterIsOnlyWhatGitLabAsked(t *testing.T) {
	t.Parallel()
	url := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 503, `{"message":"503 Service Unavailable"}`)
	}))
	c, err := NewClient(url, WithToken(testToken), WithRetry(RetryPolicy{MaxRetries: 1, WaitMin: time.Millisecond, WaitMax: time.Millisecond}))
	require.NoError(t, err)
	_, _, err = c.Runners.Get(t.Context(), 1, nil)
	e, ok := asType[*Error](err)
	require.True(t, ok, "%T", err)
	assert.Zero(t, e.RetryAfter, "GitLab sent no Retry-After; the SDK's backoff is not reported as one")
	assert.Equal(t, "glrunners: GET /api/v4/runners/1: 503 Service Unavailable", err.Error())

	// A backoff that would pass the deadline is not GitLab's request either.
	c, err = NewClient(url, WithToken(testToken), WithRetry(RetryPolicy{MaxRetries: 3, WaitMin: time.Hour, WaitMax: time.Hour}))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, _, err = c.Runners.Get(ctx, 1, nil)
	e, ok = asType[*Error](err)
	require.True(t, ok, "%T", err)
	assert.Zero(t, e.RetryAfter)
	assert.NoError(t, ctx.Err(), "the hour-long backoff was not slept")
}

func TestErrorStrings_oneClearSentenceEach(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v4/runners/7", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"message":"404 Runner Not Found"}`)
	})
	mux.HandleFunc("GET /api/v4/runners/8", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, `{"message":"403 Forbidden - Runner is locked"}`)
	})
	mux.HandleFunc("GET /api/v4/runners/9", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(200)
		_, _ = w.Write([]byte("<html>maintenance</html>"))
	})
	mux.HandleFunc("POST /api/v4/user/runners", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 502, `<html>bad gateway</html>`)
	})
	url := newServer(t, mux)
	c, err := NewClient(url, WithToken(testToken), WithoutRetries())
	require.NoError(t, err)
	refused, err := NewClient(refusedURL(t), WithToken(testToken), WithRetry(RetryPolicy{MaxRetries: 1, WaitMin: time.Millisecond, WaitMax: time.Millisecond}))
	require.NoError(t, err)

	errOf := func(_ any, _ *Response, err error) error { return err }
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"status repeated with its code", errOf(c.Runners.Get(t.Context(), 7, nil)),
			"glrunners: GET /api/v4/runners/7: 404 Not Found: Runner Not Found"},
		{"status repeated with its text", errOf(c.Runners.Get(t.Context(), 8, nil)),
			"glrunners: GET /api/v4/runners/8: 403 Forbidden: Runner is locked"},
		{"decode", errOf(c.Runners.Get(t.Context(), 9, nil)),
			`glrunners: GET /api/v4/runners/9: unusable 200 answer: expected JSON, got "text/html"`},
		{"outcome unknown", errOf(c.Runners.Create(t.Context(), &CreateRunnerOptions{RunnerType: InstanceType})),
			"glrunners: POST /api/v4/user/runners: 502 Bad Gateway: bad gateway"},
		{"validation", errOf(c.Runners.Get(t.Context(), 0, nil)), "glrunners: invalid id: must be a positive runner ID"},
	}
	for _, tc := range cases {
		require.Error(t, tc.err, tc.name)
		assert.Equal(t, tc.want, tc.err.Error(), tc.name)
	}

	_, _, err = refused.Runners.Get(t.Context(), 7, nil)
	te, ok := asType[*TransportError](err)
	require.True(t, ok, "%T", err)
	msg := te.Error()
	assert.True(t, strings.HasPrefix(msg, "glrunners: GET /api/v4/runners/7: no answer: "), msg)
	assert.Equal(t, 1, strings.Count(msg, "GET"), "the method once: %s", msg)
	assert.Equal(t, 1, strings.Count(msg, "/runners/7"), "the path once, not again as a full URL: %s", msg)
	assert.Contains(t, msg, "connection refused")
	assert.True(t, strings.HasSuffix(msg, "(after 2 attempts)"), msg)
}
