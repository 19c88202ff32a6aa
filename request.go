package glrunners

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
)

// maxErrorBodyBytes caps how much of a non-2xx body is read: enough for
// any GitLab error, small enough that a proxy's huge error page is cheap.
const maxErrorBodyBytes = 1 << 20

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

// call is the one request pipeline every endpoint uses: it encodes query
// (a struct with url tags, may be nil) and body (JSON, may be nil), sends
// the request with retries, and decodes a 2xx body into out (may be nil).
// path is relative to /api/v4/ and already escaped.
func (c *Client) call(ctx context.Context, method, path string, query, body, out any, opts ...RequestOption) (*Response, error) {
	rc := requestConfig{header: make(http.Header)}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&rc); err != nil {
			return nil, err
		}
	}
	st := newCallState(c, method, &rc)
	req, err := c.newRequest(context.WithValue(ctx, callStateKey{}, st), method, path, query, body, &rc, st)
	if err != nil {
		return nil, err
	}
	return c.do(req, st, out)
}

func (c *Client) newRequest(ctx context.Context, method, path string, q, body any, rc *requestConfig, st *callState) (*retryablehttp.Request, error) {
	u := c.baseURL + path
	if q != nil {
		v, err := query.Values(q)
		if err != nil {
			return nil, fmt.Errorf("glrunners: encoding query for %s %s: %w", method, path, err)
		}
		if len(v) > 0 {
			u += "?" + v.Encode()
		}
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("glrunners: encoding body for %s %s: %w", method, path, err)
		}
		if sc, ok := body.(secretCarrier); ok {
			st.secrets = append(st.secrets, sc.secretValues()...)
		}
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u, payload)
	if err != nil {
		return nil, fmt.Errorf("glrunners: building %s %s: %w", method, path, err)
	}
	for k, vs := range rc.header {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.auth != nil && !rc.runnerTokenAPI {
		secret, err := c.auth.apply(ctx, req.Header)
		if err != nil {
			return nil, err
		}
		st.secrets = append(st.secrets, secret)
	}
	return req, nil
}

// do sends req under the call's retry policy and turns the outcome into a
// *Response and a typed error.
func (c *Client) do(req *retryablehttp.Request, st *callState, out any) (*Response, error) {
	rc := &retryablehttp.Client{
		HTTPClient:   c.http,
		RetryMax:     st.policy.MaxRetries,
		RetryWaitMin: st.policy.WaitMin,
		RetryWaitMax: st.policy.WaitMax,
		CheckRetry:   st.checkRetry,
		Backoff:      st.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	if out != nil {
		// The body is read inside the retry loop, so that an answer that
		// breaks off mid-body is retried like any broken connection.
		req.SetResponseHandler(func(hr *http.Response) error {
			st.askedAgain = true
			if hr.StatusCode < 200 || hr.StatusCode > 299 || hr.StatusCode == http.StatusNoContent {
				return nil
			}
			return st.readBody(hr.Body, c.maxBodyBytes)
		})
	}
	path := req.URL.EscapedPath()
	hr, err := rc.Do(req)
	if err != nil {
		if hr != nil {
			hr.Body.Close()
		}
		return nil, st.transportError(req.Method, path, err)
	}
	defer drainAndClose(hr.Body)
	resp := newResponse(hr, int(st.attempts.Load()), time.Now())
	if hr.StatusCode < 200 || hr.StatusCode > 299 {
		return resp, c.responseError(hr, resp, st, path)
	}
	if out == nil || hr.StatusCode == http.StatusNoContent {
		return resp, nil
	}
	return resp, c.decode(hr, st, path, out)
}

func (c *Client) decode(hr *http.Response, st *callState, path string, out any) error {
	_, secretOut := out.(secretResult)
	fail := func(snippet []byte, err error) error {
		if secretOut {
			snippet = nil // it may hold a token we have not learnt yet
		}
		return &DecodeError{
			StatusCode: hr.StatusCode, Method: hr.Request.Method, Path: path,
			ContentType: hr.Header.Get("Content-Type"),
			Snippet:     redact(sample(snippet, 200), st.secrets), Err: err,
		}
	}
	data := st.body
	if st.bodyTooLarge {
		return fail(nil, fmt.Errorf("%w (over %d bytes)", ErrResponseTooLarge, c.maxBodyBytes))
	}
	if ct := hr.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); !strings.Contains(mt, "json") {
			return fail(data, fmt.Errorf("expected JSON, got %q", mt))
		}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fail(nil, errors.New("empty body"))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fail(data, err)
	}
	return nil
}

func (c *Client) responseError(hr *http.Response, resp *Response, st *callState, path string) error {
	data, _ := io.ReadAll(io.LimitReader(hr.Body, maxErrorBodyBytes))
	e := &Error{
		StatusCode:     hr.StatusCode,
		Method:         hr.Request.Method,
		Path:           path,
		RequestID:      resp.RequestID,
		RetryAfter:     st.refusedWait,
		outcomeUnknown: hr.Request.Method == http.MethodPost && hr.StatusCode >= 500,
	}
	if e.RetryAfter == 0 && hr.StatusCode == http.StatusTooManyRequests {
		e.RetryAfter, _ = serverWait(hr.Header, time.Now())
	} else if e.RetryAfter == 0 {
		e.RetryAfter = resp.RetryAfter
	}
	e.parseErrorBody(data)
	e.Message = redact(e.Message, st.secrets)
	e.Code = redact(e.Code, st.secrets)
	e.Scope = redact(e.Scope, st.secrets)
	for _, msgs := range e.FieldErrors {
		for i := range msgs {
			msgs[i] = redact(msgs[i], st.secrets)
		}
	}
	const maxKept = 2 << 10
	if len(data) > maxKept {
		data = data[:maxKept]
	}
	e.Body = redact(strings.ToValidUTF8(string(data), ""), st.secrets)
	return e
}

// drainAndClose reads a little of what is left so the connection can be
// reused, without paying for a huge unread body.
func drainAndClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}
