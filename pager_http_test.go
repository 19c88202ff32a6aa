package glrunners

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pageServer is a GitLab-like list endpoint: pages of ints with offset or
// keyset headers, built the way GitLab builds them.
type pageServer struct {
	*httptest.Server
	pages      [][]int
	noTotals   bool
	keyset     bool
	failPage   int
	repeatPage int // this page says X-Next-Page is itself

	requests atomic.Int32
	inFlight atomic.Int32
	maxIn    atomic.Int32
	mu       sync.Mutex
	queries  []string
}

func newPageServer(t *testing.T, s *pageServer) *pageServer {
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *pageServer) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for m := s.maxIn.Load(); n > m && !s.maxIn.CompareAndSwap(m, n); m = s.maxIn.Load() {
	}
	s.mu.Lock()
	s.queries = append(s.queries, r.URL.RawQuery)
	s.mu.Unlock()
	time.Sleep(time.Millisecond) // let requests overlap

	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	if s.keyset {
		page = 1
		if c := q.Get("cursor"); c != "" {
			page, _ = strconv.Atoi(c[len("id-"):])
		}
	}
	page = max(page, 1)
	if page == s.failPage {
		http.Error(w, `{"message":"500 Internal Server Error"}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	link := func(p int) string { return fmt.Sprintf("%s/runners?page=%d&per_page=3", s.URL, p) }
	if s.keyset {
		if page < len(s.pages) {
			h.Set("Link", fmt.Sprintf(`<%s/runners/1/jobs?cursor=id-%d&pagination=keyset&per_page=3>; rel="next"`, s.URL, page+1))
		}
	} else {
		h.Set("X-Page", strconv.Itoa(page))
		h.Set("X-Per-Page", "3")
		h.Set("X-Next-Page", "")
		var links []string
		if page < len(s.pages) {
			h.Set("X-Next-Page", strconv.Itoa(page+1))
			links = append(links, fmt.Sprintf(`<%s>; rel="next"`, link(page+1)))
		}
		if page == s.repeatPage {
			h.Set("X-Next-Page", strconv.Itoa(page))
		}
		links = append(links, fmt.Sprintf(`<%s>; rel="first"`, link(1)))
		if !s.noTotals {
			h.Set("X-Total", strconv.Itoa(3*len(s.pages)))
			h.Set("X-Total-Pages", strconv.Itoa(len(s.pages)))
			links = append(links, fmt.Sprintf(`<%s>; rel="last"`, link(len(s.pages))))
		}
		h.Set("Link", fmt.Sprint(links))
	}
	items := []int{}
	if page <= len(s.pages) {
		items = s.pages[page-1]
	}
	h.Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(items)
}

func (s *pageServer) seenQueries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.queries)
}

// fetch is what an Iter method's closure does: a real GET, then
// parsePagination on the *Response.
func (s *pageServer) fetch(ctx context.Context, p pageRequest) ([]int, *Response, error) {
	u := s.URL + "/runners?per_page=3&page=" + strconv.Itoa(p.Page)
	if s.keyset {
		u = s.URL + "/runners/1/jobs?pagination=keyset&per_page=3"
		if p.Cursor != "" {
			u += "&cursor=" + p.Cursor
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	hr, err := s.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer hr.Body.Close()
	resp := &Response{Response: hr}
	parsePagination(resp)
	if hr.StatusCode != http.StatusOK {
		return nil, resp, fmt.Errorf("GET %s: %s", u, hr.Status)
	}
	var items []int
	if err := json.NewDecoder(hr.Body).Decode(&items); err != nil {
		return nil, resp, err
	}
	return items, resp, nil
}

func TestPaginateHTTP_earlyBreakCostsOneRequest(t *testing.T) {
	t.Parallel()
	s := newPageServer(t, &pageServer{pages: makePages(5, 3)})
	for it, err := range paginate(t.Context(), 1, pageRequest{Page: 1}, s.fetch) {
		require.NoError(t, err)
		assert.Equal(t, 1, it)
		break
	}
	assert.Equal(t, int32(1), s.requests.Load())
	assert.Equal(t, []string{"per_page=3&page=1"}, s.seenQueries())
}

func TestPaginateHTTP_errorOnPage3(t *testing.T) {
	t.Parallel()
	s := newPageServer(t, &pageServer{pages: makePages(5, 3), failPage: 3})
	items, errs := drain(paginate(t.Context(), 1, pageRequest{Page: 1}, s.fetch))
	assert.Equal(t, seq(1, 6), items)
	require.Len(t, errs, 1)
	assert.ErrorContains(t, errs[0], "500 Internal Server Error")
	assert.Equal(t, int32(3), s.requests.Load())
}

func TestPaginateHTTP_noTotalsReachesEnd(t *testing.T) {
	t.Parallel()
	s := newPageServer(t, &pageServer{pages: makePages(4, 3), noTotals: true})
	items, errs := drain(paginate(t.Context(), 1, pageRequest{Page: 1}, s.fetch))
	assert.Empty(t, errs)
	assert.Equal(t, seq(1, 12), items)
	assert.Equal(t, int32(4), s.requests.Load())
}

func TestPaginateHTTP_repeatedPageStalls(t *testing.T) {
	t.Parallel()
	s := newPageServer(t, &pageServer{pages: makePages(5, 3), repeatPage: 2})
	items, errs := drain(paginate(t.Context(), 1, pageRequest{Page: 1}, s.fetch))
	assert.Equal(t, seq(1, 6), items)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrPaginationStalled)
	assert.Equal(t, int32(2), s.requests.Load())
}

func TestPaginateHTTP_rangingTwiceRestarts(t *testing.T) {
	t.Parallel()
	s := newPageServer(t, &pageServer{pages: makePages(2, 3)})
	it := paginate(t.Context(), 1, pageRequest{Page: 1}, s.fetch)
	a, _ := drain(it)
	b, _ := drain(it)
	assert.Equal(t, seq(1, 6), a)
	assert.Equal(t, seq(1, 6), b)
	assert.Equal(t, []string{"per_page=3&page=1", "per_page=3&page=2", "per_page=3&page=1", "per_page=3&page=2"}, s.seenQueries())
}

func TestPaginateHTTP_keysetViaLinkCursor(t *testing.T) {
	t.Parallel()
	s := newPageServer(t, &pageServer{pages: makePages(3, 3), keyset: true})
	items, errs := drain(paginate(t.Context(), 1, pageRequest{}, s.fetch))
	assert.Empty(t, errs)
	assert.Equal(t, seq(1, 9), items)
	assert.Equal(t, []string{
		"pagination=keyset&per_page=3",
		"pagination=keyset&per_page=3&cursor=id-2",
		"pagination=keyset&per_page=3&cursor=id-3",
	}, s.seenQueries())
}

func TestPaginateHTTP_concurrency4Over20Pages(t *testing.T) {
	t.Parallel()
	s := newPageServer(t, &pageServer{pages: makePages(20, 3)})
	items, errs := drain(paginate(t.Context(), 4, pageRequest{Page: 1}, s.fetch))
	assert.Empty(t, errs)
	assert.Equal(t, seq(1, 60), items)
	assert.Equal(t, int32(20), s.requests.Load())
	assert.LessOrEqual(t, s.maxIn.Load(), int32(4))
	assert.GreaterOrEqual(t, s.maxIn.Load(), int32(2))
}

func TestPaginateHTTP_concurrencyBreakLeavesNoFetch(t *testing.T) {
	t.Parallel()
	s := newPageServer(t, &pageServer{pages: makePages(20, 3)})
	var live atomic.Int32
	fetch := func(ctx context.Context, p pageRequest) ([]int, *Response, error) {
		live.Add(1)
		defer live.Add(-1)
		return s.fetch(ctx, p)
	}
	var got []int
	for it, err := range paginate(t.Context(), 4, pageRequest{Page: 1}, fetch) {
		require.NoError(t, err)
		if got = append(got, it); len(got) == 5 { // on page 2, with pages 3..6 requested
			break
		}
	}
	assert.Equal(t, seq(1, 5), got)
	assert.Equal(t, int32(0), live.Load())
	assert.Eventually(t, func() bool { return fetchGoroutines() == 0 }, 10*time.Second, time.Millisecond)
	assert.LessOrEqual(t, s.requests.Load(), int32(6))
}
