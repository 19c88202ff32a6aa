package glrunners

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// RetryPolicy says how often and how long the Client retries. A zero field
// means its default; WithoutRetries switches retries off.
//
// GET, HEAD, PUT and DELETE are retried on transport errors, on 429, 500,
// 502, 503 and 504, and when a 2xx body breaks off before its end. POST
// (creates, verifies, token resets) is retried only where GitLab cannot
// have acted: on 429 and on connection errors before the request was
// written. A replayed registration makes a second runner and a replayed
// reset loses the first new token, so a 5xx, a broken connection after
// sending, or a 2xx whose body cannot be read whole is returned, matching
// ErrOutcomeUnknown. WithRetryNonIdempotent opts one call in to idempotent
// rules.
//
// A retried DELETE that ends in 404 most likely removed the resource on an
// earlier attempt whose answer was lost. The 404 is returned as it came
// (Response.Attempts > 1 tells the two cases apart); a cleanup job treats
// ErrNotFound as "already gone" either way.
type RetryPolicy struct {
	// MaxRetries counts retries after the first attempt. Default 3.
	MaxRetries int
	// WaitMin and WaitMax bound the exponential backoff (with jitter).
	// Defaults 500ms and 8s; a WaitMax below the default WaitMin also
	// lowers WaitMin to it.
	WaitMin, WaitMax time.Duration
	// MaxRetryAfter caps a server-requested wait (Retry-After,
	// RateLimit-Reset). A longer one is not waited for: the call returns
	// at once with RetryAfter set. Default 1 minute.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy is used when no WithRetry option is given.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, WaitMin: 500 * time.Millisecond, WaitMax: 8 * time.Second, MaxRetryAfter: time.Minute}
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxRetries < 0 || p.MaxRetries > 100:
		return invalidArg("RetryPolicy.MaxRetries", "must be between 0 and 100")
	case p.WaitMin < 0 || p.WaitMax < 0 || p.MaxRetryAfter < 0:
		return invalidArg("RetryPolicy", "waits must not be negative")
	case p.WaitMax > 0 && p.WaitMax < p.WaitMin:
		return invalidArg("RetryPolicy.WaitMax", "must not be less than WaitMin")
	}
	return nil
}

// withDefaults fills the zero fields, so that RetryPolicy{MaxRetries: 5}
// still backs off and still honours Retry-After.
func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MaxRetries == 0 {
		p.MaxRetries = d.MaxRetries
	}
	if p.WaitMax == 0 {
		p.WaitMax = max(d.WaitMax, p.WaitMin)
	}
	if p.WaitMin == 0 {
		p.WaitMin = min(d.WaitMin, p.WaitMax)
	}
	if p.MaxRetryAfter == 0 {
		p.MaxRetryAfter = d.MaxRetryAfter
	}
	return p
}

// backoff is the exponential wait before retry n (1-based). jitter in
// [0,1) places it in the upper half of its step, so that many clients do
// not retry in step; the same n and jitter always give the same wait.
func (p RetryPolicy) backoff(n int, jitter float64) time.Duration {
	d := p.WaitMin
	for i := 1; i < n && d < p.WaitMax; i++ {
		d *= 2
	}
	d = min(max(d, p.WaitMin), p.WaitMax)
	half := d / 2
	return max(half+time.Duration(jitter*float64(half+1)), p.WaitMin)
}

// newRetrier builds the one go-retryablehttp client of a Client. Its hooks
// find the call they serve through the request's context (callState), so
// the client is shared by every call:
//   - RequestLogHook runs once before every attempt: it numbers attempts;
//   - CheckRetry decides, as a pure function of the attempt's outcome, so
//     that go-retryablehttp may ask it more than once per attempt;
//   - PrepareRetry runs before every retry: it waits (backoff, server
//     quota, client rate limit) with the call's context and deadline.
//
// Backoff is 0 because go-retryablehttp's Backoff hook is not given the
// request, so cannot know which call it waits for.
func (c *Client) newRetrier(hc *http.Client) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:     hc,
		RetryMax:       c.retry.MaxRetries,
		RequestLogHook: startAttempt,
		CheckRetry:     checkRetry,
		Backoff:        func(time.Duration, time.Duration, int, *http.Response) time.Duration { return 0 },
		PrepareRetry:   c.prepareRetry,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
	}
}

func startAttempt(_ retryablehttp.Logger, req *http.Request, retry int) {
	if st := stateFrom(req.Context()); st != nil {
		st.startAttempt(retry + 1)
	}
}

func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := stateFrom(ctx)
	if st == nil || ctx.Err() != nil {
		return false, nil
	}
	return st.shouldRetry(ctx, resp, err), nil
}

// prepareRetry waits before a retry: the backoff checkRetry chose, then the
// shared rate-limit waits.
func (c *Client) prepareRetry(req *http.Request) error {
	st := stateFrom(req.Context())
	if st == nil {
		return nil
	}
	return c.waitTurn(req.Context(), st, st.wait)
}

type callStateKey struct{}

// callState is one call's retry bookkeeping, shared by the retry hooks and
// the transport through the request's context.
type callState struct {
	policy      RetryPolicy
	idempotent  bool // may be replayed
	post        bool // a failure may leave an unknown outcome
	jitter      float64
	method      string
	path        string
	authSecret  string   // the user's credential, as sent
	bodySecrets []string // tokens in the request body
	oneSecret   [1]string

	// Written by the retry loop's goroutine only, between attempts or
	// in the hooks of the current attempt; read after the loop ends.
	// wrote is the exception: net/http may set it from its write loop.
	attempt     int
	wrote       atomic.Bool // the current attempt wrote its request
	answered    bool        // the current attempt got a response head
	wait        time.Duration
	refusedWait time.Duration // a server-requested wait too long to honour
	pace        paceTicket    // the attempt's place in the pacer

	bodyMayHoldSecret bool // the result carries a token: never quote the body
	// decodeErr is what made the 2xx body of the last attempt unusable.
	decodeErr error
}

func newCallState(c *Client, method, path string, rc *requestConfig) *callState {
	idem := method != http.MethodPost && method != http.MethodPatch
	return &callState{
		policy:     c.retry,
		idempotent: idem || rc.retryUnsafe,
		post:       !idem,
		jitter:     rand.Float64(),
		method:     method,
		path:       path,
	}
}

func stateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	return st
}

// secrets is every secret the call sent, for scrubbing what comes back.
// It allocates nothing for the usual call: one credential, no body token.
func (st *callState) secrets() []string {
	switch {
	case st.authSecret == "":
		return st.bodySecrets
	case len(st.bodySecrets) == 0:
		st.oneSecret[0] = st.authSecret
		return st.oneSecret[:]
	}
	return append(st.bodySecrets[:len(st.bodySecrets):len(st.bodySecrets)], st.authSecret)
}

// mayHaveSent reports whether an attempt that got no answer may have
// reached the server. A POST knows (its trace saw the request written);
// other calls are not traced, and only a failure to connect proves that
// nothing was sent.
func (st *callState) mayHaveSent(err error) bool {
	if st.post {
		return st.wrote.Load() && !st.answered
	}
	var op *net.OpError
	return !(errors.As(err, &op) && op.Op == "dial")
}

// markWritten is the httptrace hook: net/http calls it, from its own
// goroutine, once the request's headers are written.
func (st *callState) markWritten() { st.wrote.Store(true) }

func (st *callState) startAttempt(n int) {
	st.attempt = n
	st.wrote.Store(false)
	st.answered = false
	st.wait, st.refusedWait = 0, 0
	st.decodeErr = nil
}

// shouldRetry decides whether the attempt's outcome is worth another one,
// and how long to wait first (st.wait). A wait past the cap or the
// context's deadline ends the call now instead of sleeping in vain.
func (st *callState) shouldRetry(ctx context.Context, resp *http.Response, err error) bool {
	if st.attempt > st.policy.MaxRetries {
		return false
	}
	st.wait = st.policy.backoff(st.attempt, st.jitter)
	told := false
	if err != nil {
		if !retryableTransportError(err) || (!st.idempotent && st.wrote.Load()) {
			return false
		}
	} else {
		if !st.retryableStatus(resp.StatusCode) {
			return false
		}
		var wait time.Duration
		if wait, told = serverWait(resp.Header, time.Now()); told {
			if wait > st.policy.MaxRetryAfter {
				st.refusedWait = wait
				return false
			}
			st.wait = wait
		}
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < st.wait {
		if told { // only GitLab's own request is reported as RetryAfter
			st.refusedWait = st.wait
		}
		return false
	}
	return true
}

func (st *callState) retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests:
		return true // rejected before any work was done
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return st.idempotent
	}
	return false
}

// retryableTransportError rejects failures that a retry cannot fix. A
// deadline error here is a stalled connection or the user's
// http.Client.Timeout (the caller's own context is checked before this),
// so it is retried.
func retryableTransportError(err error) bool {
	var unknownAuthority x509.UnknownAuthorityError
	var certInvalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	var tooLarge *bodyTooLargeError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, errRedirectRefused),
		errors.As(err, &unknownAuthority), errors.As(err, &certInvalid),
		errors.As(err, &hostname), errors.As(err, &verify), errors.As(err, &tooLarge):
		return false
	}
	return !strings.Contains(err.Error(), "unsupported protocol scheme")
}

// serverWait is how long the server asked to wait: Retry-After (seconds
// or an HTTP date), else RateLimit-Reset (Unix time) on a spent quota.
func serverWait(h http.Header, now time.Time) (time.Duration, bool) {
	if d, ok := retryAfter(h, now); ok {
		return d, true
	}
	if headerValue(h, "Ratelimit-Remaining") == "0" {
		if reset, ok := unixHeader(headerValue(h, "Ratelimit-Reset")); ok {
			return max(reset.Sub(now), 0), true
		}
	}
	return 0, false
}

// retryAfter reads Retry-After; a value that is neither seconds nor an
// HTTP date ("soon") is ignored, and a huge one is clamped so that it
// cannot overflow.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(headerValue(h, "Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, 1<<30)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func unixHeader(v string) (time.Time, bool) {
	secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || secs <= 0 || secs > 1<<40 {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}

// headerValue is h.Get for a key already in canonical form, without
// canonicalising it again on every response.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
