package bench

import (
	"testing"
)

// BenchmarkGet fetches one runner's details (the spec's example: every §4.2
// key, two projects) with each contender. Targets for glrunners, against
// clientgo: time <= 0.85x, fewer allocs/op.
func BenchmarkGet(b *testing.B) {
	srv := newFleetServer(b, serverConfig{})
	for _, cs := range contenders {
		b.Run("impl="+cs.name, func(b *testing.B) {
			c := cs.mustMake(b, srv.URL, setup{})
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				id, status, err := c.get(b.Context(), detailsID)
				if err != nil || status != 200 || (cs.decodes && id != detailsID) {
					b.Fatalf("get: id %d, status %d, err %v", id, status, err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkGets1000 makes 1,000 sequential Gets of ids 1..1000 with a fresh
// client per op; a tenth of them answer 404 and a tenth 500 (retried once
// after 1 ms by every contender), all with GitLab's JSON error bodies. It
// reports the most TCP connections one op opened, counted by the server.
// Target for glrunners: max-conns <= 2.
func BenchmarkGets1000(b *testing.B) {
	srv := newFleetServer(b, serverConfig{mixErrors: true})
	for _, cs := range contenders {
		b.Run("impl="+cs.name, func(b *testing.B) {
			var most int64
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				c := cs.mustMake(b, srv.URL, setup{retryOnce: true})
				conns0 := srv.conns.Load()
				b.StartTimer()
				for id := int64(1); id <= 1000; id++ {
					got, status, err := c.get(b.Context(), id)
					want := srv.wantStatus(id)
					if err != nil || status != want || (cs.decodes && want == 200 && got != detailsID) {
						b.Fatalf("get %d: id %d, status %d (want %d), err %v", id, got, status, want, err)
					}
				}
				b.StopTimer()
				most = max(most, srv.conns.Load()-conns0)
				srv.CloseClientConnections() // the next op's fresh client starts cold
				b.StartTimer()
			}
			b.ReportMetric(float64(most), "max-conns")
		})
	}
}
