package main

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
)

// front stands before the fake: it adds latency, loses create answers,
// serves the request log and the group and project lookups, and passes
// everything else on.
type front struct {
	srv   *glrunnerstest.Server
	org   *org
	c     *config
	proxy *httputil.ReverseProxy

	mu  sync.Mutex
	rnd *rand.Rand
}

// entityPath is GET /api/v4/groups/:id or /projects/:id, nothing below.
var entityPath = regexp.MustCompile(`^/api/v4/(groups|projects)/([^/]+)$`)

func newFront(srv *glrunnerstest.Server, o *org, c *config) (*front, error) {
	target, err := url.Parse(srv.URL())
	if err != nil {
		return nil, err
	}
	p := httputil.NewSingleHostReverseProxy(target)
	p.Transport = &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second}
	p.ErrorLog = nil
	return &front{srv: srv, org: o, c: c, proxy: p, rnd: rand.New(rand.NewPCG(uint64(c.randSeed), 7))}, nil
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/-/fake/requests" {
		f.requests(w, r)
		return
	}
	if f.c.latency > 0 {
		t := time.NewTimer(f.c.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if m := entityPath.FindStringSubmatch(r.URL.EscapedPath()); m != nil && r.Method == http.MethodGet {
		f.entity(w, m[1], m[2])
		return
	}
	if r.Method == http.MethodPost && r.URL.Path == "/api/v4/user/runners" && f.lose() {
		f.srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/user/runners", Status: http.StatusBadGateway, AfterApply: true})
	}
	f.proxy.ServeHTTP(w, r)
}

func (f *front) lose() bool {
	if f.c.loseCreates <= 0 {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rnd.Float64() < f.c.loseCreates
}

func (f *front) entity(w http.ResponseWriter, kind, escaped string) {
	ref, err := url.PathUnescape(escaped)
	e, ok := f.org.lookup(kind, ref)
	if err != nil || !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "404 " + map[string]string{"groups": "Group", "projects": "Project"}[kind] + " Not Found"})
		return
	}
	out := map[string]any{"id": e.ID, "name": e.Name, "path": e.Path}
	if kind == "groups" {
		out["full_path"] = e.FullPath
	} else {
		out["path_with_namespace"] = e.FullPath
	}
	writeJSON(w, http.StatusOK, out)
}

// loggedRequest is one entry of GET /-/fake/requests.
type loggedRequest struct {
	Method string    `json:"method"`
	Path   string    `json:"path"`
	Query  string    `json:"query"`
	Status int       `json:"status"`
	Time   time.Time `json:"time"`
}

func (f *front) requests(w http.ResponseWriter, r *http.Request) {
	since, err := strconv.Atoi(r.URL.Query().Get("since"))
	if r.URL.Query().Has("since") && (err != nil || since < 0) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "since must be a non-negative integer"})
		return
	}
	log := f.srv.Requests()
	out := make([]loggedRequest, 0, max(len(log)-since, 0))
	for _, q := range log[min(since, len(log)):] {
		out = append(out, loggedRequest{Method: q.Method, Path: q.Path, Query: q.Query, Status: q.Status, Time: q.Time})
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
