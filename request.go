package glrunners

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
)

// maxErrorBodyBytes caps how much of a non-2xx body is read: enough for
// any GitLab error, small enough that a proxy's huge error page is cheap.
const maxErrorBodyBytes = 1 << 20

var jsonMediaType = []string{"application/json"}

// maxErrorBodyKept is how much of a redacted error body Error.Body keeps.
const maxErrorBodyKept = 2 << 10

// secretCarrier is implemented by request bodies holding tokens, so that
// an error echoing them can be scrubbed.
type secretCarrier interface {
	secretValues() []string
}

// secretResult is implemented by results that carry a new token; a body
// that fails to decode into one is never quoted in an error.
type secretResult interface {
	carriesSecret()
}

// Request is one call to the GitLab API, built by NewRequest and sent by
// Do through the same pipeline as every endpoint method: authentication,
// retries, rate limits, typed errors, secret scrubbing and pagination
// headers. It is the way to reach what the SDK does not wrap (yet): a new
// parameter, another endpoint.
type Request struct {
	// Method is the HTTP method, such as http.MethodGet.
	Method string
	// Path is relative to the API root (/api/v4/), with each segment
	// already escaped: "runners/7", "projects/group%2Fproject/runners".
	// NewRequest documents the forms it accepts and stores this one.
	Path string
	// Query is sent as the query string; Do sends it as it is then.
	Query url.Values

	payload      []byte // the JSON body, encoded by NewRequest
	encodedQuery string // when set, sent instead of Query (iterators' later pages)
	secrets      []string
	config       requestConfig
}

// NewRequest prepares a call. Nothing is sent until Do.
//
// path names the endpoint below the API root, with each segment already
// escaped (url.PathEscape, or Ref's escaping: "group%2Fproject"), and
// without a query string or fragment. These four forms send the same
// request, GET https://gitlab.example.com/api/v4/runners/all:
//
//	"runners/all"  "/runners/all"  "api/v4/runners/all"  "/api/v4/runners/all"
//
// A leading "api/v4/" is stripped, once, so that a path copied from
// GitLab's API docs (which write every endpoint as "/api/v4/...") works
// as it is; the client's base URL supplies the root, including a relative
// URL root such as https://example.com/gitlab/api/v4/. No GitLab endpoint
// below /api/v4/ starts with "api/", so the strip never changes what a
// correct path means. A path with a scheme, a host, a query, a fragment or
// a ".." segment is refused with a *ValidationError.
//
// query is nil, a url.Values, or a struct with `url` tags
// (github.com/google/go-querystring); body is nil or a value encoded as
// JSON (Secret fields encode redacted: put a token in a plain string
// field).
func (c *Client) NewRequest(method, path string, query, body any, opts ...RequestOption) (*Request, error) {
	if method == "" || strings.ContainsFunc(method, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return nil, invalidArg("method", fmt.Sprintf("%q is not an HTTP method", method))
	}
	path = strings.TrimPrefix(path, "/")
	if rest, ok := strings.CutPrefix(path, "api/v4"); ok && (rest == "" || rest[0] == '/') {
		path = strings.TrimPrefix(rest, "/")
	}
	if u, err := url.Parse(path); err != nil || u.Scheme != "" || u.Host != "" || u.RawQuery != "" || u.Fragment != "" ||
		strings.HasPrefix(path, "/") || strings.Contains("/"+path+"/", "/../") {
		return nil, invalidArg("path", fmt.Sprintf("%q is not a path relative to /api/v4/ without a query", path))
	}
	return c.newRequest(method, path, query, body, opts)
}

func (c *Client) newRequest(method, path string, q, body any, opts []RequestOption) (*Request, error) {
	req := &Request{Method: method, Path: path}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&req.config); err != nil {
			return nil, err
		}
	}
	var err error
	if req.Query, err = encodeQuery(q); err != nil {
		return nil, wrapf(errPrefix+"encoding query for %s %s: %s", method, path, err)
	}
	if body != nil {
		if req.payload, err = json.Marshal(body); err != nil {
			return nil, wrapf(errPrefix+"encoding body for %s %s: %s", method, path, err)
		}
		if sc, ok := body.(secretCarrier); ok {
			req.secrets = sc.secretValues()
		}
	}
	return req, nil
}

// encodeQuery turns nil, url.Values or an options struct into url.Values;
// a nil options pointer costs no reflection walk.
func encodeQuery(q any) (url.Values, error) {
	switch v := q.(type) {
	case nil:
		return nil, nil
	case url.Values:
		return v, nil
	}
	if rv := reflect.ValueOf(q); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, nil
	}
	return query.Values(q)
}

// call is the one request pipeline every endpoint uses: it encodes query
// (a struct with url tags, may be nil) and body (JSON, may be nil), sends
// the request with retries, and decodes a 2xx body into out (may be nil).
// path is relative to /api/v4/ and already escaped.
func (c *Client) call(ctx context.Context, method, path string, query, body, out any, opts ...RequestOption) (*Response, error) {
	req, err := c.newRequest(method, path, query, body, opts)
	if err != nil {
		return nil, err
	}
	return c.Do(ctx, req, out)
}

// Do sends req and decodes a 2xx JSON answer into out, a pointer (nil
// discards the body). Its errors are those of every endpoint method:
// *Error, *DecodeError, *TransportError, *RateLimitError or
// *ValidationError. The returned *Response carries the pagination and
// rate-limit headers, also with an *Error.
func (c *Client) Do(ctx context.Context, req *Request, out any) (*Response, error) {
	if ctx == nil {
		return nil, invalidArg("ctx", "is nil")
	}
	if req == nil {
		return nil, invalidArg("req", "is nil")
	}
	if out != nil {
		if rv := reflect.ValueOf(out); rv.Kind() != reflect.Pointer || rv.IsNil() {
			return nil, invalidArg("out", "must be a non-nil pointer")
		}
	}
	st := newCallState(c, req.Method, c.basePath+req.Path, &req.config)
	_, st.bodyMayHoldSecret = out.(secretResult)
	st.bodySecrets = req.secrets
	hreq, err := c.newHTTPRequest(ctx, req, st)
	if err != nil {
		return nil, err
	}
	if out != nil {
		hreq.SetResponseHandler(c.readAndDecode(st, out))
	}
	defer c.pacer.release(st)
	if err := c.waitTurn(ctx, st, 0); err != nil {
		return nil, c.notSent(st, err)
	}
	hr, err := c.retrier.Do(hreq)
	if err != nil {
		if hr != nil {
			drainAndClose(hr.Body)
		}
		return c.failed(st, hr, err)
	}
	defer drainAndClose(hr.Body)
	resp := st.newResponse(hr)
	if hr.StatusCode < 200 || hr.StatusCode > 299 {
		return resp, c.responseError(hr, resp, st)
	}
	if st.decodeErr != nil {
		return resp, st.decodeErr
	}
	return resp, nil
}

// newHTTPRequest builds the request go-retryablehttp sends: the call's
// state and, for a POST, the trace that tells whether an attempt was
// written travel in its context, made once per call.
func (c *Client) newHTTPRequest(ctx context.Context, req *Request, st *callState) (*retryablehttp.Request, error) {
	ctx = context.WithValue(ctx, callStateKey{}, st)
	if st.post { // only a POST's outcome hangs on whether it was written
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteHeaders: st.markWritten})
	}
	u := c.baseURL + req.Path
	if req.encodedQuery != "" {
		u += "?" + req.encodedQuery
	} else if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	var body any // a nil interface: a typed nil would give every GET an empty body to probe
	if req.payload != nil {
		body = req.payload
	}
	hreq, err := retryablehttp.NewRequestWithContext(ctx, req.Method, u, body)
	if err != nil {
		return nil, wrapf(errPrefix+"building %s %s: %s", req.Method, req.Path, err)
	}
	h := hreq.Header
	for k, vs := range req.config.header {
		h[k] = vs
	}
	// Shared slices: net/http only reads them, and Header.Add copies.
	h["Accept"] = jsonMediaType
	h["User-Agent"] = c.userAgentHeader
	if req.payload != nil {
		h["Content-Type"] = jsonMediaType
	}
	if c.auth != nil && !req.config.runnerTokenAPI {
		secret, err := c.auth.apply(ctx, h)
		if err != nil {
			return nil, err
		}
		st.authSecret = secret
	}
	return hreq, nil
}

// notSent wraps a failure before the first attempt.
func (c *Client) notSent(st *callState, err error) error {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return err
	}
	return &TransportError{Method: st.method, Path: st.path, Err: err}
}

// failed turns what go-retryablehttp returned with an error into the
// call's error: a wait refused before a retry, a 2xx body that broke off
// (a *DecodeError, since GitLab did answer), or no answer at all.
func (c *Client) failed(st *callState, hr *http.Response, err error) (*Response, error) {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return nil, err
	}
	te := &TransportError{Method: st.method, Path: st.path, Err: err, Attempts: st.attempt}
	switch {
	case hr == nil: // no answer to the last attempt
		te.Sent = st.mayHaveSent(err)
		te.outcomeUnknown = st.post && te.Sent
		return nil, te
	case hr.StatusCode >= 200 && hr.StatusCode <= 299: // the body broke off
		resp := st.newResponse(hr)
		var tooLarge *bodyTooLargeError
		if errors.As(err, &tooLarge) {
			err = fmt.Errorf("%w (over %d bytes)", ErrResponseTooLarge, tooLarge.limit)
		}
		return resp, st.decodeError(hr, nil, err)
	default: // a retryable answer (429, 5xx), then the wait before the retry was cut short
		te.Sent = true
		return st.newResponse(hr), te
	}
}

func (c *Client) responseError(hr *http.Response, resp *Response, st *callState) error {
	data, _ := io.ReadAll(io.LimitReader(hr.Body, maxErrorBodyBytes))
	// Scrub first, then parse and cut: a cut must never leave part of a
	// secret that scrubbing the whole would have removed.
	clean := redact(strings.ToValidUTF8(string(data), ""), st.secrets())
	e := &Error{
		StatusCode:     hr.StatusCode,
		Method:         st.method,
		Path:           st.path,
		RequestID:      resp.RequestID,
		RetryAfter:     st.refusedWait,
		outcomeUnknown: st.post && hr.StatusCode >= 500,
	}
	if e.RetryAfter == 0 {
		e.RetryAfter, _ = serverWait(hr.Header, time.Now())
	}
	e.parseErrorBody([]byte(clean))
	e.Message = redact(e.Message, st.secrets())
	e.Code = redact(e.Code, st.secrets())
	e.Scope = redact(e.Scope, st.secrets())
	for _, msgs := range e.FieldErrors {
		for i := range msgs {
			msgs[i] = redact(msgs[i], st.secrets())
		}
	}
	if len(clean) > maxErrorBodyKept {
		clean = strings.ToValidUTF8(clean[:maxErrorBodyKept], "")
	}
	e.Body = clean
	return e
}

// drainAndClose reads a little of what is left so the connection can be
// reused, without paying for a huge unread body.
func drainAndClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}
