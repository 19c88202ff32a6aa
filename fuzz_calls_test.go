package glrunners

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fuzz targets that drive real calls over loopback HTTP: the fuzzer picks
// what the server answers, and each target asserts what the SDK promises
// for any answer. Seed corpora live in testdata/fuzz/<target>/.

// fuzzToken is the user credential of every fuzzed client; a server that
// echoes it must never get it into an error.
const fuzzToken = "fzTk7Qm2Wx9Bv4Nc8Rp3Hs6Ld1"

// fuzzServer is one loopback server per fuzz target whose answer the
// target sets before each call. A fuzz worker runs its inputs one at a
// time, so one slot is enough; the mutex keeps the race detector content.
type fuzzServer struct {
	mu      sync.Mutex
	handler http.HandlerFunc
	hits    atomic.Int32
	url     string
	hc      *http.Client // shared, so connections are reused across inputs
}

func newFuzzServer(f *testing.F) *fuzzServer {
	s := &fuzzServer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		h := s.handler
		s.mu.Unlock()
		h(w, r)
	}))
	f.Cleanup(srv.Close)
	s.url = srv.URL
	s.hc = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	return s
}

// serve sets the answer for the next call and resets the request count.
func (s *fuzzServer) serve(h http.HandlerFunc) {
	s.mu.Lock()
	s.handler = h
	s.mu.Unlock()
	s.hits.Store(0)
}

// client is a fresh Client (fresh rate-limit state) on the shared pool;
// without options it makes one attempt per call.
func (s *fuzzServer) client(t *testing.T, opts ...Option) *Client {
	if len(opts) == 0 {
		opts = []Option{WithoutRetries()}
	}
	all := append([]Option{WithToken(fuzzToken), WithHTTPClient(s.hc)}, opts...)
	c, err := NewClient(s.url, all...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fuzzCtx bounds one fuzzed call: every call must return well within it.
func fuzzCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// assertNoTokenPiece fails if any 8 characters of fuzzToken are in any of
// the texts.
func assertNoTokenPiece(t *testing.T, texts ...string) {
	t.Helper()
	for _, text := range texts {
		if p := leakedPieces(text, []string{fuzzToken}); len(p) > 0 {
			t.Fatalf("token piece %q leaked: %q", p[0], around(text, p[0]))
		}
	}
}

// headerSafe reports whether every value can travel in a header: net/http
// refuses control characters other than tab in an answer's headers, so a
// server could not send them and the input tests nothing.
func headerSafe(values ...string) bool {
	for _, v := range values {
		for _, c := range []byte(v) {
			if (c < 0x20 && c != '\t') || c == 0x7f {
				return false
			}
		}
	}
	return true
}

// errorTexts is every way err may be printed.
func errorTexts(err error) []string {
	return []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
}

// withTokenAt inserts fuzzToken into body at position at (mod its length).
func withTokenAt(body []byte, at uint16) []byte {
	i := int(at) % (len(body) + 1)
	return []byte(string(body[:i]) + fuzzToken + string(body[i:]))
}

// FuzzErrorAnswer sends arbitrary non-2xx answers, the user's token planted
// anywhere in them, through a real call: the result is always an *Error with
// the status and its sentinel, a bounded Body, and no piece of the token.
func FuzzErrorAnswer(f *testing.F) {
	s := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, status uint16, contentType string, body []byte, at uint16) {
		code := 400 + int(status)%200
		if !headerSafe(contentType) {
			contentType = ""
		}
		planted := withTokenAt(body, at)
		s.serve(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(code)
			_, _ = w.Write(planted)
		})
		_, _, err := s.client(t).Runners.Get(fuzzCtx(t), 7, nil)
		e, ok := asType[*Error](err)
		if !ok {
			t.Fatalf("want *Error, got %T: %v", err, err)
		}
		if e.StatusCode != code || (code >= 500) != errors.Is(err, ErrServer) {
			t.Fatalf("status %d, ErrServer %v: %v", e.StatusCode, errors.Is(err, ErrServer), err)
		}
		if want, known := statusSentinels[code]; known && !errors.Is(err, want) {
			t.Fatalf("%d does not match its sentinel %v", code, want)
		}
		if errors.Is(err, ErrOutcomeUnknown) || errors.Is(err, ErrInvalidResponse) {
			t.Fatalf("a GET's error answer matches %v", err)
		}
		if len(e.Body) > 2<<10+len("…")+len(redacted) {
			t.Fatalf("Body is %d bytes", len(e.Body))
		}
		texts := append(errorTexts(err), e.Message, e.Code, e.Scope, e.Body, fmt.Sprint(e.FieldErrors))
		assertNoTokenPiece(t, texts...)
	})
}

// FuzzPageHeaders serves pages whose X-Next-Page, X-Page, X-Total-Pages and
// Link the fuzzer writes ("{n+1}" is the next page number, "{away}" another
// host). Whatever they say, an iterator ends, yields each page once and in
// order, never a nil item, at most one error and last, and never sends a
// request to another host.
func FuzzPageHeaders(f *testing.F) {
	s := newFuzzServer(f)
	var away atomic.Int32
	awaySrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		away.Add(1)
		writeJSON(w, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
	}))
	f.Cleanup(awaySrv.Close)
	awayURL := strings.Replace(awaySrv.URL, "127.0.0.1", "localhost", 1)
	const lastPage = 30
	f.Fuzz(func(t *testing.T, next, page, totalPages, link string, concurrency uint8) {
		expand := func(v string, n int) string {
			v = strings.ReplaceAll(v, "{n+1}", strconv.Itoa(n+1))
			return strings.ReplaceAll(v, "{away}", awayURL)
		}
		if !headerSafe(next, page, totalPages, link) {
			return
		}
		away.Store(0)
		s.serve(func(w http.ResponseWriter, r *http.Request) {
			n, err := strconv.Atoi(r.URL.Query().Get("page"))
			if err != nil || n < 1 || n > lastPage {
				writeJSON(w, http.StatusOK, `[]`) // past the end: an empty page, no headers
				return
			}
			for k, v := range map[string]string{"X-Next-Page": next, "X-Page": page, "X-Total-Pages": totalPages, "Link": link} {
				w.Header().Set(k, expand(v, n))
			}
			writeJSON(w, http.StatusOK, `[{"id":`+strconv.Itoa(n)+`}]`)
		})
		c := s.client(t, WithoutRetries(), WithPageConcurrency(1+int(concurrency)%4))
		var last int64
		var errs int
		for r, err := range c.Runners.ListAllIter(fuzzCtx(t), nil) {
			if errs > 0 {
				t.Fatalf("a value after the error: %v, %v", r, err)
			}
			if err != nil {
				errs++
				continue
			}
			if r == nil {
				t.Fatal("a nil item without an error")
			}
			if r.ID <= last {
				t.Fatalf("page %d yielded after page %d", r.ID, last)
			}
			last = r.ID
		}
		if n := s.hits.Load(); n > lastPage+8 {
			t.Fatalf("%d requests for %d pages", n, lastPage)
		}
		if n := away.Load(); n > 0 {
			t.Fatalf("%d requests went to another host", n)
		}
	})
}

// FuzzRateLimitHeaders answers a first request with the fuzzer's
// Retry-After and RateLimit-* headers (on a 429 or a 200), then 200s. Two
// calls in a row must each return before their deadline, with the runner
// or an error matching ErrRateLimited; a RetryAfter is only ever what the
// server asked for, never negative, and never past the cap unless refused.
func FuzzRateLimitHeaders(f *testing.F) {
	s := newFuzzServer(f)
	policy := RetryPolicy{MaxRetries: 2, WaitMin: time.Millisecond, WaitMax: time.Millisecond, MaxRetryAfter: 200 * time.Millisecond}
	f.Fuzz(func(t *testing.T, limited bool, retryAfter, remaining string, resetIn int32, resetRaw string) {
		reset := resetRaw
		if reset == "" {
			reset = strconv.FormatInt(time.Now().Unix()+int64(resetIn), 10)
		}
		if !headerSafe(retryAfter, remaining, reset) {
			return
		}
		s.serve(func(w http.ResponseWriter, r *http.Request) {
			if s.hits.Load() > 1 {
				writeJSON(w, http.StatusOK, `{"id":7}`)
				return
			}
			w.Header().Set("Retry-After", retryAfter)
			w.Header().Set("RateLimit-Limit", "10")
			w.Header().Set("RateLimit-Remaining", remaining)
			w.Header().Set("RateLimit-Reset", reset)
			if limited {
				writeJSON(w, http.StatusTooManyRequests, `{"message":"Retry later"}`)
				return
			}
			writeJSON(w, http.StatusOK, `{"id":7}`)
		})
		c := s.client(t, WithRetry(policy))
		asked := retryAfter != "" || remaining != ""
		for range 2 {
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
			r, _, err := c.Runners.Get(ctx, 7, nil)
			ended := ctx.Err()
			cancel()
			if ended != nil {
				t.Fatalf("the call returned only at its deadline: %v", err)
			}
			if err == nil {
				if r == nil || r.ID != 7 {
					t.Fatalf("no runner: %#v", r)
				}
				continue
			}
			if !errors.Is(err, ErrRateLimited) {
				t.Fatalf("want ErrRateLimited, got %T: %v", err, err)
			}
			d, ok := retryAfterOf(err)
			switch {
			case !ok:
				t.Fatalf("no RetryAfter in %T", err)
			case d < 0:
				t.Fatalf("negative RetryAfter %v", d)
			case d > 0 && !asked:
				t.Fatalf("RetryAfter %v that the server never asked for", d)
			}
		}
	})
}
