package glrunners

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

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
