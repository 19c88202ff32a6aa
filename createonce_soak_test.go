package glrunners

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// callHeader tags every request of one CreateOnce call, so that the fault
// proxy can count requests per call.
const callHeader = "X-Once-Call"

// The ways the fault proxy breaks a create or a token reset. All but the
// first let the fake apply the request, then lose its answer; the last
// answers 502 at once and hands the request to the fake only later, a
// commit that lands after the proxy gave up.
var proxyFaults = []string{"502 before applying", "502 after applying", "reset after applying", "2xx body cut off", "502, applied later"}

// Lagging commits land between 10 and 150 ms after their 502, inside the
// soak's settle window of 400 ms with a margin for a loaded machine.
const (
	soakLagMin, soakLagMax = 10 * time.Millisecond, 150 * time.Millisecond
	soakSettle             = 400 * time.Millisecond
)

// faultProxy is a reverse proxy on loopback in front of the fake. It breaks
// a share of the POSTs that create runners or reset their tokens, chosen
// at random, and counts the requests of each call.
type faultProxy struct {
	ts   *httptest.Server
	rp   *httputil.ReverseProxy
	rate float64
	seed uint64

	late sync.WaitGroup // requests handed to the fake after their 502

	mu       sync.Mutex
	rng      *rand.Rand
	perCall  map[string]int
	injected map[string]int
	urlLeaks []string // URLs that held something token-shaped
}

func newFaultProxy(target string, rate float64, seed uint64) *faultProxy {
	u, err := url.Parse(target)
	if err != nil {
		panic(err)
	}
	p := &faultProxy{
		rp:   httputil.NewSingleHostReverseProxy(u),
		rate: rate, seed: seed, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		perCall: map[string]int{}, injected: map[string]int{},
	}
	p.ts = httptest.NewServer(p)
	return p
}

func (p *faultProxy) Close() { p.late.Wait(); p.ts.Close() }

func (p *faultProxy) faultable(r *http.Request) bool {
	return r.Method == http.MethodPost &&
		(r.URL.Path == "/api/v4/user/runners" || strings.HasSuffix(r.URL.Path, "/reset_authentication_token"))
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fault, lag := "", time.Duration(0)
	p.mu.Lock()
	p.perCall[r.Header.Get(callHeader)]++
	if tokenShapePattern.MatchString(r.URL.String()) {
		p.urlLeaks = append(p.urlLeaks, r.URL.Path)
	}
	if p.faultable(r) && p.rng.Float64() < p.rate {
		kinds := proxyFaults
		if r.URL.Path != "/api/v4/user/runners" {
			kinds = kinds[:len(kinds)-1] // a late reset is another story: lagging commits are creates
		}
		fault = kinds[p.rng.IntN(len(kinds))]
		p.injected[fault]++
		lag = soakLagMin + time.Duration(p.rng.Int64N(int64(soakLagMax-soakLagMin)))
	}
	p.mu.Unlock()
	if fault == "" {
		p.rp.ServeHTTP(w, r)
		return
	}
	if fault == "502 before applying" {
		writeJSON(w, http.StatusBadGateway, `{"message":"502 Bad Gateway"}`)
		return
	}
	if fault == "502, applied later" {
		p.applyLater(r, lag)
		writeJSON(w, http.StatusBadGateway, `{"message":"502 Bad Gateway"}`)
		return
	}
	applied := httptest.NewRecorder()
	p.rp.ServeHTTP(applied, r)
	switch fault {
	case "502 after applying":
		writeJSON(w, http.StatusBadGateway, `{"message":"502 Bad Gateway"}`)
	case "reset after applying":
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // RST, not FIN
		}
		_ = conn.Close()
	default: // the status and half the body, then the connection drops
		body := applied.Body.Bytes()
		w.Header().Set("Content-Type", applied.Header().Get("Content-Type"))
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(applied.Code)
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
}

// applyLater sends r to the fake after lag, on its own, as a GitLab still
// committing after the proxy in front of it gave up.
func (p *faultProxy) applyLater(r *http.Request, lag time.Duration) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		panic(err)
	}
	later := r.Clone(context.Background()) // r's context ends with this answer
	p.late.Add(1)
	go func() {
		defer p.late.Done()
		time.Sleep(lag)
		later.Body = io.NopCloser(bytes.NewReader(body))
		p.rp.ServeHTTP(httptest.NewRecorder(), later)
	}()
}

// soakResult is what one CreateOnce call of the soak returned.
type soakResult struct {
	id       string // the call's description, unique in the soak
	reg      *RunnerRegistration
	err      error
	verifyOK bool
	took     time.Duration // the CreateOnce call's wall time
}

// TestCreateOnce_soak runs 8 goroutines × 200 CreateOnce calls (25 with
// -short) through a proxy that breaks 30% of the creates and token resets,
// a fifth of those with a commit that lands 10 to 150 ms after the 502.
// The client retries fast (5 to 80 ms, the policy of issue 15's finding 4);
// the settle window is shortened to 400 ms so that the soak stays quick,
// still longer than every lag.
// Afterwards every runner in the fake must belong to exactly one call:
// each success to its own runner with the asked fields and a working
// token, each ErrRunnerUnrecovered to the IDs in its error, and nothing to
// an ErrNotCreated. It logs the extra requests per call.
func TestCreateOnce_soak(t *testing.T) {
	t.Parallel()
	const workers, faultRate = 8, 0.30
	perWorker := 200
	if testing.Short() {
		perWorker = 25
	}
	f := newOnceFake()
	defer f.srv.Close()
	seed := uint64(time.Now().UnixNano())
	proxy := newFaultProxy(f.srv.URL(), faultRate, seed)
	defer proxy.Close()
	var logs logCapture
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := NewClient(proxy.ts.URL, WithToken(f.token), WithLogger(logger),
		WithRetry(autoscalerRetry), WithSettleWindow(soakSettle))
	require.NoError(t, err)
	direct := f.client()

	results := make([]soakResult, workers*perWorker)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				res := soakResult{id: fmt.Sprintf("soak-%d-%03d", w, i)}
				start := time.Now()
				res.reg, _, res.err = c.Runners.CreateOnce(context.Background(), f.onceOptions(res.id), WithHeader(callHeader, res.id))
				res.took = time.Since(start)
				if res.err == nil {
					// Verify now: the runner then counts as contacted and
					// drops out of the never-contacted lists other calls walk.
					got, _, err := direct.Runners.Verify(context.Background(), &VerifyRunnerOptions{Token: res.reg.Token, SystemID: "s_soak"})
					res.verifyOK = err == nil && got.ID == res.reg.ID
				}
				results[w*perWorker+i] = res
			}
		}()
	}
	wg.Wait()
	proxy.late.Wait() // every lagging commit has landed
	checkSoak(t, f, proxy, results, logs.String())
}

// checkSoak accounts for every runner in the fake and logs the numbers.
func checkSoak(t *testing.T, f *onceFake, proxy *faultProxy, results []soakResult, logs string) {
	t.Helper()
	byCall := map[string][]glrunnerstest.Runner{}
	var tokens []string
	for _, r := range f.projectRunners() {
		id := r.Description
		if base, marked := markedBase(id); marked {
			id = base
		}
		byCall[id] = append(byCall[id], r)
		tokens = append(tokens, r.Token)
	}
	outcomes := map[string]int{}
	accounted, duplicates, lost := 0, 0, 0
	var extra []int
	var took []time.Duration
	for _, res := range results {
		extra = append(extra, proxy.perCall[res.id]-1)
		took = append(took, res.took)
		got := byCall[res.id]
		var ids []int64
		for _, r := range got {
			ids = append(ids, r.ID)
		}
		var unrecovered *CreateOnceError
		switch {
		case res.err == nil:
			outcomes["success"]++
			assert.True(t, res.verifyOK, "%s: the returned token does not verify", res.id)
			if assert.Equal(t, []int64{res.reg.ID}, ids, "%s: runners of the call", res.id) {
				f.assertAsAsked(t, res.reg.ID, f.onceOptions(res.id))
			}
		case errors.Is(res.err, ErrNotCreated):
			outcomes["not created"]++
			assert.Empty(t, ids, "%s: ErrNotCreated but runners exist: %v", res.id, res.err)
		case errors.As(res.err, &unrecovered) && errors.Is(res.err, ErrRunnerUnrecovered):
			outcomes["unrecovered"]++
			assert.ElementsMatch(t, unrecovered.RunnerIDs, ids, "%s: runners named in the error", res.id)
		default:
			outcomes["other"]++
			assert.Fail(t, "unexpected error", "%s: %v", res.id, res.err)
		}
		accounted += len(got)
		if res.err == nil && len(got) > 1 {
			duplicates += len(got) - 1
		}
		if res.err != nil {
			for _, tok := range tokens {
				assert.NotContains(t, res.err.Error(), tok, "%s: token in the error", res.id)
			}
		}
	}
	lost = len(f.projectRunners()) - accounted
	assert.Zero(t, duplicates, "duplicate runners")
	assert.Zero(t, lost, "runners belonging to no call")
	assert.Empty(t, proxy.urlLeaks, "token-shaped strings in URLs")
	for _, tok := range tokens {
		if !assert.NotContains(t, logs, tok, "a token reached the log") {
			break
		}
	}
	slices.Sort(extra)
	t.Logf("%d calls, seed %d; faults injected: %v; outcomes: %v; runners in the fake: %d; duplicates %d, lost %d",
		len(results), proxy.seed, proxy.injected, outcomes, len(f.projectRunners()), duplicates, lost)
	t.Logf("extra requests per call: median %d, p90 %d, p99 %d, max %d",
		extra[len(extra)/2], extra[len(extra)*90/100], extra[len(extra)*99/100], extra[len(extra)-1])
	slices.Sort(took)
	t.Logf("wall time per call: median %s, p90 %s, p99 %s, max %s", took[len(took)/2].Round(time.Millisecond),
		took[len(took)*90/100].Round(time.Millisecond), took[len(took)*99/100].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond))
}
