package glrunnerstest

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"time"
)

// rateLimiter is a fixed-window throttle per user token or client IP,
// modelled on GitLab's Rack::Attack throttles (spec §6.1). Requests without
// a user token, such as the runner-token endpoints, count per client IP as
// unauthenticated traffic (UNCONFIRMED: GitLab may exempt runner traffic
// or throttle it apart). Guarded by s.mu.
type rateLimiter struct {
	limit  int
	window time.Duration
	start  map[string]time.Time
	count  map[string]int
}

func (l *rateLimiter) set(limit int, window time.Duration) {
	if window <= 0 {
		window = time.Minute
	}
	*l = rateLimiter{limit: limit, window: window, start: map[string]time.Time{}, count: map[string]int{}}
}

// rateLimit counts the request, sets the RateLimit-* headers and answers 429
// when the quota is used up. It reports whether to go on.
func (s *server) rateLimit(w http.ResponseWriter, r *http.Request) bool {
	header, ok := s.countRequest(r)
	for k, v := range header {
		w.Header()[k] = v
	}
	if !ok {
		writeReply(w, reply{status: http.StatusTooManyRequests, body: []byte("Retry later\n"), text: true})
	}
	return ok
}

// countRequest counts under the lock and returns the headers to send and
// whether the request is within the quota.
func (s *server) countRequest(r *http.Request) (http.Header, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &s.rl
	if l.limit <= 0 {
		return nil, true
	}
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
	now := s.st.now()
	ws := now.Truncate(l.window)
	if !l.start[key].Equal(ws) {
		l.start[key], l.count[key] = ws, 0
	}
	l.count[key]++
	observed := l.count[key]
	reset := ws.Add(l.window)
	perMinute := int(math.Ceil(float64(l.limit) * float64(time.Minute) / float64(l.window)))
	h := http.Header{}
	h.Set("RateLimit-Name", name)
	h.Set("RateLimit-Limit", strconv.Itoa(perMinute))
	h.Set("RateLimit-Observed", strconv.Itoa(observed))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(0, l.limit-observed)))
	h.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	if observed <= l.limit {
		return h, true
	}
	h.Set("RateLimit-ResetTime", reset.UTC().Format(http.TimeFormat))
	h.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(reset.Sub(now).Seconds())))))
	return h, false
}
