package glrunnerstest

import (
	"strings"
	"time"
)

// RateLimitHeaders says on which answers the throttle of SetRateLimit
// sends its RateLimit-* headers.
type RateLimitHeaders int

const (
	// HeadersOnEveryAnswer is newer GitLab's behaviour (behind a feature
	// flag), and the default.
	HeadersOnEveryAnswer RateLimitHeaders = iota
	// HeadersOnThrottled is older GitLab's: only a 429 carries them.
	HeadersOnThrottled
)

// SetRateLimitHeaders chooses on which answers the throttle's RateLimit-*
// headers are sent. It survives SetRateLimit.
func (s *Server) SetRateLimitHeaders(m RateLimitHeaders) {
	s.s.mu.Lock()
	defer s.s.mu.Unlock()
	s.s.rl.onlyThrottled = m == HeadersOnThrottled
}

// SetEndpointLimit sets an application limit, as GitLab has on some
// endpoints (GET /runners/:id/jobs: 330 per minute per user): at most limit
// requests per window for each user token (or client IP) to the route
// pattern, written as the server's routes are, e.g.
// "GET /runners/{id}/jobs" (every runner's jobs list shares it). Windows
// are fixed and aligned to the clock, like the throttle's (UNCONFIRMED for
// GitLab's application limiter). Over the limit the answer is 429 with
// {"message":{"error":"This endpoint has been requested too many times.
// Try again later."}} and no RateLimit-* headers and no Retry-After. A
// request refused by the throttle does not count here. limit <= 0 removes
// the limit; SetRateLimit leaves endpoint limits alone.
func (s *Server) SetEndpointLimit(pattern string, limit int, window time.Duration) {
	method, path, _ := strings.Cut(strings.TrimSpace(pattern), " ")
	key := strings.ToUpper(method) + " " + path
	s.s.mu.Lock()
	defer s.s.mu.Unlock()
	if limit <= 0 {
		delete(s.s.rl.endpoints, key)
		return
	}
	if s.s.rl.endpoints == nil {
		s.s.rl.endpoints = map[string]*fixedWindow{}
	}
	w := newFixedWindow(limit, window)
	s.s.rl.endpoints[key] = &w
}
