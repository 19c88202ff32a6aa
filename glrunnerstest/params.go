package glrunnerstest

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// params are the request parameters the way Grape sees them: the query
// string merged with a JSON, urlencoded or multipart body (body wins).
// Values are string, []string, map[string]any, json.Number, bool, []any or nil.
type params map[string]any

const maxBody = 8 << 20

func parseParams(r *http.Request) (params, *reply) {
	p := params{}
	query, _ := splitForm(r.URL.RawQuery, true)
	if bad := p.addPairs(query); bad != nil {
		return p, bad
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Body == nil {
		return p, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		rep := errReply(http.StatusBadRequest, "400 Bad request - could not read body")
		return p, &rep
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	// The body's parameters replace the query's key by key (Rack merges
	// the two hashes), so each is folded on its own first.
	fromBody := params{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode((*map[string]any)(&fromBody)); err != nil {
			rep := errReply(http.StatusBadRequest, "400 Bad request - body is not a valid JSON object")
			return p, &rep
		}
	case "multipart/form-data":
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseMultipartForm(maxBody); err != nil {
			rep := errReply(http.StatusBadRequest, "400 Bad request - malformed multipart body")
			return p, &rep
		}
		if bad := fromBody.addPairs(multipartPairs(r.MultipartForm.Value)); bad != nil {
			return p, bad
		}
	default: // urlencoded, also when the client sent no Content-Type
		pairs, ok := splitForm(string(body), false)
		if !ok {
			rep := errReply(http.StatusBadRequest, "400 Bad request - malformed form body")
			return p, &rep
		}
		if bad := fromBody.addPairs(pairs); bad != nil {
			return p, bad
		}
	}
	maps.Copy(p, fromBody)
	return p, nil
}

func (p params) has(k string) bool { _, ok := p[k]; return ok }

// str reads a string parameter; numbers and booleans are converted as
// Grape's coercion does. ok is false when absent or null.
func (p params) str(k string) (v string, ok bool, bad *reply) {
	switch x := p[k].(type) {
	case nil:
		return "", false, nil
	case string:
		return x, true, nil
	case json.Number:
		return x.String(), true, nil
	case bool:
		return strconv.FormatBool(x), true, nil
	}
	rep := paramErr(k + " is invalid")
	return "", false, &rep
}

// boolean reads a Grape Boolean; nil when absent.
func (p params) boolean(k string) (*bool, *reply) {
	var b bool
	switch x := p[k].(type) {
	case nil:
		return nil, nil
	case bool:
		b = x
	case string:
		switch strings.ToLower(x) {
		case "true", "t", "1", "yes", "y", "on":
			b = true
		case "false", "f", "0", "no", "n", "off":
			b = false
		default:
			rep := paramErr(k + " is invalid")
			return nil, &rep
		}
	default:
		rep := paramErr(k + " is invalid")
		return nil, &rep
	}
	return &b, nil
}

// integer reads an Integer; nil when absent.
func (p params) integer(k string) (*int64, *reply) {
	s, ok, bad := p.str(k)
	if bad != nil || !ok {
		return nil, bad
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		rep := paramErr(k + " is invalid")
		return nil, &rep
	}
	return &n, nil
}

// list reads a string array as GitLab's CommaSeparatedToArray coercion
// does: a JSON array, a comma-separated string, or a k[] list whose
// entries are split on commas too. Entries are trimmed; empty ones dropped.
func (p params) list(k string) (out []string, ok bool, bad *reply) {
	var raw []string
	switch x := p[k].(type) {
	case nil:
		return nil, p.has(k), nil
	case string:
		raw = strings.Split(x, ",")
	case []string:
		for _, s := range x {
			raw = append(raw, strings.Split(s, ",")...)
		}
	case []any:
		for _, e := range x {
			s, isStr := e.(string)
			if !isStr {
				rep := paramErr(k + " is invalid")
				return nil, false, &rep
			}
			raw = append(raw, s)
		}
	default:
		rep := paramErr(k + " is invalid")
		return nil, false, &rep
	}
	out = []string{}
	for _, s := range raw {
		if s = strings.TrimSpace(s); s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out, true, nil
}

// object reads a hash parameter such as info; values are stringified.
func (p params) object(k string) map[string]string {
	h, _ := p[k].(map[string]any)
	out := map[string]string{}
	for key := range h {
		if s, ok, _ := (params(h)).str(key); ok {
			out[key] = s
		}
	}
	return out
}

// enum reads a string that must be one of values; the error is Grape's
// "<k> does not have a valid value".
func (p params) enum(k string, values ...string) (string, *reply) {
	v, ok, bad := p.str(k)
	if bad != nil || !ok {
		return "", bad
	}
	if !contains(values, v) {
		rep := paramErr(k + " does not have a valid value")
		return "", &rep
	}
	return v, nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
