package glrunners

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// authProbe records the credential headers and URL of each request.
type authProbe struct {
	mu      sync.Mutex
	headers []http.Header
	uris    []string
}

func (p *authProbe) handler(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.headers = append(p.headers, r.Header.Clone())
	p.uris = append(p.uris, r.URL.RequestURI())
	p.mu.Unlock()
	writeJSON(w, 200, `{}`)
}

func TestAuth_headersSentExactly(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	cases := []struct {
		name       string
		opt        Option
		wantHeader string
		wantValue  string
	}{
		{"private token", WithToken("glpat-abc123"), "Private-Token", "glpat-abc123"},
		{"oauth", WithOAuthToken("oauth-xyz"), "Authorization", "Bearer oauth-xyz"},
		{"token source", WithTokenSource(func(context.Context) (string, error) {
			return "refreshed-" + string(rune('0'+calls.Add(1))), nil
		}), "Authorization", "Bearer refreshed-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := &authProbe{}
			srv := httptest.NewServer(http.HandlerFunc(p.handler))
			defer srv.Close()
			c, err := NewClient(srv.URL, tc.opt)
			require.NoError(t, err)
			_, err = c.call(t.Context(), http.MethodGet, "runners", nil, nil, &struct{}{})
			require.NoError(t, err)
			require.Len(t, p.headers, 1)
			h := p.headers[0]
			assert.Equal(t, []string{tc.wantValue}, h.Values(tc.wantHeader))
			for _, other := range []string{"Private-Token", "Authorization", "Job-Token"} {
				if other != tc.wantHeader {
					assert.Empty(t, h.Values(other), other)
				}
			}
			assert.Equal(t, "/api/v4/runners", p.uris[0], "no credential in the URL")
			assert.True(t, strings.HasPrefix(h.Get("User-Agent"), "glrunners/"+Version), h.Get("User-Agent"))
			assert.Equal(t, "application/json", h.Get("Accept"))
		})
	}
}

func TestAuth_runnerTokenEndpointsSendNoUserCredential(t *testing.T) {
	t.Parallel()
	p := &authProbe{}
	srv := httptest.NewServer(http.HandlerFunc(p.handler))
	defer srv.Close()
	c, err := NewClient(srv.URL, WithToken("glpat-user"))
	require.NoError(t, err)
	_, err = c.call(t.Context(), http.MethodPost, "runners/verify", nil, map[string]string{"token": "glrt-x"}, &struct{}{}, runnerTokenAuth)
	require.NoError(t, err)
	assert.Empty(t, p.headers[0].Get("Private-Token"))
	assert.Empty(t, p.headers[0].Get("Authorization"))
	assert.Equal(t, "application/json", p.headers[0].Get("Content-Type"))
}

func TestAuth_tokenSourceErrorSendsNothing(t *testing.T) {
	t.Parallel()
	p := &authProbe{}
	srv := httptest.NewServer(http.HandlerFunc(p.handler))
	defer srv.Close()
	boom := errors.New("vault sealed")
	c, err := NewClient(srv.URL, WithTokenSource(func(context.Context) (string, error) { return "", boom }))
	require.NoError(t, err)
	_, err = c.call(t.Context(), http.MethodGet, "runners", nil, nil, nil)
	assert.ErrorIs(t, err, boom)
	assert.Empty(t, p.headers)
}

func TestRequestOptions_setHeaders(t *testing.T) {
	t.Parallel()
	p := &authProbe{}
	srv := httptest.NewServer(http.HandlerFunc(p.handler))
	defer srv.Close()
	c, err := NewClient(srv.URL, WithToken("glpat-user"), WithUserAgent("janitor/1.2"))
	require.NoError(t, err)
	when := time.Date(2025, 3, 20, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	_, err = c.call(t.Context(), http.MethodDelete, "runners/7", nil, nil, nil,
		WithSudo("alice"), WithIfUnmodifiedSince(when), WithHeader("X-Trace", "abc"))
	require.NoError(t, err)
	h := p.headers[0]
	assert.Equal(t, "alice", h.Get("Sudo"))
	assert.Equal(t, "Thu, 20 Mar 2025 11:00:00 GMT", h.Get("If-Unmodified-Since"))
	assert.Equal(t, "abc", h.Get("X-Trace"))
	assert.Equal(t, "janitor/1.2 "+defaultUserAgent, h.Get("User-Agent"))

	for _, bad := range []RequestOption{WithSudo(""), WithIfUnmodifiedSince(time.Time{}),
		WithHeader("PRIVATE-TOKEN", "x"), WithHeader("Authorization", "x"), WithHeader("X-A", "a\r\nb"), WithHeader("", "v")} {
		_, err := c.call(t.Context(), http.MethodGet, "runners", nil, nil, nil, bad)
		_, ok := asType[*ValidationError](err)
		assert.True(t, ok, "%v", err)
	}
	assert.Len(t, p.headers, 1, "refused options send nothing")
}

func TestLogger_neverLogsSecrets(t *testing.T) {
	t.Parallel()
	var buf logCapture
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mux, _ := setup(t, WithLogger(logger))
	mux.HandleFunc("POST /api/v4/runners/verify", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-42")
		writeJSON(w, 403, `{"message":"403 Forbidden"}`)
	})
	_, err := c.call(t.Context(), http.MethodPost, "runners/verify", nil, map[string]string{"token": "glrt-SECRETSECRETSECRET"}, nil)
	require.Error(t, err)
	out := buf.String()
	assert.Contains(t, out, `"path":"/api/v4/runners/verify"`)
	assert.Contains(t, out, `"status":403`)
	assert.Contains(t, out, `"request_id":"req-42"`)
	assert.NotContains(t, out, "SECRETSECRET")
	assert.NotContains(t, out, testToken)
}

func TestWithHTTPClient_isCopiedNotMutated(t *testing.T) {
	t.Parallel()
	rt := &countingTransport{base: http.DefaultTransport}
	hc := &http.Client{Transport: rt, Timeout: 5 * time.Second}
	c, mux, _ := setup(t, WithHTTPClient(hc))
	mux.HandleFunc("GET /api/v4/runners", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `[]`) })
	_, err := c.call(t.Context(), http.MethodGet, "runners", nil, nil, &[]struct{}{})
	require.NoError(t, err)
	assert.Equal(t, int32(1), rt.n.Load(), "the user's transport carried the request")
	assert.Same(t, rt, hc.Transport, "the user's client is untouched")
	assert.Nil(t, hc.CheckRedirect)
}

type countingTransport struct {
	base http.RoundTripper
	n    atomic.Int32
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}
