package glrunners

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strconv"
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
