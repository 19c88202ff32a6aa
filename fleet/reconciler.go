package fleet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync"

	"github.com/glrunners/glrunners"
)

// Reconciler plans and applies desired states with one client. It is safe
// for concurrent use.
type Reconciler struct {
	c           *glrunners.Client
	concurrency int
	log         *slog.Logger

	mu       sync.Mutex
	resolved map[string]int64 // "group:acme/web" -> ID
}

// Options tunes a Reconciler.
type Options struct {
	// Concurrency bounds the requests in flight (reads and writes). Default 8.
	Concurrency int
	// Logger gets one line per change applied; nil discards them. Tokens
	// never reach it.
	Logger *slog.Logger
}

// New returns a Reconciler working through c, whose token needs the api
// scope (or create_runner, read_api and manage_runner), and whose user
// must be allowed to list the runners it manages: an administrator sees
// every runner, other users the runners they administer.
func New(c *glrunners.Client, o Options) *Reconciler {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Reconciler{c: c, concurrency: o.Concurrency, log: o.Logger, resolved: map[string]int64{}}
}

// resolve turns a group or project scope into its ID, asking GitLab for
// a path once per run.
func (r *Reconciler) resolve(ctx context.Context, s Scope) (int64, error) {
	if s.Type == glrunners.InstanceType || s.ID != 0 {
		return s.ID, nil
	}
	kind := "groups"
	if s.Type == glrunners.ProjectType {
		kind = "projects"
	}
	cacheKey := kind + ":" + s.Path
	r.mu.Lock()
	id, ok := r.resolved[cacheKey]
	r.mu.Unlock()
	if ok {
		return id, nil
	}
	req, err := r.c.NewRequest("GET", kind+"/"+url.PathEscape(s.Path), nil, nil)
	if err != nil {
		return 0, err
	}
	var out struct {
		ID int64 `json:"id"`
	}
	if _, err := r.c.Do(ctx, req, &out); err != nil {
		if errors.Is(err, glrunners.ErrNotFound) {
			return 0, fmt.Errorf("%s: not found, or not visible to this token: %w", s, err)
		}
		return 0, fmt.Errorf("%s: %w", s, err)
	}
	if out.ID <= 0 {
		return 0, fmt.Errorf("%s: GitLab answered without an ID", s)
	}
	r.mu.Lock()
	r.resolved[cacheKey] = out.ID
	r.mu.Unlock()
	return out.ID, nil
}

// forEach runs fn for i in [0, n) on at most r.concurrency goroutines and
// returns the errors by index; it stops starting work when ctx ends.
func (r *Reconciler) forEach(ctx context.Context, n int, fn func(i int) error) []error {
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(r.concurrency, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = fn(i)
			}
		}()
	}
	for i := range n {
		if ctx.Err() != nil {
			for j := i; j < n; j++ {
				errs[j] = ctx.Err()
			}
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}

func idString(id int64) string { return "#" + strconv.FormatInt(id, 10) }
