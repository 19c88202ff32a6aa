package glrunners

import (
	"cmp"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileRow is one hostile answer and all the client must make of it.
type hostileRow struct {
	name string
	// serve answers every request the origin gets.
	serve func(h *hostileEnv) http.HandlerFunc
	// start serves the origin; nil: plain HTTP on 127.0.0.1.
	start func(t *testing.T, h *hostileEnv, handler http.Handler) (baseURL string, hc *http.Client)
	opts  []Option // after WithToken(testToken) and WithRetry(fastRetry)
	// deadline bounds the call (0: 20 s). Unless hitsDeadline, the call must
	// return before it.
	deadline     time.Duration
	hitsDeadline bool
	call         hostileCall
	want         []hostileCheck
}

// hangGrace is how long past its deadline a call may take before the test
// declares it hung. It only catches hangs; no row measures time.
const hangGrace = 30 * time.Second

// static serves every request with handler.
func static(handler http.HandlerFunc) func(*hostileEnv) http.HandlerFunc {
	return func(*hostileEnv) http.HandlerFunc { return handler }
}

// TestHostileAnswers runs the table of hostile answers: each row asserts the
// exact typed error (or the correct data), the requests the server saw, and
// that the call returned within its deadline.
func TestHostileAnswers(t *testing.T) {
	t.Parallel()
	rows := append(append(append(hostileBodyRows(), hostilePostRows()...), hostileStatusRows()...), hostileFlowRows()...)
	require.GreaterOrEqual(t, len(rows), 40)
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			runHostileRow(t, row)
		})
	}
}

func runHostileRow(t *testing.T, row hostileRow) {
	h := newHostileEnv(t)
	origin := row.serve(h)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hits.Add(1)
		origin(w, r)
	})
	start := row.start
	if start == nil {
		start = startPlain
	}
	base, hc := start(t, h, handler)
	opts := []Option{WithToken(testToken), WithRetry(fastRetry)}
	if hc != nil {
		opts = append(opts, WithHTTPClient(hc))
	}
	c, err := NewClient(base, append(opts, row.opts...)...)
	require.NoError(t, err)

	deadline := cmp.Or(row.deadline, 20*time.Second)
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	done := make(chan hostileOutcome, 1)
	go func() {
		got, err := row.call(ctx, c)
		done <- hostileOutcome{got: got, err: err, ctxErr: ctx.Err()}
	}()
	var out hostileOutcome
	select {
	case out = <-done:
	case <-time.After(deadline + hangGrace):
		t.Fatalf("the call did not return within its %v deadline", deadline)
	}
	if !row.hitsDeadline {
		assert.NoError(t, out.ctxErr, "the call returned only when its deadline passed: %v", out.err)
	}
	checkNoValueWithError(t, out)
	for _, want := range row.want {
		want(t, h, out)
	}
}

// hostileBodyRows are 2xx answers to GET whose body is hostile.
func hostileBodyRows() []hostileRow {
	cap4K := WithMaxResponseBytes(4096)
	big := "[" + strings.Repeat(`{"id":1},`, 2000) + `{"id":1}]`
	deep := `{"id":7,"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "}"
	return []hostileRow{
		{name: "HTML login page on 200", serve: static(answer(200, "<html><body>Sign in</body></html>", "Content-Type", "text/html")),
			call: getRunner, want: []hostileCheck{decodeFailure(), requests(1)}},
		{name: "HTML labelled as JSON on 200", serve: static(answer(200, "<!DOCTYPE html><html>proxy error</html>")),
			call: getRunner, want: []hostileCheck{decodeFailure(), requests(1)}},
		{name: "array where an object belongs", serve: static(answer(200, `[{"id":7}]`)),
			call: getRunner, want: []hostileCheck{decodeFailure(), requests(1)}},
		{name: "object where an array belongs", serve: static(answer(200, `{"id":7}`)),
			call: listRunners, want: []hostileCheck{decodeFailure(), requests(1)}},
		{name: "ID as a string", serve: static(answer(200, `{"id":"7"}`)),
			call: getRunner, want: []hostileCheck{decodeFailure(), requests(1)}},
		{name: "null on 200", serve: static(answer(200, `null`)),
			call: getRunner, want: []hostileCheck{decodeFailure(), requests(1)}},
		{name: "empty body on 200", serve: static(answer(200, ``)),
			call: getRunner, want: []hostileCheck{decodeFailure(), requests(1)}},
		{name: "204 to a Get", serve: static(answer(204, ``)),
			call: getRunner, want: []hostileCheck{decodeFailure(), requests(1)}},
		{name: "object without an ID", serve: static(answer(200, `{"description":"no id"}`)),
			call: getRunner, want: []hostileCheck{decodeFailure(), requests(1)}},
		{name: "invalid UTF-8 is replaced", serve: static(answer(200, "{\"id\":7,\"description\":\"ok\xff\xfe\"}")),
			call: getRunner, want: []hostileCheck{runnerID(7), check(func(t *testing.T, out hostileOutcome) {
				assert.Equal(t, "ok\uFFFD\uFFFD", Value(out.got.(*RunnerDetails).Description))
			})}},
		{name: "duplicate keys: the last wins", serve: static(answer(200, `{"id":1,"id":7}`)),
			call: getRunner, want: []hostileCheck{runnerID(7)}},
		{name: "nesting 10,000 deep", serve: static(answer(200, deep)),
			call: getRunner, want: []hostileCheck{decodeFailure(), requests(1)}},
		{name: "ID past int64", serve: static(answer(200, `{"id":9223372036854775808}`)),
			call: getRunner, want: []hostileCheck{decodeFailure(), requests(1)}},
		{name: "null element in a list", serve: static(answer(200, `[{"id":1},null,{"id":3}]`)),
			call: listRunners, want: []hostileCheck{decodeFailure(), requests(1)}},
		{name: "null element in an iterated list", serve: static(answer(200, `[{"id":1},null,{"id":3}]`)),
			call: iterateAll, want: []hostileCheck{yielded(), decodeFailure(), requests(1)}},
		{name: "GET cut off before its Content-Length is retried", serve: func(h *hostileEnv) http.HandlerFunc {
			return firstThen(h, 1, cutAnswer(200, `{"id":7,"descr`, true), answer(200, `{"id":7}`))
		}, call: getRunner, want: []hostileCheck{runnerID(7), requests(2)}},
		{name: "GET cut off by a clean close is retried", serve: func(h *hostileEnv) http.HandlerFunc {
			return firstThen(h, 1, cutAnswer(200, `{"id":7,"descr`, false), answer(200, `{"id":7}`))
		}, call: getRunner, want: []hostileCheck{runnerID(7), requests(2)}},
		{name: "GET always cut off before its Content-Length", serve: func(h *hostileEnv) http.HandlerFunc {
			return firstThen(h, 99, cutAnswer(200, `{"id":7,"descr`, true), nil)
		}, call: getRunner, want: []hostileCheck{decodeFailure(), unwrapsTo(io.ErrUnexpectedEOF), requests(4)}},
		{name: "GET always cut off by a clean close", serve: func(h *hostileEnv) http.HandlerFunc {
			return firstThen(h, 99, cutAnswer(200, `{"id":7,"descr`, false), nil)
		}, call: getRunner, want: []hostileCheck{decodeFailure(), requests(4)}},
		{name: "body over the cap", serve: static(answer(200, big)), opts: []Option{cap4K},
			call: listRunners, want: []hostileCheck{decodeFailure(ErrResponseTooLarge), requests(1)}},
		{name: "endless body", serve: static(endless), opts: []Option{WithMaxResponseBytes(1 << 20)},
			call: listRunners, want: []hostileCheck{decodeFailure(ErrResponseTooLarge), requests(1)}},
		{name: "gzip bomb", serve: static(gzipped(gzipBomb())), opts: []Option{WithMaxResponseBytes(1 << 20)},
			call: listRunners, want: []hostileCheck{decodeFailure(ErrResponseTooLarge), requests(1)}},
		{name: "corrupt gzip", serve: static(gzipped([]byte("this is not gzip"))),
			call: getRunner, want: []hostileCheck{decodeFailure(), unwrapsTo(gzip.ErrHeader), requests(4)}},
		{name: "server stalls before answering", serve: static(stall), deadline: 500 * time.Millisecond, hitsDeadline: true,
			call: getRunner, want: []hostileCheck{deadlineExceeded(false), requests(1)}},
		{name: "server stalls mid-body", serve: static(stallMidBody), deadline: 500 * time.Millisecond, hitsDeadline: true,
			call: getRunner, want: []hostileCheck{deadlineExceeded(true), requests(1)}},
		{name: "server trickles a byte at a time", serve: static(trickle), deadline: time.Second, hitsDeadline: true,
			call: listRunners, want: []hostileCheck{deadlineExceeded(true), requests(1)}},
		{name: "garbage instead of HTTP", serve: static(func(w http.ResponseWriter, _ *http.Request) {
			rawAnswer(w, "SSH-2.0-OpenSSH_9.6\r\n\r\n")
		}), call: getRunner, want: []hostileCheck{transportFailure(nil, true, false), requests(4)}},
	}
}

// hostilePostRows are hostile answers to a POST: a create or a token reset
// that may have taken effect is never retried and never reported as a
// plain failure.
func hostilePostRows() []hostileRow {
	outcomeUnknown := check(func(t *testing.T, out hostileOutcome) {
		assert.ErrorIs(t, out.err, ErrOutcomeUnknown)
		_, decode := asType[*DecodeError](out.err)
		_, transport := asType[*TransportError](out.err)
		assert.True(t, decode || transport, "want *DecodeError or *TransportError, got %T: %v", out.err, out.err)
	})
	return []hostileRow{
		{name: "POST 201 null", serve: static(answer(201, `null`)),
			call: createRunner, want: []hostileCheck{decodeFailure(ErrOutcomeUnknown), requests(1)}},
		{name: "POST 201 empty body", serve: static(answer(201, ``)),
			call: createRunner, want: []hostileCheck{decodeFailure(ErrOutcomeUnknown), requests(1)}},
		{name: "POST 201 HTML", serve: static(answer(201, `<html>created?</html>`, "Content-Type", "text/html")),
			call: createRunner, want: []hostileCheck{decodeFailure(ErrOutcomeUnknown), requests(1)}},
		{name: "POST 201 without the promised token", serve: static(answer(201, `{"id":7,"token_expires_at":null}`)),
			call: createRunner, want: []hostileCheck{decodeFailure(ErrOutcomeUnknown), requests(1)}},
		{name: "token reset 201 {}", serve: static(answer(201, `{}`)),
			call: resetToken, want: []hostileCheck{decodeFailure(ErrOutcomeUnknown), requests(1)}},
		{name: "POST 201 cut off by a clean close", serve: static(func(w http.ResponseWriter, _ *http.Request) {
			cutAnswer(201, `{"id":7,"token":"glrt-x","token_expires_at":nu`, false)(w)
		}), call: createRunner, want: []hostileCheck{decodeFailure(ErrOutcomeUnknown), requests(1)}},
		{name: "POST 201 cut off before its Content-Length", serve: static(func(w http.ResponseWriter, _ *http.Request) {
			cutAnswer(201, `{"id":7,"token":"glrt-x","token_expires_at":nu`, true)(w)
		}), call: resetToken, want: []hostileCheck{outcomeUnknown, requests(1)}},
		{name: "POST 201 over the cap", serve: static(answer(201, `{"id":7,"token":"`+strings.Repeat("x", 8192)+`"}`)),
			opts: []Option{WithMaxResponseBytes(4096)},
			call: createRunner, want: []hostileCheck{decodeFailure(ErrResponseTooLarge, ErrOutcomeUnknown), requests(1)}},
		{name: "POST 500", serve: static(answer(500, `{"message":"500 Internal Server Error"}`)),
			call: createRunner, want: []hostileCheck{apiError(500, ErrServer, ErrOutcomeUnknown), requests(1)}},
		{name: "POST reset after the request was written", serve: static(func(w http.ResponseWriter, _ *http.Request) { resetConn(w) }),
			call: resetToken, want: []hostileCheck{transportFailure(nil, true, true), requests(1)}},
		{name: "POST to a refused port", start: startRefused, serve: static(nil),
			call: createRunner, want: []hostileCheck{transportFailure(nil, false, false), requests(0)}},
	}
}

// hostileStatusRows are error answers and rate-limit signals.
func hostileStatusRows() []hostileRow {
	minute := WithRetry(RetryPolicy{MaxRetries: 3, MaxRetryAfter: time.Minute})
	inFuture := func(d time.Duration) string { return strconv.FormatInt(time.Now().Add(d).Unix(), 10) }
	return []hostileRow{
		{name: "401 with WWW-Authenticate", serve: static(answer(401,
			`{"error":"invalid_token","error_description":"Token was revoked. You have to re-authorize from the user."}`,
			"WWW-Authenticate", `Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="Token was revoked."`)),
			call: getRunner, want: []hostileCheck{apiError(401, ErrUnauthorized), waitIs(0), requests(1),
				check(func(t *testing.T, out hostileOutcome) {
					e, _ := asType[*Error](out.err)
					assert.Equal(t, "invalid_token", e.Code)
				})}},
		{name: "GET 500 every time", serve: static(answer(500, `{"message":"500 Internal Server Error"}`)),
			call: getRunner, want: []hostileCheck{apiError(500, ErrServer), requests(4)}},
		{name: "503 HTML page", serve: static(answer(503, "<html>\n<h1>Service\tUnavailable</h1>\n</html>", "Content-Type", "text/html")),
			call: getRunner, want: []hostileCheck{apiError(503, ErrServer), requests(4), check(func(t *testing.T, out hostileOutcome) {
				e, _ := asType[*Error](out.err)
				assert.Equal(t, "Service Unavailable", e.Message)
			})}},
		{name: "403 with a 5 MiB body", serve: static(answer(403, `{"message":"`+strings.Repeat("no ", 5<<20/3)+`"}`)),
			call: getRunner, want: []hostileCheck{apiError(403, ErrForbidden), requests(1), check(func(t *testing.T, out hostileOutcome) {
				e, _ := asType[*Error](out.err)
				assert.LessOrEqual(t, len(e.Body), 2<<10+len("…"))
				assert.LessOrEqual(t, len(e.Error()), 1<<10)
			})}},
		{name: "302 without a Location", serve: static(answer(302, ``)),
			call: getRunner, want: []hostileCheck{apiError(302, nil), requests(1)}},
		{name: "Retry-After: soon", serve: static(answer(429, `{"message":"slow down"}`, "Retry-After", "soon")),
			call: getRunner, want: []hostileCheck{apiError(429, ErrRateLimited), waitIs(0), requests(4)}},
		{name: "Retry-After of 1e9 seconds", serve: static(answer(429, `{"message":"slow down"}`, "Retry-After", "1000000000")),
			call: getRunner, want: []hostileCheck{apiError(429, ErrRateLimited), waitIs(1e9 * time.Second), requests(1)}},
		{name: "Retry-After in the past", serve: func(h *hostileEnv) http.HandlerFunc {
			return firstThen(h, 1, func(w http.ResponseWriter) {
				answer(429, ``, "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")(w, nil)
			}, answer(200, `{"id":7}`))
		}, call: getRunner, want: []hostileCheck{runnerID(7), requests(2)}},
		{name: "RateLimit-Reset in the past", serve: func(h *hostileEnv) http.HandlerFunc {
			return firstThen(h, 1, func(w http.ResponseWriter) {
				answer(429, ``, "RateLimit-Remaining", "0", "RateLimit-Reset", "1445412480")(w, nil)
			}, answer(200, `{"id":7}`))
		}, call: getRunner, want: []hostileCheck{runnerID(7), requests(2)}},
		{name: "RateLimit-Reset a day away", serve: func(*hostileEnv) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				answer(429, ``, "RateLimit-Remaining", "0", "RateLimit-Reset", inFuture(24*time.Hour))(w, r)
			}
		}, call: getRunner, want: []hostileCheck{apiError(429, ErrRateLimited), waitBetween(23*time.Hour, 24*time.Hour), requests(1)}},
		{name: "RateLimit-Reset garbage", serve: static(answer(429, ``, "RateLimit-Remaining", "0", "RateLimit-Reset", "tomorrow")),
			call: getRunner, want: []hostileCheck{apiError(429, ErrRateLimited), waitIs(0), requests(4)}},
		{name: "429 without a wait, backoff past the deadline", serve: static(answer(429, `{"message":"slow down"}`)),
			opts:     []Option{WithRetry(RetryPolicy{MaxRetries: 3, WaitMin: 10 * time.Second, WaitMax: 10 * time.Second})},
			deadline: 2 * time.Second,
			call:     getRunner, want: []hostileCheck{apiError(429, ErrRateLimited), waitIs(0), requests(1)}},
		{name: "Retry-After past the deadline", serve: static(answer(429, ``, "Retry-After", "30")),
			opts: []Option{minute}, deadline: 2 * time.Second,
			call: getRunner, want: []hostileCheck{apiError(429, ErrRateLimited), waitIs(30 * time.Second), requests(1)}},
		{name: "spent quota past the deadline", serve: func(h *hostileEnv) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				if h.nth() == 1 {
					answer(200, `{"id":7}`, "RateLimit-Limit", "10", "RateLimit-Remaining", "0", "RateLimit-Reset", inFuture(30*time.Second))(w, r)
					return
				}
				answer(429, ``, "Retry-After", "30")(w, r)
			}
		}, opts: []Option{minute}, deadline: 2 * time.Second,
			call: twice(getRunner, getRunner), want: []hostileCheck{notSent(true, time.Second, 30*time.Second), requests(1)}},
		{name: "client limiter past the deadline", serve: static(answer(200, `{"id":7}`)),
			opts: []Option{WithRateLimit(0.01, 1)}, deadline: 2 * time.Second,
			call: twice(getRunner, getRunner), want: []hostileCheck{notSent(false, time.Second, 100*time.Second), requests(1)}},
	}
}

// hostileFlowRows are hostile pagination headers and redirects.
func hostileFlowRows() []hostileRow {
	nextPage := func(v func(n int) string) func(*hostileEnv) http.HandlerFunc {
		return static(pagesOf(twoRunnersOnPage, func(n int) []string { return []string{"X-Next-Page", v(n)} }))
	}
	toAway := func(h *hostileEnv) func(*http.Request) string {
		return func(r *http.Request) string { return h.awayURL + r.URL.Path }
	}
	awayGet := []hostileCheck{apiError(401, ErrUnauthorized), awayGotNoCredential(1), requests(1)}
	loop := func(a, b string) func(*hostileEnv) http.HandlerFunc {
		return static(redirectTo(http.StatusFound, func(r *http.Request) string {
			if r.URL.Path == a {
				return b
			}
			return a
		}))
	}
	downgrade := func(h *hostileEnv) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.TLS != nil {
				http.Redirect(w, r, "http://"+r.Host+r.URL.Path, http.StatusTemporaryRedirect)
				return
			}
			h.away.record(r)
			writeJSON(w, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
		}
	}
	listPage := func(ctx context.Context, c *Client) (any, error) {
		_, resp, err := c.Runners.ListAll(ctx, nil)
		return resp, err
	}
	sudoGet := func(ctx context.Context, c *Client) (any, error) {
		r, _, err := c.Runners.Get(ctx, 7, nil, WithSudo("root"))
		return r, err
	}
	return []hostileRow{
		{name: "X-Next-Page abc", serve: nextPage(func(int) string { return "abc" }),
			call: iterateAll, want: []hostileCheck{noError(), yielded(1, 2), requests(1)}},
		{name: "X-Next-Page -1", serve: nextPage(func(int) string { return "-1" }),
			call: iterateAll, want: []hostileCheck{noError(), yielded(1, 2), requests(1)}},
		{name: "X-Next-Page past int64", serve: nextPage(func(int) string { return "99999999999999999999" }),
			call: iterateAll, want: []hostileCheck{noError(), yielded(1, 2), requests(1)}},
		{name: "X-Next-Page the same page again", serve: nextPage(func(n int) string { return strconv.Itoa(n) }),
			call: iterateAll, want: []hostileCheck{yielded(1, 2), stalled(), requests(1)}},
		{name: "X-Next-Page going back", serve: nextPage(func(n int) string { return strconv.Itoa(3 - n) }),
			call: iterateAll, want: []hostileCheck{yielded(1, 2, 3, 4), stalled(), requests(2)}},
		{name: "negative X-Total", serve: static(answer(200, `[{"id":1}]`, "X-Total", "-5", "X-Total-Pages", "-1")),
			call: listPage, want: []hostileCheck{noError(), requests(1), check(func(t *testing.T, out hostileOutcome) {
				resp := out.got.(*Response)
				assert.Zero(t, resp.TotalItems)
				assert.Zero(t, resp.TotalPages)
			})}},
		{name: "X-Total-Pages past int32 with look-ahead", opts: []Option{WithPageConcurrency(4)},
			serve: static(pagesOf(func(n int) string {
				if n > 2 {
					return `[]`
				}
				return twoRunnersOnPage(n)
			}, func(n int) []string {
				return []string{"X-Total-Pages", "4294967296", "X-Next-Page", strconv.Itoa(n + 1)}
			})),
			call: iterateAll, want: []hostileCheck{noError(), yielded(1, 2, 3, 4), requestsBetween(3, 7)}},
		{name: "Link to another host (offset pages)", serve: func(h *hostileEnv) http.HandlerFunc {
			return pagesOf(twoRunnersOnPage, func(n int) []string {
				if n > 1 {
					return nil
				}
				return []string{"Link", "<" + h.awayURL + `/api/v4/runners/all?page=2&per_page=100>; rel="next"`}
			})
		}, call: iterateAll, want: []hostileCheck{noError(), yielded(1, 2, 3, 4), awayGotNoCredential(0), requests(2)}},
		{name: "Link to another host (keyset)", serve: func(h *hostileEnv) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("cursor") == "c2" {
					answer(200, `[{"id":2}]`)(w, r)
					return
				}
				answer(200, `[{"id":3}]`, "Link", "<"+h.awayURL+`/api/v4/runners/7/jobs?cursor=c2&pagination=keyset>; rel="next"`)(w, r)
			}
		}, call: iterateJobs, want: []hostileCheck{noError(), yielded(3, 2), awayGotNoCredential(0), requests(2)}},
		{name: "redirect loop", serve: loop("/api/v4/runners/7", "/api/v4/runners/7"),
			call: getRunner, want: []hostileCheck{redirectRefused(), requestsBetween(2, 11)}},
		{name: "redirect loop between two paths", serve: loop("/api/v4/a", "/api/v4/b"),
			call: getRunner, want: []hostileCheck{redirectRefused(), requestsBetween(2, 11)}},
		{name: "GET redirected to another host", serve: func(h *hostileEnv) http.HandlerFunc { return redirectTo(http.StatusFound, toAway(h)) },
			call: getRunner, want: awayGet},
		{name: "GET redirected to another host (OAuth)", serve: func(h *hostileEnv) http.HandlerFunc { return redirectTo(http.StatusFound, toAway(h)) },
			opts: []Option{WithOAuthToken("oauth-hostile-0123456789")}, call: getRunner, want: awayGet},
		{name: "GET redirected to another host (token source)", serve: func(h *hostileEnv) http.HandlerFunc {
			return redirectTo(http.StatusMovedPermanently, toAway(h))
		}, opts: []Option{WithTokenSource(func(context.Context) (string, error) { return "refreshed-0123456789", nil })},
			call: getRunner, want: awayGet},
		{name: "GET with Sudo redirected to another host", serve: func(h *hostileEnv) http.HandlerFunc { return redirectTo(http.StatusFound, toAway(h)) },
			call: sudoGet, want: awayGet},
		{name: "POST redirected to another host is refused", serve: func(h *hostileEnv) http.HandlerFunc {
			return redirectTo(http.StatusTemporaryRedirect, toAway(h))
		}, call: createRunner, want: []hostileCheck{redirectRefused(), awayGotNoCredential(0), requests(1)}},
		{name: "DELETE redirected to another host is refused", serve: func(h *hostileEnv) http.HandlerFunc {
			return redirectTo(http.StatusTemporaryRedirect, toAway(h))
		}, call: deleteRunner, want: []hostileCheck{redirectRefused(), awayGotNoCredential(0), requests(1)}},
		{name: "GET redirected from https to http", start: startTLSAndPlain, serve: downgrade,
			call: getRunner, want: []hostileCheck{apiError(401, ErrUnauthorized), awayGotNoCredential(1), requests(2)}},
		{name: "POST redirected from https to http is refused", start: startTLSAndPlain, serve: downgrade,
			call: createRunner, want: []hostileCheck{redirectRefused(), awayGotNoCredential(0), requests(1)}},
	}
}
