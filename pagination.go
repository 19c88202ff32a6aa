package glrunners

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"net/url"
	"strings"
	"sync"
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

// pageRequest says which page to fetch: an offset page number, or a keyset cursor.
type pageRequest struct {
	Page   int
	Cursor string
}

// pageResult is one fetched page, handed from a goroutine to the consumer.
type pageResult[T any] struct {
	page  int // the offset page asked for; 0 for the server's default or a cursor
	items []T
	resp  *Response
	err   error
}

// paginate is the one iterator behind every Iter method. Nothing is fetched
// until the sequence is ranged; each range starts again at first. It follows
// Response.NextPage, or NextCursor (keyset: when first has a cursor, or a
// response has one and no next page), never totals. An error is the last
// value; when ctx ends it is ctx.Err(). fetch must honour ctx: a loop that
// ends cancels the fetches in flight and waits for them.
//
// With concurrency > 1 and a first page whose TotalPages lies beyond it, later
// pages are fetched up to concurrency at a time and yielded in page order, so
// at most concurrency pages wait in memory; without totals, one page is
// fetched ahead. Look-ahead starts once the consumer took the first item, so
// a loop that breaks at once costs one request in every mode.
func paginate[T any](ctx context.Context, concurrency int, first pageRequest, fetch func(ctx context.Context, p pageRequest) ([]T, *Response, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		// All state is made here, per range: ranging twice cannot resume.
		p := &pager[T]{parent: ctx, fetchCtx: ctx, n: concurrency, fetch: fetch, yield: yield,
			cursors: map[uint64]struct{}{}, seed: maphash.MakeSeed()}
		if concurrency > 1 {
			var cancel context.CancelFunc
			p.fetchCtx, cancel = context.WithCancel(ctx)
			// No goroutine may outlive the loop or call fetch after it.
			defer func() { cancel(); p.wg.Wait() }()
		}
		p.run(first)
	}
}

// pager is the state of one range over paginate's sequence.
type pager[T any] struct {
	parent   context.Context // the caller's: its end is what gets reported
	fetchCtx context.Context // cancelled on return when fetching ahead
	n        int
	fetch    func(ctx context.Context, p pageRequest) ([]T, *Response, error)
	yield    func(T, error) bool
	wg       sync.WaitGroup
	queue    []<-chan pageResult[T] // pages fetched ahead, in page order
	winNext  int                    // the next window page to start
	winTo    int                    // the window's last page; 0 when not in one
	cursors  map[uint64]struct{}    // hashes of the cursors requested so far
	seed     maphash.Seed
}

// start fetches req on its own goroutine and queues its result. The channel
// is buffered so the goroutine never blocks on a consumer that has gone.
func (p *pager[T]) start(req pageRequest) {
	ch := make(chan pageResult[T], 1)
	p.wg.Go(func() {
		items, resp, err := p.fetch(p.fetchCtx, req)
		ch <- pageResult[T]{req.Page, items, resp, err}
	})
	p.queue = append(p.queue, ch)
}

// fill starts window pages while fewer than n are in flight or waiting, so
// memory stays bounded whatever the number of pages.
func (p *pager[T]) fill() {
	for ; len(p.queue) < p.n && p.winNext <= p.winTo; p.winNext++ {
		p.start(pageRequest{Page: p.winNext})
	}
}

// get returns the next page: the oldest one fetched ahead, or req fetched now.
func (p *pager[T]) get(req pageRequest) pageResult[T] {
	if len(p.queue) == 0 {
		if err := p.parent.Err(); err != nil {
			return pageResult[T]{err: err}
		}
		items, resp, err := p.fetch(p.fetchCtx, req)
		return pageResult[T]{req.Page, items, resp, err}
	}
	ch := p.queue[0]
	p.queue = append(p.queue[:0], p.queue[1:]...)
	select {
	case res := <-ch:
		return res
	case <-p.parent.Done():
		return pageResult[T]{err: p.parent.Err()}
	}
}

// fail yields err as the last value. A fetch that failed because the caller's
// ctx ended reports ctx.Err() itself, so callers can rely on errors.Is.
func (p *pager[T]) fail(err error) {
	p.yield(*new(T), cmp.Or(p.parent.Err(), err))
}

// run yields page after page. Offset pages of a window come from the queue
// in order; otherwise each response names the next page, fetched one ahead
// when concurrency allows.
func (p *pager[T]) run(req pageRequest) {
	keyset := req.Cursor != ""
	if keyset {
		p.newCursor(req.Cursor)
	}
	for firstPage := true; ; firstPage = false {
		res := p.get(req)
		if res.err != nil {
			p.fail(res.err)
			return
		}
		if res.resp == nil {
			res.resp = &Response{} // a fetch that knows no headers: no next page
		}
		resp := res.resp
		page := cmp.Or(res.page, resp.CurrentPage, 1) // 1 is GitLab's default
		next, more, stallErr := pageRequest{}, false, error(nil)
		if p.winTo > 0 {
			if next, more = p.windowNext(page, res); !more && len(res.items) == 0 {
				return
			}
		} else {
			next, more, stallErr = p.advance(page, resp, &keyset)
		}
		openWindow := firstPage && p.n > 1 && !keyset && stallErr == nil && resp.TotalPages > page
		if !p.emit(res.items, func() {
			switch {
			case openWindow:
				p.winNext, p.winTo, more = page+1, resp.TotalPages, true
				p.fill()
			case p.winTo > 0 && more:
				p.fill()
			case more && p.n > 1:
				p.start(next)
			}
		}) {
			return
		}
		if stallErr != nil {
			p.fail(stallErr) // more is false
		}
		if !more {
			return
		}
		req = next
	}
}

// windowNext decides what follows window page page. An empty page, or totals
// that shrank, end the walk after the data seen; when the last page says
// there is more (the fleet grew), the window closes and NextPage is followed.
func (p *pager[T]) windowNext(page int, res pageResult[T]) (pageRequest, bool) {
	resp := res.resp
	if len(res.items) == 0 {
		return pageRequest{}, false
	}
	if resp.TotalPages > 0 && resp.TotalPages < p.winTo {
		p.winTo = max(resp.TotalPages, page) // shrank: start no more
	}
	switch {
	case page >= p.winTo:
		p.winTo = 0 // close the window; follow NextPage if the fleet grew
		return pageRequest{Page: resp.NextPage}, resp.NextPage > page
	case resp.NextPage == 0 && resp.CurrentPage == page:
		return pageRequest{}, false // the server says this page is the last
	}
	return pageRequest{}, true
}

// emit yields items, calling onFirst once the consumer has taken the first
// one (at once for an empty page). It reports whether the consumer wants more.
func (p *pager[T]) emit(items []T, onFirst func()) bool {
	for i, it := range items {
		if err := p.parent.Err(); err != nil { // an atomic load: cheap per item
			p.fail(err)
			return false
		}
		if !p.yield(it, nil) {
			return false
		}
		if i == 0 {
			onFirst()
		}
	}
	if len(items) == 0 {
		onFirst()
	}
	return true
}

// advance names the page after page, or reports that there is none, or that
// the server stalled.
func (p *pager[T]) advance(page int, resp *Response, keyset *bool) (pageRequest, bool, error) {
	nextPage := resp.NextPage
	if !*keyset && nextPage == 0 && resp.NextCursor == "" {
		nextPage = parsePageCount(linkQueryParam(resp.NextLink, "page")) // some proxies drop X-Next-Page
	}
	switch {
	case !*keyset && nextPage > 0:
		if nextPage <= page {
			return pageRequest{}, false, fmt.Errorf("%w: page %d named page %d as next", ErrPaginationStalled, page, nextPage)
		}
		return pageRequest{Page: nextPage}, true, nil
	case resp.NextCursor != "":
		*keyset = true
		// Cursors are opaque, so "seen before" is the only check; unlike a
		// comparison with the last cursor, it also catches a cycle.
		if !p.newCursor(resp.NextCursor) {
			return pageRequest{}, false, fmt.Errorf("%w: cursor repeated", ErrPaginationStalled)
		}
		return pageRequest{Cursor: resp.NextCursor}, true, nil
	}
	return pageRequest{}, false, nil
}

// newCursor records cursor and reports whether it is new. It keeps 64-bit
// hashes, not the strings, so a long keyset walk costs 8 bytes a page.
func (p *pager[T]) newCursor(cursor string) bool {
	h := maphash.String(p.seed, cursor)
	_, seen := p.cursors[h]
	p.cursors[h] = struct{}{}
	return !seen
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
