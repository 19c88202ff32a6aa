package glrunners

import (
	"cmp"
	"context"
	"fmt"
	"hash/maphash"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// pageable is implemented by every list options struct through its
// embedded ListOptions.
type pageable interface {
	listOptions() *ListOptions
}

func (o *ListOptions) listOptions() *ListOptions { return o }

// keysetable is implemented by options that embed KeysetOptions.
type keysetable interface {
	keysetOptions() *KeysetOptions
}

func (o *KeysetOptions) keysetOptions() *KeysetOptions { return o }

// keysetOf returns opt's keyset options when it asks for keyset
// pagination, else nil.
func keysetOf(opt any) *KeysetOptions {
	if ks, ok := opt.(keysetable); ok && ks.keysetOptions().Pagination == PaginationKeyset {
		return ks.keysetOptions()
	}
	return nil
}

// iterate turns a one-page list call into a lazy iterator over every
// item. Each page works on its own copy of the caller's options, so the
// caller's struct is never changed and ranging twice starts over.
func iterate[T any, O any, PO interface {
	*O
	pageable
}](ctx context.Context, c *Client, opt PO, list func(context.Context, PO) ([]*T, *Response, error)) iter.Seq2[*T, error] {
	if ctx == nil {
		return func(yield func(*T, error) bool) { yield(nil, invalidArg("ctx", "is nil")) }
	}
	var base O
	if opt != nil {
		base = *opt
	}
	first := pageRequest{Page: max(PO(&base).listOptions().Page, 1)}
	if ks := keysetOf(PO(&base)); ks != nil {
		first = pageRequest{Cursor: ks.Cursor}
	}
	tpl := &pageTemplate{}
	ctx = context.WithValue(ctx, pageTemplateKey{}, tpl)
	return paginate(ctx, c.pageConcurrency, first, func(ctx context.Context, p pageRequest) ([]*T, *Response, error) {
		if tpl.req != nil { // set by the first page, before any later page starts
			return sendList[T](ctx, c, tpl.forPage(p))
		}
		o := base
		lo := PO(&o).listOptions()
		if lo.PerPage == 0 {
			lo.PerPage = defaultPerPage
		}
		if ks := keysetOf(PO(&o)); ks != nil {
			lo.Page = 0
			ks.Cursor = p.Cursor
		} else {
			lo.Page = p.Page
		}
		return list(ctx, &o)
	})
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

// pageSizeOf is the page size a list request asks for: per_page, within
// GitLab's bounds, or GitLab's default of 20.
func pageSizeOf(q url.Values) int {
	n, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || n <= 0 {
		return 20
	}
	return min(n, 100)
}

// pageTemplate keeps an iterator's first request, so that later pages
// reuse its checked options and encoded query and only the page number or
// cursor changes: validating and encoding the options again cost about 25
// allocations a page.
type pageTemplate struct {
	req      *Request
	byPage   [2]string // the encoded query without "page", split where it sorts
	byCursor [2]string // the same for "cursor"
}

type pageTemplateKey struct{}

func (t *pageTemplate) keep(req *Request) {
	t.req = req
	t.byPage = encodeAround(req.Query, "page", "")
	// A cursor replaces the page number: sending both would ask for the
	// first page again.
	t.byCursor = encodeAround(req.Query, "cursor", "page")
}

// encodeAround encodes q without key and drop, as url.Values.Encode would,
// split at the place key sorts to.
func encodeAround(q url.Values, key, drop string) [2]string {
	before, after := url.Values{}, url.Values{}
	for k, v := range q {
		switch {
		case k == drop:
		case k < key:
			before[k] = v
		case k > key:
			after[k] = v
		}
	}
	return [2]string{before.Encode(), after.Encode()}
}

// forPage is the template's request for page p.
func (t *pageTemplate) forPage(p pageRequest) *Request {
	r := *t.req
	parts, param := t.byPage, "page="+strconv.Itoa(p.Page)
	if p.Cursor != "" {
		parts, param = t.byCursor, "cursor="+url.QueryEscape(p.Cursor)
	}
	var b strings.Builder
	b.Grow(len(parts[0]) + len(param) + len(parts[1]) + 2)
	if parts[0] != "" {
		b.WriteString(parts[0])
		b.WriteByte('&')
	}
	b.WriteString(param)
	if parts[1] != "" {
		b.WriteByte('&')
		b.WriteString(parts[1])
	}
	r.encodedQuery = b.String()
	return &r
}
