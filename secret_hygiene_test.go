package glrunners

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSecretHygiene runs every token-bearing operation through success and
// error paths, including servers that echo the tokens they received in every
// place an answer has room for, with a debug logger writing text and JSON.
// Then it scans every log line, err.Error(), and %v, %+v and %#v of the
// error, the returned value and the *Response for any 8-character piece of
// a token the call used or received.
func TestSecretHygiene(t *testing.T) {
	t.Parallel()
	for _, cred := range hygieneCredentials {
		t.Run(cred.name, func(t *testing.T) {
			t.Parallel()
			for _, sc := range hygieneScenarios {
				t.Run(sc, func(t *testing.T) {
					t.Parallel()
					checkHygiene(t, cred, sc)
				})
			}
		})
	}
}

// hygieneCredential is one set of tokens: the user's credential, the runner
// token a runner-token call sends in its body, and the token a success
// answer returns.
type hygieneCredential struct {
	name                   string
	user, runner, returned string
	option                 func(tok string) Option
}

var hygieneCredentials = []hygieneCredential{
	{"glpat and glrt", "glpat-Hq3vK8mW2xT9bN4cR7pL", "glrt-Wm4Qx8Bv2Nt7Rc5Hp3Ks9L", "glrt-Jd5Fs8Lk2Pw6Qz9Xc4Vb7Nm",
		WithToken},
	{"no prefix", "Zq8vN3mK7xW2bT5cH9pR4sLd", "Yt6Pk2Wq9Mx4Bv7Nc3Rh8Ls5D", "Ue3Gy7Hj1Kl5Mn9Bv2Cx6Za4Q",
		WithToken},
	{"OAuth and glrtr", "oa2Tq7Wm3Xv8Bn4Ck9Rp5Hs1L", "glrtr-Ab4Cd8Ef2Gh6Ij1Kl5Mn", "GR1348941Op3Qr7St2Uv6Wx9Yz",
		WithOAuthToken},
	{"token source and a custom prefix", "src0Pq4Rs8Tu2Vw6Xy1Za5Bc9", "acme-glrt-Df3Gh7Jk2Lm6Np0Q", "acme-Rt5Yu9Io3Pa7Sd1Fg4Hj8",
		func(tok string) Option {
			return WithTokenSource(func(context.Context) (string, error) { return tok, nil })
		}},
}

// hygieneScenarios name the server's behaviours; the client asks for one
// with the X-Hygiene header.
var hygieneScenarios = []string{
	"success", "403 text echo", "403 echo across the Body cut", "400 JSON echo", "401 request ID echo",
	"500 echo", "429 echo", "200 HTML echo", "200 truncated echo", "redirect echo", "reset",
}

// hygieneOp is one SDK call; tok is the runner token for runner-token calls.
type hygieneOp struct {
	name    string
	success string // the 2xx body; "{ret}" stands for the returned token, "" for 204
	call    func(ctx context.Context, c *Client, tok Secret, o RequestOption) (any, *Response, error)
}

// hygieneOps is every operation of the SDK; each carries the user's
// credential or a runner token.
func hygieneOps() []hygieneOp {
	one := func(v any, r *Response, err error) (any, *Response, error) { return v, r, err }
	none := func(r *Response, err error) (any, *Response, error) { return nil, r, err }
	iter := func(v any, err error) (any, *Response, error) { return v, nil, err }
	list, runner := `[{"id":1,"description":"d"}]`, `{"id":1,"description":"d"}`
	reg, tok := `{"id":1,"token":"{ret}","token_expires_at":null}`, `{"token":"{ret}","token_expires_at":null}`
	p := Path("grp/proj")
	return []hygieneOp{
		{"Runners.List", list, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Runners.List(ctx, nil, o))
		}},
		{"Runners.ListAll", list, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Runners.ListAll(ctx, nil, o))
		}},
		{"Runners.ListIter", list, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return iter(Collect(c.Runners.ListIter(ctx, nil, o)))
		}},
		{"Runners.ListAllIter", list, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return iter(Collect(c.Runners.ListAllIter(ctx, nil, o)))
		}},
		{"Runners.Get", runner, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Runners.Get(ctx, 1, nil, o))
		}},
		{"Runners.Update", runner, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Runners.Update(ctx, 1, &UpdateRunnerOptions{Description: Ptr("d")}, o))
		}},
		{"Runners.Pause", runner, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Runners.Pause(ctx, 1, o))
		}},
		{"Runners.Unpause", runner, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Runners.Unpause(ctx, 1, o))
		}},
		{"Runners.Delete", "", func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return none(c.Runners.Delete(ctx, 1, o))
		}},
		{"Runners.ListJobs", list, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Runners.ListJobs(ctx, 1, nil, o))
		}},
		{"Runners.ListJobsIter", list, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return iter(Collect(c.Runners.ListJobsIter(ctx, 1, nil, o)))
		}},
		{"Runners.ListManagers", `[{"id":1,"system_id":"s_1"}]`, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Runners.ListManagers(ctx, 1, o))
		}},
		{"Runners.ListProjects", list, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Runners.ListProjects(ctx, 1, nil, o))
		}},
		{"Runners.ListProjectsIter", list, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return iter(Collect(c.Runners.ListProjectsIter(ctx, 1, nil, o)))
		}},
		{"Runners.Create", reg, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Runners.Create(ctx, &CreateRunnerOptions{RunnerType: InstanceType}, o))
		}},
		{"Runners.Register", reg, func(ctx context.Context, c *Client, tok Secret, o RequestOption) (any, *Response, error) {
			return one(c.Runners.Register(ctx, &RegisterRunnerOptions{Token: tok}, o))
		}},
		{"Runners.Verify", reg, func(ctx context.Context, c *Client, tok Secret, o RequestOption) (any, *Response, error) {
			return one(c.Runners.Verify(ctx, &VerifyRunnerOptions{Token: tok, SystemID: "s_1"}, o))
		}},
		{"Runners.DeleteByToken", "", func(ctx context.Context, c *Client, tok Secret, o RequestOption) (any, *Response, error) {
			return none(c.Runners.DeleteByToken(ctx, tok, o))
		}},
		{"Runners.DeleteManager", "", func(ctx context.Context, c *Client, tok Secret, o RequestOption) (any, *Response, error) {
			return none(c.Runners.DeleteManager(ctx, tok, "s_1", o))
		}},
		{"Projects.ListRunners", list, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Projects.ListRunners(ctx, p, nil, o))
		}},
		{"Projects.ListRunnersIter", list, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return iter(Collect(c.Projects.ListRunnersIter(ctx, p, nil, o)))
		}},
		{"Projects.AssignRunner", runner, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Projects.AssignRunner(ctx, p, 1, o))
		}},
		{"Projects.UnassignRunner", "", func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return none(c.Projects.UnassignRunner(ctx, p, 1, o))
		}},
		{"Groups.ListRunners", list, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Groups.ListRunners(ctx, Path("grp"), nil, o))
		}},
		{"Groups.ListRunnersIter", list, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return iter(Collect(c.Groups.ListRunnersIter(ctx, Path("grp"), nil, o)))
		}},
		{"Tokens.ResetInstanceRegistrationToken", tok, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Tokens.ResetInstanceRegistrationToken(ctx, o))
		}},
		{"Tokens.ResetProjectRegistrationToken", tok, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Tokens.ResetProjectRegistrationToken(ctx, p, o))
		}},
		{"Tokens.ResetGroupRegistrationToken", tok, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Tokens.ResetGroupRegistrationToken(ctx, Path("grp"), o))
		}},
		{"Tokens.ResetAuthenticationToken", tok, func(ctx context.Context, c *Client, _ Secret, o RequestOption) (any, *Response, error) {
			return one(c.Tokens.ResetAuthenticationToken(ctx, 1, o))
		}},
		{"Tokens.ResetAuthenticationTokenWithToken", tok, func(ctx context.Context, c *Client, tok Secret, o RequestOption) (any, *Response, error) {
			return one(c.Tokens.ResetAuthenticationTokenWithToken(ctx, tok, o))
		}},
	}
}

// checkHygiene runs every operation under one credential set and scenario.
func checkHygiene(t *testing.T, cred hygieneCredential, scenario string) {
	logs := &logCapture{}
	var echoed atomic.Int32 // requests whose secrets the server echoed
	srv := newHygieneServer(t, cred, &echoed)
	c, err := NewClient(srv, cred.option(cred.user), WithLogger(logs.logger()),
		WithRetry(RetryPolicy{MaxRetries: 1, WaitMin: time.Millisecond, WaitMax: time.Millisecond, MaxRetryAfter: 5 * time.Second}))
	require.NoError(t, err)
	tokens := []string{cred.user, cred.runner, cred.returned}
	for _, op := range hygieneOps() {
		before := logs.len()
		got, resp, err := op.call(t.Context(), c, Secret(cred.runner), WithHeader("X-Hygiene", scenario+"|"+op.success))
		// A call that returns no value ignores a 2xx body, whatever it holds.
		if scenario == "success" || (strings.HasPrefix(scenario, "200 ") && op.success == "") {
			assert.NoError(t, err, op.name)
		} else {
			assert.Error(t, err, op.name)
		}
		outputs := map[string]string{"log lines": logs.since(before)}
		if err != nil {
			outputs["err.Error()"] = err.Error()
			outputs["error %v %+v %#v"] = fmt.Sprintf("%v\n%+v\n%#v", err, err, err)
		}
		if got != nil {
			outputs["value %v %+v %#v"] = fmt.Sprintf("%v\n%+v\n%#v", got, got, got)
		}
		if resp != nil {
			outputs["*Response %v %+v %#v"] = fmt.Sprintf("%v\n%+v\n%#v", resp, resp, resp)
		}
		for where, text := range outputs {
			for _, piece := range leakedPieces(text, tokens) {
				t.Errorf("%s: %s holds %q: %s", op.name, where, piece, around(text, piece))
				break
			}
		}
	}
	if scenario != "reset" && scenario != "success" {
		assert.Positive(t, echoed.Load(), "the server echoed no secret: the scenario tests nothing")
	}
}

// newHygieneServer answers as the X-Hygiene header asks, echoing every
// secret the request carried: the credential header and the body's token.
func newHygieneServer(t *testing.T, cred hygieneCredential, echoed *atomic.Int32) string {
	return newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scenario, success, _ := strings.Cut(r.Header.Get("X-Hygiene"), "|")
		var body struct{ Token string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		var secrets []string
		for _, s := range []string{r.Header.Get("Private-Token"), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), body.Token} {
			if s != "" {
				secrets = append(secrets, s)
			}
		}
		if len(secrets) > 0 {
			echoed.Add(1)
		}
		echo := strings.Join(secrets, " ")
		first := ""
		if len(secrets) > 0 {
			first = secrets[0]
		}
		switch scenario {
		case "success":
			if success == "" {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			writeJSON(w, http.StatusOK, strings.ReplaceAll(success, "{ret}", cred.returned))
		case "403 text echo":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(strings.Repeat("denied ", 27) + echo))
		case "403 echo across the Body cut":
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(strings.Repeat("x", 2048-len(first)/2) + echo))
		case "400 JSON echo":
			q, _ := json.Marshal(echo)
			writeJSON(w, http.StatusBadRequest, fmt.Sprintf(`{"error":%s,"error_description":%s,"scope":%s,"message":{"token":[%s]}}`, q, q, q, q))
		case "401 request ID echo":
			w.Header().Set("X-Request-Id", echo)
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", token="`+echo+`"`)
			writeJSON(w, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
		case "500 echo":
			writeJSON(w, http.StatusInternalServerError, `{"message":"500 `+first+`"}`)
		case "429 echo":
			w.Header().Set("Retry-After", "3600")
			writeJSON(w, http.StatusTooManyRequests, `{"message":{"error":"slow down `+first+`"}}`)
		case "200 HTML echo":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html><body>signed in as " + echo + "</body></html>"))
		case "200 truncated echo":
			cutAnswer(200, `{"id":1,"token":"`+first+`","description":"`+echo, false)(w)
		case "redirect echo":
			http.Redirect(w, r, "/api/v4/echo/"+first+"?token="+first, http.StatusFound)
		case "reset":
			resetConn(w)
		}
	}))
}

// leakedPieces returns the 8-character pieces of tokens found in text.
func leakedPieces(text string, tokens []string) []string {
	var found []string
	for _, tok := range tokens {
		for i := 0; i+8 <= len(tok); i++ {
			if strings.Contains(text, tok[i:i+8]) {
				found = append(found, tok[i:i+8])
			}
		}
	}
	return found
}

// around returns the line of text around piece, for the failure message.
func around(text, piece string) string {
	i := strings.Index(text, piece)
	lo, hi := max(i-60, 0), min(i+len(piece)+60, len(text))
	return strings.ReplaceAll(text[lo:hi], "\n", `\n`)
}

// logCapture collects what a debug logger writes through both of slog's
// handlers, text and JSON, into one buffer.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logCapture) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logCapture) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Len()
}

// since returns what was logged after the first n bytes.
func (l *logCapture) since(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()[n:]
}

func (l *logCapture) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	return slog.New(teeHandler{slog.NewTextHandler(l, opts), slog.NewJSONHandler(l, opts)})
}

// teeHandler hands every record to each of its handlers.
type teeHandler []slog.Handler

func (t teeHandler) Enabled(ctx context.Context, level slog.Level) bool {
	for _, h := range t {
		if h.Enabled(ctx, level) {
			return true
		}
	}
	return false
}

func (t teeHandler) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range t {
		if h.Enabled(ctx, r.Level) {
			if err := h.Handle(ctx, r.Clone()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t teeHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithAttrs(attrs)
	}
	return out
}

func (t teeHandler) WithGroup(name string) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithGroup(name)
	}
	return out
}
