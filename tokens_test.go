package glrunners

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// resetOp is one token reset, called with valid arguments.
type resetOp struct {
	name   string
	path   string // escaped, under /api/v4/
	call   func(ctx context.Context, c *Client, opts ...RequestOption) (*Token, *Response, error)
	errors []apiErrorCase // its documented error answers (spec §3.15-3.19)
}

func resetOps() []resetOp {
	const orphaned = "Runner is orphaned - needs to be assigned to at least one project"
	return []resetOp{
		{
			name: "instance registration", path: "runners/reset_registration_token",
			call: func(ctx context.Context, c *Client, opts ...RequestOption) (*Token, *Response, error) {
				return c.Tokens.ResetInstanceRegistrationToken(ctx, opts...)
			},
			errors: []apiErrorCase{
				unauthorizedCase,
				{"not admin or tokens disabled", 403, `{"message":"403 Forbidden"}`, ErrForbidden, "403 Forbidden", ""},
			},
		},
		{
			name: "project registration", path: "projects/platform%2Fnetworking%2Fedge-proxy/runners/reset_registration_token",
			call: func(ctx context.Context, c *Client, opts ...RequestOption) (*Token, *Response, error) {
				return c.Tokens.ResetProjectRegistrationToken(ctx, Path("platform/networking/edge-proxy"), opts...)
			},
			errors: []apiErrorCase{
				unauthorizedCase,
				{"developer or tokens disabled", 403, `{"message":"403 Forbidden"}`, ErrForbidden, "403 Forbidden", ""},
				{"no project", 404, `{"message":"404 Project Not Found"}`, ErrNotFound, "404 Project Not Found", ""},
			},
		},
		{
			name: "group registration", path: "groups/1904/runners/reset_registration_token",
			call: func(ctx context.Context, c *Client, opts ...RequestOption) (*Token, *Response, error) {
				return c.Tokens.ResetGroupRegistrationToken(ctx, ID(1904), opts...)
			},
			errors: []apiErrorCase{
				unauthorizedCase,
				{"not owner", 403, `{"message":"403 Forbidden"}`, ErrForbidden, "403 Forbidden", ""},
				{"no group", 404, `{"message":"404 Group Not Found"}`, ErrNotFound, "404 Group Not Found", ""},
			},
		},
		{
			name: "authentication by id", path: "runners/4117/reset_authentication_token",
			call: func(ctx context.Context, c *Client, opts ...RequestOption) (*Token, *Response, error) {
				return c.Tokens.ResetAuthenticationToken(ctx, 4117, opts...)
			},
			errors: []apiErrorCase{
				unauthorizedCase,
				{"no access", 403, `{"message":"403 Forbidden - No access granted"}`, ErrForbidden, "403 Forbidden - No access granted", ""},
				{"no runner", 404, `{"message":"404 Runner Not Found"}`, ErrNotFound, "404 Runner Not Found", ""},
				{"orphaned", 422, `{"error":"` + orphaned + `"}`, ErrUnprocessable, orphaned, orphaned},
			},
		},
		{
			name: "authentication with token", path: "runners/reset_authentication_token",
			call: func(ctx context.Context, c *Client, opts ...RequestOption) (*Token, *Response, error) {
				return c.Tokens.ResetAuthenticationTokenWithToken(ctx, testRunnerToken, opts...)
			},
			errors: []apiErrorCase{
				{"token missing", 400, `{"error":"token is missing"}`, ErrBadRequest, "token is missing", "token is missing"},
				{"wrong or expired token", 403, `{"message":"403 Forbidden"}`, ErrForbidden, "403 Forbidden", ""},
				{"orphaned", 422, `{"error":"` + orphaned + `"}`, ErrUnprocessable, orphaned, orphaned},
			},
		},
	}
}

// checkTokenHidden asserts that no printed form of tok shows its value.
func checkTokenHidden(t *testing.T, tok *Token) {
	t.Helper()
	secret := tok.Token.Reveal()
	require.NotEmpty(t, secret)
	printed := fmt.Sprintf("%v %+v %#v %s", tok, *tok, *tok, tok.Token)
	assert.NotContains(t, printed, secret)
	assert.Contains(t, printed, "[REDACTED]")
}

func TestTokensReset_userTokenWire(t *testing.T) {
	t.Parallel()
	expires := time.Date(2025, 4, 3, 9, 30, 0, 0, time.UTC)
	for i, tc := range []struct {
		fixture     string
		wantToken   string
		wantExpires *time.Time
	}{
		{"token_reset_registration.json", "GR1348941FAKE-registration-token-not-real", nil},
		{"token_reset_registration.json", "GR1348941FAKE-registration-token-not-real", nil},
		{"token_reset_registration.json", "GR1348941FAKE-registration-token-not-real", nil},
		{"token_reset.json", "glrt-t3_FAKE-rotated-example-token-9z8y7x", &expires},
	} {
		op := resetOps()[i]
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			body := fixture(t, tc.fixture)
			var n atomic.Int32
			mux.HandleFunc("POST /api/v4/"+op.path, func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				assertUserRequest(t, r, "/api/v4/"+op.path, nil)
				assert.Empty(t, readBody(t, r), "these resets take no parameters")
				writeJSON(w, http.StatusCreated, string(body))
			})
			tok, resp, err := op.call(t.Context(), c)
			require.NoError(t, err)
			assert.Equal(t, http.StatusCreated, resp.StatusCode)
			assert.Equal(t, tc.wantToken, tok.Token.Reveal())
			assert.Equal(t, tc.wantExpires, tok.TokenExpiresAt)
			assert.EqualValues(t, 1, n.Load())
			checkTokenHidden(t, tok)
		})
	}
}

func TestTokensResetAuthenticationTokenWithToken_wire(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		fixture     string
		wantToken   string
		wantExpires *time.Time
	}{
		{"expiring", "token_reset.json", "glrt-t3_FAKE-rotated-example-token-9z8y7x", Ptr(time.Date(2025, 4, 3, 9, 30, 0, 0, time.UTC))},
		{"no expiry (null)", "token_reset_null_expiry.json", "glrt-t2_FAKE-no-expiry-example-token-4k5l6m", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The client has a refreshing user credential: it must not even
			// be asked for one.
			var sourceCalls atomic.Int32
			c, mux, _ := setup(t, WithTokenSource(func(context.Context) (string, error) {
				sourceCalls.Add(1)
				return "oauth-user-token", nil
			}))
			body := fixture(t, tc.fixture)
			mux.HandleFunc("POST /api/v4/runners/reset_authentication_token", func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, "/api/v4/runners/reset_authentication_token", r.URL.EscapedPath())
				assert.Empty(t, r.URL.RawQuery)
				assert.NotContains(t, r.URL.String(), testRunnerToken)
				assertNoUserAuth(t, r)
				assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
				assert.JSONEq(t, `{"token":"`+testRunnerToken+`"}`, readBody(t, r))
				writeJSON(w, http.StatusCreated, string(body))
			})
			tok, resp, err := c.Tokens.ResetAuthenticationTokenWithToken(t.Context(), testRunnerToken)
			require.NoError(t, err)
			assert.Equal(t, http.StatusCreated, resp.StatusCode)
			assert.Equal(t, tc.wantToken, tok.Token.Reveal())
			assert.Equal(t, tc.wantExpires, tok.TokenExpiresAt)
			assert.Zero(t, sourceCalls.Load())
			checkTokenHidden(t, tok)
		})
	}
}

// With a static PRIVATE-TOKEN client, the runner-token reset sends neither
// that header nor Authorization, and the caller's options slice is kept.
func TestTokensResetAuthenticationTokenWithToken_noUserHeader(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	body := fixture(t, "token_reset.json")
	mux.HandleFunc("POST /api/v4/runners/reset_authentication_token", func(w http.ResponseWriter, r *http.Request) {
		assertNoUserAuth(t, r)
		assert.Equal(t, "yes", r.Header.Get("X-Test"))
		writeJSON(w, http.StatusCreated, string(body))
	})
	opts := make([]RequestOption, 1, 4)
	opts[0] = WithHeader("X-Test", "yes")
	_, _, err := c.Tokens.ResetAuthenticationTokenWithToken(t.Context(), testRunnerToken, opts...)
	require.NoError(t, err)
	assert.Len(t, opts, 1)
	assert.Nil(t, opts[:2][1], "withRunnerToken must not write into the caller's backing array")
}

func TestTokensReset_errors(t *testing.T) {
	t.Parallel()
	for _, op := range resetOps() {
		for _, tc := range op.errors {
			t.Run(op.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				c, mux, _ := setup(t)
				var n atomic.Int32
				mux.HandleFunc("POST /api/v4/"+op.path, serveCounting(&n, tc.status, tc.body))
				tok, resp, err := op.call(t.Context(), c)
				assert.Nil(t, tok)
				checkAPIError(t, tc, http.MethodPost, op.path, resp, err)
				assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a 4xx means GitLab did not act")
				assert.EqualValues(t, 1, n.Load())
			})
		}
	}
}

// A 5xx on a reset may come after the token was rotated: retrying would
// rotate it again and lose the first new token, so the SDK sends once and
// reports the outcome as unknown.
func TestTokensReset_serverErrorNotRetried(t *testing.T) {
	t.Parallel()
	for _, op := range resetOps() {
		for _, status := range []int{500, 502, 503, 504} {
			t.Run(fmt.Sprintf("%s/%d", op.name, status), func(t *testing.T) {
				t.Parallel()
				c, mux, _ := setup(t)
				var n atomic.Int32
				mux.HandleFunc("POST /api/v4/"+op.path, func(w http.ResponseWriter, _ *http.Request) {
					n.Add(1)
					w.Header().Set("Retry-After", "0")
					writeJSON(w, status, fmt.Sprintf(`{"message":"%d %s"}`, status, http.StatusText(status)))
				})
				tok, resp, err := op.call(t.Context(), c)
				assert.Nil(t, tok)
				assert.EqualValues(t, 1, n.Load(), "a reset must not be retried after a 5xx")
				assert.ErrorIs(t, err, ErrOutcomeUnknown)
				assert.ErrorIs(t, err, ErrServer)
				if assert.NotNil(t, resp) {
					assert.Equal(t, 1, resp.Attempts)
				}
			})
		}
	}
}

// RequestOptions reach the request, the runner-token marker included:
// WithRetryNonIdempotent opts one reset into retries.
func TestTokensReset_retryOptIn(t *testing.T) {
	t.Parallel()
	for _, op := range resetOps() {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var n atomic.Int32
			mux.HandleFunc("POST /api/v4/"+op.path, func(w http.ResponseWriter, _ *http.Request) {
				if n.Add(1) == 1 {
					writeJSON(w, http.StatusServiceUnavailable, `{"message":"503 Service Unavailable"}`)
					return
				}
				writeJSON(w, http.StatusCreated, `{"token":"GR1348941FAKE-second","token_expires_at":null}`)
			})
			tok, resp, err := op.call(t.Context(), c, WithRetryNonIdempotent())
			require.NoError(t, err)
			assert.Equal(t, "GR1348941FAKE-second", tok.Token.Reveal())
			assert.Equal(t, 2, resp.Attempts)
			assert.EqualValues(t, 2, n.Load())
		})
	}
}

// A server that echoes the current token in an error must not make it
// appear in the error string, message or body. The token here has no known
// shape, so only the request's own secret list can catch it.
func TestTokensResetAuthenticationTokenWithToken_errorHidesToken(t *testing.T) {
	t.Parallel()
	const secret = "plain-runner-secret-77QxZ"
	for _, tc := range []struct {
		status int
		body   string
	}{
		{403, `{"message":"403 Forbidden - token ` + secret + ` expired"}`},
		{422, `{"message":{"token":["` + secret + ` is invalid"]}}`},
		{500, `<html><body>token=` + secret + `</body></html>`},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			mux.HandleFunc("POST /api/v4/runners/reset_authentication_token", func(w http.ResponseWriter, r *http.Request) {
				assert.NotContains(t, r.URL.String(), secret)
				got, _ := io.ReadAll(r.Body)
				assert.JSONEq(t, `{"token":"`+secret+`"}`, string(got))
				writeJSON(w, tc.status, tc.body)
			})
			_, _, err := c.Tokens.ResetAuthenticationTokenWithToken(t.Context(), secret)
			require.Error(t, err)
			e, ok := asType[*Error](err)
			require.True(t, ok)
			assert.Equal(t, tc.status, e.StatusCode)
			for _, s := range []string{err.Error(), fmt.Sprintf("%v %+v", err, e), e.Message, e.Body, e.Path} {
				assert.NotContains(t, s, secret)
			}
			assert.Contains(t, e.Body, "[REDACTED]")
		})
	}
}

func TestTokensReset_validation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		call  func(ctx context.Context, c *Client) (*Token, *Response, error)
		field string
	}{
		{"project zero ref", func(ctx context.Context, c *Client) (*Token, *Response, error) {
			return c.Tokens.ResetProjectRegistrationToken(ctx, Ref{})
		}, "id"},
		{"project ID(0)", func(ctx context.Context, c *Client) (*Token, *Response, error) {
			return c.Tokens.ResetProjectRegistrationToken(ctx, ID(0))
		}, "id"},
		{"project empty path", func(ctx context.Context, c *Client) (*Token, *Response, error) {
			return c.Tokens.ResetProjectRegistrationToken(ctx, Path(""))
		}, "id"},
		{"group zero ref", func(ctx context.Context, c *Client) (*Token, *Response, error) {
			return c.Tokens.ResetGroupRegistrationToken(ctx, Ref{})
		}, "id"},
		{"group ID(-1)", func(ctx context.Context, c *Client) (*Token, *Response, error) {
			return c.Tokens.ResetGroupRegistrationToken(ctx, ID(-1))
		}, "id"},
		{"group empty path", func(ctx context.Context, c *Client) (*Token, *Response, error) {
			return c.Tokens.ResetGroupRegistrationToken(ctx, Path(""))
		}, "id"},
		{"runner 0", func(ctx context.Context, c *Client) (*Token, *Response, error) {
			return c.Tokens.ResetAuthenticationToken(ctx, 0)
		}, "id"},
		{"runner -5", func(ctx context.Context, c *Client) (*Token, *Response, error) {
			return c.Tokens.ResetAuthenticationToken(ctx, -5)
		}, "id"},
		{"empty token", func(ctx context.Context, c *Client) (*Token, *Response, error) {
			return c.Tokens.ResetAuthenticationTokenWithToken(ctx, "")
		}, "token"},
		{"blank token", func(ctx context.Context, c *Client) (*Token, *Response, error) {
			return c.Tokens.ResetAuthenticationTokenWithToken(ctx, " \t")
		}, "token"},
		{"token with whitespace", func(ctx context.Context, c *Client) (*Token, *Response, error) {
			return c.Tokens.ResetAuthenticationTokenWithToken(ctx, "glrt-abc def")
		}, "token"},
		{"token with newline", func(ctx context.Context, c *Client) (*Token, *Response, error) {
			return c.Tokens.ResetAuthenticationTokenWithToken(ctx, "glrt-abcdef\n")
		}, "token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			n := countRequests(mux)
			tok, resp, err := tc.call(t.Context(), c)
			assert.Nil(t, tok)
			assert.Nil(t, resp)
			checkValidation(t, tc.field, err)
			if err != nil {
				assert.NotContains(t, err.Error(), "abc", "a validation error never quotes the token")
			}
			assert.Zero(t, n.Load(), "no request may be sent")
		})
	}
}
