package glrunners

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The crash test runs the bulk delete in a child process (this test binary,
// re-executed to run TestBulkHelperProcess) that talks to a fake served by
// the parent, and kills it with SIGKILL at random points.

const (
	bulkHelperEnv = "GLRUNNERS_BULK_HELPER" // set in the child: URL, token and checkpoint follow
	bulk50kEnv    = "GLRUNNERS_BULK_50K"    // set: the crash test deletes 50,000 runners, not 5,000
	bulkHeapEnv   = "GLRUNNERS_BULK_HEAP"   // set: TestBulkDelete_peakHeap measures 5k and 50k
)

// bulkChildResult is what the child prints on its last line of output.
type bulkChildResult struct {
	Summary      BulkSummary `json:"summary"`
	Err          string      `json:"err"`
	PeakHeap     uint64      `json:"peak_heap"`      // bytes of heap objects, sampled every ms
	PeakLiveHeap uint64      `json:"peak_live_heap"` // live heap after a GC
}

// TestBulkHelperProcess is the child of the bulk crash and heap tests; run
// alone it skips.
func TestBulkHelperProcess(t *testing.T) {
	if os.Getenv(bulkHelperEnv) == "" {
		t.Skip("the child process of TestBulkDelete_survivesSIGKILL")
	}
	stop := make(chan struct{})
	peaks := make(chan [2]uint64)
	go sampleHeap(stop, peaks)
	c, err := NewClient(os.Getenv("BULK_URL"), WithToken(os.Getenv("BULK_TOKEN")))
	require.NoError(t, err)
	sum, err := c.Runners.Bulk(t.Context(), BulkDelete(), doomed, &BulkOptions{Checkpoint: os.Getenv("BULK_CHECKPOINT"), Concurrency: 8})
	close(stop)
	p := <-peaks
	res := bulkChildResult{PeakHeap: p[0], PeakLiveHeap: p[1]}
	if sum != nil {
		res.Summary = *sum
		res.Summary.Errors = nil
	}
	if err != nil {
		res.Err = err.Error()
	}
	b, _ := json.Marshal(res)
	fmt.Printf("\nBULKRESULT %s\n", b)
}

func sampleHeap(stop chan struct{}, out chan [2]uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	var peak [2]uint64
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		metrics.Read(s)
		peak[0] = max(peak[0], s[0].Value.Uint64())
		peak[1] = max(peak[1], s[1].Value.Uint64())
		select {
		case <-stop:
			out <- peak
			return
		case <-tick.C:
		}
	}
}

// crashFleet is a fake with n runners in the selection (tag "doomed") and
// n/50 outside it, every answer delayed by latency.
func crashFleet(t *testing.T, n int, latency time.Duration) *bulkFleet {
	srv := glrunnerstest.NewServer()
	t.Cleanup(srv.Close)
	f := &bulkFleet{srv: srv}
	for i := range n {
		f.in = append(f.in, srv.AddRunner(glrunnerstest.Runner{TagList: []string{"doomed"}}))
		if i%50 == 0 {
			f.out = append(f.out, srv.AddRunner(glrunnerstest.Runner{TagList: []string{"keep", "doomed-not"}}))
		}
	}
	if latency > 0 {
		srv.AddFault(glrunnerstest.Fault{Latency: latency, Times: glrunnerstest.Always})
	}
	return f
}

func startBulkChild(t *testing.T, f *bulkFleet, path string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBulkHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), bulkHelperEnv+"=1", "BULK_URL="+f.srv.URL(),
		"BULK_TOKEN="+f.srv.AdminToken(), "BULK_CHECKPOINT="+path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	return cmd, &out
}

func childResult(t *testing.T, out *bytes.Buffer) bulkChildResult {
	_, line, ok := strings.Cut(out.String(), "BULKRESULT ")
	require.True(t, ok, "child output: %s", out)
	var res bulkChildResult
	require.NoError(t, json.Unmarshal([]byte(strings.SplitN(line, "\n", 2)[0]), &res))
	return res
}

// TestBulkDelete_survivesSIGKILL deletes a fleet in a child process killed
// with SIGKILL at 10 random points (the first while it lists the
// selection, the others while it deletes), resuming each time, and checks
// the fake's log: no runner missed, no delete sent again after GitLab
// applied one, nothing outside the selection touched. 5,000 runners by
// default (well under a minute under -race); 50,000 with
// GLRUNNERS_BULK_50K=1.
func TestBulkDelete_survivesSIGKILL(t *testing.T) {
	n := 5000
	if os.Getenv(bulk50kEnv) != "" {
		n = 50000
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d, %d runners", seed, n)
	rng := rand.New(rand.NewPCG(seed, 1))
	f := crashFleet(t, n, time.Millisecond)
	path := filepath.Join(t.TempDir(), "checkpoint")

	// Kill points: one after a random number of list pages, then nine at
	// random sizes of the journal past the snapshot, which grows by an
	// intent and an outcome per runner.
	pages := (n + 99) / 100
	snapshotSize, recordsSize := int64(0), int64(0)
	for _, id := range f.in {
		d := int64(len(strconv.FormatInt(id, 10)))
		snapshotSize += d + 1
		recordsSize += 2*d + 10
	}
	var sizes []int64
	for range 9 {
		sizes = append(sizes, snapshotSize+int64(rng.Float64()*0.95*float64(recordsSize)))
	}
	slices.Sort(sizes)

	listKill := 1 + rng.IntN(pages/2) // at least half the pages left: the kill lands before the snapshot ends
	start := time.Now()
	for k := range 10 {
		cmd, out := startBulkChild(t, f, path)
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		reached := func() bool {
			if k == 0 {
				lists := 0
				for _, r := range f.srv.Requests() {
					if r.Method == http.MethodGet {
						lists++
					}
				}
				return lists >= listKill
			}
			st, err := os.Stat(path)
			return err == nil && st.Size() >= sizes[k-1]
		}
		for !reached() {
			select {
			case err := <-exited:
				t.Fatalf("kill %d: the child ended before its kill point: %v\n%s", k, err, out)
			case <-time.After(time.Millisecond):
			}
		}
		require.NoError(t, cmd.Process.Kill()) // SIGKILL
		<-exited
		if _, err := os.Stat(path); k == 0 && err == nil {
			t.Logf("the first kill came after the snapshot") // too slow a poll on a loaded machine: still a valid kill point
		}
	}
	cmd, out := startBulkChild(t, f, path)
	require.NoError(t, cmd.Wait(), "%s", out)
	wall := time.Since(start)
	res := childResult(t, out)
	require.Empty(t, res.Err)
	sum := res.Summary
	assert.Equal(t, n, sum.Total)
	assert.Equal(t, n, sum.Resumed+sum.Done+sum.Gone)

	checkCrashLog(t, f, n, wall)
}

// checkCrashLog checks the fake's state and log after the crash test and
// logs the request counts.
func checkCrashLog(t *testing.T, f *bulkFleet, n int, wall time.Duration) {
	missed := 0
	for _, id := range f.in {
		if _, ok := f.srv.Runner(id); ok {
			missed++
		}
	}
	assert.Zero(t, missed, "runners of the selection left")
	outside := map[string]bool{}
	for _, id := range f.out {
		_, ok := f.srv.Runner(id)
		assert.True(t, ok, "runner %d outside the selection deleted", id)
		outside[runnerURL(id)] = true
	}
	applied := map[string]bool{} // runner paths whose DELETE GitLab answered 204
	var resent, touched, gets, lists, deletes, aborted int
	reqs := f.srv.Requests()
	for _, r := range reqs {
		switch {
		case outside[r.Path]:
			touched++
		case r.Method == http.MethodGet && r.Path == "/api/v4/runners/all":
			lists++
		case r.Method == http.MethodGet:
			gets++
		case r.Method == http.MethodDelete:
			deletes++
			if applied[r.Path] {
				resent++
			}
			if r.Status == http.StatusNoContent {
				applied[r.Path] = true
			}
			if r.Status == 0 {
				aborted++
			}
		}
	}
	assert.Zero(t, resent, "deletes sent again after GitLab applied one")
	assert.Zero(t, touched, "requests for runners outside the selection")
	assert.Len(t, applied, n)
	minimum := n + (n+99)/100
	t.Logf("%d runners, 10 SIGKILLs: %d requests (%.4f per runner; minimum %d, %.4f): %d list pages, %d DELETEs (%d cut off by a kill), %d GETs on resume",
		n, len(reqs), float64(len(reqs))/float64(n), minimum, float64(minimum)/float64(n), lists, deletes, aborted, gets)
	t.Logf("wall %v (11 processes); at GitLab.com's 2,000 requests/min these requests need at least %v, the minimum %v",
		wall.Round(time.Millisecond), time.Duration(float64(len(reqs))/2000*float64(time.Minute)).Round(time.Second),
		time.Duration(float64(minimum)/2000*float64(time.Minute)).Round(time.Second))
}

// TestBulkDelete_peakHeap reports the child's peak heap for a bulk delete
// of 5,000 and of 50,000 runners, run with GLRUNNERS_BULK_HEAP=1 (without
// -race, whose shadow memory is not heap but inflates allocations).
func TestBulkDelete_peakHeap(t *testing.T) {
	if os.Getenv(bulkHeapEnv) == "" {
		t.Skip("set " + bulkHeapEnv + "=1 to measure")
	}
	var peaks []bulkChildResult
	for _, n := range []int{5000, 50000} {
		f := crashFleet(t, n, 0)
		path := filepath.Join(t.TempDir(), "checkpoint")
		start := time.Now()
		cmd, out := startBulkChild(t, f, path)
		require.NoError(t, cmd.Wait(), "%s", out)
		res := childResult(t, out)
		require.Empty(t, res.Err)
		require.Equal(t, n, res.Summary.Done)
		st, err := os.Stat(path)
		require.NoError(t, err)
		t.Logf("%d runners: peak heap %.2f MiB, peak live heap %.2f MiB, checkpoint %.2f MiB, wall %v",
			n, mib(res.PeakHeap), mib(res.PeakLiveHeap), mib(uint64(st.Size())), time.Since(start).Round(time.Millisecond))
		peaks = append(peaks, res)
		f.srv.Close()
	}
	// Ten times the fleet: the live heap grows by the snapshot (9 bytes a
	// runner), not by the runners' data.
	assert.Less(t, peaks[1].PeakLiveHeap, peaks[0].PeakLiveHeap+4<<20)
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
