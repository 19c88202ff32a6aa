package glrunners

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const fakeToken = "glrt-t3_FAKE-secret-test-token-5up3r"

func TestSecretFormatRedacts(t *testing.T) {
	t.Parallel()
	s := Secret(fakeToken)
	tests := []struct {
		format string
		want   string
	}{
		{"%v", "[REDACTED]"},
		{"%+v", "[REDACTED]"},
		{"%#v", `"[REDACTED]"`},
		{"%s", "[REDACTED]"},
		{"%q", `"[REDACTED]"`},
		{"%x", "[REDACTED]"},
		{"%X", "[REDACTED]"},
		{"% x", "[REDACTED]"},
		{"%d", "[REDACTED]"},
		{"%12s|", "  [REDACTED]|"},
		{"%-12v|", "[REDACTED]  |"},
		{"%.4s", "[RED"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, fmt.Sprintf(tt.format, s))
			assert.Equal(t, tt.want, fmt.Sprintf(tt.format, &s), "through a pointer")
		})
	}
	assert.Equal(t, "[REDACTED]", s.String())
	assert.Equal(t, `"[REDACTED]"`, s.GoString())
	assert.Equal(t, "[REDACTED]\n", fmt.Sprintln(s))
	assert.Equal(t, "[REDACTED]", fmt.Sprint(s))
	assert.NotContains(t, fmt.Errorf("verify %v: %w", s, assert.AnError).Error(), fakeToken)
}

func TestSecretEmptyPrintsEmpty(t *testing.T) {
	t.Parallel()
	var s Secret
	assert.True(t, s.IsZero())
	assert.Empty(t, s.String())
	assert.Empty(t, fmt.Sprintf("%v", s))
	assert.Equal(t, `""`, fmt.Sprintf("%q", s))
	assert.Equal(t, `""`, fmt.Sprintf("%#v", s))
	b, err := json.Marshal(s)
	require.NoError(t, err)
	assert.JSONEq(t, `""`, string(b))
	assert.False(t, Secret("x").IsZero())
}

// tokenHolders are the response types that carry a token, as callers print
// and log them: by value and through a pointer.
func tokenHolders() map[string]any {
	exp := time.Date(2025, 4, 19, 12, 0, 0, 0, time.UTC)
	reg := RunnerRegistration{ID: 4188, Token: fakeToken, TokenExpiresAt: &exp}
	tok := Token{Token: fakeToken, TokenExpiresAt: &exp}
	return map[string]any{
		"Secret":              Secret(fakeToken),
		"RunnerRegistration":  reg,
		"*RunnerRegistration": &reg,
		"Token":               tok,
		"*Token":              &tok,
		"[]Token":             []Token{tok},
		"map":                 map[string]Secret{"token": fakeToken},
	}
}

func TestSecretInStructsIsRedactedByFmt(t *testing.T) {
	t.Parallel()
	for name, v := range tokenHolders() {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, fakeToken, "%s %s: %s", name, verb, out)
			assert.NotContains(t, out, "glrt-", "%s %s: %s", name, verb, out)
			if verb != "%x" {
				assert.Contains(t, out, "REDACTED", "%s %s", name, verb)
			}
		}
	}
	exp := time.Date(2025, 4, 19, 12, 0, 0, 0, time.UTC)
	assert.Equal(t, "{4188 [REDACTED] 2025-04-19 12:00:00 +0000 UTC}",
		fmt.Sprintf("%v", RunnerRegistration{ID: 4188, Token: fakeToken, TokenExpiresAt: &exp}))
	assert.Equal(t, `glrunners.Token{Token:"[REDACTED]", TokenExpiresAt:<nil>}`,
		fmt.Sprintf("%#v", Token{Token: fakeToken}))
}

func TestSecretIsRedactedBySlog(t *testing.T) {
	t.Parallel()
	handlers := map[string]func(*bytes.Buffer) slog.Handler{
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	}
	for hname, newHandler := range handlers {
		for name, v := range tokenHolders() {
			var buf bytes.Buffer
			log := slog.New(newHandler(&buf))
			log.Info("created", "value", v)
			log.Info("created", slog.Any("value", v))
			log.With("value", v).Info("created")
			log.Info("created", slog.Group("g", "value", v))
			out := buf.String()
			assert.NotContains(t, out, fakeToken, "%s handler, %s: %s", hname, name, out)
			assert.Contains(t, out, "[REDACTED]", "%s handler, %s", hname, name)
		}
	}
}

func TestSecretMarshalJSONRedacts(t *testing.T) {
	t.Parallel()
	for name, v := range tokenHolders() {
		b, err := json.Marshal(v)
		require.NoError(t, err, name)
		assert.NotContains(t, string(b), fakeToken, name)
		assert.Contains(t, string(b), `"[REDACTED]"`, name)
	}
	b, err := json.Marshal(Token{Token: fakeToken})
	require.NoError(t, err)
	assert.JSONEq(t, `{"token": "[REDACTED]", "token_expires_at": null}`, string(b))
}

func TestSecretMarshalTextRedacts(t *testing.T) {
	t.Parallel()
	b, err := Secret(fakeToken).MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "[REDACTED]", string(b))

	// flag.TextVar prints the default through MarshalText in -help.
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var tok Secret
	fs.TextVar(&tok, "token", Secret(fakeToken), "runner token")
	var help bytes.Buffer
	fs.SetOutput(&help)
	fs.PrintDefaults()
	assert.NotContains(t, help.String(), fakeToken)
	assert.Contains(t, help.String(), "[REDACTED]")
	require.NoError(t, fs.Parse([]string{"-token", "glrt-from-flag"}))
	assert.Equal(t, "glrt-from-flag", tok.Reveal(), "UnmarshalText keeps the value")
}

func TestSecretUnmarshalKeepsValue(t *testing.T) {
	t.Parallel()
	var reg RunnerRegistration
	require.NoError(t, json.Unmarshal([]byte(`{"id": 1, "token": "`+fakeToken+`"}`), &reg))
	assert.Equal(t, fakeToken, reg.Token.Reveal())
	assert.Equal(t, Secret(fakeToken), reg.Token)

	// null clears a previous value instead of keeping a stale token.
	require.NoError(t, json.Unmarshal([]byte(`{"token": null}`), &reg))
	assert.True(t, reg.Token.IsZero())

	var s Secret
	require.NoError(t, json.Unmarshal([]byte(`"a\"b\u00e9"`), &s))
	assert.Equal(t, "a\"b\u00e9", s.Reveal())

	err := json.Unmarshal([]byte(`{"token": 12345678}`), &reg)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "12345678", "the error names the JSON kind, not the value")

	var text Secret
	require.NoError(t, text.UnmarshalText([]byte(fakeToken)))
	assert.Equal(t, fakeToken, text.Reveal())
}

func TestSecretMarshalIsOneWay(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(Secret(fakeToken))
	require.NoError(t, err)
	var back Secret
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, "[REDACTED]", back.Reveal())
}

func TestIsCreatedRunnerToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tok  Secret
		want bool
	}{
		{"glrt-abc123", true},
		{"glrt-t3_abc123", true},
		{"mycompany-glrt-t1_abc", true},
		{"my-company-glrt-abc", true},
		{"glrtr-abc123", false},
		{"glrtr-t2_abc-glrt-xyz", false}, // a later -glrt- belongs to the random body
		{"mycompany-glrtr-abc", false},
		{"GR1348941abc", false},
		{"abcglrt-xyz", false}, // glrt- not at a marker position
		{"GLRT-abc", false},
		{"glrt", false},
		{"glrt_abc", false},
		{"", false},
		{"0123456789abcdef", false}, // legacy unprefixed token
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, isCreatedRunnerToken(tt.tok), tt.tok.Reveal())
	}
}

func TestSecretRevealIsTheWayOut(t *testing.T) {
	t.Parallel()
	s := Secret(fakeToken)
	assert.Equal(t, fakeToken, s.Reveal())
	assert.False(t, strings.Contains(fmt.Sprint(s), fakeToken))
}

func TestRedaction_noPieceOfATokenSurvives(t *testing.T) {
	t.Parallel()
	const oauth = "Zq81vNw0PmX3kLr7sTy2Bc4Hd6Jf" // 28 characters, no known prefix
	pieces := func(s string) []string {
		var out []string
		for i := 0; i+8 <= len(oauth); i++ {
			if strings.Contains(s, oauth[i:i+8]) {
				out = append(out, oauth[i:i+8])
			}
		}
		return out
	}
	bodies := map[string]string{
		"after a long message": `{"message":"` + strings.Repeat("denied ", 27) + oauth + `"}`,
		"straddling the cut":   `{"message":"x","pad":"` + strings.Repeat("a", 2048-34) + oauth + `"}`,
		"echoed in part":       `{"message":"token ` + oauth[:20] + `... refused"}`,
		"in plain text":        strings.Repeat("denied ", 27) + oauth,
	}
	for name, body := range bodies {
		url := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(403)
			_, _ = w.Write([]byte(body))
		}))
		c, err := NewClient(url, WithOAuthToken(oauth))
		require.NoError(t, err)
		_, _, err = c.Runners.Get(t.Context(), 1, nil)
		require.Error(t, err)
		for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			assert.Empty(t, pieces(s), "%s: %s", name, s)
		}
	}
}
