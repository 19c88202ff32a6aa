package bench

import (
	"context"
	"fmt"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
)

// reportCPU reports the process CPU time per op since start, taken by
// processCPU before the loop. On a machine shared with other work, wall time
// also counts time spent waiting for a core; CPU time does not, so its
// ratios are steadier. It includes the server's share, as ns/op does.
func reportCPU(b *testing.B, start time.Duration) {
	if now := processCPU(); start > 0 && now > start {
		b.ReportMetric(float64(now-start)/float64(b.N), "cpu-ns/op")
	}
}

// walkResult is what one checked walk saw.
type walkResult struct {
	maxPagesHeld int64 // most list pages requested and not yet fully consumed, seen at any item
}

// heldMeter counts the list pages a client holds during one walk, as the
// server sees it: pages requested whose items the consumer has not all taken
// (the page being consumed plus those asked for ahead of it). It looks when
// a request arrives and when the consumer takes an item. A request still on
// its way is not seen, so with a consumer as fast as the benchmarks' a page
// fetched one ahead often arrives after the previous one was consumed.
type heldMeter struct {
	req, consumed, most atomic.Int64
}

func (m *heldMeter) reset() { m.req.Store(0); m.consumed.Store(0); m.most.Store(0) }

func (m *heldMeter) requested() { m.note(m.req.Add(1) - m.consumed.Load()) }

// took records that the consumer took runner id, the last of its page when
// last is set.
func (m *heldMeter) took(last bool) {
	m.note(m.req.Load() - m.consumed.Load())
	if last {
		m.consumed.Add(1)
	}
}

func (m *heldMeter) note(held int64) {
	for most := m.most.Load(); held > most && !m.most.CompareAndSwap(most, held); most = m.most.Load() {
	}
}

// checkedWalk walks srv's fleet with c and fails unless it fetched every
// page exactly once and, for a decoding contender, yielded ids 1..n in
// server order. Only a decoding contender's pages held are known.
func checkedWalk(ctx context.Context, srv *fleetServer, c contender, decodes bool) (walkResult, error) {
	n := int64(srv.cfg.runners)
	pages := (n + perPage - 1) / perPage
	req0 := srv.pagesReq.Load()
	srv.held.reset()
	next := int64(1)
	var orderErr error
	err := c.walk(ctx, func(id int64) {
		if id != next && orderErr == nil {
			orderErr = fmt.Errorf("item %d has id %d: not in server order", next, id)
		}
		next++
		srv.held.took(id%perPage == 0 || id == n)
	})
	var res walkResult
	if decodes {
		res.maxPagesHeld = srv.held.most.Load()
	}
	switch got := srv.pagesReq.Load() - req0; {
	case err != nil:
		return res, err
	case orderErr != nil:
		return res, orderErr
	case decodes && next-1 != n:
		return res, fmt.Errorf("walk yielded %d runners, want %d", next-1, n)
	case got != pages:
		return res, fmt.Errorf("walk requested %d pages, want %d", got, pages)
	}
	return res, nil
}

// heapSampler records the peak of the heap while it runs: heap-object bytes
// (live and not yet swept, what the process holds; sampled every 200 µs and
// once more at stop) and the live heap the GC marked.
type heapSampler struct {
	stop chan struct{}
	done chan heapPeaks
}

type heapPeaks struct{ heap, live uint64 }

var heapMetrics = []string{"/memory/classes/heap/objects:bytes", "/gc/heap/live:bytes"}

func startHeapSampler() *heapSampler {
	s := &heapSampler{stop: make(chan struct{}), done: make(chan heapPeaks, 1)}
	go func() {
		samples := make([]metrics.Sample, len(heapMetrics))
		for i, name := range heapMetrics {
			samples[i].Name = name
		}
		var p heapPeaks
		read := func() {
			metrics.Read(samples)
			p.heap = max(p.heap, samples[0].Value.Uint64())
			p.live = max(p.live, samples[1].Value.Uint64())
		}
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-t.C:
			case <-s.stop:
				read()
				s.done <- p
				return
			}
		}
	}()
	return s
}

func (s *heapSampler) peaks() heapPeaks {
	close(s.stop)
	return <-s.done
}
