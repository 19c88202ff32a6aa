package glrunners

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// RetryPolicy says how often and how long the Client retries.
//
// GET, HEAD, PUT and DELETE are retried on transport errors and on 429,
// 500, 502, 503 and 504. POST (creates, verifies, token resets) is retried
// only where GitLab cannot have acted: on 429 and on connection errors
// before the request was written. A replayed registration makes a second
// runner and a replayed reset loses the first new token, so a 5xx or a
// broken connection after sending is returned, matching ErrOutcomeUnknown.
// WithRetryNonIdempotent opts one call in to idempotent rules.
//
// A retried DELETE that ends in 404 most likely removed the resource on an
// earlier attempt whose answer was lost. The 404 is returned as it came
// (Response.Attempts > 1 tells the two cases apart); a cleanup job treats
// ErrNotFound as "already gone" either way.
type RetryPolicy struct {
	// MaxRetries counts retries after the first attempt; 0 disables them.
	MaxRetries int
	// WaitMin and WaitMax bound the exponential backoff (with jitter).
	WaitMin, WaitMax time.Duration
	// MaxRetryAfter caps a server-requested wait (Retry-After,
	// RateLimit-Reset). A longer request is not waited for: the call
	// returns the *Error at once with RetryAfter set.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy is used when no WithRetry option is given.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, WaitMin: 500 * time.Millisecond, WaitMax: 8 * time.Second, MaxRetryAfter: time.Minute}
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxRetries < 0 || p.MaxRetries > 100:
		return invalidArg("retry policy MaxRetries", "must be between 0 and 100")
	case p.WaitMin < 0 || p.WaitMax < 0 || p.MaxRetryAfter < 0:
		return invalidArg("retry policy", "waits must not be negative")
	case p.WaitMax < p.WaitMin:
		return invalidArg("retry policy WaitMax", "must not be less than WaitMin")
	}
	return nil
}

// backoff is the exponential wait before retry n (1-based), with jitter in
// its upper half so that many clients do not retry in step.
func (p RetryPolicy) backoff(n int) time.Duration {
	if p.WaitMax <= 0 {
		return 0
	}
	d := p.WaitMin
	for i := 1; i < n && d < p.WaitMax; i++ {
		d *= 2
	}
	d = min(max(d, p.WaitMin), p.WaitMax)
	if half := int64(d / 2); half > 0 {
		d = time.Duration(half + rand.Int64N(half+1))
	}
	return max(d, p.WaitMin)
}

type callStateKey struct{}

// callState is one call's retry bookkeeping, shared by the transport (which
// counts attempts and sees whether the request was written) and the retry
// hooks handed to go-retryablehttp.
type callState struct {
	policy     RetryPolicy
	idempotent bool // may be replayed
	post       bool // a failure may leave an unknown outcome
	secrets    []string

	attempts    atomic.Int32
	wrote       atomic.Bool // the current attempt wrote its request
	answered    atomic.Bool // the current attempt got a response
	wait        time.Duration
	refusedWait time.Duration // a server wait too long to honour

	body         []byte // the 2xx body, read inside the retry loop
	bodyTooLarge bool
	// askedAgain is set by the response handler: go-retryablehttp then
	// calls checkRetry a second time for the same attempt.
	askedAgain bool
}

// readBody reads a 2xx body through the size cap. A read that fails is
// returned to go-retryablehttp, which asks checkRetry about it; a body over
// the cap is not worth retrying and is reported by decode.
func (st *callState) readBody(body io.Reader, maxBytes int64) error {
	data, err := io.ReadAll(io.LimitReader(body, maxBytes+1))
	if err != nil {
		st.answered.Store(false) // the answer never arrived whole
		return fmt.Errorf("reading response body: %w", err)
	}
	st.body, st.bodyTooLarge = data, int64(len(data)) > maxBytes
	if st.bodyTooLarge {
		st.body = nil
	}
	return nil
}

func newCallState(c *Client, method string, rc *requestConfig) *callState {
	idem := method != http.MethodPost && method != http.MethodPatch
	return &callState{
		policy:     c.retry,
		idempotent: idem || rc.retryUnsafe,
		post:       !idem,
		secrets:    make([]string, 0, 2),
	}
}

func stateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	return st
}

// checkRetry is go-retryablehttp's CheckRetry hook. It also decides the
// wait (stored for backoff), so that a wait longer than the cap or the
// context deadline ends the call now instead of sleeping in vain.
func (st *callState) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if st.askedAgain {
		st.askedAgain = false
	} else {
		st.attempts.Add(1)
	}
	if ctx.Err() != nil || int(st.attempts.Load()) > st.policy.MaxRetries {
		return false, nil
	}
	if err != nil {
		if !retryableTransportError(err) || (!st.idempotent && st.wrote.Load()) {
			return false, nil
		}
		st.wait = st.policy.backoff(int(st.attempts.Load()))
	} else {
		if !st.retryableStatus(resp.StatusCode) {
			return false, nil
		}
		wait, told := serverWait(resp.Header, time.Now())
		switch {
		case told && wait > st.policy.MaxRetryAfter:
			st.refusedWait = wait
			return false, nil
		case told:
			st.wait = wait
		default:
			st.wait = st.policy.backoff(int(st.attempts.Load()))
		}
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < st.wait {
		st.refusedWait = st.wait
		return false, nil
	}
	return true, nil
}

func (st *callState) backoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
	return st.wait
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
// DeadlineExceeded here is the HTTP client's per-attempt timeout (the
// caller's own context is checked before this), so it is retried.
func retryableTransportError(err error) bool {
	var unknownAuthority x509.UnknownAuthorityError
	var certInvalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, errRedirectRefused),
		errors.As(err, &unknownAuthority), errors.As(err, &certInvalid),
		errors.As(err, &hostname), errors.As(err, &verify):
		return false
	}
	return !strings.Contains(err.Error(), "unsupported protocol scheme")
}

func (st *callState) transportError(method, path string, err error) error {
	sent := st.wrote.Load() && !st.answered.Load()
	return &TransportError{
		Method: method, Path: path, Err: err, Sent: sent,
		Attempts:       int(st.attempts.Load()),
		outcomeUnknown: st.post && sent,
	}
}

// serverWait is how long the server asked to wait: Retry-After (seconds
// or an HTTP date), else RateLimit-Reset (Unix time) on a spent quota.
func serverWait(h http.Header, now time.Time) (time.Duration, bool) {
	if d, ok := retryAfter(h, now); ok {
		return d, true
	}
	if h.Get("RateLimit-Remaining") == "0" {
		if reset, ok := unixHeader(h.Get("RateLimit-Reset")); ok {
			return max(reset.Sub(now), 0), true
		}
	}
	return 0, false
}

func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
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
	if err != nil || secs <= 0 {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}
