package glrunners

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Test helpers shared by the RunnersService tests.

// rtUserAuth asserts that r carries the user's credential.
func rtUserAuth(t *testing.T, r *http.Request) {
	t.Helper()
	assert.Equal(t, testToken, r.Header.Get("PRIVATE-TOKEN"))
}

// rtNoUserAuth asserts that r carries no user credential (runner-token endpoints).
func rtNoUserAuth(t *testing.T, r *http.Request) {
	t.Helper()
	assert.Empty(t, r.Header.Get("PRIVATE-TOKEN"))
	assert.Empty(t, r.Header.Get("Authorization"))
}

// rtBody reads r's body inside a handler.
func rtBody(t *testing.T, r *http.Request) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	assert.NoError(t, err)
	return string(b)
}

// rtErrCase is one documented error answer of an endpoint.
type rtErrCase struct {
	status   int
	body     string
	sentinel error
}

// rtErrors answers call with each case on pattern and checks that the call
// returns an *Error with the status, the sentinel and GitLab's message.
func rtErrors(t *testing.T, pattern string, cases []rtErrCase, call func(ctx context.Context, c *Client) error) {
	t.Helper()
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d %s", tc.status, tc.body), func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t, WithoutRetries())
			mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tc.status, tc.body)
			})
			err := call(t.Context(), c)
			e, ok := errors.AsType[*Error](err)
			require.True(t, ok, "want *Error, got %T: %v", err, err)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.ErrorIs(t, err, tc.sentinel)
			assert.Equal(t, tc.body, e.Body)
		})
	}
}

// rtPageQuery is the query an iterator sends for page n, given the filters.
func rtPageQuery(filters url.Values, n int) url.Values {
	q := url.Values{"per_page": {"100"}, "page": {strconv.Itoa(n)}}
	for k, v := range filters {
		q[k] = v
	}
	return q
}

// rtServePages serves len(pages) offset pages on pattern, linked with
// X-Next-Page, and checks that page n is asked for with exactly
// rtPageQuery(filters, n).
func rtServePages(t *testing.T, mux *http.ServeMux, pattern string, filters url.Values, pages []string) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		rtUserAuth(t, r)
		n, err := strconv.Atoi(r.URL.Query().Get("page"))
		if !assert.NoError(t, err) || !assert.True(t, n >= 1 && n <= len(pages), "page %d", n) {
			writeJSON(w, http.StatusBadRequest, `{"error":"page"}`)
			return
		}
		assert.Equal(t, rtPageQuery(filters, n), r.URL.Query(), "page %d", n)
		w.Header().Set("X-Page", strconv.Itoa(n))
		if n < len(pages) {
			w.Header().Set("X-Next-Page", strconv.Itoa(n+1))
		} else {
			w.Header().Set("X-Next-Page", "")
		}
		writeJSON(w, http.StatusOK, pages[n-1])
	})
}

// rtIDs ranges over seq and returns the IDs of its items.
func rtIDs[T any](t *testing.T, seq iter.Seq2[*T, error], id func(*T) int64) []int64 {
	t.Helper()
	var ids []int64
	for it, err := range seq {
		require.NoError(t, err)
		ids = append(ids, id(it))
	}
	return ids
}
