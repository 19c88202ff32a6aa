package glrunnerstest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Offset pagination: page and per_page, with GitLab's X-* and Link headers.
const (
	defaultPerPage = 20
	maxPerPage     = 100
	countLimit     = 10000 // X-Total etc. omitted above this
)

type pageReq struct{ page, perPage int }

// pageParams validates page/per_page the way GitLab's Grape params do.
func (c *call) pageParams() (pageReq, *reply) {
	pr := pageReq{page: 1, perPage: defaultPerPage}
	if n, bad := c.p.integer("page"); bad != nil {
		return pr, bad
	} else if n != nil && *n > 1 {
		pr.page = int(min(*n, 1<<30))
	}
	n, bad := c.p.integer("per_page")
	switch {
	case bad != nil:
		return pr, bad
	case n == nil:
	case *n == 0:
		rep := paramErr("per_page has a value not allowed")
		return pr, &rep
	case *n < 0:
		rep := paramErr("per_page does not have a valid value")
		return pr, &rep
	default:
		pr.perPage = int(min(*n, maxPerPage))
	}
	return pr, nil
}

// paginate slices one page out of items and answers it with GitLab's
// offset headers. count=false (jobs filtered by system_id) omits totals.
func paginate[T, W any](c *call, items []T, count bool, conv func(T) W) reply {
	pr, bad := c.pageParams()
	if bad != nil {
		return *bad
	}
	total := len(items)
	start := min((pr.page-1)*pr.perPage, total)
	end := min(start+pr.perPage, total)
	page := make([]W, 0, end-start)
	for _, it := range items[start:end] {
		page = append(page, conv(it))
	}
	rep := jsonReply(http.StatusOK, page)
	counted := count && total <= countLimit
	totalPages := max(1, (total+pr.perPage-1)/pr.perPage)
	h := http.Header{}
	h.Set("X-Page", strconv.Itoa(pr.page))
	h.Set("X-Per-Page", strconv.Itoa(pr.perPage))
	next, prev := "", ""
	if end < total {
		next = strconv.Itoa(pr.page + 1)
	}
	outOfRange := start >= total && pr.page > 1
	if counted {
		outOfRange = pr.page > totalPages
	}
	if pr.page > 1 && !outOfRange {
		prev = strconv.Itoa(pr.page - 1)
	}
	h.Set("X-Next-Page", next)
	h.Set("X-Prev-Page", prev)
	var links []string
	link := func(p int, rel string) {
		links = append(links, "<"+c.pageURL(map[string]string{"page": strconv.Itoa(p), "per_page": strconv.Itoa(pr.perPage)})+`>; rel="`+rel+`"`)
	}
	if prev != "" {
		link(pr.page-1, "prev")
	}
	if next != "" {
		link(pr.page+1, "next")
	}
	link(1, "first")
	if counted {
		h.Set("X-Total", strconv.Itoa(total))
		h.Set("X-Total-Pages", strconv.Itoa(totalPages))
		link(totalPages, "last")
	}
	h.Set("Link", strings.Join(links, ", "))
	rep.header = h
	return rep
}

// pageURL is the absolute request URL, built on the request's Host, with
// some query parameters replaced (keys sorted, as Rails' to_query does).
func (c *call) pageURL(set map[string]string) string {
	q := url.Values{}
	for k, v := range c.r.URL.Query() {
		q[k] = v
	}
	for k, v := range set {
		q.Set(k, v)
	}
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host + c.r.URL.EscapedPath() + "?" + q.Encode()
}

// Keyset pagination (pagination=keyset, as GitLab offers for a runner's
// jobs): the cursor is opaque to clients; here it is
// base64url JSON {"id":"<last id>","_kd":"n"} like GitLab's.

type keysetCursor struct {
	ID  string `json:"id"`
	Dir string `json:"_kd"`
}

func encodeCursor(lastID int64) string {
	b, _ := json.Marshal(keysetCursor{ID: strconv.FormatInt(lastID, 10), Dir: "n"})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns the id to continue below; ok=false for a malformed cursor.
func decodeCursor(s string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return 0, false
	}
	var kc keysetCursor
	if json.Unmarshal(b, &kc) != nil {
		return 0, false
	}
	id, err := strconv.ParseInt(kc.ID, 10, 64)
	return id, err == nil
}

// keysetPage answers a page of items sorted by id descending, continuing
// below the cursor; Link rel="next" is present only when more items follow.
// No X-Next-Cursor header is sent (UNCONFIRMED for this endpoint).
func keysetPage[T, W any](c *call, items []T, idOf func(T) int64, conv func(T) W) reply {
	pr, bad := c.pageParams()
	if bad != nil {
		return *bad
	}
	start := 0
	if cur, ok, _ := c.p.str("cursor"); ok && cur != "" {
		below, valid := decodeCursor(cur)
		if !valid {
			return errReply(http.StatusBadRequest, "400 Bad request - Invalid cursor parameter")
		}
		for start < len(items) && idOf(items[start]) >= below {
			start++
		}
	}
	end := min(start+pr.perPage, len(items))
	page := make([]W, 0, end-start)
	for _, it := range items[start:end] {
		page = append(page, conv(it))
	}
	rep := jsonReply(http.StatusOK, page)
	if end < len(items) && end > start {
		next := c.pageURL(map[string]string{"cursor": encodeCursor(idOf(items[end-1])),
			"per_page": strconv.Itoa(pr.perPage), "pagination": "keyset"})
		rep.setHeader("Link", "<"+next+`>; rel="next"`)
	}
	return rep
}
