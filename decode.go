package glrunners

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
)

// The 2xx body is read and decoded inside the retry loop (as
// go-retryablehttp's response handler), so that an answer that breaks
// off, with or without a Content-Length, is handled like a broken
// connection: an idempotent call retries it, a POST reports
// ErrOutcomeUnknown.

// bodyPool recycles the buffers 2xx bodies are read into: a page of 100
// runners is about 50 KB, and growing a fresh buffer for each page was
// most of a walk's garbage.
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody keeps the rare huge body out of the pool.
const maxPooledBody = 1 << 20

// errTruncated marks a body that ended before its JSON did.
var errTruncated = errors.New("body ends before its JSON does")

// bodyTooLargeError stops the retry loop: a body over the cap would be as
// large next time.
type bodyTooLargeError struct{ limit int64 }

func (e *bodyTooLargeError) Error() string {
	return fmt.Sprintf("body is over the %d-byte limit", e.limit)
}

func (e *bodyTooLargeError) Unwrap() error { return ErrResponseTooLarge }

// readAndDecode is the response handler of a call whose 2xx answer is
// decoded into out. A returned error is an answer that broke off, which
// the retry policy judges (retried when idempotent); an unusable but
// complete body is kept in st.decodeErr and ends the call.
func (c *Client) readAndDecode(st *callState, out any) func(*http.Response) error {
	return func(hr *http.Response) error {
		if hr.StatusCode < 200 || hr.StatusCode > 299 {
			return nil
		}
		if err := c.decodeBody(st, hr, out); err != nil {
			st.answered = false // the answer never arrived whole
			return err
		}
		return nil
	}
}

// decodeBody reads and decodes one 2xx answer; see readAndDecode.
func (c *Client) decodeBody(st *callState, hr *http.Response, out any) error {
	if hr.StatusCode == http.StatusNoContent {
		st.decodeErr = st.decodeError(hr, nil, errors.New("empty answer (204) where a value was expected"))
		return nil
	}
	buf := bodyPool.Get().(*bytes.Buffer)
	defer releaseBody(buf)
	if err := readCapped(buf, hr, c.maxBodyBytes); err != nil {
		return err
	}
	data := buf.Bytes()
	if err := checkJSONContentType(hr.Header); err != nil {
		st.decodeErr = st.decodeError(hr, data, err)
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 && hr.ContentLength != 0 {
		return fmt.Errorf("%w: empty body", errTruncated) // nothing arrived where a value was due
	}
	err := decodeInto(data, out)
	if errors.Is(err, errTruncated) {
		return err
	}
	if err != nil {
		st.decodeErr = st.decodeError(hr, data, err)
	}
	return nil
}

func releaseBody(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBody {
		buf.Reset()
		bodyPool.Put(buf)
	}
}

// readCapped reads hr's body into buf, refusing more than limit bytes.
func readCapped(buf *bytes.Buffer, hr *http.Response, limit int64) error {
	var body io.Reader = hr.Body
	switch n := hr.ContentLength; {
	case n > limit:
		return &bodyTooLargeError{limit}
	case n >= 0:
		buf.Grow(int(n) + 1) // +1: ReadFrom needs room to see the EOF
		// net/http stops a body at its Content-Length: no cap needed.
	default:
		body = io.LimitReader(hr.Body, limit+1)
	}
	n, err := buf.ReadFrom(body)
	if err != nil {
		return fmt.Errorf("reading response body: %w", err)
	}
	if n > limit {
		return &bodyTooLargeError{limit}
	}
	return nil
}

// checkJSONContentType accepts a missing Content-Type and any JSON media
// type (application/json, application/problem+json, ...), without the
// cost of mime.ParseMediaType on every answer.
func checkJSONContentType(h http.Header) error {
	ct := headerValue(h, "Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	if !strings.Contains(strings.ToLower(mt), "json") {
		return fmt.Errorf("expected JSON, got %q", mt)
	}
	return nil
}

// decodeInto decodes data into out (a pointer), first zeroing what an
// earlier attempt may have half-filled, then checks that the result has
// what the operation promises (see complete.go).
func decodeInto(data []byte, out any) error {
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return errors.New("empty body where a value was expected")
	case bytes.Equal(trimmed, []byte("null")):
		return errors.New("null where a value was expected")
	}
	if v := reflect.ValueOf(out).Elem(); v.Kind() == reflect.Slice {
		// Keep the room the caller made for a page, but not what a failed
		// attempt left in it: the decoder would merge into that.
		v.Slice(0, v.Cap()).Clear()
		v.SetLen(0)
	} else {
		v.SetZero()
	}
	if err := decodeJSON(data, out); err != nil {
		// The decoder reports an input that ends early, at its end or in a
		// literal the end cut ("tr", "nul", "1e"), as io.ErrUnexpectedEOF.
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: %w", errTruncated, err)
		}
		return err
	}
	return checkComplete(out)
}

// decodeError describes an unusable 2xx body. A body that may hold a token
// is never quoted: it could be one we have not learnt yet. The cause's text
// is scrubbed too, since decoders quote what they could not parse.
func (st *callState) decodeError(hr *http.Response, data []byte, err error) *DecodeError {
	e := &DecodeError{
		StatusCode: hr.StatusCode, Method: st.method, Path: st.path,
		ContentType:    headerValue(hr.Header, "Content-Type"),
		Err:            scrub(err, st.secrets(), st.bodyMayHoldSecret),
		outcomeUnknown: st.post,
	}
	if !st.bodyMayHoldSecret {
		e.Snippet = sample(redact(string(data), st.secrets()), 200)
	}
	return e
}
