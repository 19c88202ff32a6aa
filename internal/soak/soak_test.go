package soak_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/glrunners/glrunners/internal/soak"
	"github.com/stretchr/testify/require"
)

var soakSeed = flag.Uint64("soak.seed", 1, "seed of the soak's operation mix and fault plan")

// soakConfig sizes one soak run.
type soakConfig struct {
	workers, ops   int
	faultRate      float64
	dropEvery      int // every n-th accepted connection is reset at once
	refuseEvery    int // every n-th dial is refused
	seededRunners  int // runners nobody owns, so lists span pages
	runnersEach    int // runners each worker starts with
	opTimeout      time.Duration
	maxIdlePerHost int
}

var (
	fullSoak  = soakConfig{workers: 16, ops: 2000, faultRate: 0.2, dropEvery: 12, refuseEvery: 10, seededRunners: 200, runnersEach: 3, opTimeout: time.Minute, maxIdlePerHost: 8}
	shortSoak = soakConfig{workers: 4, ops: 200, faultRate: 0.2, dropEvery: 6, refuseEvery: 5, seededRunners: 120, runnersEach: 3, opTimeout: time.Minute, maxIdlePerHost: 2}
)

// retryPolicy rides out a 20% fault rate: 8 retries make an idempotent
// call that fails every attempt vanishingly rare, and MaxRetryAfter lets
// the proxy's "Retry-After: 1" be honoured.
var retryPolicy = glrunners.RetryPolicy{MaxRetries: 8, WaitMin: 2 * time.Millisecond, WaitMax: 40 * time.Millisecond, MaxRetryAfter: 3 * time.Second}

// TestSoak runs many goroutines sharing one client through a proxy that
// faults a fifth of the requests, then holds every call's outcome against
// the ledger of what the server did: no duplicate runner, no double
// rotation, every unknown POST outcome matching ErrOutcomeUnknown and no
// other failure matching it, every value complete, no goroutine left.
// With -short it runs a small version.
func TestSoak(t *testing.T) {
	cfg := fullSoak
	if testing.Short() {
		cfg = shortSoak
	}
	baseline := runtime.NumGoroutine()
	start := time.Now()

	srv := glrunnerstest.NewServer()
	seeded := seedRunners(srv, cfg)
	before := runnerIDs(srv)
	plan := soak.NewPlan(*soakSeed, cfg.faultRate, cfg.dropEvery, cfg.refuseEvery)
	proxy, err := soak.NewProxy(srv.URL(), plan)
	require.NoError(t, err)
	tr, err := soak.NewClientTransport(plan, cfg.maxIdlePerHost)
	require.NoError(t, err)
	alog := newAttemptLog(tr)
	c, err := glrunners.NewClient(proxy.URL(),
		glrunners.WithToken(srv.AdminToken()),
		glrunners.WithHTTPClient(&http.Client{Transport: alog, Timeout: 30 * time.Second}),
		glrunners.WithRetry(retryPolicy),
		glrunners.WithPageConcurrency(2))
	require.NoError(t, err)

	workers := make([]*worker, cfg.workers)
	var wg sync.WaitGroup
	var panics []string
	var panicMu sync.Mutex
	for i := range workers {
		w := &worker{n: i, c: c, timeout: cfg.opTimeout,
			rng: rand.New(rand.NewPCG(*soakSeed, uint64(i))), runners: seeded[i]}
		workers[i] = w
		ops := cfg.ops / cfg.workers
		if i < cfg.ops%cfg.workers {
			ops++
		}
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					panicMu.Lock()
					panics = append(panics, fmt.Sprintf("worker %d: %v\n%s", w.n, p, debug.Stack()))
					panicMu.Unlock()
				}
			}()
			w.run(t.Context(), ops)
		})
	}
	wg.Wait()
	took := time.Since(start)
	for _, p := range panics {
		t.Errorf("panic: %s", p)
	}

	var results []result
	for _, w := range workers {
		results = append(results, w.results...)
	}
	tl := checkCalls(t, results, proxy.Ledger, alog)
	checkServerState(t, proxy.Ledger, before, runnerIDs(srv))
	stats := plan.Stats()
	logFigures(t, cfg, results, tl, stats, alog, took)
	for _, k := range soak.Kinds() {
		if stats.Faults[k] == 0 {
			t.Errorf("fault kind %q never occurred: the soak did not cover it", k)
		}
	}

	tr.CloseIdleConnections()
	proxy.Close()
	srv.Close()
	checkGoroutines(t, baseline)
}

// seedRunners gives each worker runners with known tokens, and adds
// unowned runners so that listing everything takes several pages.
func seedRunners(srv *glrunnerstest.Server, cfg soakConfig) [][]owned {
	for i := range cfg.seededRunners {
		srv.AddRunner(glrunnerstest.Runner{Description: fmt.Sprintf("fleet-%03d", i), Status: "online", TagList: []string{"fleet"}})
	}
	each := make([][]owned, cfg.workers)
	for w := range each {
		for range cfg.runnersEach {
			id := srv.AddRunner(glrunnerstest.Runner{Description: fmt.Sprintf("worker-%02d", w), Status: "online"})
			each[w] = append(each[w], owned{id: id, token: srv.RunnerToken(id)})
		}
	}
	return each
}

func runnerIDs(srv *glrunnerstest.Server) []int64 {
	var ids []int64
	for _, r := range srv.Runners() {
		ids = append(ids, r.ID)
	}
	return ids
}

// checkGoroutines waits, boundedly, for the goroutine count to come back
// to what it was before the soak, and dumps the survivors if it does not.
func checkGoroutines(t *testing.T, baseline int) {
	t.Helper()
	n := runtime.NumGoroutine()
	for i := 0; i < 100 && n > baseline; i++ {
		time.Sleep(50 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	if n > baseline {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("%d goroutines left over after 5 s (baseline %d):\n%s", n-baseline, baseline, buf)
	}
}

func logFigures(t *testing.T, cfg soakConfig, results []result, tl tally, st soak.Stats, alog *attemptLog, took time.Duration) {
	t.Helper()
	var ops [numOps]int
	var slowest time.Duration
	for _, r := range results {
		ops[r.op]++
		slowest = max(slowest, r.took)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "soak: %d goroutines, %d operations (+%d reconcile lists) in %s; slowest call %s\n",
		cfg.workers, cfg.ops, ops[opReconcile], took.Round(time.Millisecond), slowest.Round(time.Millisecond))
	b.WriteString("  ops by kind:")
	for k := range numOps {
		fmt.Fprintf(&b, " %s=%d", opNames[k], ops[k])
	}
	fmt.Fprintf(&b, "\n  requests at the proxy: %d, request faults: %d (%.1f%%); connections accepted %d, dials %d\n",
		st.Requests, st.Faulted(), 100*float64(st.Faulted())/float64(max(st.Requests, 1)), st.Conns, st.Dials)
	b.WriteString("  faults by kind:")
	kinds := soak.Kinds()
	slices.SortFunc(kinds, func(a, b soak.Kind) int { return st.Faults[b] - st.Faults[a] })
	for _, k := range kinds {
		fmt.Fprintf(&b, " [%s]=%d", k, st.Faults[k])
	}
	retries, refused := alog.retries()
	fmt.Fprintf(&b, "\n  outcomes: ok=%d error=%d unknown=%d (lost DELETE answers seen as 404 on retry: %d); violations=%d\n",
		tl.ok, tl.failed, tl.unknown, tl.lostDeleteAnswers, tl.violations)
	fmt.Fprintf(&b, "  retries: %d (attempts whose dial was refused: %d)", retries, refused)
	t.Log(b.String())
}
