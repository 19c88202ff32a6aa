package glrunnerstest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type options struct {
	now        func() time.Time
	tokenTTL   time.Duration
	rateLimit  int
	rateWindow time.Duration
}

// Option configures NewServer.
type Option func(*options)

// WithNow sets the clock (default time.Now). See also Server.SetNow.
func WithNow(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithRunnerTokenExpiry gives every runner authentication token issued or
// rotated by the server (registration, POST /user/runners, resets) an expiry
// of d after issue, as GitLab's token expiration interval setting does.
// Default: no expiry (token_expires_at null).
func WithRunnerTokenExpiry(d time.Duration) Option { return func(o *options) { o.tokenTTL = d } }

// WithRateLimit is SetRateLimit at construction.
func WithRateLimit(limit int, window time.Duration) Option {
	return func(o *options) { o.rateLimit, o.rateWindow = limit, window }
}

// Server is a running fake GitLab. Create it with New in a test, or with
// NewServer in a program (then Close it).
type Server struct {
	ts *httptest.Server
	s  *server
	tb testing.TB // set by New; nil: misuse panics
}

// server holds the state and the handlers.
type server struct {
	mu         sync.Mutex
	st         *state
	adminToken string
	baseURL    string
	log        []Request
	faults     []*faultRule
	rl         rateLimiter
	mux        *http.ServeMux
}

// NewServer starts a fake GitLab on 127.0.0.1 with an administrator (user 1,
// "root") whose token AdminToken returns. The caller must Close it. Its
// seeding methods panic on misuse, with a message naming the call; in a
// test, New reports misuse with t.Fatal and closes the server itself.
func NewServer(opts ...Option) *Server {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	s := &server{st: newState(o.now), mux: http.NewServeMux()}
	s.st.tokenTTL = o.tokenTTL
	s.rl.set(o.rateLimit, o.rateWindow)
	s.st.instanceRegToken = s.st.newRegToken(regKey{"instance", 0}, "")
	s.routes()
	ts := httptest.NewServer(s)
	s.baseURL = ts.URL
	srv := &Server{ts: ts, s: s}
	_, s.adminToken = srv.AddUser(User{Username: "root", Name: "Administrator", Admin: true})
	return srv
}

// URL is the server's base URL, "http://127.0.0.1:PORT"; the API lives under
// URL()+"/api/v4".
func (s *Server) URL() string { return s.ts.URL }

// AdminToken is the administrator's personal token (scope api).
func (s *Server) AdminToken() string { return s.s.adminToken }

// Close shuts the server down, dropping open connections.
func (s *Server) Close() {
	s.ts.CloseClientConnections()
	s.ts.Close()
}

// SetNow replaces the clock. online, status and stale-ness are computed from
// it at request time; so are rate-limit windows.
func (s *Server) SetNow(now func() time.Time) {
	s.s.mu.Lock()
	defer s.s.mu.Unlock()
	s.s.st.now = now
}

// SetRateLimit sets a quota of limit requests per window for each user token
// (or client IP for requests without a user token, such as the runner-token
// endpoints). Windows are fixed, aligned to the clock. Over the quota the
// server answers 429 "Retry later" with Retry-After; RateLimit-* headers are
// sent on every response while a limit is set. limit <= 0 turns it off.
func (s *Server) SetRateLimit(limit int, window time.Duration) {
	s.s.mu.Lock()
	defer s.s.mu.Unlock()
	s.s.rl.set(limit, window)
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.s.mu.Lock()
	defer s.s.mu.Unlock()
	return append([]Request(nil), s.s.log...)
}

// ServeHTTP is the outer pipeline: request ID, log, faults, rate limit,
// routes.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := newRequestID()
	w.Header().Set(requestIDHeader, id)
	rw := &statusWriter{ResponseWriter: w, s: s, r: r, id: id}
	defer rw.log(0) // no answer at all (client gone during latency)
	if f := s.takeFault(r); f != nil {
		if !s.applyFault(f, rw, r) {
			return
		}
	}
	s.inner(rw, r)
}

// inner rate-limits, then routes.
func (s *server) inner(w http.ResponseWriter, r *http.Request) {
	if !s.rateLimit(w, r) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

// statusWriter logs the request when the status is written, before any
// byte reaches the client, so Requests() already holds it when the client
// has its answer.
type statusWriter struct {
	http.ResponseWriter
	s      *server
	r      *http.Request
	id     string // X-Request-Id of the answer
	status int
	logged bool
}

func (w *statusWriter) log(status int) {
	if w.logged {
		return
	}
	w.logged = true
	s := w.s
	s.mu.Lock()
	defer s.mu.Unlock()
	id := w.id
	if status == 0 {
		id = "" // no answer carried it
	}
	s.log = append(s.log, Request{
		Method:    w.r.Method,
		Path:      s.redact(w.r.URL.EscapedPath()),
		Query:     s.redactQuery(w.r.URL.RawQuery),
		Status:    status,
		Time:      s.st.now(),
		RequestID: id,
	})
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.log(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// routes registers every endpoint of the Runners API.
func (s *server) routes() {
	const v4 = "/api/v4"
	h := func(pattern string, mode authMode, fn handlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		s.mux.Handle(method+" "+v4+path, s.endpoint(mode, fn))
	}
	h("GET /runners", authRead, s.listOwned)
	h("GET /runners/all", authRead, s.listAll)
	h("GET /runners/{id}", authRunnerRead, s.getRunner)
	h("PUT /runners/{id}", authRunnerWrite, s.updateRunner)
	h("DELETE /runners/{id}", authRunnerWrite, s.deleteRunner)
	h("GET /runners/{id}/jobs", authRunnerRead, s.listJobs)
	h("GET /runners/{id}/managers", authRunnerRead, s.listManagers)
	h("GET /runners/{id}/projects", authRunnerRead, s.listRunnerProjects)
	h("POST /runners/{id}/reset_authentication_token", authRunnerWrite, s.resetAuthTokenByID)
	h("GET /projects/{id}/runners", authRead, s.listProjectRunners)
	h("POST /projects/{id}/runners", authAPI, s.assignRunner)
	h("DELETE /projects/{id}/runners/{runner_id}", authAPI, s.unassignRunner)
	h("GET /groups/{id}/runners", authRead, s.listGroupRunners)
	h("POST /runners", authNone, s.registerRunner)
	h("DELETE /runners", authNone, s.deleteByToken)
	h("POST /runners/verify", authNone, s.verifyRunner)
	h("DELETE /runners/managers", authNone, s.deleteManager)
	h("POST /runners/reset_authentication_token", authNone, s.resetAuthTokenByToken)
	h("POST /user/runners", authCreate, s.createUserRunner)
	h("POST /runners/reset_registration_token", authAPI, s.resetInstanceRegToken)
	h("POST /projects/{id}/runners/reset_registration_token", authAPI, s.resetProjectRegToken)
	h("POST /groups/{id}/runners/reset_registration_token", authAPI, s.resetGroupRegToken)
	// GitLab's catch-all route: unknown paths and wrong methods.
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeReply(w, jsonReply(http.StatusNotFound, map[string]string{"error": "404 Not Found"}))
	})
}

// Unwrap lets http.ResponseController reach the connection (Hijack).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
