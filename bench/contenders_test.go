package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/glrunners/glrunners"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

const token = "glpat-bench-not-a-secret"

// contender is one way of talking to the fleet server.
type contender interface {
	// walk pages through GET /runners/all, 100 runners per page, calling
	// visit with each runner's id in the order received. floor decodes
	// nothing and never calls visit.
	walk(ctx context.Context, visit func(id int64)) error
	// get asks for runner id's details. status is the final HTTP status, an
	// error answer included; err is for anything else. gotID is the decoded
	// id of a 200 (0 from floor).
	get(ctx context.Context, id int64) (gotID int64, status int, err error)
}

// setup is what a benchmark asks of every contender alike.
type setup struct {
	// retryOnce retries a 500 once after 1 ms, in every contender, so the
	// connection count compares equal work. Without it each library keeps
	// its defaults.
	retryOnce       bool
	pageConcurrency int // glrunners only; 0 keeps its default (1)
}

type contenderSpec struct {
	name    string
	decodes bool
	make    func(base string, s setup) (contender, error)
}

// contenders in the order they run: cheapest first.
var contenders = []contenderSpec{
	{"floor", false, func(base string, s setup) (contender, error) { return newNetHTTP(base, false, s), nil }},
	{"raw", true, func(base string, s setup) (contender, error) { return newNetHTTP(base, true, s), nil }},
	{"clientgo", true, newClientGo},
	{"glrunners", true, newGlrunners},
}

func contenderNamed(tb testing.TB, name string) contenderSpec {
	for _, cs := range contenders {
		if cs.name == name {
			return cs
		}
	}
	tb.Fatalf("no contender %q", name)
	return contenderSpec{}
}

func (cs contenderSpec) mustMake(tb testing.TB, base string, s setup) contender {
	tb.Helper()
	c, err := cs.make(base, s)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// netHTTP is floor (decode false: the bytes are read and discarded) and raw
// (net/http plus encoding/json into the wire structs), written the way a
// careful user writes them: one shared client, bodies drained and closed.
type netHTTP struct {
	hc        *http.Client
	base      string
	decode    bool
	retryOnce bool
}

func newNetHTTP(base string, decode bool, s setup) *netHTTP {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &netHTTP{hc: &http.Client{Transport: tr}, base: base + "/api/v4/", decode: decode, retryOnce: s.retryOnce}
}

func (c *netHTTP) walk(ctx context.Context, visit func(id int64)) error {
	for page := 1; page > 0; {
		var items []rawRunner
		resp, err := c.fetch(ctx, "runners/all?per_page=100&page="+strconv.Itoa(page), &items)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("page %d: status %d", page, resp.StatusCode)
		}
		for i := range items {
			visit(items[i].ID)
		}
		page, _ = strconv.Atoi(resp.Header.Get("X-Next-Page"))
	}
	return nil
}

func (c *netHTTP) get(ctx context.Context, id int64) (int64, int, error) {
	var d rawRunnerDetails
	resp, err := c.fetch(ctx, "runners/"+strconv.FormatInt(id, 10), &d)
	if err != nil {
		return 0, 0, err
	}
	return d.ID, resp.StatusCode, nil
}

// fetch GETs path and decodes a 200 into out (or reads past it for floor),
// an error answer into rawError; the body is always drained and closed.
func (c *netHTTP) fetch(ctx context.Context, path string, out any) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("PRIVATE-TOKEN", token)
		resp, err := c.hc.Do(req)
		if err != nil {
			return nil, err
		}
		switch {
		case !c.decode:
		case resp.StatusCode == http.StatusOK:
			err = json.NewDecoder(resp.Body).Decode(out)
		default:
			var e rawError
			err = json.NewDecoder(resp.Body).Decode(&e)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusInternalServerError && c.retryOnce && attempt == 0 {
			time.Sleep(time.Millisecond)
			continue
		}
		return resp, nil
	}
}

// clientGo is GitLab's client-go, paging ListAllRunners by hand as its docs
// show. Every call carries the caller's context, as glrunners' do.
type clientGo struct{ c *gitlab.Client }

func newClientGo(base string, s setup) (contender, error) {
	opts := []gitlab.ClientOptionFunc{gitlab.WithBaseURL(base + "/api/v4")}
	if s.retryOnce {
		// client-go's own backoff waits 700-900 ms after a 5xx whatever
		// the configured bounds, so the wait is replaced outright.
		opts = append(opts, gitlab.WithCustomRetryMax(1), gitlab.WithCustomBackoff(
			func(time.Duration, time.Duration, int, *http.Response) time.Duration { return time.Millisecond }))
	}
	c, err := gitlab.NewClient(token, opts...)
	return clientGo{c}, err
}

func (c clientGo) walk(ctx context.Context, visit func(id int64)) error {
	opt := &gitlab.ListRunnersOptions{ListOptions: gitlab.ListOptions{PerPage: perPage, Page: 1}}
	for {
		rs, resp, err := c.c.Runners.ListAllRunners(opt, gitlab.WithContext(ctx))
		if err != nil {
			return err
		}
		for _, r := range rs {
			visit(r.ID)
		}
		if resp.NextPage == 0 {
			return nil
		}
		opt.Page = resp.NextPage
	}
}

func (c clientGo) get(ctx context.Context, id int64) (int64, int, error) {
	d, resp, err := c.c.Runners.GetRunnerDetails(int(id), gitlab.WithContext(ctx))
	switch {
	case err != nil && resp != nil:
		return 0, resp.StatusCode, nil
	case err != nil:
		return 0, 0, err
	}
	return d.ID, resp.StatusCode, nil
}

// glrunnersClient is the SDK under test: ListAllIter and Get with defaults.
type glrunnersClient struct{ c *glrunners.Client }

func newGlrunners(base string, s setup) (contender, error) {
	opts := []glrunners.Option{glrunners.WithToken(token)}
	if s.retryOnce {
		opts = append(opts, glrunners.WithRetry(glrunners.RetryPolicy{MaxRetries: 1,
			WaitMin: time.Millisecond, WaitMax: time.Millisecond, MaxRetryAfter: time.Second}))
	}
	if s.pageConcurrency > 0 {
		opts = append(opts, glrunners.WithPageConcurrency(s.pageConcurrency))
	}
	c, err := glrunners.NewClient(base, opts...)
	return glrunnersClient{c}, err
}

func (c glrunnersClient) walk(ctx context.Context, visit func(id int64)) error {
	for r, err := range c.c.Runners.ListAllIter(ctx, nil) {
		if err != nil {
			return err
		}
		visit(r.ID)
	}
	return nil
}

func (c glrunnersClient) get(ctx context.Context, id int64) (int64, int, error) {
	d, _, err := c.c.Runners.Get(ctx, id, nil)
	if e := (*glrunners.Error)(nil); errors.As(err, &e) {
		return 0, e.StatusCode, nil
	}
	if err != nil {
		return 0, 0, err
	}
	return d.ID, http.StatusOK, nil
}
