package glrunners

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
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
