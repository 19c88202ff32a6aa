package glrunners

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// transport wraps the user's RoundTripper. Per attempt it notes that an
// answer arrived, learns the server's RateLimit-* state and logs. Waits for
// rate limits happen before the attempt, in the call (waitTurn), never
// here: here they would eat into the attempt's HTTP timeout.
type transport struct {
	base   http.RoundTripper
	client *Client
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.client
	ctx := req.Context()
	st := stateFrom(ctx)
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if resp != nil {
		if st != nil {
			st.answered = true
		}
		c.gate.observe(resp, start)
	}
	if c.pacer != nil && st != nil {
		c.pacer.done(st, resp, start, time.Now())
	}
	if c.logger != nil {
		c.logAttempt(ctx, req, resp, err, st, time.Since(start))
	}
	return resp, err
}

// newPooledTransport is a private copy of http.DefaultTransport with
// enough idle connections per host for concurrent page fetches, whose
// connections fail an attempt that makes no progress for stall.
func newPooledTransport(stall time.Duration) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 100
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &stallConn{Conn: conn, stall: stall}, nil
	}
	return t
}

// stallConn fails a read or write that makes no progress for stall: a
// server that stops mid-answer ends the attempt with a timeout, which the
// retry policy treats as a broken connection (an idempotent call retries).
// A connection deadline, not a per-attempt context, costs a request no
// allocation (a context and timer per attempt cost 9 and ~5% of a Get); a
// server that trickles is bounded by the caller's context.
//
// Moving a deadline costs as much as a small read, so it moves only once
// less than stall is left, to 1.5×stall ahead: an operation always has at
// least stall, at most 1.5×stall. readBy is used only by the goroutine
// that reads, writeBy by the one that writes (net/http serialises each).
type stallConn struct {
	net.Conn
	stall           time.Duration
	readBy, writeBy time.Time
}

func (c *stallConn) Read(p []byte) (int, error) {
	if err := c.extend(&c.readBy, c.Conn.SetReadDeadline); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *stallConn) Write(p []byte) (int, error) {
	if err := c.extend(&c.writeBy, c.Conn.SetWriteDeadline); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

func (c *stallConn) extend(by *time.Time, set func(time.Time) error) error {
	now := time.Now()
	if by.Sub(now) >= c.stall {
		return nil
	}
	*by = now.Add(c.stall + c.stall/2)
	return set(*by)
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
