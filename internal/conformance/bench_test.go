package conformance

import (
	"fmt"
	"testing"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

// BenchmarkListAllIter walks a 10,000-runner fleet on the fake, whose list
// answers take 5 ms (a modest real-world round trip), sequentially and
// with pages fetched ahead in parallel. The ratio of the two is what
// WithPageConcurrency buys a fleet-wide scan.
func BenchmarkListAllIter(b *testing.B) {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	for i := range 10_000 {
		srv.AddRunner(glrunnerstest.Runner{Description: fmt.Sprintf("r-%05d", i), Status: "online"})
	}
	srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/runners/all", Latency: 5 * time.Millisecond, Times: glrunnerstest.Always})
	for _, n := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("concurrency=%d", n), func(b *testing.B) {
			c, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()), glrunners.WithPageConcurrency(n))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				count := 0
				for _, err := range c.Runners.ListAllIter(b.Context(), nil) {
					if err != nil {
						b.Fatal(err)
					}
					count++
				}
				if count != 10_000 {
					b.Fatalf("got %d runners", count)
				}
			}
		})
	}
}
