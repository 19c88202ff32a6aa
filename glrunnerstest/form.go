package glrunnerstest

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Query strings and form bodies are read the way Rack's nested query
// parser reads them for Grape, pair by pair in order:
//
//	k=v        sets k, replacing any earlier value: a repeated bare key
//	           keeps its last value (k=a&k=b is "b", not a list)
//	k          (no "=") sets k to null
//	k[]=v      appends to the list k
//	k[sub]=v   sets sub in the hash k
//
// Appending to a k that holds a string or hash, or setting sub in a k that
// holds a string or list, is Rack's ParameterTypeError.

// formPair is one piece of a query string or urlencoded body; val is nil
// for a key without "=".
type formPair struct {
	key string
	val *string
}

// splitForm splits on "&" only (Rack 3 no longer splits on ";"). Pieces
// that do not unescape are skipped when lenient (as net/url does for the
// query), else reported.
func splitForm(raw string, lenient bool) ([]formPair, bool) {
	var out []formPair
	for piece := range strings.SplitSeq(raw, "&") {
		if piece == "" {
			continue
		}
		k, v, hasVal := strings.Cut(piece, "=")
		key, err := url.QueryUnescape(k)
		var val *string
		if err == nil && hasVal {
			var s string
			s, err = url.QueryUnescape(v)
			val = &s
		}
		if err != nil {
			if lenient {
				continue
			}
			return nil, false
		}
		if key != "" {
			out = append(out, formPair{key, val})
		}
	}
	return out, true
}

// multipartPairs lists multipart fields in key order (the parts' relative
// order between keys is not kept by net/http), each key's values in order.
func multipartPairs(vals map[string][]string) []formPair {
	var out []formPair
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		for _, v := range vals[k] {
			out = append(out, formPair{k, ptrTo(v)})
		}
	}
	return out
}

// addPairs folds the pairs into p (see the rules above).
func (p params) addPairs(pairs []formPair) *reply {
	for _, pr := range pairs {
		var v any
		if pr.val != nil {
			v = *pr.val
		}
		base, sub, nested := splitKey(pr.key)
		switch {
		case !nested:
			p[pr.key] = v
		case sub == "":
			old := p[base]
			list, isList := old.([]string)
			if old != nil && !isList {
				return typeConflict("Array", old, base)
			}
			if list == nil {
				list = []string{}
			}
			if pr.val != nil { // "k[]" without "=" makes an empty list
				list = append(list, *pr.val)
			}
			p[base] = list
		default:
			old := p[base]
			h, isHash := old.(map[string]any)
			if old != nil && !isHash {
				return typeConflict("Hash", old, base)
			}
			if h == nil {
				h = map[string]any{}
				p[base] = h
			}
			h[sub] = v
		}
	}
	return nil
}

// splitKey splits "k[]" and "k[sub]" (one level: deeper nesting is not
// used by this API and stays in sub verbatim).
func splitKey(key string) (base, sub string, nested bool) {
	i := strings.IndexByte(key, '[')
	if i <= 0 || !strings.HasSuffix(key, "]") {
		return key, "", false
	}
	return key[:i], key[i+1 : len(key)-1], true
}

// typeConflict answers Rack's ParameterTypeError. Its message is Rack's;
// the status and body GitLab wraps it in are UNCONFIRMED (a 400 is what
// Rails and newer Grape versions give it).
func typeConflict(want string, got any, key string) *reply {
	kind := "String"
	switch got.(type) {
	case []string:
		kind = "Array"
	case map[string]any:
		kind = "Hash"
	}
	rep := errReply(http.StatusBadRequest, "400 Bad request - expected "+want+" (got "+kind+") for param `"+key+"'")
	return &rep
}
