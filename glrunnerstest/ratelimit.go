package glrunnerstest

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// rateLimiter models GitLab's two kinds of rate limit:
//
//   - the instance throttle (Rack::Attack), a fixed window aligned to the
//     epoch per user token or client IP, whose RateLimit-* headers go on
//     every answer or, as on older GitLab, only on throttled ones
//     (SetRateLimitHeaders);
//   - application limits of single endpoints (SetEndpointLimit), counted
//     per user and endpoint, whose 429 carries no RateLimit-* headers.
//
// Requests without a user token, such as the runner-token endpoints, count
// per client IP as unauthenticated traffic (UNCONFIRMED: GitLab may exempt
// runner traffic or throttle it apart). Windows follow the server's clock
// (WithNow, SetNow), which also stamps the Date header, as GitLab's does:
// a client that reads RateLimit-Reset against Date sees the same windows
// however the clock is set. Guarded by s.mu.
type rateLimiter struct {
	throttle      fixedWindow
	onlyThrottled bool                    // headers only on throttled answers
	endpoints     map[string]*fixedWindow // by route pattern, e.g. "GET /runners/{id}/jobs"
}

// fixedWindow counts requests per key in windows of a fixed length,
// aligned to the Unix epoch.
type fixedWindow struct {
	limit  int
	window time.Duration
	start  map[string]time.Time
	count  map[string]int
}

func newFixedWindow(limit int, window time.Duration) fixedWindow {
	if window <= 0 {
		window = time.Minute
	}
	return fixedWindow{limit: limit, window: window, start: map[string]time.Time{}, count: map[string]int{}}
}

// add counts one request of key at now; it returns the count in the
// window and the window's end.
func (f *fixedWindow) add(key string, now time.Time) (observed int, reset time.Time) {
	ws := time.Unix(0, now.UnixNano()-now.UnixNano()%int64(f.window))
	if !f.start[key].Equal(ws) {
		f.start[key], f.count[key] = ws, 0
	}
	f.count[key]++
	return f.count[key], ws.Add(f.window)
}

func (l *rateLimiter) set(limit int, window time.Duration) {
	l.throttle = newFixedWindow(limit, window)
}

// rateLimit counts the request, sets the Date and RateLimit-* headers and
// answers 429 when a quota is used up. It reports whether to go on.
func (s *server) rateLimit(w http.ResponseWriter, r *http.Request) bool {
	pattern := ""
	if s.hasEndpointLimits() {
		_, pattern = s.mux.Handler(r)
		pattern = strings.Replace(pattern, " /api/v4/", " /", 1)
	}
	header, rep := s.countRequest(r, pattern)
	for k, v := range header {
		w.Header()[k] = v
	}
	if rep != nil {
		writeReply(w, *rep)
	}
	return rep == nil
}

func (s *server) hasEndpointLimits() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.rl.endpoints) > 0
}

// countRequest counts under the lock and returns the headers to send and,
// over a quota, the 429 to answer.
func (s *server) countRequest(r *http.Request, pattern string) (http.Header, *reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &s.rl
	now := s.st.now()
	h := http.Header{"Date": {now.UTC().Format(http.TimeFormat)}}
	key, name := "", "throttle_authenticated_api"
	if tok := s.st.tokens[userToken(r)]; tok != nil {
		key = "token:" + strconv.FormatInt(tok.id, 10)
	} else {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		key, name = "ip:"+host, "throttle_unauthenticated_api"
	}
	if t := &l.throttle; t.limit > 0 {
		observed, reset := t.add(key, now)
		throttled := observed > t.limit
		if throttled || !l.onlyThrottled {
			throttleHeaders(h, name, t, observed, reset, now, throttled)
		}
		if throttled {
			return h, &reply{status: http.StatusTooManyRequests, body: []byte("Retry later\n"), text: true}
		}
	}
	if e := l.endpoints[pattern]; e != nil {
		if observed, _ := e.add(key, now); observed > e.limit {
			// GitLab's application limiter answers without RateLimit-*
			// headers and without Retry-After.
			rep := jsonReply(http.StatusTooManyRequests, map[string]any{"message": map[string]string{
				"error": "This endpoint has been requested too many times. Try again later."}})
			return h, &rep
		}
	}
	return h, nil
}

// throttleHeaders are GitLab's (lib/gitlab/rack_attack.rb): Limit is the
// quota normalised to one minute, rounded up, while Observed and Remaining
// count the throttle's own window; a throttled answer adds ResetTime and
// Retry-After.
func throttleHeaders(h http.Header, name string, t *fixedWindow, observed int, reset, now time.Time, throttled bool) {
	perMinute := int(math.Ceil(float64(t.limit) * float64(time.Minute) / float64(t.window)))
	h.Set("RateLimit-Name", name)
	h.Set("RateLimit-Limit", strconv.Itoa(perMinute))
	h.Set("RateLimit-Observed", strconv.Itoa(observed))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(0, t.limit-observed)))
	h.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	if throttled {
		h.Set("RateLimit-ResetTime", reset.UTC().Format(http.TimeFormat))
		h.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(reset.Sub(now).Seconds())))))
	}
}
