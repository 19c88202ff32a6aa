package glrunners

import (
	"context"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
