package glrunners

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors. An *Error matches the sentinel of its status class with
// errors.Is, so callers need not compare status codes:
//
//	if errors.Is(err, glrunners.ErrNotFound) { ... }
var (
	ErrBadRequest         = errors.New("glrunners: bad request")          // 400
	ErrUnauthorized       = errors.New("glrunners: unauthorized")         // 401
	ErrForbidden          = errors.New("glrunners: forbidden")            // 403
	ErrNotFound           = errors.New("glrunners: not found")            // 404
	ErrMethodNotAllowed   = errors.New("glrunners: method not allowed")   // 405
	ErrConflict           = errors.New("glrunners: conflict")             // 409
	ErrGone               = errors.New("glrunners: gone")                 // 410
	ErrPreconditionFailed = errors.New("glrunners: precondition failed")  // 412
	ErrUnprocessable      = errors.New("glrunners: unprocessable entity") // 422
	ErrRateLimited        = errors.New("glrunners: rate limited")         // 429
	ErrServer             = errors.New("glrunners: server error")         // 5xx

	// ErrOutcomeUnknown matches a failed non-idempotent call (a POST) that
	// may nevertheless have taken effect: the server answered 5xx, or the
	// connection broke after the request was sent. A runner may have been
	// created or a token rotated; reconcile (list, verify) before acting.
	ErrOutcomeUnknown = errors.New("glrunners: outcome unknown")

	// ErrInvalidResponse matches a 2xx answer the client could not use:
	// a body that is not the JSON it expects, or a truncated one.
	ErrInvalidResponse = errors.New("glrunners: invalid response")

	// ErrResponseTooLarge matches a response body over the client's size cap.
	ErrResponseTooLarge = errors.New("glrunners: response body too large")
)

var statusSentinels = map[int]error{
	http.StatusBadRequest:          ErrBadRequest,
	http.StatusUnauthorized:        ErrUnauthorized,
	http.StatusForbidden:           ErrForbidden,
	http.StatusNotFound:            ErrNotFound,
	http.StatusMethodNotAllowed:    ErrMethodNotAllowed,
	http.StatusConflict:            ErrConflict,
	http.StatusGone:                ErrGone,
	http.StatusPreconditionFailed:  ErrPreconditionFailed,
	http.StatusUnprocessableEntity: ErrUnprocessable,
	http.StatusTooManyRequests:     ErrRateLimited,
}

// Error is a non-2xx answer from GitLab.
//
// Its Error() is one line built from the request and the answer:
//
//	glrunners: <Method> <Path>: <StatusCode> <status text>[: <Message>][ (GitLab asks to retry after <RetryAfter>)]
//
// for example "glrunners: DELETE /api/v4/runners/7: 404 Not Found: Runner
// Not Found". Message is GitLab's own text, flattened to one line; the
// status GitLab often repeats at its start ("404 Runner Not Found",
// "403 Forbidden - ...") is left out of Error() but kept in Message, so
// Message is what GitLab said and Error() is what to log. Match on the
// sentinels (errors.Is(err, ErrNotFound)) or StatusCode and Code, never
// on either string.
//
// Every error of this package starts with "glrunners: " once: one that
// wraps another (a *CreateOnceError around an *Error, say) quotes it
// without its prefix, so that the whole reads as one sentence.
type Error struct {
	StatusCode int
	Method     string
	// Path is the escaped request path, without the query string.
	Path string
	// Message is GitLab's message flattened to one line: the "message"
	// string, the field errors of a model validation, the "error" string
	// with its "error_description", or a sample of a non-JSON body.
	Message string
	// FieldErrors holds model validation messages by field
	// ({"message":{"tags_list":["..."]}}).
	FieldErrors map[string][]string
	// Code is GitLab's "error" key when the body has one
	// ("invalid_token", "insufficient_scope", "token is missing", ...).
	Code string
	// Scope is the scope GitLab asked for on an insufficient_scope answer.
	Scope string
	// RetryAfter is how long GitLab asked the client to wait (Retry-After,
	// or RateLimit-Reset on a spent quota), 0 when it did not say. It is
	// never the SDK's own backoff.
	RetryAfter time.Duration
	RequestID  string
	// Body is the start of the response body with secrets redacted.
	Body string

	outcomeUnknown bool
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, errPrefix+"%s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if msg := withoutStatus(e.Message, e.StatusCode); msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (GitLab asks to retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// withoutStatus drops the status GitLab's messages often repeat
// ("404 Runner Not Found", "403 Forbidden - ...", "404 Not found").
func withoutStatus(msg string, code int) string {
	rest, ok := strings.CutPrefix(msg, strconv.Itoa(code))
	if !ok || (rest != "" && rest[0] != ' ') {
		return msg
	}
	rest = strings.TrimLeft(rest, " ")
	if text := http.StatusText(code); len(rest) >= len(text) && strings.EqualFold(rest[:len(text)], text) {
		rest = rest[len(text):]
	}
	return strings.TrimLeft(rest, " -:")
}

// Is reports whether target is the sentinel of e's status class, or
// ErrOutcomeUnknown for a failed non-idempotent call.
func (e *Error) Is(target error) bool {
	if target == ErrOutcomeUnknown {
		return e.outcomeUnknown
	}
	if target == ErrServer {
		return e.StatusCode >= 500
	}
	s, ok := statusSentinels[e.StatusCode]
	return ok && s == target
}

// ValidationError is bad input, reported before any request is sent.
type ValidationError struct {
	// Field names the refused input by its name on the wire: a path
	// parameter as GitLab's docs write it, without the colon ("id" for
	// the runner, project or group in the path, "runner_id"), a query or
	// body key as sent ("tag_list", "system_id", "token", "info[name]"
	// for a nested key), or a header ("If-Unmodified-Since"). Input that
	// never goes on the wire as such is named by its Go name: a parameter
	// ("ctx", "baseURL"), a client option ("WithRateLimit"), a field
	// ("RetryPolicy.MaxRetries") or an options struct as a whole
	// ("UpdateRunnerOptions").
	Field string
	// Reason says what is wrong with it; it never quotes a token.
	Reason string
}

func (e *ValidationError) Error() string {
	return "glrunners: invalid " + e.Field + ": " + e.Reason
}

func invalidArg(field, reason string) error {
	return &ValidationError{Field: field, Reason: reason}
}

// TransportError is a request that got no HTTP answer: the connection
// failed, broke, or the context ended. It unwraps to the cause, so
// errors.Is(err, context.DeadlineExceeded) works.
type TransportError struct {
	Method string
	Path   string
	Err    error
	// Sent reports whether the request may have reached the server.
	Sent bool
	// Attempts is how many times the request was tried.
	Attempts int

	outcomeUnknown bool
}

func (e *TransportError) Error() string {
	cause := e.Err
	var ue *url.Error // its text repeats the method and the full URL
	if errors.As(cause, &ue) {
		cause = ue.Err
	}
	var b strings.Builder
	fmt.Fprintf(&b, errPrefix+"%s %s: no answer: %s", e.Method, e.Path, bare(cause))
	switch {
	case e.outcomeUnknown:
		b.WriteString(" (the request was sent: outcome unknown)")
	case e.Attempts > 1:
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

func (e *TransportError) Unwrap() error { return e.Err }

// Is reports ErrOutcomeUnknown for a non-idempotent request that may have
// been sent.
func (e *TransportError) Is(target error) bool {
	return target == ErrOutcomeUnknown && e.outcomeUnknown
}

// DecodeError is a 2xx answer whose body could not be used: not JSON, not
// the expected shape, truncated, null or empty, lacking an ID or token the
// operation promises, or over the size cap. It matches ErrInvalidResponse,
// ErrResponseTooLarge when the body passed the cap, and ErrOutcomeUnknown
// for a POST, whose 2xx status says GitLab acted (a runner was created, a
// token rotated) although the answer is lost.
type DecodeError struct {
	StatusCode  int
	Method      string
	Path        string
	ContentType string
	// Snippet is the start of the body with secrets redacted; empty for an
	// answer that may carry a token.
	Snippet string
	Err     error

	outcomeUnknown bool
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, errPrefix+"%s %s: unusable %d answer: %s", e.Method, e.Path, e.StatusCode, bare(e.Err))
	if e.outcomeUnknown {
		b.WriteString(" (GitLab acted: outcome unknown)")
	}
	return b.String()
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Is makes every DecodeError match ErrInvalidResponse, and a POST's match
// ErrOutcomeUnknown.
func (e *DecodeError) Is(target error) bool {
	return target == ErrInvalidResponse || (target == ErrOutcomeUnknown && e.outcomeUnknown)
}

// RateLimitError is a call not sent because a rate-limit wait could not
// fit in its context's deadline: the client's own limit (WithRateLimit),
// or a quota the server said was spent. It matches ErrRateLimited; an
// answer 429 from GitLab is an *Error instead.
type RateLimitError struct {
	Method string
	Path   string
	// RetryAfter is how long the call would have had to wait.
	RetryAfter time.Duration
	// Server is true when GitLab's quota, not the client's limit, held it.
	Server bool
}

func (e *RateLimitError) Error() string {
	who := "the client's rate limit"
	if e.Server {
		who = "GitLab's spent rate-limit quota"
	}
	return fmt.Sprintf("glrunners: %s %s: not sent: %s needs a wait of %s, past the context deadline",
		e.Method, e.Path, who, e.RetryAfter.Round(time.Millisecond))
}

// Is makes a RateLimitError match ErrRateLimited.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// errPrefix starts every error this package returns, once.
const errPrefix = "glrunners: "

// bare is err's text for quoting inside another error of this package:
// without its "glrunners: " prefix, which the outer error carries, and on
// one line (errors.Join puts each error on a line of its own).
func bare(err error) string {
	if err == nil {
		return "<nil>"
	}
	return strings.ReplaceAll(strings.TrimPrefix(err.Error(), errPrefix), "\n", "; ")
}

// wrapf is fmt.Errorf for errors that may quote errors of this package:
// each error among args is quoted bare (use %s for it) and reachable with
// errors.Is and errors.As, as with %w.
func wrapf(format string, args ...any) error {
	w := &wrapped{}
	for i, a := range args {
		if err, ok := a.(error); ok {
			w.errs = append(w.errs, err)
			args[i] = bare(err)
		}
	}
	w.msg = fmt.Sprintf(format, args...)
	return w
}

type wrapped struct {
	msg  string
	errs []error
}

func (w *wrapped) Error() string   { return w.msg }
func (w *wrapped) Unwrap() []error { return w.errs }

// errorBody is the union of GitLab's error shapes (Grape's error! and the validation hash).
type errorBody struct {
	Message          json.RawMessage `json:"message"`
	Error            json.RawMessage `json:"error"`
	ErrorDescription string          `json:"error_description"`
	Scope            string          `json:"scope"`
}

// parseErrorBody fills e.Message, e.FieldErrors, e.Code and e.Scope from a
// GitLab error body of any shape; a body that is not JSON becomes a short
// one-line sample.
func (e *Error) parseErrorBody(body []byte) {
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil || (eb.Message == nil && eb.Error == nil) {
		e.Message = sample(string(body), 200)
		return
	}
	var parts []string
	if s, ok := jsonString(eb.Error); ok {
		e.Code = s
		parts = append(parts, s)
	}
	if eb.ErrorDescription != "" {
		parts = append(parts, eb.ErrorDescription)
	}
	e.Scope = eb.Scope
	if s, ok := jsonString(eb.Message); ok {
		parts = append(parts, s)
	} else if len(eb.Message) > 0 {
		parts = append(parts, e.parseMessageObject(eb.Message)...)
	}
	e.Message = strings.Join(parts, ": ")
}

// parseMessageObject reads {"field":["msg",...]} and {"error":"msg"}.
func (e *Error) parseMessageObject(raw json.RawMessage) []string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return []string{sample(string(raw), 200)}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		if s, ok := jsonString(obj[k]); ok {
			if k == "error" && e.Code == "" {
				e.Code = s
			}
			parts = append(parts, s)
			continue
		}
		var msgs []string
		if json.Unmarshal(obj[k], &msgs) != nil {
			continue
		}
		if e.FieldErrors == nil {
			e.FieldErrors = make(map[string][]string)
		}
		e.FieldErrors[k] = msgs
		parts = append(parts, k+" "+strings.Join(msgs, ", "))
	}
	return parts
}

func jsonString(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}
