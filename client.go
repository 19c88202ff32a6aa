package glrunners

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// Version is the SDK's version, sent in the User-Agent.
const Version = "0.1.0"

const (
	defaultUserAgent    = "glrunners/" + Version + " (+https://github.com/glrunners/glrunners)"
	defaultMaxBodyBytes = 32 << 20
	defaultPerPage      = 100 // iterators ask for GitLab's maximum page size
	// defaultStallTimeout is how long the default HTTP client waits on a
	// connection that makes no progress (connect, writing the request,
	// headers or body), so that a server that stalls mid-answer cannot hang
	// a caller who passed a context without a deadline.
	defaultStallTimeout = 2 * time.Minute
)

// Client talks to one GitLab instance's Runners API. It is safe for
// concurrent use; create one per instance and share it.
type Client struct {
	Runners  *RunnersService
	Projects *ProjectsService
	Groups   *GroupsService
	Tokens   *TokensService

	baseURL         string // ends in "/api/v4/"
	basePath        string // escaped path of baseURL
	http            *http.Client
	retrier         *retryablehttp.Client // built once, shared by every call
	auth            authenticator
	retry           RetryPolicy
	limiter         *rate.Limiter // nil without WithRateLimit
	gate            *serverGate   // waits out a spent server quota
	pacer           *pacer        // nil with WithoutPacing
	pageConcurrency int
	logger          *slog.Logger
	userAgent       string
	userAgentHeader []string // the header's value, made once
	maxBodyBytes    int64
	settleWindow    time.Duration // CreateOnce's; see WithSettleWindow
}

// RunnersService holds the /runners and /user/runners endpoints.
type RunnersService struct{ client *Client }

// ProjectsService holds the /projects/:id/runners endpoints.
type ProjectsService struct{ client *Client }

// GroupsService holds the /groups/:id/runners endpoints.
type GroupsService struct{ client *Client }

// TokensService resets registration and authentication tokens.
type TokensService struct{ client *Client }

// NewClient returns a Client for the GitLab instance at baseURL
// ("https://gitlab.example.com"; a trailing "/api/v4" is optional).
// Without WithHTTPClient, an attempt whose connection makes no progress
// for 2 minutes fails and is retried; the call's context bounds the whole
// call, retries included.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	base, err := normaliseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	cfg := config{
		retry:           DefaultRetryPolicy(),
		pageConcurrency: 1,
		userAgent:       defaultUserAgent,
		maxBodyBytes:    defaultMaxBodyBytes,
		settleWindow:    DefaultSettleWindow,
	}
	for _, opt := range opts {
		if opt == nil {
			return nil, invalidArg("opts", "an Option is nil")
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	c := &Client{
		baseURL:         base.String(),
		basePath:        base.EscapedPath(),
		auth:            cfg.auth,
		retry:           cfg.retry.withDefaults(),
		gate:            &serverGate{},
		pageConcurrency: cfg.pageConcurrency,
		logger:          cfg.logger,
		userAgent:       cfg.userAgent,
		userAgentHeader: []string{cfg.userAgent},
		maxBodyBytes:    cfg.maxBodyBytes,
		settleWindow:    cfg.settleWindow,
	}
	if cfg.noRetries {
		c.retry.MaxRetries = 0
	}
	if !cfg.noPacing {
		c.pacer = &pacer{maxWait: c.retry.MaxRetryAfter}
	}
	if cfg.ratePerSecond > 0 {
		c.limiter = rate.NewLimiter(rate.Limit(cfg.ratePerSecond), cfg.rateBurst)
	}
	c.http = c.wrapHTTPClient(cfg.httpClient)
	c.retrier = c.newRetrier(c.http)
	c.Runners = &RunnersService{c}
	c.Projects = &ProjectsService{c}
	c.Groups = &GroupsService{c}
	c.Tokens = &TokensService{c}
	return c, nil
}

func normaliseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil:
		return nil, invalidArg("baseURL", "cannot be parsed")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, invalidArg("baseURL", "scheme must be http or https")
	case u.Host == "" || u.Hostname() == "":
		return nil, invalidArg("baseURL", "has no host")
	case u.User != nil:
		return nil, invalidArg("baseURL", "must not carry credentials; use WithToken")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, invalidArg("baseURL", "must not have a query or fragment")
	}
	p := strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(p, "/api/v4") {
		p += "/api/v4"
	}
	u.Path, u.RawPath = p+"/", ""
	return u, nil
}

// wrapHTTPClient copies hc (or a fresh pooled client) and installs the
// SDK's transport and redirect policy on the copy. The default client has
// no http.Client.Timeout: its connections give up when they stall (see
// stallConn), which costs a request no context, goroutine or timer.
func (c *Client) wrapHTTPClient(hc *http.Client) *http.Client {
	var cp http.Client
	if hc != nil {
		cp = *hc
	} else {
		cp = http.Client{Transport: newPooledTransport(defaultStallTimeout)}
	}
	base := cp.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp.Transport = &transport{base: base, client: c}
	cp.CheckRedirect = safeRedirect(cp.CheckRedirect)
	return &cp
}

// authenticator puts the user's credential on a request and returns the
// secret it used, so that error bodies can be scrubbed of it.
type authenticator interface {
	apply(ctx context.Context, h http.Header) (secret string, err error)
}

type staticAuth struct {
	header string
	value  Secret
}

func (a staticAuth) apply(_ context.Context, h http.Header) (string, error) {
	h.Set(a.header, a.value.Reveal())
	return strings.TrimPrefix(a.value.Reveal(), "Bearer "), nil
}

type sourceAuth func(ctx context.Context) (string, error)

func (a sourceAuth) apply(ctx context.Context, h http.Header) (string, error) {
	tok, err := a(ctx)
	if err != nil {
		return "", fmt.Errorf("glrunners: token source: %w", err)
	}
	if strings.TrimSpace(tok) == "" || strings.ContainsAny(tok, "\r\n") {
		return "", invalidArg("WithTokenSource", "the source returned an empty or malformed token")
	}
	h.Set("Authorization", "Bearer "+tok)
	return tok, nil
}

// logAttempt logs one finished attempt; it never logs headers or bodies,
// and what it logs from the wire (a redirect's path, the request ID, an
// error) is scrubbed of the call's secrets, which a server may echo.
func (c *Client) logAttempt(ctx context.Context, req *http.Request, resp *http.Response, err error, st *callState, took time.Duration) {
	var secrets []string
	attempt := 0
	if st != nil {
		secrets, attempt = st.secrets(), st.attempt
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", redact(req.URL.EscapedPath(), secrets)),
		slog.Int("attempt", attempt),
		slog.Duration("duration", took),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if id := resp.Header.Get("X-Request-Id"); id != "" {
			attrs = append(attrs, slog.String("request_id", redact(id, secrets)))
		}
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redact(err.Error(), secrets)))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "glrunners: request", attrs...)
}
