package glrunners

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakePages serves a table of pages to paginate without HTTP, the way
// stripe's iter_test.go feeds its list a table of fake pages.
type fakePages struct {
	pages     [][]int       // pages[i] is page i+1
	noTotals  bool          // omit TotalPages/TotalItems, like huge collections
	keyset    bool          // name the next page by cursor only
	totals    int           // TotalPages to claim instead of len(pages) (fleet changed)
	failPage  int           // this page answers errBoom
	stallPage int           // this page names itself as next
	latency   time.Duration // per fetch, honouring ctx
	block     bool          // fetches past page 1 wait for ctx to end

	fetches  atomic.Int32
	inFlight atomic.Int32
	maxIn    atomic.Int32
	live     atomic.Int32 // fetch calls not yet returned
	mu       sync.Mutex
	seen     []pageRequest
}

var errBoom = errors.New("boom")

func (f *fakePages) fetch(ctx context.Context, p pageRequest) ([]int, *Response, error) {
	f.live.Add(1)
	defer f.live.Add(-1)
	f.fetches.Add(1)
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxIn.Load()
		if n <= m || f.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	f.mu.Lock()
	f.seen = append(f.seen, p)
	f.mu.Unlock()

	page := p.Page
	if f.keyset {
		page = 1
		if p.Cursor != "" {
			page, _ = strconv.Atoi(p.Cursor[len("c"):])
		}
	}
	if page == 0 {
		page = 1
	}
	if f.block && page > 1 {
		<-ctx.Done()
		return nil, nil, ctx.Err()
	}
	if f.latency > 0 {
		select {
		case <-time.After(f.latency):
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
	if page == f.failPage {
		return nil, &Response{}, errBoom
	}
	resp := &Response{CurrentPage: page, PerPage: 3}
	if page < len(f.pages) {
		resp.NextPage = page + 1
	}
	if page == f.stallPage {
		resp.NextPage = page
	}
	if !f.noTotals && !f.keyset {
		resp.TotalPages = len(f.pages)
		if f.totals > 0 {
			resp.TotalPages = f.totals
		}
		resp.TotalItems = 3 * resp.TotalPages
	}
	if f.keyset {
		resp.CurrentPage, resp.NextPage = 0, 0
		if page < len(f.pages) {
			resp.NextCursor = fmt.Sprintf("c%d", page+1)
		}
	}
	if page > len(f.pages) {
		return []int{}, resp, nil
	}
	return f.pages[page-1], resp, nil
}

func (f *fakePages) requests() []pageRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.seen)
}

// makePages builds n pages of per items numbered 1, 2, 3… in server order.
func makePages(n, per int) [][]int {
	pages := make([][]int, n)
	for i := range pages {
		for j := range per {
			pages[i] = append(pages[i], i*per+j+1)
		}
	}
	return pages
}

func seq(from, to int) []int {
	var s []int
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

// drain ranges seq to the end and returns its items and errors separately.
func drain[T any](s iter.Seq2[T, error]) ([]T, []error) {
	var items []T
	var errs []error
	for it, err := range s {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, it)
	}
	return items, errs
}

func pages(ns ...int) []pageRequest {
	out := make([]pageRequest, len(ns))
	for i, n := range ns {
		out[i] = pageRequest{Page: n}
	}
	return out
}

func TestPaginate_isLazy(t *testing.T) {
	t.Parallel()
	f := &fakePages{pages: makePages(3, 3)}
	s := paginate(t.Context(), 4, pageRequest{Page: 1}, f.fetch)
	require.NotNil(t, s)
	assert.Equal(t, int32(0), f.fetches.Load())
}

func TestPaginate_earlyBreakCostsOneFetch(t *testing.T) {
	t.Parallel()
	for _, conc := range []int{0, 1, 4} {
		t.Run(fmt.Sprint("concurrency=", conc), func(t *testing.T) {
			t.Parallel()
			f := &fakePages{pages: makePages(10, 3)}
			var got []int
			for it, err := range paginate(t.Context(), conc, pageRequest{Page: 1}, f.fetch) {
				require.NoError(t, err)
				got = append(got, it)
				break
			}
			assert.Equal(t, []int{1}, got)
			assert.Equal(t, int32(1), f.fetches.Load())
			assert.Equal(t, pages(1), f.requests())
		})
	}
}

func TestPaginate_walksAllPagesInOrder(t *testing.T) {
	t.Parallel()
	f := &fakePages{pages: makePages(4, 3)}
	items, errs := drain(paginate(t.Context(), 1, pageRequest{Page: 1}, f.fetch))
	assert.Empty(t, errs)
	assert.Equal(t, seq(1, 12), items)
	assert.Equal(t, pages(1, 2, 3, 4), f.requests())
}

func TestPaginate_errorOnPage3YieldedOnce(t *testing.T) {
	t.Parallel()
	for _, conc := range []int{1, 4} {
		t.Run(fmt.Sprint("concurrency=", conc), func(t *testing.T) {
			t.Parallel()
			f := &fakePages{pages: makePages(6, 3), failPage: 3}
			var items []int
			var errs []error
			for it, err := range paginate(t.Context(), conc, pageRequest{Page: 1}, f.fetch) {
				if err != nil {
					errs = append(errs, err)
					continue // keep ranging: the sequence must end by itself
				}
				require.Empty(t, errs, "item %d after the error", it)
				items = append(items, it)
			}
			assert.Equal(t, seq(1, 6), items)
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], errBoom)
			if conc == 1 {
				assert.Equal(t, pages(1, 2, 3), f.requests()) // nothing after the error
			}
			assert.Equal(t, int32(0), f.live.Load())
		})
	}
}

func TestPaginate_noTotalsStillReachesTheEnd(t *testing.T) {
	t.Parallel()
	for _, conc := range []int{1, 4} {
		t.Run(fmt.Sprint("concurrency=", conc), func(t *testing.T) {
			t.Parallel()
			f := &fakePages{pages: makePages(5, 3), noTotals: true}
			items, errs := drain(paginate(t.Context(), conc, pageRequest{Page: 1}, f.fetch))
			assert.Empty(t, errs)
			assert.Equal(t, seq(1, 15), items)
			assert.Equal(t, pages(1, 2, 3, 4, 5), f.requests())
			// Without totals only one page may be fetched ahead.
			assert.Equal(t, int32(1), f.maxIn.Load())
		})
	}
}

func TestPaginate_stalledOffsetServerStops(t *testing.T) {
	t.Parallel()
	f := &fakePages{pages: makePages(5, 3), noTotals: true, stallPage: 2}
	items, errs := drain(paginate(t.Context(), 1, pageRequest{Page: 1}, f.fetch))
	assert.Equal(t, seq(1, 6), items) // page 2's data is real; the loop is not
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrPaginationStalled)
	assert.Equal(t, "glrunners: pagination stalled: the server did not advance to a new page: page 2 named page 2 as next", errs[0].Error())
	assert.Equal(t, pages(1, 2), f.requests())
}

func TestPaginate_stalledKeysetServerStops(t *testing.T) {
	t.Parallel()
	// A server cycling c1 -> c2 -> c1 never repeats the previous cursor, only an older one.
	var calls atomic.Int32
	fetch := func(_ context.Context, p pageRequest) ([]int, *Response, error) {
		calls.Add(1)
		next := map[string]string{"": "c1", "c1": "c2", "c2": "c1"}[p.Cursor]
		return []int{int(calls.Load())}, &Response{NextCursor: next}, nil
	}
	items, errs := drain(paginate(t.Context(), 1, pageRequest{}, fetch))
	assert.Equal(t, []int{1, 2, 3}, items)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrPaginationStalled)
	assert.Equal(t, int32(3), calls.Load())
}

func TestPaginate_rangingTwiceRestartsAtFirst(t *testing.T) {
	t.Parallel()
	f := &fakePages{pages: makePages(3, 2)}
	s := paginate(t.Context(), 1, pageRequest{Page: 1}, f.fetch)
	first, errs1 := drain(s)
	second, errs2 := drain(s)
	assert.Empty(t, errs1)
	assert.Empty(t, errs2)
	assert.Equal(t, seq(1, 6), first)
	assert.Equal(t, seq(1, 6), second)
	assert.Equal(t, pages(1, 2, 3, 1, 2, 3), f.requests())
}

func TestPaginate_keysetFollowsCursor(t *testing.T) {
	t.Parallel()
	f := &fakePages{pages: makePages(3, 2), keyset: true}
	items, errs := drain(paginate(t.Context(), 1, pageRequest{}, f.fetch))
	assert.Empty(t, errs)
	assert.Equal(t, seq(1, 6), items)
	assert.Equal(t, []pageRequest{{}, {Cursor: "c2"}, {Cursor: "c3"}}, f.requests())
}

func TestPaginate_keysetStartsFromGivenCursor(t *testing.T) {
	t.Parallel()
	f := &fakePages{pages: makePages(3, 2), keyset: true}
	items, errs := drain(paginate(t.Context(), 4, pageRequest{Cursor: "c2"}, f.fetch))
	assert.Empty(t, errs)
	assert.Equal(t, seq(3, 6), items)
	assert.Equal(t, []pageRequest{{Cursor: "c2"}, {Cursor: "c3"}}, f.requests())
}

func TestPaginate_followsNextLinkWhenHeaderDropped(t *testing.T) {
	t.Parallel()
	fetch := func(_ context.Context, p pageRequest) ([]int, *Response, error) {
		r := &Response{}
		if p.Page < 3 {
			r.NextLink = fmt.Sprintf("https://gl.example/api/v4/runners?page=%d&per_page=1", p.Page+1)
		}
		return []int{p.Page}, r, nil
	}
	items, errs := drain(paginate(t.Context(), 1, pageRequest{Page: 1}, fetch))
	assert.Empty(t, errs)
	assert.Equal(t, []int{1, 2, 3}, items)
}

func TestPaginate_concurrencyKeepsOrderAndBound(t *testing.T) {
	t.Parallel()
	f := &fakePages{pages: makePages(20, 5), latency: 3 * time.Millisecond}
	var items []int
	var started, consumed, maxBuffered int32
	prev := 0
	for it, err := range paginate(t.Context(), 4, pageRequest{Page: 1}, f.fetch) {
		require.NoError(t, err)
		items = append(items, it)
		if page := (it-1)/5 + 1; page != prev {
			prev, consumed = page, consumed+1
			started = f.fetches.Load()
			maxBuffered = max(maxBuffered, started-consumed)
		}
	}
	assert.Equal(t, seq(1, 100), items)
	assert.Equal(t, int32(20), f.fetches.Load(), "each page fetched once")
	assert.LessOrEqual(t, f.maxIn.Load(), int32(4))
	assert.GreaterOrEqual(t, f.maxIn.Load(), int32(2), "pages were fetched in parallel")
	assert.LessOrEqual(t, maxBuffered, int32(4), "at most 4 pages ahead of the consumer")
	assert.Equal(t, int32(0), f.live.Load())
}

// fetchGoroutines counts the goroutines that paginate started from the
// calling goroutine, so parallel tests do not disturb the count.
func fetchGoroutines() int {
	self := make([]byte, 64)
	self = self[:runtime.Stack(self, false)] // "goroutine 42 [running]:..."
	marker := "created by sync.(*WaitGroup).Go in goroutine " + strings.Fields(string(self))[1] + "\n"
	buf := make([]byte, 1<<16)
	for runtime.Stack(buf, true) == len(buf) {
		buf = make([]byte, 2*len(buf))
	}
	return strings.Count(string(buf), marker)
}

func TestPaginate_concurrencyBreakCancelsAndWaits(t *testing.T) {
	t.Parallel()
	f := &fakePages{pages: makePages(20, 3), block: true}
	var got []int
	for it, err := range paginate(t.Context(), 4, pageRequest{Page: 1}, f.fetch) {
		require.NoError(t, err)
		got = append(got, it)
		if len(got) == 2 {
			require.Equal(t, 4, fetchGoroutines(), "pages 2..5 in flight")
			break // they block until cancelled
		}
	}
	assert.Equal(t, []int{1, 2}, got)
	assert.Equal(t, int32(5), f.fetches.Load())
	assert.Equal(t, int32(0), f.live.Load(), "the iterator returned before its fetches did")
	assert.Eventually(t, func() bool { return fetchGoroutines() == 0 }, 10*time.Second, time.Millisecond)
}

func TestPaginate_concurrencyPrefetchedErrorAfterEarlierPages(t *testing.T) {
	t.Parallel()
	// Page 4 fails at once while pages 2 and 3 are still slow.
	slow := &fakePages{pages: makePages(8, 2), latency: 20 * time.Millisecond}
	fetch := func(ctx context.Context, p pageRequest) ([]int, *Response, error) {
		if p.Page == 4 {
			return nil, &Response{}, errBoom
		}
		return slow.fetch(ctx, p)
	}
	items, errs := drain(paginate(t.Context(), 4, pageRequest{Page: 1}, fetch))
	assert.Equal(t, seq(1, 6), items)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], errBoom)
	assert.Equal(t, int32(0), slow.live.Load())
}

func TestPaginate_concurrencyFleetShrank(t *testing.T) {
	t.Parallel()
	// The first page claims 10 pages; only 6 remain.
	f := &fakePages{pages: makePages(6, 3), totals: 10}
	items, errs := drain(paginate(t.Context(), 4, pageRequest{Page: 1}, f.fetch))
	assert.Empty(t, errs)
	assert.Equal(t, seq(1, 18), items)
	assert.LessOrEqual(t, f.fetches.Load(), int32(10))
}

func TestPaginate_concurrencyEmptyPageEndsCleanly(t *testing.T) {
	t.Parallel()
	// The totals claim 6 pages but pages past 3 are empty, and the responses
	// carry no X-Page to say which page is last.
	var fetches atomic.Int32
	fetch := func(_ context.Context, p pageRequest) ([]int, *Response, error) {
		fetches.Add(1)
		if p.Page > 3 {
			return nil, &Response{}, nil
		}
		return []int{p.Page}, &Response{NextPage: p.Page + 1, TotalPages: 6}, nil
	}
	items, errs := drain(paginate(t.Context(), 2, pageRequest{Page: 1}, fetch))
	assert.Empty(t, errs)
	assert.Equal(t, []int{1, 2, 3}, items)
	assert.LessOrEqual(t, fetches.Load(), int32(6))
}

func TestPaginate_concurrencyStalledFirstPage(t *testing.T) {
	t.Parallel()
	f := &fakePages{pages: makePages(5, 3), stallPage: 1}
	items, errs := drain(paginate(t.Context(), 4, pageRequest{Page: 1}, f.fetch))
	assert.Equal(t, seq(1, 3), items)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrPaginationStalled)
	assert.Equal(t, int32(1), f.fetches.Load())
}

func TestPaginate_concurrencyFleetGrew(t *testing.T) {
	t.Parallel()
	// Totals say 4 pages, but page 4 names page 5, and so on up to 7.
	f := &fakePages{pages: makePages(7, 3), totals: 4}
	items, errs := drain(paginate(t.Context(), 4, pageRequest{Page: 1}, f.fetch))
	assert.Empty(t, errs)
	assert.Equal(t, seq(1, 21), items)
	assert.Equal(t, int32(7), f.fetches.Load())
}

func TestPaginate_contextCancelMidIteration(t *testing.T) {
	t.Parallel()
	for _, conc := range []int{1, 4} {
		t.Run(fmt.Sprint("concurrency=", conc), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			f := &fakePages{pages: makePages(10, 3)}
			var items []int
			var errs []error
			for it, err := range paginate(ctx, conc, pageRequest{Page: 1}, f.fetch) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				items = append(items, it)
				if it == 4 {
					cancel()
				}
			}
			assert.Equal(t, seq(1, 4), items)
			assert.Equal(t, []error{context.Canceled}, errs)
			assert.Equal(t, int32(0), f.live.Load())
			if conc == 1 {
				assert.Equal(t, pages(1, 2), f.requests())
			}
		})
	}
}

func TestPaginate_contextAlreadyDone(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	f := &fakePages{pages: makePages(2, 1)}
	items, errs := drain(paginate(ctx, 1, pageRequest{Page: 1}, f.fetch))
	assert.Empty(t, items)
	assert.Equal(t, []error{context.Canceled}, errs)
	assert.Equal(t, int32(0), f.fetches.Load())
}

func TestCollect(t *testing.T) {
	t.Parallel()
	a, b := "a", "b"
	ok := func(yield func(*string, error) bool) { _ = yield(&a, nil) && yield(&b, nil) }
	got, err := Collect(ok)
	require.NoError(t, err)
	assert.Equal(t, []*string{&a, &b}, got)

	failing := func(yield func(*string, error) bool) { _ = yield(&a, nil) && yield(nil, errBoom) }
	got, err = Collect(failing)
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, []*string{&a}, got)

	got, err = Collect(func(func(*string, error) bool) {})
	require.NoError(t, err)
	assert.Nil(t, got)
}

func TestParsePagination(t *testing.T) {
	t.Parallel()
	const base = "https://gl.example/api/v4/runners"
	tests := []struct {
		name   string
		header http.Header
		want   Response
	}{
		{
			name: "all headers",
			header: http.Header{
				"X-Page": {"2"}, "X-Per-Page": {"20"}, "X-Next-Page": {"3"}, "X-Prev-Page": {"1"},
				"X-Total": {"95"}, "X-Total-Pages": {"5"},
				"Link": {`<` + base + `?page=1&per_page=20>; rel="prev", <` + base + `?page=3&per_page=20>; rel="next", ` +
					`<` + base + `?page=1&per_page=20>; rel="first", <` + base + `?page=5&per_page=20>; rel="last"`},
			},
			want: Response{CurrentPage: 2, PerPage: 20, NextPage: 3, PrevPage: 1, TotalItems: 95, TotalPages: 5,
				PrevLink: base + "?page=1&per_page=20", NextLink: base + "?page=3&per_page=20",
				FirstLink: base + "?page=1&per_page=20", LastLink: base + "?page=5&per_page=20"},
		},
		{name: "missing", header: http.Header{}, want: Response{}},
		{
			name:   "last page: empty X-Next-Page, no totals",
			header: http.Header{"X-Page": {"7"}, "X-Per-Page": {"100"}, "X-Next-Page": {""}, "X-Prev-Page": {"6"}},
			want:   Response{CurrentPage: 7, PerPage: 100, PrevPage: 6},
		},
		{
			name: "garbage numbers",
			header: http.Header{"X-Page": {"two"}, "X-Per-Page": {"-20"}, "X-Next-Page": {"3x"},
				"X-Prev-Page": {"+1"}, "X-Total": {"99999999999999999999999"}, "X-Total-Pages": {" 4 "}},
			want: Response{TotalPages: 4},
		},
		{
			name:   "several rels in one entry, extra params, odd spacing and case",
			header: http.Header{"Link": {` <` + base + `?page=2>;title="a, b";  REL="next last" ;x=1 ,<` + base + `?page=1>;rel=first`}},
			want:   Response{NextLink: base + "?page=2", LastLink: base + "?page=2", FirstLink: base + "?page=1"},
		},
		{
			name:   "commas inside the URL",
			header: http.Header{"Link": {`<` + base + `?tag_list=docker,linux&page=2>; rel="next"`}},
			want:   Response{NextLink: base + "?tag_list=docker,linux&page=2"},
		},
		{
			name: "malformed entries are skipped",
			header: http.Header{"Link": {`garbage; rel="prev", <>; rel="first", <` + base + `?page=2>; rel="next", ` +
				`<` + base + `?page=9>; rel="next", <` + base + `?page=3>; norel, <unterminated; rel="last"`}},
			want: Response{NextLink: base + "?page=2"},
		},
		{
			name: "keyset cursor from Link, escaped",
			header: http.Header{"Link": {`<` + base + `/7/jobs?cursor=eyJpZCI6IjQyIn0%3D&pagination=keyset&per_page=2>; rel="next"`},
				"X-Next-Cursor": {"ignored"}},
			want: Response{NextLink: base + "/7/jobs?cursor=eyJpZCI6IjQyIn0%3D&pagination=keyset&per_page=2",
				NextCursor: `eyJpZCI6IjQyIn0=`},
		},
		{
			name:   "keyset cursor from X-Next-Cursor",
			header: http.Header{"X-Next-Cursor": {"abc"}},
			want:   Response{NextCursor: "abc"},
		},
		{
			name:   "Link split over several header lines",
			header: http.Header{"Link": {`<` + base + `?page=1>; rel="first"`, `<` + base + `?page=4>; rel="prev"`}},
			want:   Response{FirstLink: base + "?page=1", PrevLink: base + "?page=4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := &Response{Response: &http.Response{Header: tt.header}}
			parsePagination(got)
			got.Response = nil
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestParsePagination_nilIsSafe(t *testing.T) {
	t.Parallel()
	assert.NotPanics(t, func() { parsePagination(nil) })
	r := &Response{NextPage: 3}
	assert.NotPanics(t, func() { parsePagination(r) })
	assert.Equal(t, 3, r.NextPage)
}

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

func BenchmarkParsePagination(b *testing.B) {
	const base = "https://gitlab.example.com/api/v4/runners"
	cases := map[string]http.Header{
		"offset": {
			"X-Page": {"2"}, "X-Per-Page": {"100"}, "X-Next-Page": {"3"}, "X-Prev-Page": {"1"},
			"X-Total": {"950"}, "X-Total-Pages": {"10"},
			"Link": {`<` + base + `?page=1&per_page=100>; rel="prev", <` + base + `?page=3&per_page=100>; rel="next", ` +
				`<` + base + `?page=1&per_page=100>; rel="first", <` + base + `?page=10&per_page=100>; rel="last"`},
		},
		"keyset": {"Link": {`<` + base + `/7/jobs?cursor=eyJpZCI6IjQyIn0%3D&pagination=keyset&per_page=100>; rel="next"`}},
	}
	for name, h := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			r := &Response{Response: &http.Response{Header: h}}
			for b.Loop() {
				parsePagination(r)
			}
		})
	}
}

// BenchmarkPaginate walks 1,000 pages of 100 items with a 10µs fetch latency.
// The latency spins instead of sleeping: timers here are about 1 ms coarse.
func BenchmarkPaginate(b *testing.B) {
	ps := makePages(1000, 100)
	fetch := func(_ context.Context, p pageRequest) ([]int, *Response, error) {
		for start := time.Now(); time.Since(start) < 10*time.Microsecond; {
			runtime.Gosched()
		}
		r := &Response{CurrentPage: p.Page, TotalPages: len(ps)}
		if p.Page < len(ps) {
			r.NextPage = p.Page + 1
		}
		return ps[p.Page-1], r, nil
	}
	for _, conc := range []int{1, 4} {
		b.Run(fmt.Sprint("concurrency=", conc), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for _, err := range paginate(b.Context(), conc, pageRequest{Page: 1}, fetch) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != 100_000 {
					b.Fatalf("got %d items", n)
				}
			}
		})
	}
}
