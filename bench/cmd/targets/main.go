// Command targets reads `go test -bench` output from this module (one or
// more rounds, appended) and prints, as Markdown, each ratio issues 8 and 16 set a
// target for, and glrunners, raw and floor against client-go.
//
// A ratio is taken within each round, between results measured minutes
// apart in one process, then summarised as the median over rounds with the
// range; on a shared machine that is steadier than a ratio of two medians
// taken over the whole run. Round k is the k-th result of each benchmark.
//
// Usage: go run ./cmd/targets results/after.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// results maps benchmark name (without the -GOMAXPROCS suffix) and unit to
// the values in round order.
type results map[string]map[string][]float64

var procsSuffix = regexp.MustCompile(`-\d+$`)

func parse(r io.Reader) (results, error) {
	res := results{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue // not a result line
		}
		name := procsSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		if res[name] == nil {
			res[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: value %q: %w", name, f[i], err)
			}
			res[name][f[i+1]] = append(res[name][f[i+1]], v)
		}
	}
	return res, sc.Err()
}

// summary is a per-round ratio (or a plain value) over rounds.
type summary struct {
	median, lo, hi float64
	n              int
}

func summarise(vs []float64) (summary, bool) {
	if len(vs) == 0 {
		return summary{}, false
	}
	s := slices.Sorted(slices.Values(vs))
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return summary{m, s[0], s[len(s)-1], len(s)}, true
}

// ratio is num/den per round, paired by round.
func (r results) ratio(num, den, unit string) (summary, bool) {
	a, b := r[num][unit], r[den][unit]
	var vs []float64
	for i := range min(len(a), len(b)) {
		if b[i] != 0 {
			vs = append(vs, a[i]/b[i])
		}
	}
	return summarise(vs)
}

func (r results) value(name, unit string) (summary, bool) { return summarise(r[name][unit]) }

func (s summary) String() string {
	switch s.n {
	case 0:
		return "–"
	case 1:
		return trim(s.median)
	}
	return fmt.Sprintf("%s [%s–%s]", trim(s.median), trim(s.lo), trim(s.hi))
}

func trim(v float64) string {
	if v >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// target is one line of the targets of issues 8 and 16: num/den per
// round when den is set, else the value num reports (itself a ratio, or a
// bound when bound is set). It must not pass limit or, with strict, must
// stay below it.
type target struct {
	what, num, den, unit string
	limit                float64
	strict, bound        bool
}

var targets = []target{
	{what: "walk 10k time vs client-go (interleaved)", num: "Ratio/work=walk10k", unit: "glrunners-time-x", limit: 0.45},
	{what: "walk 10k bytes vs client-go", num: "Walk10k/impl=glrunners", den: "Walk10k/impl=clientgo", unit: "B/op", limit: 0.5},
	{what: "walk 10k allocs vs client-go", num: "Walk10k/impl=glrunners", den: "Walk10k/impl=clientgo", unit: "allocs/op", limit: 1.5},
	{what: "Get time vs client-go (interleaved)", num: "Ratio/work=get", unit: "glrunners-time-x", limit: 0.85},
	{what: "Get allocs vs client-go", num: "Get/impl=glrunners", den: "Get/impl=clientgo", unit: "allocs/op", limit: 1, strict: true},
	{what: "latency walk, conc 8 vs 1", num: "WalkLatency/impl=glrunners/conc=8", den: "WalkLatency/impl=glrunners/conc=1", unit: "ns/op", limit: 0.16},
	{what: "peak heap 100k vs 10k, conc 1", num: "WalkHeap/impl=glrunners/conc=1/fleet=100k", den: "WalkHeap/impl=glrunners/conc=1/fleet=10k", unit: "peak-heap-B", limit: 1.2},
	{what: "peak heap 100k vs 10k, conc 8", num: "WalkHeap/impl=glrunners/conc=8/fleet=100k", den: "WalkHeap/impl=glrunners/conc=8/fleet=10k", unit: "peak-heap-B", limit: 1.2},
	{what: "pages held, 100k, conc 1", num: "WalkHeap/impl=glrunners/conc=1/fleet=100k", unit: "max-pages-held", limit: 3, bound: true},
	{what: "pages held, 100k, conc 8", num: "WalkHeap/impl=glrunners/conc=8/fleet=100k", unit: "max-pages-held", limit: 10, bound: true},
	{what: "pages held, 10k, conc 8", num: "WalkHeap/impl=glrunners/conc=8/fleet=10k", unit: "max-pages-held", limit: 10, bound: true},
	{what: "kept runner's memory vs encoding/json's", num: "KeptRunners/impl=glrunners", den: "KeptRunners/impl=encoding-json", unit: "kept-KB/runner", limit: 2},
	{what: "TCP connections, 1,000 Gets", num: "Gets1000/impl=glrunners", unit: "max-conns", limit: 2, bound: true},
}

func (r results) measure(t target) (summary, bool) {
	if t.den != "" {
		return r.ratio(t.num, t.den, t.unit)
	}
	return r.value(t.num, t.unit)
}

func report(w io.Writer, r results) (failed int) {
	fmt.Fprintln(w, "| target | measured: median [range] over rounds | limit | |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, t := range targets {
		s, ok := r.measure(t)
		verdict := "missing"
		if ok {
			// A ratio is judged on its median round, a bound on its worst;
			// both as printed, to 3 decimals.
			got := s.median
			if t.bound {
				got = s.hi
			}
			got = math.Round(got*1000) / 1000
			verdict = "met"
			if got > t.limit || (t.strict && got >= t.limit) {
				verdict = "**not met**"
			}
		}
		if verdict != "met" {
			failed++
		}
		op := "≤"
		if t.strict {
			op = "<"
		}
		fmt.Fprintf(w, "| %s | %s | %s %s | %s |\n", t.what, s, op, trim(t.limit), verdict)
	}
	fmt.Fprintln(w, "\nRatios are judged on their median round, bounds (pages held, connections) on their worst.")

	fmt.Fprintln(w)
	fmt.Fprintln(w, "| vs client-go | time (interleaved) | CPU time (interleaved) | time (own benchmark) | bytes | allocs |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, bench := range [...]struct{ own, ratio string }{{"Walk10k", "walk10k"}, {"Get", "get"}} {
		for _, impl := range []string{"floor", "raw", "glrunners"} {
			row := fmt.Sprintf("| %s %s |", bench.own, impl)
			for _, unit := range []string{"-time-x", "-cpu-x"} {
				s, _ := r.value("Ratio/work="+bench.ratio, impl+unit)
				row += " " + s.String() + " |"
			}
			for _, unit := range []string{"ns/op", "B/op", "allocs/op"} {
				s, _ := r.ratio(bench.own+"/impl="+impl, bench.own+"/impl=clientgo", unit)
				row += " " + s.String() + " |"
			}
			fmt.Fprintln(w, row)
		}
	}
	return failed
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: targets BENCH_OUTPUT")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	r, err := parse(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if n := report(os.Stdout, r); n > 0 {
		fmt.Fprintf(os.Stdout, "\n%d of %d targets not met\n", n, len(targets))
	}
}
