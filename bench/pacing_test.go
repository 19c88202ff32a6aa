package bench

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// The pacing benchmarks of issue 17.
//
// BenchmarkPacing is the measure: glrunnerstest throttling 150
// requests per 3 s window, 16 goroutines sharing one client calling Get
// for 5 windows. It reports, per contender, the quota served (percent of
// 5 windows' quota answered 200) and the answers 429, counted in the
// fake's log. The contenders run at once, each against its own fake, so
// one op takes 5 windows whatever their number. headers=every is newer
// GitLab (RateLimit-* on every answer), headers=throttled older GitLab
// (only on a 429).
//
// BenchmarkPacerIdle shows that far from any limit the pacer costs
// nothing: Get and the 10,000-runner walk with the pacer on (the default)
// and off (WithoutPacing), interleaved op by op as in BenchmarkRatio,
// against the fleet server without RateLimit headers (the pacer idle) and
// with headers saying 1,000,000 are left in the minute (the pacer reading
// every answer and pacing, with room to spare).

const (
	paceLimit   = 150
	paceWindow  = 3 * time.Second
	paceWindows = 5
	paceWorkers = 16
)

type paceContender struct {
	name string
	get  func(srv *glrunnerstest.Server, id int64) func(ctx context.Context) error
}

var paceContenders = []paceContender{
	{"clientgo", func(srv *glrunnerstest.Server, id int64) func(ctx context.Context) error {
		c, err := gitlab.NewClient(srv.AdminToken(), gitlab.WithBaseURL(srv.URL()+"/api/v4"))
		if err != nil {
			panic(err)
		}
		return func(ctx context.Context) error {
			_, _, err := c.Runners.GetRunnerDetails(int(id), gitlab.WithContext(ctx))
			return err
		}
	}},
	{"glrunners", glrunnersGet()},
	{"glrunners-nopacing", glrunnersGet(glrunners.WithoutPacing())},
}

func glrunnersGet(opts ...glrunners.Option) func(srv *glrunnerstest.Server, id int64) func(ctx context.Context) error {
	return func(srv *glrunnerstest.Server, id int64) func(ctx context.Context) error {
		c, err := glrunners.NewClient(srv.URL(), append([]glrunners.Option{glrunners.WithToken(srv.AdminToken())}, opts...)...)
		if err != nil {
			panic(err)
		}
		return func(ctx context.Context) error {
			_, _, err := c.Runners.Get(ctx, id, nil)
			return err
		}
	}
}

func BenchmarkPacing(b *testing.B) {
	for _, mode := range []struct {
		name string
		h    glrunnerstest.RateLimitHeaders
	}{{"every", glrunnerstest.HeadersOnEveryAnswer}, {"throttled", glrunnerstest.HeadersOnThrottled}} {
		b.Run("headers="+mode.name, func(b *testing.B) {
			served := make([]int, len(paceContenders))
			refused := make([]int, len(paceContenders))
			for b.Loop() {
				start := nextWindow(time.Now(), paceWindow, 300*time.Millisecond)
				end := start.Add(paceWindows * paceWindow)
				var wg sync.WaitGroup
				for i, pc := range paceContenders {
					srv := glrunnerstest.NewServer(glrunnerstest.WithRateLimit(paceLimit, paceWindow))
					srv.SetRateLimitHeaders(mode.h)
					id := srv.AddRunner(glrunnerstest.Runner{Description: "paced"})
					get := pc.get(srv, id)
					wg.Go(func() {
						defer srv.Close()
						loadUntil(start, end, paceWorkers, get)
						for _, r := range srv.Requests() {
							if r.Time.Before(start) || !r.Time.Before(end) {
								continue
							}
							switch r.Status {
							case http.StatusOK:
								served[i]++
							case http.StatusTooManyRequests:
								refused[i]++
							}
						}
					})
				}
				wg.Wait()
			}
			quota := float64(b.N * paceLimit * paceWindows)
			for i, pc := range paceContenders {
				b.ReportMetric(100*float64(served[i])/quota, pc.name+"-served-%")
				b.ReportMetric(float64(refused[i])/float64(b.N), pc.name+"-429s/op")
			}
		})
	}
}

// nextWindow is the first multiple of w since the Unix epoch (where
// GitLab's windows start) at least lead from now.
func nextWindow(now time.Time, w, lead time.Duration) time.Time {
	at := now.Add(lead).UnixNano()
	return time.Unix(0, at-at%int64(w)+int64(w))
}

// loadUntil runs n goroutines calling op back to back from start to end.
// A call refused because its pacing wait cannot fit before end stops its
// goroutine: nothing more can be sent in time.
func loadUntil(start, end time.Time, n int, op func(ctx context.Context) error) {
	time.Sleep(time.Until(start))
	ctx, cancel := context.WithDeadline(context.Background(), end)
	defer cancel()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for ctx.Err() == nil {
				var rl *glrunners.RateLimitError
				if err := op(ctx); errors.As(err, &rl) {
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkPacerIdle(b *testing.B) {
	srv := newFleetServer(b, serverConfig{runners: 10000})
	for _, headers := range []string{"none", "far"} {
		for _, work := range []struct {
			name string
			run  func(b *testing.B, c contender)
		}{
			{"walk10k", func(b *testing.B, c contender) {
				if _, err := checkedWalk(b.Context(), srv, c, true); err != nil {
					b.Fatal(err)
				}
			}},
			{"get", func(b *testing.B, c contender) {
				for range 50 {
					if id, status, err := c.get(b.Context(), detailsID); err != nil || status != 200 || id != detailsID {
						b.Fatalf("get: id %d, status %d, err %v", id, status, err)
					}
				}
			}},
		} {
			b.Run("headers="+headers+"/work="+work.name, func(b *testing.B) {
				cl := []contender{
					idleClient(b, srv.URL, headers == "far"),
					idleClient(b, srv.URL, headers == "far", glrunners.WithoutPacing()),
				}
				for _, c := range cl {
					work.run(b, c) // warm
				}
				var wall, cpu [2]time.Duration
				order := []int{0, 1}
				for b.Loop() {
					for _, i := range order {
						t0, c0 := time.Now(), processCPU()
						work.run(b, cl[i])
						cpu[i] += processCPU() - c0
						wall[i] += time.Since(t0)
					}
					slices.Reverse(order)
				}
				b.ReportMetric(float64(wall[0])/float64(wall[1]), "paced-time-x")
				if cpu[1] > 0 {
					b.ReportMetric(float64(cpu[0])/float64(cpu[1]), "paced-cpu-x")
				}
			})
		}
	}
}

// idleClient is glrunners as in the other benchmarks; with far, its
// answers carry GitLab's RateLimit-* headers with 1,000,000 left in the
// minute, added as the answer comes off the wire.
func idleClient(b *testing.B, base string, far bool, opts ...glrunners.Option) contender {
	opts = append([]glrunners.Option{glrunners.WithToken(token)}, opts...)
	if far {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 100
		opts = append(opts, glrunners.WithHTTPClient(&http.Client{Transport: farFromLimit{tr}}))
	}
	c, err := glrunners.NewClient(base, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return glrunnersClient{c}
}

// farFromLimit adds the headers of a throttle with plenty left, as GitLab
// sends them on every answer when its feature flag is on.
type farFromLimit struct{ base http.RoundTripper }

func (t farFromLimit) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	now := time.Now()
	reset := now.Truncate(time.Minute).Add(time.Minute)
	h := resp.Header
	h["Ratelimit-Name"] = []string{"throttle_authenticated_api"}
	h["Ratelimit-Limit"] = []string{"1000000"}
	h["Ratelimit-Observed"] = []string{"1"}
	h["Ratelimit-Remaining"] = []string{"999999"}
	h["Ratelimit-Reset"] = []string{strconv.FormatInt(reset.Unix(), 10)}
	if !strings.Contains(h.Get("Date"), "GMT") {
		h["Date"] = []string{now.UTC().Format(http.TimeFormat)}
	}
	return resp, nil
}
