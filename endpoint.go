package glrunners

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The helpers below are the shapes every endpoint method is built from,
// so that a method is validation plus one line.

// runnerPath builds "runners/<id><suffix>", refusing a non-positive ID
// before anything is sent.
func runnerPath(id int64, suffix string) (string, error) {
	if id <= 0 {
		return "", invalidArg("id", "must be a positive runner ID")
	}
	return "runners/" + strconv.FormatInt(id, 10) + suffix, nil
}

// refPath builds "<kind>/<escaped ref><suffix>" for a project or group.
func refPath(kind string, ref Ref, suffix string) (string, error) {
	seg, err := ref.segment(kind[:len(kind)-1]) // "projects" → "project", for the reason
	if err != nil {
		return "", err
	}
	return kind + "/" + seg + suffix, nil
}

// getOne sends a request whose 2xx answer is one T.
func getOne[T any](ctx context.Context, c *Client, method, path string, query, body any, opts []RequestOption) (*T, *Response, error) {
	out := new(T)
	resp, err := c.call(ctx, method, path, query, body, out, opts...)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// getList sends a request whose 2xx answer is a JSON array of T.
func getList[T any](ctx context.Context, c *Client, path string, query any, opts []RequestOption) ([]*T, *Response, error) {
	req, err := c.newRequest(http.MethodGet, path, query, nil, opts)
	if err != nil {
		return nil, nil, err
	}
	if tpl, ok := ctx.Value(pageTemplateKey{}).(*pageTemplate); ok && tpl.req == nil {
		tpl.keep(req)
	}
	return sendList[T](ctx, c, req)
}

func sendList[T any](ctx context.Context, c *Client, req *Request) ([]*T, *Response, error) {
	// Room for a full page up front: growing the slice item by item made
	// a handful of allocations a page.
	out := make([]*T, 0, pageSizeOf(req.Query))
	resp, err := c.Do(ctx, req, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// tokenBody is the body of the runner-token endpoints: the token (revealed
// here and nowhere else) and, for some, a system ID.
type tokenBody struct {
	Token    string `json:"token"`
	SystemID string `json:"system_id,omitempty"`
}

func (b tokenBody) secretValues() []string { return []string{b.Token} }

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
