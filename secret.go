package glrunners

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
)

// redacted replaces a secret wherever it would be printed, logged or encoded.
const redacted = "[REDACTED]"

// Secret holds a token: a runner authentication token or a registration
// token. Every way of printing or encoding it gives "[REDACTED]": fmt with
// any verb (so %v of a struct holding one), slog, encoding/json (slog's JSON
// handler marshals nested structs), and encoding.TextMarshaler (used by
// encoding/xml, YAML and TOML encoders and flag.TextVar's defaults, which
// would otherwise write the underlying string). Query encoders such as
// go-querystring fall back to String, so a Secret put in a URL goes out
// redacted instead of leaking. [Secret.Reveal] is the one way to the real
// value.
//
// An empty Secret prints as the empty string, not "[REDACTED]": there is
// nothing to hide, and an empty output shows at a glance that a token is
// missing.
//
// Decoding keeps the real value: [Secret.UnmarshalJSON] and
// [Secret.UnmarshalText] store what they read. Encoding is therefore one-way:
// a Secret marshalled and decoded again holds "[REDACTED]".
//
// Two holes no method can close: fmt cannot call methods on unexported
// struct fields, so %v of a struct prints a Secret in an unexported field
// raw; and encoding/json writes map keys of a string kind as they are. Keep
// Secrets in exported fields and out of map keys, as this package does.
type Secret string

// Reveal returns the token itself. Call it only to send the token to GitLab
// or to hand it to the runner's configuration, never to log it.
func (s Secret) Reveal() string { return string(s) }

// IsZero reports whether no token is set. It also makes the json "omitzero"
// option skip an empty Secret.
func (s Secret) IsZero() bool { return s == "" }

// String returns "[REDACTED]", or "" for an empty Secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns the quoted redacted form, so %#v of a struct holding a
// Secret stays valid-looking Go without the token.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// Format implements fmt.Formatter. Every verb prints the redacted form:
// without it, %x, %d or %q would encode the raw bytes of the underlying
// string. Width, precision and flags apply to the redacted text.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, s.GoString())
		return
	case verb != 'q':
		verb = 's'
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), s.String())
}

// LogValue implements slog.LogValuer, so a Secret logged on its own is
// redacted by every handler.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON encodes the redacted form. Request bodies that must carry the
// token are built from unexported wire structs filled through Reveal.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON stores the real token. JSON null gives an empty Secret rather
// than keeping a previous value: a reused struct must not present a stale
// token as current.
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v *string
	if err := json.Unmarshal(b, &v); err != nil {
		// The decoder's message names only the JSON kind, never the value.
		return fmt.Errorf("glrunners: decoding a token: %w", err)
	}
	*s = ""
	if v != nil {
		*s = Secret(*v)
	}
	return nil
}

// MarshalText encodes the redacted form; see [Secret].
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText stores the real token, so a Secret can be read from
// configuration through flag.TextVar or a YAML, TOML or env decoder.
func (s *Secret) UnmarshalText(b []byte) error {
	*s = Secret(b)
	return nil
}

// isCreatedRunnerToken reports whether tok is a runner authentication token
// of a runner created through the UI or POST /user/runners ("glrt-"), as
// opposed to one registered with a registration token ("glrtr-" or no
// prefix). GitLab asks for a system_id when verifying such a token.
//
// The token stays opaque: only its type marker is looked at, and only the
// first marker counts, because it sits at the start or right after an
// instance-wide custom prefix ("mycompany-glrt-..."), while a later
// "-glrt-" could be part of the random body of a "glrtr-" token.
func isCreatedRunnerToken(s Secret) bool {
	tok := string(s)
	for i := 0; i < len(tok); i++ {
		if i > 0 && tok[i-1] != '-' {
			continue
		}
		switch rest := tok[i:]; {
		case strings.HasPrefix(rest, "glrt-"):
			return true
		case strings.HasPrefix(rest, "glrtr-"):
			return false
		}
	}
	return false
}

var (
	tagPattern        = regexp.MustCompile(`<[^>]*>`)
	spacePattern      = regexp.MustCompile(`\s+`)
	tokenShapePattern = regexp.MustCompile(`(glpat-|glrt-|glrtr-|gloas-|glptt-|GR1348941)[A-Za-z0-9_.\-]+`)
)

// sample turns a body that has already been redacted into one short line
// fit for an error string: HTML tags stripped, whitespace folded, known
// token shapes redacted. Cutting comes last, so that no cut can leave part
// of a secret that redaction would have caught whole.
func sample(s string, max int) string {
	if len(s) > 64<<10 {
		s = s[:64<<10]
	}
	s = tagPattern.ReplaceAllString(s, " ")
	s = strings.TrimSpace(spacePattern.ReplaceAllString(s, " "))
	s = tokenShapePattern.ReplaceAllString(s, redacted)
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return s
}

// minSecretPiece is the shortest run of a secret's characters that is
// redacted: a server may echo a token cut short or split, and no 8
// characters of a token may reach an error.
const minSecretPiece = 8

// redact removes from s every secret of the request, and every run of 8 or
// more of a secret's consecutive characters, then every known token shape.
// A string with nothing to remove costs no allocation, since request IDs
// and paths of every answer pass through here.
func redact(s string, secrets []string) string {
	if !mayHoldSecret(s, secrets) {
		return s
	}
	var pieces map[string]struct{}
	for _, sec := range secrets {
		if len(sec) < minSecretPiece {
			if len(sec) >= 4 {
				s = strings.ReplaceAll(s, sec, redacted)
			}
			continue
		}
		if pieces == nil {
			pieces = make(map[string]struct{})
		}
		for i := 0; i+minSecretPiece <= len(sec); i++ {
			pieces[sec[i:i+minSecretPiece]] = struct{}{}
		}
	}
	if pieces != nil {
		s = redactPieces(s, pieces)
	}
	return tokenShapePattern.ReplaceAllString(s, redacted)
}

// mayHoldSecret is a quick, allocation-free look for anything redact
// would remove.
func mayHoldSecret(s string, secrets []string) bool {
	for _, sec := range secrets {
		if len(sec) < minSecretPiece {
			if len(sec) >= 4 && strings.Contains(s, sec) {
				return true
			}
			continue
		}
		for i := 0; i+minSecretPiece <= len(sec); i++ {
			if strings.Contains(s, sec[i:i+minSecretPiece]) {
				return true
			}
		}
	}
	return hasTokenPrefix(s) && tokenShapePattern.MatchString(s)
}

// hasTokenPrefix is the cheap test before tokenShapePattern: every shape
// it matches starts with "gl" or "GR".
func hasTokenPrefix(s string) bool {
	return strings.Contains(s, "gl") || strings.Contains(s, "GR")
}

// redactPieces replaces each maximal run of s covered by 8-byte windows
// found in pieces.
func redactPieces(s string, pieces map[string]struct{}) string {
	var b strings.Builder
	last, coveredTo := 0, -1 // coveredTo: end of the run being redacted
	runStart := 0
	for i := 0; i+minSecretPiece <= len(s); i++ {
		if _, ok := pieces[s[i:i+minSecretPiece]]; !ok {
			continue
		}
		if i > coveredTo { // a new run starts
			if coveredTo >= 0 {
				b.WriteString(s[last:runStart])
				b.WriteString(redacted)
				last = coveredTo
			}
			runStart = i
		}
		coveredTo = i + minSecretPiece
	}
	if coveredTo < 0 {
		return s
	}
	b.WriteString(s[last:runStart])
	b.WriteString(redacted)
	b.WriteString(s[coveredTo:])
	return b.String()
}

// quotedPattern matches the values a decoder error quotes.
var quotedPattern = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// scrubbedError is a cause whose text went through redaction; it still
// unwraps to the cause, for errors.Is and errors.As.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }

func (e *scrubbedError) Unwrap() error { return e.err }

// scrub redacts err's text of secrets; with quoted set it also blanks
// every quoted value, which may be a token the SDK has not learnt yet.
func scrub(err error, secrets []string, quoted bool) error {
	msg := redact(err.Error(), secrets)
	if quoted {
		msg = quotedPattern.ReplaceAllString(msg, `"…"`)
	}
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}
