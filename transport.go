package glrunners

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// transport wraps the user's RoundTripper. Per attempt it bounds the
// attempt (default client only), notes that an answer arrived, learns the
// server's RateLimit-* state and logs. Waits for rate limits happen before
// the attempt, in the call (waitTurn), never here: here they would eat into
// the attempt's HTTP timeout.
type transport struct {
	base           http.RoundTripper
	client         *Client
	attemptTimeout time.Duration // 0: the user's http.Client decides
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.client
	ctx := req.Context()
	var cancel context.CancelFunc
	if t.attemptTimeout > 0 && !deadlineWithin(ctx, t.attemptTimeout) {
		ctx, cancel = context.WithTimeoutCause(ctx, t.attemptTimeout, errAttemptTimeout)
		req = req.WithContext(ctx)
	}
	st := stateFrom(ctx)
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	switch {
	case resp != nil:
		if st != nil {
			st.answered = true
		}
		c.gate.observe(resp, start)
		if cancel != nil {
			resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
		}
	case cancel != nil:
		if context.Cause(ctx) == errAttemptTimeout {
			err = fmt.Errorf("%w: %w", errAttemptTimeout, err)
		}
		cancel()
	}
	if c.logger != nil {
		c.logAttempt(ctx, req, resp, err, st, time.Since(start))
	}
	return resp, err
}

// deadlineWithin reports whether ctx ends within d anyway, which makes a
// per-attempt limit of d redundant (and saves its context and timer).
func deadlineWithin(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) <= d
}

// errAttemptTimeout is the cause of an attempt that ran past the default
// client's per-attempt limit; the call's own context is still alive, so
// the attempt is retried.
var errAttemptTimeout = errors.New("attempt timed out")

// cancelOnClose ends an attempt's context when its body is closed, so the
// per-attempt limit also covers reading the body.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// newPooledTransport is a private copy of http.DefaultTransport with
// enough idle connections per host for concurrent page fetches.
func newPooledTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 100
	return t
}

var errRedirectRefused = errors.New("glrunners: redirect refused")

// safeRedirect strips credentials from a redirect that leaves the original
// host or downgrades https to http (Go itself strips only Authorization,
// not PRIVATE-TOKEN), and refuses such a redirect outright for a request
// with a body, which may carry a runner token.
func safeRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.Join(errRedirectRefused, errors.New("stopped after 10 redirects"))
		}
		first := via[0]
		if req.URL.Host != first.URL.Host || (first.URL.Scheme == "https" && req.URL.Scheme != "https") {
			for _, h := range credentialHeaders {
				req.Header.Del(h)
			}
			if req.Method != http.MethodGet && req.Method != http.MethodHead {
				return errors.Join(errRedirectRefused, errors.New("will not resend a "+req.Method+" body to another host"))
			}
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}
