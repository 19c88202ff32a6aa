package glrunners

import (
	"bytes"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// unmarshalJSON decodes a 2xx body into out. It accepts and rejects the
// same inputs as encoding/json and, when it accepts, fills out with the
// same value, for every response type of this package (a differential test
// and fuzz target hold it to that), at less than half the cost: see
// jsondecode_bench_test.go.
//
// The decoder is github.com/go-json-experiment/json, the prototype of
// encoding/json/v2, with only the v1 behaviours that can change a decoded
// value switched back on (decodeOptions). Errors are v2's
// [jsontext.SyntacticError] and [jsonv2.SemanticError], not v1's types; a
// body that ends early, wherever it is cut, unwraps to io.ErrUnexpectedEOF.
func unmarshalJSON(data []byte, out any) error {
	opts := decodeOptions
	if mayHoldEscapedTime(data) {
		opts = decodeOptionsExactTime
	}
	return jsonv2.Unmarshal(data, out, opts...)
}

// decodeOptions is built once: a call passes the slice as is, so options
// cost no allocation. Each option restores a v1 behaviour that GitLab's
// answers, a proxy or a broken server could otherwise tell apart:
//
//   - AllowDuplicateNames: a repeated key is accepted and the last one wins.
//   - AllowInvalidUTF8: invalid UTF-8 and lone surrogate escapes become
//     U+FFFD instead of failing the whole page.
//   - MatchCaseInsensitiveNames with MatchCaseSensitiveDelimiter: "ID" fills
//     ID, but "ipaddress" does not fill IPAddress (v2 alone would also
//     ignore '_' and '-').
//   - MergeWithLegacySemantics: null leaves a non-pointer field as it was
//     (v2 zeroes it), which shows when a key repeats; a repeated array or
//     object merges into the earlier one as v1 does.
//   - ParseTimeWithLooseRFC3339: times accept what time.Time.UnmarshalJSON
//     accepts (a one-digit hour, ',' before the fraction, a zone hour
//     past 23).
//
// Left off on purpose: ReportErrorsWithLegacySemantics. It makes v2 check
// the whole input before decoding (a pre-scan that costs about 15% here, as
// it costs encoding/json a fifth of its time) and keep decoding after a type
// error. Neither changes whether a body is rejected or what an accepted body
// decodes to; only the error's type and the contents of out after a
// failure, which the SDK discards. (It would also hide a Go type v2 finds
// ambiguous, such as two fields of one name at one depth: the differential
// test fails at once on any such type.) The other v1 options affect
// encoding, `string` tags, Go arrays, []byte and time.Duration, none of
// which a response type holds.
var decodeOptions = []jsonv2.Options{jsonv2.JoinOptions(v1DecodeBehaviours...)}

var v1DecodeBehaviours = []jsonv2.Options{
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
	jsonv2.MatchCaseInsensitiveNames(true),
	jsonv1.MatchCaseSensitiveDelimiter(true),
	jsonv1.MergeWithLegacySemantics(true),
	jsonv1.ParseTimeWithLooseRFC3339(true),
}

// decodeOptionsExactTime adds time.Time's own UnmarshalJSON, which v1 calls
// and v2 replaces with a built-in. They differ on one thing: v1's method
// parses the raw bytes between the quotes without unescaping them
// (go.dev/issue/47353), so "2025-01-14T08\u003a22:51Z" is an error in v1 and
// a time in v2. The hook adds 15-20% to the decoding time, since every
// field then goes through a lookup, so it is used only for bodies
// mayHoldEscapedTime cannot clear.
var decodeOptionsExactTime = []jsonv2.Options{jsonv2.JoinOptions(decodeOptions[0], jsonv2.WithUnmarshalers(v1TimeMethod))}

var v1TimeMethod = jsonv2.UnmarshalFunc(func(b []byte, t *time.Time) error {
	return t.UnmarshalJSON(b)
})

// mayHoldEscapedTime reports whether data has an escape that decodes to a
// byte an RFC 3339 time can hold: a digit or one of "+,-.:TZtz " (t, z and
// space only to stay on the safe side). Escapes of anything else, such as
// the \u0026, \u003c and \u003e GitLab writes for '&', '<' and '>', cannot
// turn a string v1 rejects as a time into one v2 accepts. Any other escape
// form (\n, \", \/, a surrogate pair) decodes to a byte no time holds.
func mayHoldEscapedTime(data []byte) bool {
	for {
		i := bytes.Index(data, []byte(`\u00`))
		if i < 0 {
			return false
		}
		data = data[i+len(`\u00`):]
		if len(data) < 2 {
			return true // cut short: let the exact path report it
		}
		hi, ok1 := unhex(data[0])
		lo, ok2 := unhex(data[1])
		if !ok1 || !ok2 {
			return true
		}
		switch c := hi<<4 | lo; {
		case '0' <= c && c <= '9', c == '+', c == ',', c == '-', c == '.', c == ':',
			c == 'T', c == 'Z', c == 't', c == 'z', c == ' ':
			return true
		}
	}
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
