package glrunners

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Option configures a Client. Options validate their arguments, so
// NewClient reports a bad option as an error instead of failing later.
type Option func(*config) error

// config is what the options build; NewClient turns it into a Client.
type config struct {
	auth            authenticator
	httpClient      *http.Client
	retry           RetryPolicy
	noRetries       bool
	ratePerSecond   float64
	rateBurst       int
	noPacing        bool
	pageConcurrency int
	logger          *slog.Logger
	userAgent       string
	maxBodyBytes    int64
	settleWindow    time.Duration // CreateOnce's; see WithSettleWindow
}

// WithToken authenticates with a personal, project or group access token,
// sent in the PRIVATE-TOKEN header.
func WithToken(token string) Option {
	return func(c *config) error {
		if strings.TrimSpace(token) == "" {
			return invalidArg("WithToken", "token is empty")
		}
		c.auth = staticAuth{header: "PRIVATE-TOKEN", value: Secret(token)}
		return nil
	}
}

// WithOAuthToken authenticates with an OAuth 2.0 (or any bearer) token,
// sent as "Authorization: Bearer <token>".
func WithOAuthToken(token string) Option {
	return func(c *config) error {
		if strings.TrimSpace(token) == "" {
			return invalidArg("WithOAuthToken", "token is empty")
		}
		c.auth = staticAuth{header: "Authorization", value: Secret("Bearer " + token)}
		return nil
	}
}

// WithTokenSource authenticates with a bearer token obtained from source
// before every attempt, so a refreshing OAuth token stays fresh across
// retries. An error from source fails the call without sending it.
func WithTokenSource(source func(ctx context.Context) (string, error)) Option {
	return func(c *config) error {
		if source == nil {
			return invalidArg("WithTokenSource", "source is nil")
		}
		c.auth = sourceAuth(source)
		return nil
	}
}

// WithHTTPClient makes the Client send through a copy of hc (its Transport,
// Timeout and Jar are used; hc itself is never modified). Authentication
// headers are still stripped on redirects to another host.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return invalidArg("WithHTTPClient", "client is nil")
		}
		c.httpClient = hc
		return nil
	}
}

// WithRetry replaces the default retry policy; its zero fields keep their
// defaults (see RetryPolicy).
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		if err := p.validate(); err != nil {
			return err
		}
		c.retry, c.noRetries = p, false
		return nil
	}
}

// WithoutRetries makes every call a single attempt.
func WithoutRetries() Option {
	return func(c *config) error {
		c.noRetries = true
		return nil
	}
}

// WithRateLimit caps the Client at perSecond requests per second, with
// bursts of up to burst requests; every attempt, retries included, takes a
// token. It applies on top of the server's own RateLimit-* signals. The
// wait happens before an attempt, never inside its HTTP timeout; a call
// whose wait would pass its context's deadline fails at once with a
// *RateLimitError.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *config) error {
		if !(perSecond > 0) {
			return invalidArg("WithRateLimit", "requests per second must be positive")
		}
		if burst < 1 {
			return invalidArg("WithRateLimit", "burst must be at least 1")
		}
		c.ratePerSecond, c.rateBurst = perSecond, burst
		return nil
	}
}

// WithoutPacing switches off the pacer, which is on by default. The
// pacer spends GitLab's rate-limit quota without being throttled: it
// spreads what RateLimit-Remaining says is left of the window over the
// time to RateLimit-Reset, across every goroutine of the Client, counting
// requests in flight, so that concurrent callers are not answered 429 at
// the window's end. When GitLab sends the headers only on a 429, it learns
// the quota there and counts its own requests per window; a 429 without
// headers (an application limit, e.g. GET /runners/:id/jobs) paces that
// endpoint alone. It does nothing until GitLab sends RateLimit-* headers
// or a 429, never waits longer than RetryPolicy.MaxRetryAfter, and fails
// a call whose wait cannot fit its deadline with a *RateLimitError.
// Switch it off when something in front of the Client already paces, or
// to get GitLab's 429s as they come.
func WithoutPacing() Option {
	return func(c *config) error {
		c.noPacing = true
		return nil
	}
}

// WithPageConcurrency lets iterators fetch up to n pages at once once the
// first page tells the page count; 1 (the default) fetches lazily, one page
// at a time.
func WithPageConcurrency(n int) Option {
	return func(c *config) error {
		if n < 1 || n > 64 {
			return invalidArg("WithPageConcurrency", "must be between 1 and 64")
		}
		c.pageConcurrency = n
		return nil
	}
}

// WithLogger logs each attempt (method, path, status, duration, request
// ID) and each retry at debug level. Tokens, headers and bodies are never
// logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return invalidArg("WithLogger", "logger is nil")
		}
		c.logger = l
		return nil
	}
}

// WithUserAgent puts product (e.g. "runner-janitor/1.4") in front of the
// SDK's own User-Agent.
func WithUserAgent(product string) Option {
	return func(c *config) error {
		if strings.TrimSpace(product) == "" || strings.ContainsAny(product, "\r\n") {
			return invalidArg("WithUserAgent", "must be a non-empty single line")
		}
		c.userAgent = product + " " + defaultUserAgent
		return nil
	}
}

// WithMaxResponseBytes caps how much of a response body the Client reads
// (default 32 MiB). A larger body is an error matching ErrResponseTooLarge.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		if n < 1024 {
			return invalidArg("WithMaxResponseBytes", "must be at least 1024")
		}
		c.maxBodyBytes = n
		return nil
	}
}

// RequestOption adjusts one call.
type RequestOption func(*requestConfig) error

type requestConfig struct {
	header         http.Header
	retryUnsafe    bool // WithRetryNonIdempotent
	runnerTokenAPI bool // no user credential: the token travels in the body
}

// WithSudo performs the call as another user (an admin token with the
// sudo scope is needed). user is a username or a numeric user ID.
func WithSudo(user string) RequestOption {
	return func(rc *requestConfig) error {
		if strings.TrimSpace(user) == "" || strings.ContainsAny(user, "\r\n") {
			return invalidArg("Sudo", "must name a user")
		}
		rc.setHeader("Sudo", user)
		return nil
	}
}

// WithIfUnmodifiedSince makes a delete conditional: GitLab refuses it with
// 412 (ErrPreconditionFailed) if the resource changed after t.
func WithIfUnmodifiedSince(t time.Time) RequestOption {
	return func(rc *requestConfig) error {
		if t.IsZero() {
			return invalidArg("If-Unmodified-Since", "time is zero")
		}
		rc.setHeader("If-Unmodified-Since", t.UTC().Format(http.TimeFormat))
		return nil
	}
}

// WithRetryNonIdempotent lets this call retry like an idempotent one even
// though it is a POST. Use it only where a duplicate is harmless.
func WithRetryNonIdempotent() RequestOption {
	return func(rc *requestConfig) error {
		rc.retryUnsafe = true
		return nil
	}
}

// WithHeader sets a header on this call. Credential headers are refused:
// use the client options, which keep them out of logs and redirects.
func WithHeader(key, value string) RequestOption {
	return func(rc *requestConfig) error {
		k := http.CanonicalHeaderKey(strings.TrimSpace(key))
		switch {
		case k == "" || strings.ContainsAny(k, " \r\n:"):
			return invalidArg("WithHeader", fmt.Sprintf("%q is not a header name", key))
		case strings.ContainsAny(value, "\r\n"):
			return invalidArg(k, "value must be a single line")
		case isCredentialHeader(k):
			return invalidArg(k, "credentials are set with client options")
		}
		rc.setHeader(k, value)
		return nil
	}
}

// runnerTokenAuth marks runner-token endpoints, which must not carry the
// user's credential.
func runnerTokenAuth(rc *requestConfig) error {
	rc.runnerTokenAPI = true
	return nil
}

var credentialHeaders = []string{"Private-Token", "Authorization", "Job-Token", "Runner-Token", "Sudo"}

func isCredentialHeader(k string) bool {
	for _, h := range credentialHeaders {
		if strings.EqualFold(h, k) {
			return true
		}
	}
	return false
}

// setHeader sets a header of the call, making the map only when a call
// has extra headers at all.
func (rc *requestConfig) setHeader(k, v string) {
	if rc.header == nil {
		rc.header = make(http.Header, 1)
	}
	rc.header.Set(k, v)
}
