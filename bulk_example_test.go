package glrunners_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

// Delete every stale runner tagged "ci-old", journalled in a checkpoint: if
// the process dies, the same call (or ResumeBulk with the path) finishes
// the run without deleting a runner twice or missing one.
func ExampleRunnersService_Bulk() {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	for range 3 {
		srv.AddRunner(glrunnerstest.Runner{Status: "stale", TagList: []string{"ci-old"}})
	}
	srv.AddRunner(glrunnerstest.Runner{Status: "online", TagList: []string{"ci-old"}})
	c, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "bulk")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	sum, err := c.Runners.Bulk(ctx, glrunners.BulkDelete(),
		glrunners.SelectAll(&glrunners.ListRunnersOptions{Status: glrunners.StatusStale, TagList: []string{"ci-old"}}),
		&glrunners.BulkOptions{
			Checkpoint:  filepath.Join(dir, "stale.checkpoint"),
			Concurrency: 8,
			Progress: func(ev glrunners.BulkEvent) {
				fmt.Printf("[%d/%d] %s\n", ev.Finished, ev.Total, ev.Outcome)
			},
		})
	if err != nil {
		log.Fatal(err) // errors.Is(err, glrunners.ErrBulkIncomplete): run it again to resume
	}
	fmt.Printf("deleted %d, already gone %d, runners left %d\n", sum.Done, sum.Gone, len(srv.Runners()))
	// Output:
	// [1/3] done
	// [2/3] done
	// [3/3] done
	// deleted 3, already gone 0, runners left 1
}
