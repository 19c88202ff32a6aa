package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"

	"github.com/glrunners/glrunners"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// BenchmarkKeptRunners walks 10,000 runners and keeps one runner per page
// (the "filter and keep" pattern), then reports the heap the kept runners
// retain, per runner, after the walk and two GCs: glrunners against
// encoding/json decoding the same pages into []*glrunners.Runner, and
// client-go. Target: glrunners <= 2x encoding/json. A decoder that lets a
// kept runner pin its page (a shared block or a shared text chunk) shows
// here as tens of KB per runner.
func BenchmarkKeptRunners(b *testing.B) {
	srv := newFleetServer(b, serverConfig{runners: 10000})
	walks := []struct {
		name string
		walk func(ctx context.Context, keep func(any)) error
	}{
		{"encoding-json", keptEncodingJSON(srv.URL)},
		{"clientgo", keptClientGo(b, srv.URL)},
		{"glrunners", keptGlrunners(b, srv.URL)},
	}
	for _, w := range walks {
		b.Run("impl="+w.name, func(b *testing.B) {
			var retained float64
			for b.Loop() {
				r, err := retainedPerKept(b.Context(), w.walk)
				if err != nil {
					b.Fatal(err)
				}
				retained += r
			}
			b.ReportMetric(retained/float64(b.N)/1024, "kept-KB/runner")
		})
	}
}

// retainedPerKept runs walk once to warm up (connections, pools), then
// again keeping what it is handed, and returns the live heap that grew
// between two GC'd points, per runner kept.
func retainedPerKept(ctx context.Context, walk func(context.Context, func(any)) error) (float64, error) {
	if err := walk(ctx, func(any) {}); err != nil {
		return 0, err
	}
	kept := make([]any, 0, 10000/perPage)
	before := liveHeap()
	if err := walk(ctx, func(r any) { kept = append(kept, r) }); err != nil {
		return 0, err
	}
	after := liveHeap()
	if len(kept) != 10000/perPage {
		return 0, fmt.Errorf("kept %d runners, want %d", len(kept), 10000/perPage)
	}
	runtime.KeepAlive(kept)
	return (float64(after) - float64(before)) / float64(len(kept)), nil
}

// liveHeap is the heap the second of two GCs marked live (the second
// empties sync.Pools' victim caches, which hold the walk's buffers after
// the first); allocations made since that GC do not count.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// keepOnePerPage hands keep the runner of id 1 mod 100: one per page.
func keepOnePerPage(id int64) bool { return id%perPage == 1 }

func keptGlrunners(tb testing.TB, base string) func(context.Context, func(any)) error {
	c, err := glrunners.NewClient(base, glrunners.WithToken(token))
	if err != nil {
		tb.Fatal(err)
	}
	return func(ctx context.Context, keep func(any)) error {
		for r, err := range c.Runners.ListAllIter(ctx, nil) {
			if err != nil {
				return err
			}
			if keepOnePerPage(r.ID) {
				keep(r)
			}
		}
		return nil
	}
}

// keptEncodingJSON decodes each page with encoding/json into the SDK's own
// type, so the figure differs from glrunners' only in the decoder.
func keptEncodingJSON(base string) func(context.Context, func(any)) error {
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	return func(ctx context.Context, keep func(any)) error {
		for page := 1; page > 0; {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet,
				base+"/api/v4/runners/all?per_page=100&page="+strconv.Itoa(page), nil)
			if err != nil {
				return err
			}
			req.Header.Set("PRIVATE-TOKEN", token)
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			var items []*glrunners.Runner
			err = json.NewDecoder(resp.Body).Decode(&items)
			_, _ = io.Copy(io.Discard, resp.Body) // so the connection is reused
			resp.Body.Close()
			if err != nil {
				return err
			}
			for _, r := range items {
				if keepOnePerPage(r.ID) {
					keep(r)
				}
			}
			page, _ = strconv.Atoi(resp.Header.Get("X-Next-Page"))
		}
		return nil
	}
}

func keptClientGo(tb testing.TB, base string) func(context.Context, func(any)) error {
	c, err := gitlab.NewClient(token, gitlab.WithBaseURL(base+"/api/v4"))
	if err != nil {
		tb.Fatal(err)
	}
	return func(ctx context.Context, keep func(any)) error {
		opt := &gitlab.ListRunnersOptions{ListOptions: gitlab.ListOptions{PerPage: perPage, Page: 1}}
		for {
			rs, resp, err := c.Runners.ListAllRunners(opt, gitlab.WithContext(ctx))
			if err != nil {
				return err
			}
			for _, r := range rs {
				if keepOnePerPage(r.ID) {
					keep(r)
				}
			}
			if resp.NextPage == 0 {
				return nil
			}
			opt.Page = resp.NextPage
		}
	}
}
