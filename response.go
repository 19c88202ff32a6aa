package glrunners

import (
	"net/http"
	"time"
)

// Response is GitLab's answer to one call: the HTTP response (its body
// already read and closed) plus what the SDK parsed from its headers.
// Calls return it with errors too, so callers can read status and headers.
type Response struct {
	*http.Response

	// Offset pagination, from X-Page, X-Next-Page, ...; 0 when GitLab
	// omits the header (X-Total and X-Total-Pages are omitted past 10,000
	// items).
	CurrentPage int
	NextPage    int
	PrevPage    int
	PerPage     int
	TotalItems  int
	TotalPages  int

	// Link header targets (absolute URLs), "" when absent.
	NextLink  string
	PrevLink  string
	FirstLink string
	LastLink  string
	// NextCursor is the cursor of the next keyset page.
	NextCursor string

	// RateLimit is what the RateLimit-* headers said.
	RateLimit RateLimit
	// RetryAfter is the wait GitLab asked for (Retry-After), 0 if none.
	RetryAfter time.Duration
	// RequestID is GitLab's X-Request-Id, for support requests.
	RequestID string
	// Attempts is how many times the request was sent (1 without retries).
	Attempts int
}

func newResponse(r *http.Response, attempts int, now time.Time) *Response {
	resp := &Response{
		Response:  r,
		RequestID: r.Header.Get("X-Request-Id"),
		Attempts:  attempts,
		RateLimit: parseRateLimit(r.Header),
	}
	resp.RetryAfter, _ = retryAfter(r.Header, now)
	parsePagination(resp)
	return resp
}

// newResponse is newResponse for the call's answer, its request ID
// scrubbed: a server may echo a token there too.
func (st *callState) newResponse(r *http.Response) *Response {
	resp := newResponse(r, st.attempt, time.Now())
	resp.RequestID = redact(resp.RequestID, st.secrets())
	return resp
}
