package glrunners

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newResponse reads every header the SDK parses into its fields.
func TestNewResponse_readsEveryHeader(t *testing.T) {
	t.Parallel()
	now := time.Unix(1742472000, 0)
	h := http.Header{}
	h.Set("X-Request-Id", "01JREQ")
	h.Set("X-Page", "2")
	h.Set("X-Next-Page", "3")
	h.Set("X-Prev-Page", "1")
	h.Set("X-Per-Page", "20")
	h.Set("X-Total", "45")
	h.Set("X-Total-Pages", "3")
	h.Set("Retry-After", "30")
	h.Set("RateLimit-Limit", "600")
	h.Set("RateLimit-Remaining", "598")
	resp := newResponse(&http.Response{StatusCode: 200, Header: h}, 2, now)
	assert.Equal(t, "01JREQ", resp.RequestID)
	assert.Equal(t, 2, resp.Attempts)
	assert.Equal(t, 30*time.Second, resp.RetryAfter)
	assert.Equal(t, RateLimit{Present: true, Limit: 600, Remaining: 598}, resp.RateLimit)
	assert.Equal(t, [6]int{2, 3, 1, 20, 45, 3},
		[6]int{resp.CurrentPage, resp.NextPage, resp.PrevPage, resp.PerPage, resp.TotalItems, resp.TotalPages})
	assert.Equal(t, 200, resp.StatusCode, "the http.Response is embedded")
}

// A response without those headers leaves every parsed field zero.
func TestNewResponse_noHeadersMeansZeroFields(t *testing.T) {
	t.Parallel()
	hr := &http.Response{StatusCode: 204, Header: http.Header{}}
	resp := newResponse(hr, 1, time.Unix(1742472000, 0))
	assert.Equal(t, &Response{Response: hr, Attempts: 1}, resp)
}

// The request ID a call returns has the call's token redacted: a server
// may echo the token there.
func TestResponse_requestIDEchoingTheTokenIsRedacted(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/v4/runners/7", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-"+testToken)
		writeJSON(w, 200, `{"id":7}`)
	})
	_, resp, err := c.Runners.Get(t.Context(), 7, nil)
	require.NoError(t, err)
	assert.Equal(t, "req-"+redacted, resp.RequestID)
	assert.Equal(t, 1, resp.Attempts)
}
