package glrunners

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRequestDo_sendsAnyCallThroughThePipeline(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/v4/version", func(w http.ResponseWriter, r *http.Request) {
		assertUserAuth(t, r)
		assert.Equal(t, "maint", r.Header.Get("Sudo"))
		assert.Equal(t, "verbose=true", r.URL.RawQuery)
		w.Header().Set("X-Next-Page", "2")
		writeJSON(w, 200, `{"version":"18.6.0","revision":"abc"}`)
	})
	mux.HandleFunc("PUT /api/v4/runners/7", func(w http.ResponseWriter, r *http.Request) {
		assert.JSONEq(t, `{"maintenance_note":"new param"}`, readBody(t, r))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		writeJSON(w, 403, `{"message":"403 Forbidden - `+testToken+` is not allowed"}`)
	})

	req, err := c.NewRequest(http.MethodGet, "version", url.Values{"verbose": {"true"}}, nil, WithSudo("maint"))
	require.NoError(t, err)
	var v struct{ Version, Revision string }
	resp, err := c.Do(t.Context(), req, &v)
	require.NoError(t, err)
	assert.Equal(t, "18.6.0", v.Version)
	assert.Equal(t, 2, resp.NextPage, "pagination headers are parsed")
	assert.Equal(t, 1, resp.Attempts)

	req, err = c.NewRequest(http.MethodPut, "/runners/7", nil, map[string]string{"maintenance_note": "new param"})
	require.NoError(t, err)
	resp, err = c.Do(t.Context(), req, nil)
	assert.ErrorIs(t, err, ErrForbidden)
	assert.Equal(t, 403, resp.StatusCode)
	assert.NotContains(t, err.Error(), testToken, "errors are scrubbed of the credential")
	assert.Contains(t, err.Error(), "is not allowed")
}

func TestNewRequestDo_refusesBadInputBeforeSending(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	n := countRequests(mux)
	for _, tc := range []struct{ method, path, field string }{
		{"GET", "https://elsewhere.example.com/api/v4/runners", "path"},
		{"GET", "//elsewhere.example.com/runners", "path"},
		{"GET", "runners/../../admin", "path"},
		{"GET", "runners?private_token=x", "path"},
		{"GET", "/api/v4//elsewhere.example.com/runners", "path"},
		{"GET", "/api/v4/runners/../../admin", "path"},
		{"", "runners", "method"},
		{"GE T", "runners", "method"},
	} {
		_, err := c.NewRequest(tc.method, tc.path, nil, nil)
		checkValidation(t, tc.field, err)
	}
	req, err := c.NewRequest(http.MethodGet, "runners", nil, nil)
	require.NoError(t, err)
	var notPointer []Runner
	_, err = c.Do(t.Context(), req, notPointer)
	checkValidation(t, "out", err)
	_, err = c.Do(t.Context(), nil, nil)
	checkValidation(t, "req", err)
	assert.Zero(t, n.Load(), "nothing was sent")
}

// TestNewRequest_pathForms sends each accepted form of a path, the API
// prefix included or not, and checks the exact escaped path the server
// sees, on a GitLab at the host's root and at a relative URL root.
func TestNewRequest_pathForms(t *testing.T) {
	t.Parallel()
	for _, root := range []string{"", "/gitlab"} {
		var (
			mu   sync.Mutex
			seen []string
		)
		mux := http.NewServeMux()
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.URL.EscapedPath())
			mu.Unlock()
			writeJSON(w, 200, `[]`)
		})
		srv := httptest.NewServer(mux)
		c, err := NewClient(srv.URL+root, WithToken(testToken), WithoutRetries())
		require.NoError(t, err)
		var want []string
		for _, tc := range []struct{ path, sent string }{
			{"runners/all", "/api/v4/runners/all"},
			{"/runners/all", "/api/v4/runners/all"},
			{"api/v4/runners/all", "/api/v4/runners/all"},
			{"/api/v4/runners/all", "/api/v4/runners/all"},
			{"/api/v4/projects/group%2Fproject/runners", "/api/v4/projects/group%2Fproject/runners"},
			{"api/v4", "/api/v4/"},
			{"api/v4x/runners", "/api/v4/api/v4x/runners"}, // not the prefix: left alone
		} {
			req, err := c.NewRequest(http.MethodGet, tc.path, nil, nil)
			require.NoError(t, err, tc.path)
			_, err = c.Do(t.Context(), req, nil)
			require.NoError(t, err, tc.path)
			want = append(want, root+tc.sent)
		}
		srv.Close()
		mu.Lock()
		assert.Equal(t, want, seen, "root %q", root)
		mu.Unlock()
	}
}

// benchPage builds a 100-runner page from the fixture's first runner.
func benchPage(b *testing.B) []byte {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "runner_list.json"))
	if err != nil {
		b.Fatal(err)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		b.Fatal(err)
	}
	page := make([]json.RawMessage, 100)
	for i := range page {
		page[i] = list[i%len(list)]
	}
	out, _ := json.Marshal(page)
	return out
}

// BenchmarkListPage compares one page fetched through the SDK's pipeline
// (auth, retry hooks, rate-limit bookkeeping, header parsing, capped
// decode) with the same request made by hand with net/http; the ratio of
// the two is the SDK's overhead.
func BenchmarkListPage(b *testing.B) {
	page := benchPage(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Page", "1")
		w.Header().Set("X-Next-Page", "2")
		w.Header().Set("X-Per-Page", "100")
		w.Header().Set("Link", `<http://x/api/v4/runners?page=2&per_page=100>; rel="next"`)
		_, _ = w.Write(page)
	}))
	defer srv.Close()

	b.Run("raw net/http", func(b *testing.B) {
		hc := &http.Client{}
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(b.Context(), http.MethodGet, srv.URL+"/api/v4/runners?per_page=100", nil)
			req.Header.Set("PRIVATE-TOKEN", testToken)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var out []*Runner
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out) != 100 {
				b.Fatal(err, len(out))
			}
			resp.Body.Close()
		}
	})
	b.Run("glrunners", func(b *testing.B) {
		c, err := NewClient(srv.URL, WithToken(testToken))
		if err != nil {
			b.Fatal(err)
		}
		opt := &ListOptions{PerPage: 100}
		b.ReportAllocs()
		for b.Loop() {
			var out []*Runner
			resp, err := c.call(b.Context(), http.MethodGet, "runners", opt, nil, &out)
			if err != nil || len(out) != 100 || resp.NextPage != 2 {
				b.Fatal(err, len(out))
			}
		}
	})
}

// BenchmarkPipelineOverhead sends a call whose answer costs next to nothing
// to decode, by hand and through the SDK: the difference is what the
// pipeline (request building, retry hooks, headers, rate-limit
// bookkeeping, body handling) costs per request.
func BenchmarkPipelineOverhead(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":7}`))
	}))
	defer srv.Close()
	b.Run("raw net/http", func(b *testing.B) {
		hc := &http.Client{}
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(b.Context(), http.MethodGet, srv.URL+"/api/v4/runners/7", nil)
			req.Header.Set("PRIVATE-TOKEN", testToken)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var out RunnerDetails
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.ID != 7 {
				b.Fatal(err)
			}
			resp.Body.Close()
		}
	})
	b.Run("glrunners", func(b *testing.B) {
		c, err := NewClient(srv.URL, WithToken(testToken))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			r, _, err := c.Runners.Get(b.Context(), 7, nil)
			if err != nil || r.ID != 7 {
				b.Fatal(err)
			}
		}
	})
}

func TestNilContext_isAnErrorNotAPanic(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t)
	//lint:ignore SA1012 a nil context is what this test is about
	_, _, err := c.Runners.Get(nil, 1, nil) //nolint:staticcheck
	checkValidation(t, "ctx", err)
	//lint:ignore SA1012 a nil context is what this test is about
	for r, err := range c.Runners.ListAllIter(nil, nil) { //nolint:staticcheck
		assert.Nil(t, r)
		checkValidation(t, "ctx", err)
	}
}
