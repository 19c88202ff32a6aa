package glrunnerstest

import (
	"net/url"
	"regexp"
	"strings"
)

// Every token the fake issues starts with one of these prefixes.
var tokenPattern = regexp.MustCompile(`(glpat-|glrtr?-|glrit-|GR1348941)[A-Za-z0-9_-]*`)

// Query keys whose values are secrets whatever they look like.
var secretKeys = []string{"private_token", "access_token", "job_token", "token", "runner_token"}

const redacted = "[REDACTED]"

// redact removes token values from a logged string. Called under s.mu.
func (s *server) redact(v string) string {
	v = tokenPattern.ReplaceAllString(v, redacted)
	for t := range s.st.customTokens {
		if strings.Contains(v, t) {
			v = strings.ReplaceAll(v, t, redacted)
		}
		for _, e := range []string{url.QueryEscape(t), url.PathEscape(t)} {
			if e != t && strings.Contains(v, e) {
				v = strings.ReplaceAll(v, e, redacted)
			}
		}
	}
	return v
}

func (s *server) redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, kv := range parts {
		k, _, hasValue := strings.Cut(kv, "=")
		key, _ := url.QueryUnescape(k)
		key = strings.TrimSuffix(strings.ToLower(key), "[]")
		if hasValue && contains(secretKeys, key) {
			parts[i] = k + "=" + redacted
		}
	}
	return s.redact(strings.Join(parts, "&"))
}
