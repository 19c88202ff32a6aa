package main

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
)

// BenchmarkCollect measures the walk and the fan-out on the fake GitLab:
// 10,000 runners with 2 managers each, every answer 5 ms late, at
// concurrency 1, 4, 8 and 16. Besides ns/op (the wall time of one whole
// collection) it reports:
//
//	requests/op  requests sent (probe, list pages, managers, details)
//	req/s        requests per second of wall time
//	peak-MB      the most the heap grew above its level before the run,
//	             garbage included (the fake's garbage too: it runs in the
//	             same process)
//	kept-MB      what the collected fleet holds once garbage is collected
//
// Run it with:
//
//	go test -run XXX -bench Collect -benchtime 1x ./examples/fleet-report
//
// (-short: 1,000 runners.)
func BenchmarkCollect(b *testing.B) {
	shape := fleetShape{runners: 10000, managers: 2, seed: 1}
	if testing.Short() {
		shape.runners = 1000
	}
	benchCollect(b, shape, []int{1, 4, 8, 16})
}

// BenchmarkCollectNoTotals is the same past 10,000 runners, where GitLab
// stops sending X-Total: pages can no longer be fetched ahead in
// parallel, only one at a time ahead of the reader.
func BenchmarkCollectNoTotals(b *testing.B) {
	shape := fleetShape{runners: 12000, managers: 2, seed: 1}
	if testing.Short() {
		b.Skip("-short")
	}
	benchCollect(b, shape, []int{16})
}

func benchCollect(b *testing.B, shape fleetShape, concurrencies []int) {
	d := startDemo(shape)
	defer d.close()
	d.srv.AddFault(glrunnerstest.Fault{Latency: 5 * time.Millisecond, Times: glrunnerstest.Always})
	for _, n := range concurrencies {
		b.Run(fmt.Sprintf("runners=%d/concurrency=%d", shape.runners, n), func(b *testing.B) {
			var requests int64
			var took time.Duration
			var peak, kept uint64
			for b.Loop() {
				client, counter, err := newClient(d.srv.URL(), d.adminToken, config{concurrency: n})
				if err != nil {
					b.Fatal(err)
				}
				cl := &collector{c: client, gitlab: d.srv.URL(), concurrency: n}
				base := heapAfterGC()
				stop := watchHeap()
				began := time.Now()
				f, err := cl.collect(b.Context())
				took += time.Since(began)
				high := stop()
				if err != nil {
					b.Fatal(err)
				}
				if len(f.Runners) != shape.runners {
					b.Fatalf("collected %d runners, want %d", len(f.Runners), shape.runners)
				}
				requests += counter.n.Load()
				peak = max(peak, high-min(high, base))
				kept = max(kept, heapAfterGC()-min(heapAfterGC(), base))
				runtime.KeepAlive(f)
			}
			b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
			b.ReportMetric(float64(requests)/took.Seconds(), "req/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
			b.ReportMetric(float64(kept)/(1<<20), "kept-MB")
		})
	}
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func heapBytes() uint64 {
	metrics.Read(heapSample)
	return heapSample[0].Value.Uint64()
}

func heapAfterGC() uint64 {
	runtime.GC()
	return heapBytes()
}

// watchHeap samples the heap every millisecond until the returned stop
// is called, which returns the highest sample.
func watchHeap() (stop func() uint64) {
	done := make(chan struct{})
	var high uint64
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			high = max(high, heapBytes())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return max(high, heapBytes())
	}
}
