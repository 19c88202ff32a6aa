package glrunners

import (
	"errors"
	"iter"
	"net/url"
	"strings"
)

// ListOptions selects one page of an offset-paginated list; list option
// structs embed it. Zero values let GitLab choose: page 1, and 20 per page for
// List calls (the Iter methods ask for 100). GitLab caps PerPage at 100.
type ListOptions struct {
	Page    int `url:"page,omitempty"`
	PerPage int `url:"per_page,omitempty"`
}

// PaginationKeyset is the KeysetOptions.Pagination value for keyset pagination.
const PaginationKeyset = "keyset"

// KeysetOptions selects keyset (cursor) pagination. Of the Runners API only
// GET /runners/:id/jobs supports it, and only in its default id-descending
// order (GitLab answers 405 otherwise). Keyset pages carry no totals; the
// cursor of the next page is Response.NextCursor.
type KeysetOptions struct {
	Pagination string `url:"pagination,omitempty"` // PaginationKeyset, or "" for offset pages
	Cursor     string `url:"cursor,omitempty"`     // Response.NextCursor; "" for the first page
}

// ErrPaginationStalled is wrapped by the error an Iter method yields when the
// server does not advance (a next page number not after the current one, or a
// keyset cursor seen before): following it would loop forever.
var ErrPaginationStalled = errors.New("glrunners: pagination stalled: the server did not advance to a new page")

// parsePagination fills the pagination fields of r from its headers: X-Page,
// X-Per-Page, X-Next-Page, X-Prev-Page, X-Total, X-Total-Pages and Link. A
// missing, empty or malformed header leaves its field 0 or "". It runs on every
// response, so it reads the header map directly (keys are canonical in every
// http.Response) and allocates only to unescape a cursor.
func parsePagination(r *Response) {
	if r == nil || r.Response == nil {
		return
	}
	h := r.Header
	r.CurrentPage = parsePageCount(headerValue(h, "X-Page"))
	r.PerPage = parsePageCount(headerValue(h, "X-Per-Page"))
	r.NextPage = parsePageCount(headerValue(h, "X-Next-Page"))
	r.PrevPage = parsePageCount(headerValue(h, "X-Prev-Page"))
	r.TotalItems = parsePageCount(headerValue(h, "X-Total"))
	r.TotalPages = parsePageCount(headerValue(h, "X-Total-Pages"))
	r.NextLink, r.PrevLink, r.FirstLink, r.LastLink = "", "", "", ""
	for _, v := range h["Link"] { // a proxy may split the list over lines
		parseLinks(r, v)
	}
	// The spec documents the cursor in the Link URL; X-Next-Cursor is newer
	// and unconfirmed on this API, so it is only the fallback.
	if r.NextCursor = linkQueryParam(r.NextLink, "cursor"); r.NextCursor == "" {
		r.NextCursor = strings.TrimSpace(headerValue(h, "X-Next-Cursor"))
	}
}

// parsePageCount reads a non-negative decimal header value; anything else is 0
// ("unknown"). Unlike strconv.Atoi it allocates no error for garbage.
func parsePageCount(s string) int {
	const maxInt = int(^uint(0) >> 1)
	n := 0
	for _, c := range []byte(strings.TrimSpace(s)) {
		if c < '0' || c > '9' || n > (maxInt-int(c-'0'))/10 {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// parseLinks reads one Link header value: comma-separated entries like
// `<url>; rel="next"; title="x"`. It scans by hand because URLs may hold
// commas (GitLab echoes tag_list=a,b) and quoted params may too. Malformed
// entries are skipped; the first entry for each rel wins.
func parseLinks(r *Response, s string) {
	for s = strings.TrimLeft(s, ", \t"); s != ""; s = strings.TrimLeft(s, ", \t") {
		if !strings.HasPrefix(s, "<") {
			_, s, _ = strings.Cut(s, ",") // not an entry: skip it
			continue
		}
		link, rest, ok := strings.Cut(s[1:], ">")
		if !ok {
			return // an unterminated URL leaves nothing parseable after it
		}
		i := 0 // the params run to the next comma outside a quoted string
		for quoted := false; i < len(rest) && (quoted || rest[i] != ','); i++ {
			if rest[i] == '"' {
				quoted = !quoted
			}
		}
		if link = strings.TrimSpace(link); link != "" {
			applyRels(r, link, rest[:i])
		}
		s = rest[i:]
	}
}

// applyRels stores link in every field named by the rel params of one entry;
// a rel may list several space-separated types ("next last").
func applyRels(r *Response, link, params string) {
	for params != "" {
		var param string
		param, params, _ = strings.Cut(params, ";")
		name, value, ok := strings.Cut(param, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "rel") {
			continue
		}
		for value = strings.Trim(strings.TrimSpace(value), `"`); value != ""; {
			var rel string
			rel, value, _ = strings.Cut(value, " ")
			for _, t := range [...]struct {
				rel string
				dst *string
			}{{"next", &r.NextLink}, {"prev", &r.PrevLink}, {"previous", &r.PrevLink}, {"first", &r.FirstLink}, {"last", &r.LastLink}} {
				if *t.dst == "" && strings.EqualFold(rel, t.rel) {
					*t.dst = link
				}
			}
		}
	}
}

// linkQueryParam returns the unescaped query parameter key of rawURL, or "".
// It avoids url.Parse and url.Values, which allocate on every response.
func linkQueryParam(rawURL, key string) string {
	rawURL, _, _ = strings.Cut(rawURL, "#")
	_, q, ok := strings.Cut(rawURL, "?")
	for ok && q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		if k, v, _ := strings.Cut(kv, "="); k == key {
			if v, err := url.QueryUnescape(v); err == nil {
				return v
			}
			return ""
		}
	}
	return ""
}

// Collect gathers every item of seq. On error it returns the items gathered
// so far with the error. It returns nil when seq yields nothing.
//
// It is also the way to change what a list returns: collect first, then
// delete, update or (un)assign. Ranging an Iter method while changing the
// list it walks skips items, because pages are offsets into the list as it
// is when each page is fetched: delete the 100 runners of page 1 and page 2
// now starts at what was the 201st. With 250 stale runners, deleting while
// ranging deletes 150 and leaves 100; collecting first deletes all 250. The
// collected runners cost about what their pages did (one page's runners share
// memory): 10,000 runners are about 100 pages.
func Collect[T any](seq iter.Seq2[*T, error]) ([]*T, error) {
	var all []*T
	for it, err := range seq {
		if err != nil {
			return all, err
		}
		all = append(all, it)
	}
	return all, nil
}
