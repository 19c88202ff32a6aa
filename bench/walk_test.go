package bench

import (
	"runtime"
	"strconv"
	"testing"
	"time"
)

// BenchmarkWalk10k walks 10,000 runners, 100 per page (100 requests), with
// each contender. Targets for glrunners, against clientgo: time <= 0.45x
// (issue 16; issue 8 set 0.6x), B/op <= 0.5x, allocs/op <= 1.5x.
func BenchmarkWalk10k(b *testing.B) {
	srv := newFleetServer(b, serverConfig{runners: 10000})
	for _, cs := range contenders {
		b.Run("impl="+cs.name, func(b *testing.B) {
			c := cs.mustMake(b, srv.URL, setup{})
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				if _, err := checkedWalk(b.Context(), srv, c, cs.decodes); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkWalkLatency walks 100 pages that each take the server 20 ms,
// one page at a time and with WithPageConcurrency(8); items must still come
// in server order. Target: conc=8 wall time <= 0.16x conc=1 (1/8 is the
// limit). clientgo, which fetches one page at a time, is the reference.
func BenchmarkWalkLatency(b *testing.B) {
	srv := newFleetServer(b, serverConfig{runners: 10000, latency: 20 * time.Millisecond})
	for _, run := range []struct {
		impl string
		conc int
	}{{"clientgo", 1}, {"glrunners", 1}, {"glrunners", 8}} {
		b.Run("impl="+run.impl+"/conc="+strconv.Itoa(run.conc), func(b *testing.B) {
			cs := contenderNamed(b, run.impl)
			c := cs.mustMake(b, srv.URL, setup{pageConcurrency: run.conc})
			var held int64
			b.ReportAllocs()
			for b.Loop() {
				res, err := checkedWalk(b.Context(), srv, c, cs.decodes)
				if err != nil {
					b.Fatal(err)
				}
				held = max(held, res.maxPagesHeld)
			}
			b.ReportMetric(float64(held), "max-pages-held")
		})
	}
}

// BenchmarkWalkHeap walks 10,000 and 100,000 runners with glrunners and
// records the peak heap of each walk (mean over walks), the peak live heap,
// and the most pages held at once. Past 10,000 runners the server omits
// X-Total, so conc=8 keeps one page ahead instead of opening a window.
// Targets: 100k peak heap <= 1.2x the 10k walk's; pages held <= conc+2.
func BenchmarkWalkHeap(b *testing.B) {
	cs := contenderNamed(b, "glrunners")
	for _, conc := range []int{1, 8} {
		for _, fleet := range []int{10000, 100000} {
			b.Run("impl=glrunners/conc="+strconv.Itoa(conc)+"/fleet="+strconv.Itoa(fleet/1000)+"k", func(b *testing.B) {
				srv := newFleetServer(b, serverConfig{runners: fleet})
				c := cs.mustMake(b, srv.URL, setup{pageConcurrency: conc})
				var heap, live uint64
				var held int64
				b.ReportAllocs()
				for b.Loop() {
					b.StopTimer()
					runtime.GC() // every walk starts from the same heap
					s := startHeapSampler()
					b.StartTimer()
					res, err := checkedWalk(b.Context(), srv, c, cs.decodes)
					b.StopTimer()
					p := s.peaks()
					b.StartTimer()
					if err != nil {
						b.Fatal(err)
					}
					heap, live = heap+p.heap, live+p.live
					held = max(held, res.maxPagesHeld)
				}
				b.ReportMetric(float64(heap)/float64(b.N), "peak-heap-B")
				b.ReportMetric(float64(live)/float64(b.N), "peak-live-B")
				b.ReportMetric(float64(held), "max-pages-held")
			})
		}
	}
}
