package glrunners

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The servers of the hostile-answer table: what a broken proxy, a
// compromised host or a slow network may send, on loopback.

// hostileEnv is one row's world: the origin the client is pointed at, and
// another host that must never receive a credential.
type hostileEnv struct {
	hits    atomic.Int32 // requests the origin received
	away    *credProbe
	awayURL string // the other host: "localhost" where the origin is "127.0.0.1"
}

// nth is the number of the request being answered (1-based), for handlers
// that answer differently over time.
func (h *hostileEnv) nth() int32 { return h.hits.Load() }

// credProbe records the requests a server received and whether any carried
// a credential.
type credProbe struct {
	mu       sync.Mutex
	requests int
	withCred int
}

func (p *credProbe) record(r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	for _, h := range credentialHeaders {
		if r.Header.Get(h) != "" {
			p.withCred++
			return
		}
	}
}

func (p *credProbe) counts() (requests, withCred int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests, p.withCred
}

// newHostileEnv starts the other host, which records every request and
// answers 401 as GitLab does to a request without credentials.
func newHostileEnv(t *testing.T) *hostileEnv {
	h := &hostileEnv{away: &credProbe{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.away.record(r)
		writeJSON(w, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
	}))
	t.Cleanup(srv.Close)
	h.awayURL = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	return h
}

// startPlain serves handler over HTTP on 127.0.0.1.
func startPlain(t *testing.T, _ *hostileEnv, handler http.Handler) (string, *http.Client) {
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv.URL, nil
}

// startRefused points the client at a port nobody listens on.
func startRefused(t *testing.T, _ *hostileEnv, _ http.Handler) (string, *http.Client) {
	return refusedURL(t), nil
}

// startTLSAndPlain serves handler over HTTPS and plain HTTP on the same
// host and port, so that a redirect from one to the other changes the
// scheme alone. It returns the https URL and a client trusting the
// server's certificate.
func startTLSAndPlain(t *testing.T, _ *hostileEnv, handler http.Handler) (string, *http.Client) {
	certSrv := httptest.NewTLSServer(http.NotFoundHandler()) // for its certificate and trusting client
	t.Cleanup(certSrv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(&sniffListener{Listener: ln, tls: certSrv.TLS}) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "https://" + ln.Addr().String(), certSrv.Client()
}

// sniffListener hands out TLS connections to clients whose first byte is a
// TLS handshake record and plain ones to the others.
type sniffListener struct {
	net.Listener
	tls *tls.Config
}

func (l *sniffListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(conn)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	first, err := br.Peek(1)
	_ = conn.SetReadDeadline(time.Time{})
	pc := &peekedConn{Conn: conn, r: br}
	if err == nil && first[0] == 0x16 {
		return tls.Server(pc, l.tls), nil
	}
	return pc, nil
}

type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// rawAnswer writes raw bytes as the whole answer and closes the connection,
// so that a test controls framing: a body cut off with or without a
// Content-Length, garbage instead of HTTP.
func rawAnswer(w http.ResponseWriter, raw string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	_, _ = buf.WriteString(raw)
	_ = buf.Flush()
	_ = conn.Close()
}

// cutAnswer answers status with a JSON body that breaks off after body:
// with a Content-Length it never reaches, or with none and a clean close.
func cutAnswer(status int, body string, withLength bool) func(http.ResponseWriter) {
	head := "HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\nContent-Type: application/json\r\n"
	if withLength {
		head += "Content-Length: " + strconv.Itoa(len(body)+100) + "\r\n"
	} else {
		head += "Connection: close\r\n"
	}
	return func(w http.ResponseWriter) { rawAnswer(w, head+"\r\n"+body) }
}

// answer writes status, the headers given as name/value pairs, and body.
func answer(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// firstThen answers the first n requests with bad and the others with good.
func firstThen(h *hostileEnv, n int32, bad func(http.ResponseWriter), good http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.nth() <= n {
			bad(w)
			return
		}
		good(w, r)
	}
}

// endless answers 200 with a JSON array that never ends.
func endless(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("["))
	chunk := bytes.Repeat([]byte(`{"id":1},`), 1000)
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// stall sends nothing at all until the client gives up.
func stall(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// stallMidBody sends the headers and the start of the body, then nothing.
func stallMidBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"id":7,"description":"`))
	_ = http.NewResponseController(w).Flush()
	<-r.Context().Done()
}

// trickle sends a valid-looking body one byte every 10 ms, forever: no
// single read ever waits long, so only a deadline on the whole call ends it.
func trickle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	rc := http.NewResponseController(w)
	body := []byte(`[{"id":1,"description":"` + strings.Repeat("x", 1<<20))
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for _, b := range body {
		if _, err := w.Write([]byte{b}); err != nil || rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}

// gzipped answers 200 with body as a gzip-encoded stream.
func gzipped(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(body)
	}
}

// gzipBomb is 16 MiB of JSON whitespace compressed to a few KiB.
var gzipBomb = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write([]byte("["))
	spaces := bytes.Repeat([]byte(" "), 1<<20)
	for range 16 {
		_, _ = zw.Write(spaces)
	}
	_, _ = zw.Write([]byte("]"))
	_ = zw.Close()
	return buf.Bytes()
})

// pagesOf answers offset page n (from the query) with body(n) and headers(n)
// as name/value pairs.
func pagesOf(body func(n int) string, headers func(n int) []string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil || n < 1 {
			n = 1
		}
		answer(http.StatusOK, body(n), headers(n)...)(w, r)
	}
}

// twoRunnersOnPage is page n of a list: runners 2n-1 and 2n.
func twoRunnersOnPage(n int) string {
	return `[{"id":` + strconv.Itoa(2*n-1) + `},{"id":` + strconv.Itoa(2*n) + `}]`
}
