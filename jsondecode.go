package glrunners

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

//go:generate go run ./internal/jsongen Runner RunnerDetails RunnerJob RunnerManager Project RunnerRegistration Token

// decodeJSON decodes a 2xx body into out, a pointer to a zero value or to
// an empty slice (decodeInto leaves it so), along one path:
//
//   - the fast path (scanKnown, generated from types.go by
//     internal/jsongen into jsondecode_gen_*.go) decodes the response types
//     (every type a call decodes into, lists of them, and their nested
//     types) when the body is one it understands completely: each key once
//     and in its case, values of the fields' types, strings of valid
//     UTF-8, times time.Time reads from the raw string;
//   - anything else, and any other type, goes to encoding/json, which
//     decides as encoding/json does by definition.
//
// The fast path only ever has to agree with encoding/json on the inputs it
// takes: the differential tests, generated bodies and FuzzDecodeDifferential
// hold it to that. A body that ends before its JSON does unwraps to
// io.ErrUnexpectedEOF (decodeInto tells a broken-off answer by it).
func decodeJSON(data []byte, out any) error {
	if scanKnown(data, out) {
		return nil
	}
	err := json.Unmarshal(data, out)
	if se := (*json.SyntaxError)(nil); errors.As(err, &se) && se.Offset == int64(len(data)) && cut(data) {
		return &cutJSONError{se}
	}
	return err
}

// cut reports whether data, which json.Unmarshal refused at its last byte,
// is a value that breaks off: Unmarshal reports a body cut in a literal
// ("tr") as an invalid character, as it reports "tr " (not cut), while
// json.Decoder, which reads a stream, says io.ErrUnexpectedEOF of exactly
// the cut ones (io.EOF of one with nothing but space).
func cut(data []byte) bool {
	var raw json.RawMessage
	err := json.NewDecoder(bytes.NewReader(data)).Decode(&raw)
	return err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF)
}

// cutJSONError is encoding/json's report of a body that ends early; it
// unwraps to io.ErrUnexpectedEOF too.
type cutJSONError struct{ err *json.SyntaxError }

func (e *cutJSONError) Error() string   { return e.err.Error() }
func (e *cutJSONError) Unwrap() []error { return []error{e.err, io.ErrUnexpectedEOF} }
