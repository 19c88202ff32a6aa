package bench

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkRatio measures the time ratios of issue 8 where noise from other
// work on a shared machine hurts them least: each op runs every contender
// once, in turn (the order reversed every other op), so the contenders
// compared are measured milliseconds apart, not seconds. It reports, for
// each contender, its wall time and process CPU time as a multiple of
// client-go's over all ops. Allocations are not split per contender here:
// they do not depend on load, and BenchmarkWalk10k and BenchmarkGet report
// them. work=walk10k is one 10,000-runner walk; work=get is 50 Gets.
func BenchmarkRatio(b *testing.B) {
	srv := newFleetServer(b, serverConfig{runners: 10000})
	for _, work := range []struct {
		name string
		run  func(b *testing.B, cs contenderSpec, c contender)
	}{
		{"walk10k", func(b *testing.B, cs contenderSpec, c contender) {
			if _, err := checkedWalk(b.Context(), srv, c, cs.decodes); err != nil {
				b.Fatal(err)
			}
		}},
		{"get", func(b *testing.B, cs contenderSpec, c contender) {
			for range 50 {
				id, status, err := c.get(b.Context(), detailsID)
				if err != nil || status != 200 || (cs.decodes && id != detailsID) {
					b.Fatalf("%s get: id %d, status %d, err %v", cs.name, id, status, err)
				}
			}
		}},
	} {
		b.Run("work="+work.name, func(b *testing.B) {
			cs := slices.Clone(contenders)
			cl := make([]contender, len(cs))
			for i := range cs {
				cl[i] = cs[i].mustMake(b, srv.URL, setup{})
				work.run(b, cs[i], cl[i]) // warm: connections open, pools filled
			}
			wall := make([]time.Duration, len(cs))
			cpu := make([]time.Duration, len(cs))
			order := make([]int, len(cs))
			for i := range order {
				order[i] = i
			}
			for b.Loop() {
				for _, i := range order {
					t0, c0 := time.Now(), processCPU()
					work.run(b, cs[i], cl[i])
					cpu[i] += processCPU() - c0
					wall[i] += time.Since(t0)
				}
				slices.Reverse(order)
			}
			base := slices.IndexFunc(cs, func(c contenderSpec) bool { return c.name == "clientgo" })
			for i, c := range cs {
				if i == base {
					continue
				}
				b.ReportMetric(float64(wall[i])/float64(wall[base]), c.name+"-time-x")
				if cpu[base] > 0 {
					b.ReportMetric(float64(cpu[i])/float64(cpu[base]), c.name+"-cpu-x")
				}
			}
		})
	}
}
