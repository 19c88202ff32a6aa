package glrunners

import (
	"context"
	"iter"
	"net/http"
	"strconv"
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
	var out []*T
	resp, err := c.call(ctx, http.MethodGet, path, query, nil, &out, opts...)
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
	return paginate(ctx, c.pageConcurrency, first, func(ctx context.Context, p pageRequest) ([]*T, *Response, error) {
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
