package bench

import (
	"cmp"
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// BenchmarkBulkDelete deletes the 2,000 runners tagged "old" of a fake
// fleet of 2,200, with 1 ms of latency on every answer and 8 workers, three
// ways:
//
//   - clientgo-ranging: client-go, deleting each page's runners as the
//     pages come (the loop most scripts write; offset pages shift under
//     the deletes, so it skips runners);
//   - clientgo-collected: client-go, every page listed first, then the IDs
//     deleted;
//   - glrunners: Runners.Bulk, which lists first too and journals every
//     delete to a checkpoint (fsync'd), so that a crash can be resumed.
//
// It reports the runners of the selection left behind (missed, must be 0),
// the requests per selected runner, and the runners outside the selection
// deleted (must be 0), from the fake's own log and state.
func BenchmarkBulkDelete(b *testing.B) {
	const selected, others, workers = 2000, 200, 8
	for _, bc := range []struct {
		name   string
		delete func(ctx context.Context, srv *glrunnerstest.Server, dir string) error
	}{
		{"clientgo-ranging", clientGoDeleteRanging},
		{"clientgo-collected", clientGoDeleteCollected},
		{"glrunners", func(ctx context.Context, srv *glrunnerstest.Server, dir string) error {
			c, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
			if err != nil {
				return err
			}
			_, err = c.Runners.Bulk(ctx, glrunners.BulkDelete(),
				glrunners.SelectAll(&glrunners.ListRunnersOptions{TagList: []string{"old"}}),
				&glrunners.BulkOptions{Checkpoint: filepath.Join(dir, "checkpoint"), Concurrency: workers})
			return err
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var missed, requests, collateral int
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				srv := glrunnerstest.NewServer()
				for range selected {
					srv.AddRunner(glrunnerstest.Runner{Description: "old", TagList: []string{"old"}})
				}
				for range others {
					srv.AddRunner(glrunnerstest.Runner{Description: "keep", TagList: []string{"new"}})
				}
				srv.AddFault(glrunnerstest.Fault{Latency: time.Millisecond, Times: glrunnerstest.Always})
				dir := b.TempDir()
				b.StartTimer()
				if err := bc.delete(b.Context(), srv, dir); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				requests += len(srv.Requests())
				kept := 0
				for _, r := range srv.Runners() {
					if r.TagList[0] == "old" {
						missed++
					} else {
						kept++
					}
				}
				collateral += others - kept
				srv.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(missed)/float64(b.N), "missed/op")
			b.ReportMetric(float64(requests)/float64(b.N*selected), "requests/runner")
			b.ReportMetric(float64(collateral)/float64(b.N), "others-deleted/op")
		})
	}
}

func newClientGoFor(srv *glrunnerstest.Server) (*gitlab.Client, error) {
	return gitlab.NewClient(srv.AdminToken(), gitlab.WithBaseURL(srv.URL()+"/api/v4"))
}

// clientGoDeleteRanging deletes each page's runners before asking for the
// next page.
func clientGoDeleteRanging(ctx context.Context, srv *glrunnerstest.Server, _ string) error {
	c, err := newClientGoFor(srv)
	if err != nil {
		return err
	}
	opt := &gitlab.ListRunnersOptions{ListOptions: gitlab.ListOptions{PerPage: 100, Page: 1}, TagList: &[]string{"old"}}
	for {
		page, resp, err := c.Runners.ListAllRunners(opt, gitlab.WithContext(ctx))
		if err != nil {
			return err
		}
		ids := make([]int64, len(page))
		for i, r := range page {
			ids[i] = r.ID
		}
		if err := clientGoDeleteAll(ctx, c, ids); err != nil {
			return err
		}
		if resp.NextPage == 0 {
			return nil
		}
		opt.Page = resp.NextPage
	}
}

// clientGoDeleteCollected lists every page, then deletes.
func clientGoDeleteCollected(ctx context.Context, srv *glrunnerstest.Server, _ string) error {
	c, err := newClientGoFor(srv)
	if err != nil {
		return err
	}
	var ids []int64
	opt := &gitlab.ListRunnersOptions{ListOptions: gitlab.ListOptions{PerPage: 100, Page: 1}, TagList: &[]string{"old"}}
	for {
		page, resp, err := c.Runners.ListAllRunners(opt, gitlab.WithContext(ctx))
		if err != nil {
			return err
		}
		for _, r := range page {
			ids = append(ids, r.ID)
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	return clientGoDeleteAll(ctx, c, ids)
}

// clientGoDeleteAll deletes ids with 8 workers, as Bulk's Concurrency 8.
func clientGoDeleteAll(ctx context.Context, c *gitlab.Client, ids []int64) error {
	work := make(chan int64)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range 8 {
		wg.Go(func() {
			for id := range work {
				if _, err := c.Runners.RemoveRunner(id, gitlab.WithContext(ctx)); err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	return first
}
