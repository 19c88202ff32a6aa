package glrunners

import (
	"errors"
	"net/http"
	"net/http/httptrace"
	"time"
)

// transport wraps the user's RoundTripper. Per attempt it waits for the
// client-side limiter and any spent server quota, records whether the
// request was written (the line between "nothing happened" and "outcome
// unknown" for a POST), and learns the server's RateLimit-* state.
type transport struct {
	base   http.RoundTripper
	client *Client
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.client
	ctx := req.Context()
	if err := c.gate.wait(ctx, c.retry.MaxRetryAfter); err != nil {
		return nil, err
	}
	if c.limiter != nil {
		if err := c.limiter.wait(ctx); err != nil {
			return nil, err
		}
	}
	st := stateFrom(ctx)
	if st != nil {
		st.wrote.Store(false)
		st.answered.Store(false)
		trace := &httptrace.ClientTrace{WroteHeaders: func() { st.wrote.Store(true) }}
		req = req.WithContext(httptrace.WithClientTrace(ctx, trace))
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if resp != nil {
		if st != nil {
			st.answered.Store(true)
		}
		c.gate.observe(resp, start)
	}
	attempt := 0
	if st != nil {
		attempt = int(st.attempts.Load()) + 1
	}
	c.logAttempt(ctx, req, resp, err, attempt, time.Since(start))
	return resp, err
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
