package glrunnerstest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// throttleClock is a clock the test moves by hand.
type throttleClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *throttleClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *throttleClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// throttleGet sends GET /api/v4<path> with a user token and returns the
// status, headers and body.
func throttleGet(t *testing.T, srv *glrunnerstest.Server, path, token string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL()+"/api/v4"+path, nil)
	require.NoError(t, err)
	req.Header.Set("PRIVATE-TOKEN", token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, body
}

// An hour-long window, driven by the clock: Limit is normalised to one
// minute while Observed and Remaining count the hour, windows are aligned
// to the epoch, Date follows the fake's clock, and with
// HeadersOnThrottled only the 429 carries the headers.
func TestThrottleHourWindowHeadersOnlyOnThrottled(t *testing.T) {
	t.Parallel()
	clock := &throttleClock{now: time.Date(2025, 3, 20, 12, 59, 58, 0, time.UTC)}
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(clock.Now))
	t.Cleanup(srv.Close)
	srv.SetRateLimitHeaders(glrunnerstest.HeadersOnThrottled)
	srv.SetRateLimit(2, time.Hour) // survives the header mode

	for range 2 {
		status, h, _ := throttleGet(t, srv, "/runners", srv.AdminToken())
		assert.Equal(t, http.StatusOK, status)
		assert.Empty(t, h.Get("RateLimit-Remaining"), "no headers below the limit")
		assert.Equal(t, "Thu, 20 Mar 2025 12:59:58 GMT", h.Get("Date"), "Date is the fake's clock")
	}
	status, h, body := throttleGet(t, srv, "/runners", srv.AdminToken())
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "Retry later\n", string(body))
	assert.Equal(t, "1", h.Get("RateLimit-Limit"), "2 per hour, per minute rounded up")
	assert.Equal(t, "3", h.Get("RateLimit-Observed"))
	assert.Equal(t, "0", h.Get("RateLimit-Remaining"))
	assert.Equal(t, fmt.Sprint(time.Date(2025, 3, 20, 13, 0, 0, 0, time.UTC).Unix()), h.Get("RateLimit-Reset"))
	assert.Equal(t, "Thu, 20 Mar 2025 13:00:00 GMT", h.Get("RateLimit-ResetTime"))
	assert.Equal(t, "2", h.Get("Retry-After"))

	clock.Add(3 * time.Second) // 13:00:01, a new hour window
	status, _, _ = throttleGet(t, srv, "/runners", srv.AdminToken())
	assert.Equal(t, http.StatusOK, status)

	srv.SetRateLimitHeaders(glrunnerstest.HeadersOnEveryAnswer)
	srv.SetRateLimit(7200, time.Hour)
	status, h, _ = throttleGet(t, srv, "/runners", srv.AdminToken())
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "120", h.Get("RateLimit-Limit"))
	assert.Equal(t, "7199", h.Get("RateLimit-Remaining"))
	assert.Equal(t, fmt.Sprint(time.Date(2025, 3, 20, 14, 0, 0, 0, time.UTC).Unix()), h.Get("RateLimit-Reset"))
}

// An application limit: per user and route, shared by every runner's
// jobs list, answered 429 with GitLab's JSON and without RateLimit-*
// headers or Retry-After; other routes and users are untouched.
func TestEndpointLimit(t *testing.T) {
	t.Parallel()
	clock := &throttleClock{now: time.Date(2025, 3, 20, 12, 0, 10, 0, time.UTC)}
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(clock.Now))
	t.Cleanup(srv.Close)
	a := srv.AddRunner(glrunnerstest.Runner{Description: "a"})
	b := srv.AddRunner(glrunnerstest.Runner{Description: "b"})
	_, other := srv.AddUser(glrunnerstest.User{Username: "other", Admin: true})
	srv.SetEndpointLimit("GET /runners/{id}/jobs", 2, time.Minute)
	admin := srv.AdminToken()
	jobs := func(id int64, token string) (int, http.Header, []byte) {
		return throttleGet(t, srv, fmt.Sprintf("/runners/%d/jobs", id), token)
	}

	s1, _, _ := jobs(a, admin)
	s2, _, _ := jobs(b, admin)
	assert.Equal(t, []int{200, 200}, []int{s1, s2})
	status, h, body := jobs(a, admin)
	assert.Equal(t, http.StatusTooManyRequests, status)
	var msg struct {
		Message struct{ Error string } `json:"message"`
	}
	require.NoError(t, json.Unmarshal(body, &msg), "%s", body)
	assert.Equal(t, "This endpoint has been requested too many times. Try again later.", msg.Message.Error)
	for _, k := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After"} {
		assert.Empty(t, h.Get(k), k)
	}
	status, _, _ = throttleGet(t, srv, fmt.Sprintf("/runners/%d", a), admin)
	assert.Equal(t, http.StatusOK, status, "other routes are not limited")
	status, _, _ = jobs(a, other)
	assert.Equal(t, http.StatusOK, status, "counted per user")

	// With the throttle's headers on every answer, the application
	// limit's 429 carries them too, with Remaining above 0.
	srv.SetRateLimit(100, time.Minute)
	status, h, _ = jobs(a, admin)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "99", h.Get("RateLimit-Remaining"))

	clock.Add(time.Minute) // the next window
	status, _, _ = jobs(a, admin)
	assert.Equal(t, http.StatusOK, status)
	srv.SetEndpointLimit("GET /runners/{id}/jobs", 0, 0)
	for range 3 {
		status, _, _ = jobs(b, admin)
		assert.Equal(t, http.StatusOK, status, "limit removed")
	}
}
