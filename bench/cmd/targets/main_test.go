package main

import (
	"strings"
	"testing"
)

const twoRounds = `goos: linux
BenchmarkGet/impl=clientgo-2     	   20000	     60000 ns/op	   9000 B/op	     120 allocs/op
BenchmarkGet/impl=glrunners-2    	   20000	     48000 ns/op	   8000 B/op	     100 allocs/op
BenchmarkGets1000/impl=glrunners-2 	 3	 400000000 ns/op	 1.000 max-conns	 21659232 B/op	  239174 allocs/op
BenchmarkRatio/work=get-2 	 100	 9000000 ns/op	 0.9000 glrunners-time-x	 0.8000 glrunners-cpu-x
PASS
BenchmarkGet/impl=clientgo-2     	   20000	     90000 ns/op	   9000 B/op	     120 allocs/op
BenchmarkGet/impl=glrunners-2    	   20000	     81000 ns/op	   8000 B/op	     100 allocs/op
BenchmarkRatio/work=get-2 	 100	 9000000 ns/op	 0.8000 glrunners-time-x	 0.7000 glrunners-cpu-x
BenchmarkGets1000/impl=glrunners-2 	 3	 400000000 ns/op	 2.000 max-conns	 21659232 B/op	  239174 allocs/op
`

func TestRatio_pairsRounds(t *testing.T) {
	r, err := parse(strings.NewReader(twoRounds))
	if err != nil {
		t.Fatal(err)
	}
	// Round ratios 0.8 and 0.9: their median, not 81000/60000 or the
	// ratio of the medians.
	s, ok := r.ratio("Get/impl=glrunners", "Get/impl=clientgo", "ns/op")
	if !ok || s.n != 2 || s.lo != 0.8 || s.hi != 0.9 || s.median < 0.8499 || s.median > 0.8501 {
		t.Fatalf("ratio %+v, %v", s, ok)
	}
	if v, ok := r.value("Gets1000/impl=glrunners", "max-conns"); !ok || v.median != 1.5 || v.hi != 2 {
		t.Fatalf("max-conns %+v, %v", v, ok)
	}
}

func TestReport_judgesTargets(t *testing.T) {
	r, _ := parse(strings.NewReader(twoRounds))
	var out strings.Builder
	failed := report(&out, r)
	r["Gets1000/impl=glrunners"]["max-conns"][0] = 3 // the worst round counts
	var worse strings.Builder
	if report(&worse, r) != failed+1 || !strings.Contains(worse.String(), "| TCP connections, 1,000 Gets | 2.500 [2.000–3.000] | ≤ 2.000 | **not met** |") {
		t.Errorf("3 connections in one round passed:\n%s", worse.String())
	}
	for _, want := range []string{
		"| Get time vs client-go (interleaved) | 0.850 [0.800–0.900] | ≤ 0.850 | met |",
		"| Get glrunners | 0.850 [0.800–0.900] | 0.750 [0.700–0.800] | 0.850 [0.800–0.900] | 0.889 [0.889–0.889] | 0.833 [0.833–0.833] |",
		"| Get allocs vs client-go | 0.833 [0.833–0.833] | < 1.000 | met |",
		"| TCP connections, 1,000 Gets | 1.500 [1.000–2.000] | ≤ 2.000 | met |",
		"| walk 10k time vs client-go (interleaved) | – | ≤ 0.450 | missing |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if failed != len(targets)-3 {
		t.Errorf("%d targets failed, want all but the 3 measured", failed)
	}
}
