package bench

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// serverConfig describes the GitLab a benchmark talks to.
type serverConfig struct {
	runners   int           // fleet size behind GET /runners/all
	latency   time.Duration // slept before answering each list page
	mixErrors bool          // GET /runners/:id answers 404 for ids ending in 3 and 500 for ids ending in 7
}

// fleetServer is a loopback GitLab serving pre-serialized answers: list pages
// spliced from pageTemplate with GitLab's pagination headers, and the spec's
// runner-details example. It counts what the clients cost it: TCP
// connections opened and list pages requested. Its own per-request work is
// the same for every contender; the floor benchmarks show how much it is.
type fleetServer struct {
	*httptest.Server
	cfg      serverConfig
	tmpl     *pageTemplate
	details  []byte
	bufs     sync.Pool // *[]byte page buffers
	conns    atomic.Int64
	pagesReq atomic.Int64
	held     heldMeter
}

// Header values that never change, shared by every answer (net/http only
// reads them), so the server allocates nothing for them.
var (
	hdrJSON      = []string{"application/json"}
	hdrCache     = []string{"max-age=0, private, must-revalidate"}
	hdrRequestID = []string{"01JQ3Z8M7XKQ2V9B5T4R6N0PDE"}
	hdrEmpty     = []string{""}
	errNotFound  = []byte(`{"message":"404 Runner Not Found"}`)
	errServer    = []byte(`{"message":"500 Internal Server Error"}`)
)

func newFleetServer(tb testing.TB, cfg serverConfig) *fleetServer {
	tb.Helper()
	tmpl, err := fixtures()
	if err != nil {
		tb.Fatal(err)
	}
	details, err := detailsBody()
	if err != nil {
		tb.Fatal(err)
	}
	s := &fleetServer{cfg: cfg, tmpl: tmpl, details: details}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v4/runners/all", s.list)
	mux.HandleFunc("GET /api/v4/runners/{id}", s.get)
	s.Server = httptest.NewUnstartedServer(mux)
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	tb.Cleanup(s.Close)
	return s
}

// list serves one page of GET /runners/all like GitLab: per_page defaults to
// 20 and is capped at 100, and X-Total/X-Total-Pages (and Link rel="last")
// are left out when the fleet passes 10,000 runners.
func (s *fleetServer) list(w http.ResponseWriter, r *http.Request) {
	s.pagesReq.Add(1)
	s.held.requested()
	page, pp := queryInt(r.URL.RawQuery, "page", 1), queryInt(r.URL.RawQuery, "per_page", 20)
	if page < 1 || pp < 1 {
		http.Error(w, `{"error":"page or per_page has a value not allowed"}`, http.StatusBadRequest)
		return
	}
	pp = min(pp, perPage)
	if s.cfg.latency > 0 {
		time.Sleep(s.cfg.latency)
	}
	n := s.cfg.runners
	pages := (n + pp - 1) / pp
	h := w.Header()
	h["Content-Type"], h["Cache-Control"], h["X-Request-Id"] = hdrJSON, hdrCache, hdrRequestID
	h["X-Page"] = []string{strconv.Itoa(page)}
	h["X-Per-Page"] = []string{strconv.Itoa(pp)}
	h["X-Next-Page"], h["X-Prev-Page"] = hdrEmpty, hdrEmpty
	var links []string
	link := func(p int, rel string) string {
		return "<" + s.URL + "/api/v4/runners/all?page=" + strconv.Itoa(p) + "&per_page=" + strconv.Itoa(pp) + `>; rel="` + rel + `"`
	}
	if page > 1 && page <= pages+1 {
		h["X-Prev-Page"] = []string{strconv.Itoa(page - 1)}
		links = append(links, link(page-1, "prev"))
	}
	if page < pages {
		h["X-Next-Page"] = []string{strconv.Itoa(page + 1)}
		links = append(links, link(page+1, "next"))
	}
	links = append(links, link(1, "first"))
	if n <= 10000 {
		h["X-Total"] = []string{strconv.Itoa(n)}
		h["X-Total-Pages"] = []string{strconv.Itoa(max(pages, 1))}
		links = append(links, link(max(pages, 1), "last"))
	}
	h["Link"] = []string{strings.Join(links, ", ")}

	from, to := (page-1)*pp+1, min(page*pp, n)
	bp, _ := s.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	*bp = s.tmpl.appendItems((*bp)[:0], from, to)
	_, _ = w.Write(*bp)
	s.bufs.Put(bp)
}

// get serves GET /runners/:id with the details example, or GitLab's JSON
// error bodies when the server mixes errors in.
func (s *fleetServer) get(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.Error(w, `{"error":"id is invalid"}`, http.StatusBadRequest)
		return
	}
	h := w.Header()
	h["Content-Type"], h["Cache-Control"], h["X-Request-Id"] = hdrJSON, hdrCache, hdrRequestID
	body, status := s.details, http.StatusOK
	if s.cfg.mixErrors {
		switch id % 10 {
		case 3:
			body, status = errNotFound, http.StatusNotFound
		case 7:
			body, status = errServer, http.StatusInternalServerError
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// wantStatus is what get answers for id.
func (s *fleetServer) wantStatus(id int64) int {
	if s.cfg.mixErrors {
		switch id % 10 {
		case 3:
			return http.StatusNotFound
		case 7:
			return http.StatusInternalServerError
		}
	}
	return http.StatusOK
}

// queryInt reads an integer query parameter without url.ParseQuery's map;
// absent means def, malformed means 0 (rejected by the caller).
func queryInt(rawQuery, key string, def int) int {
	for q := rawQuery; q != ""; {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		if k, v, _ := strings.Cut(kv, "="); k == key {
			n, err := strconv.Atoi(v)
			if err != nil {
				return 0
			}
			return n
		}
	}
	return def
}
