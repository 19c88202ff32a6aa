package glrunners

import (
	"context"
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
