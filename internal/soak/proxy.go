package soak

import (
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Proxy is a loopback reverse proxy that forwards to one upstream (the
// fake) and injects the faults its Plan picks. Every request it handles is
// written to its Ledger before the client gets any byte of the answer.
type Proxy struct {
	Ledger *Ledger

	plan     *Plan
	upstream string
	rt       *http.Transport
	srv      *http.Server
	url      string
	served   chan struct{}

	mu       sync.Mutex
	closed   bool
	handlers sync.WaitGroup
}

// NewProxy starts a proxy on 127.0.0.1 in front of upstream
// ("http://127.0.0.1:PORT").
func NewProxy(upstream string, plan *Plan) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{
		Ledger:   newLedger(),
		plan:     plan,
		upstream: upstream,
		// The fake does not compress; asking for nothing keeps bodies
		// byte-exact for truncation.
		rt:     &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true, IdleConnTimeout: time.Minute},
		url:    "http://" + ln.Addr().String(),
		served: make(chan struct{}),
	}
	p.srv = &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // resets are the point
	}
	go func() {
		defer close(p.served)
		_ = p.srv.Serve(&dropListener{Listener: ln, plan: plan})
	}()
	return p, nil
}

// URL is the proxy's base URL.
func (p *Proxy) URL() string { return p.url }

// Close stops the proxy and waits for its handlers and its serving
// goroutine, so that none outlives it.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed = true // no handler starts after this: Wait below is final
	p.mu.Unlock()
	_ = p.srv.Close()
	<-p.served
	p.handlers.Wait()
	p.rt.CloseIdleConnections()
}

// dropListener resets the connections its plan says to drop as soon as
// they are accepted, before a byte is read.
type dropListener struct {
	net.Listener
	plan *Plan
}

func (l *dropListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil || !l.plan.dropConn() {
			return c, err
		}
		abort(c)
	}
}

// abort closes c with a TCP reset rather than an orderly FIN.
func abort(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// upstreamAnswer is the server's complete answer to a forwarded request.
type upstreamAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		hijackAbort(w)
		return
	}
	p.handlers.Add(1)
	p.mu.Unlock()
	defer p.handlers.Done()
	kind := p.plan.pick()
	reqBody, err := io.ReadAll(r.Body)
	if err != nil {
		hijackAbort(w)
		return
	}
	a := Attempt{Call: r.Header.Get(CallHeader), Method: r.Method, Path: r.URL.EscapedPath(), Fault: kind}
	switch kind {
	case RateLimited:
		a.Status = http.StatusTooManyRequests
		p.done(a)
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusTooManyRequests, `{"message":"Retry later"}`)
		return
	case ResetBeforeForward:
		p.done(a)
		hijackAbort(w)
		return
	case Latency:
		if !sleep(r.Context(), p.plan.between(20*time.Millisecond, 120*time.Millisecond)) {
			a.Fault = None // the client left; nothing was done
			p.done(a)
			return
		}
	}
	up, err := p.forward(r, reqBody)
	if err != nil {
		// The fake is local and always answers; if it did not, the ledger
		// cannot know what happened: Status -1 makes the test fail.
		a.Status = -1
		p.done(a)
		hijackAbort(w)
		return
	}
	a.Forwarded, a.Status, a.body = true, up.status, up.body
	if (kind == TruncatedWithLength || kind == TruncatedNoLength) && len(up.body) == 0 {
		kind = ResetAfterApply // nothing to cut: lose the whole answer instead
		a.Fault = kind
	}
	p.done(a)
	switch kind {
	case ServerErrorAfterApply:
		status := []int{http.StatusBadGateway, http.StatusServiceUnavailable}[p.plan.intN(2)]
		writeJSON(w, status, `{"message":"`+strconv.Itoa(status)+` `+http.StatusText(status)+`"}`)
	case ResetAfterApply:
		hijackAbort(w)
	case TruncatedWithLength, TruncatedNoLength:
		p.writeTruncated(w, up, kind == TruncatedWithLength)
	default:
		passThrough(w, up)
	}
}

// done records a and counts its fault.
func (p *Proxy) done(a Attempt) {
	p.Ledger.add(a)
	if a.Fault != None {
		p.plan.note(a.Fault)
	}
}

// forward sends the request to the fake and reads the whole answer. It
// does not stop when the client goes away: once the fake has the request
// it acts on it, and the ledger must learn the outcome.
func (p *Proxy) forward(r *http.Request, body []byte) (*upstreamAnswer, error) {
	ctx := context.WithoutCancel(r.Context())
	out, err := http.NewRequestWithContext(ctx, r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range r.Header {
		if !hopHeader(k) && k != CallHeader && k != "Accept-Encoding" {
			out.Header[k] = vs
		}
	}
	resp, err := p.rt.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &upstreamAnswer{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

func hopHeader(k string) bool {
	switch http.CanonicalHeaderKey(k) {
	case "Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length":
		return true
	}
	return false
}

// passThrough relays the server's answer unchanged.
func passThrough(w http.ResponseWriter, up *upstreamAnswer) {
	h := w.Header()
	for k, vs := range up.header {
		if !hopHeader(k) {
			h[k] = vs
		}
	}
	if up.status != http.StatusNoContent && up.status != http.StatusNotModified {
		h.Set("Content-Length", strconv.Itoa(len(up.body)))
	}
	w.WriteHeader(up.status)
	_, _ = w.Write(up.body)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// writeTruncated writes the server's status and headers and a strict
// prefix of its body by hand on the raw connection, then closes it
// normally. With withLength the header promises the whole body, so the
// client sees an unexpected EOF; without it the body is delimited by the
// close, so the cut looks like a complete (short) body.
func (p *Proxy) writeTruncated(w http.ResponseWriter, up *upstreamAnswer, withLength bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	h := http.Header{}
	for k, vs := range up.header {
		if !hopHeader(k) {
			h[k] = vs
		}
	}
	if withLength {
		h.Set("Content-Length", strconv.Itoa(len(up.body)))
	}
	h.Set("Connection", "close")
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(up.status) + " " + http.StatusText(up.status) + "\r\n")
	_ = h.Write(&b)
	b.WriteString("\r\n")
	b.Write(up.body[:p.plan.cut(up.body)])
	_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, _ = conn.Write(b.Bytes()) // the deferred Close ends it with a FIN
}

// hijackAbort resets the request's connection without an answer.
func hijackAbort(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	abort(conn)
}

// sleep waits d, or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
