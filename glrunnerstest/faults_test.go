package glrunnerstest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners/glrunnerstest"
)

func TestAddFault(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id := srv.AddRunner(glrunnerstest.Runner{})
	srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/runners/{id}", Status: http.StatusServiceUnavailable})
	srv.AddFault(glrunnerstest.Fault{Method: "PUT", Pattern: "/api/v4/runners/*", Status: http.StatusBadGateway, Body: "<html>bad gateway</html>", Times: 1})

	// Other paths are not affected.
	assert.Equal(t, http.StatusOK, get(t, srv, "/runners", srv.AdminToken()).status)
	res := get(t, srv, fmt.Sprintf("/runners/%d", id), srv.AdminToken())
	assert.Equal(t, http.StatusServiceUnavailable, res.status)
	assert.JSONEq(t, `{"message":"503 Service Unavailable"}`, string(res.body))
	assert.Equal(t, http.StatusOK, get(t, srv, fmt.Sprintf("/runners/%d", id), srv.AdminToken()).status, "used once")

	res = call(t, srv, "PUT", fmt.Sprintf("/runners/%d", id), srv.AdminToken(), map[string]any{"paused": true})
	assert.Equal(t, http.StatusBadGateway, res.status)
	assert.Equal(t, "<html>bad gateway</html>", string(res.body))
	assert.True(t, strings.HasPrefix(res.header.Get("Content-Type"), "text/plain"))
	r, _ := srv.Runner(id)
	assert.False(t, r.Paused, "a plain fault does not apply the change")

	srv.AddFault(glrunnerstest.Fault{Pattern: "/runners", Status: 429, Times: 2})
	for range 2 {
		res := get(t, srv, "/runners", srv.AdminToken())
		assert.Equal(t, http.StatusTooManyRequests, res.status)
		assert.Equal(t, "1", res.header.Get("Retry-After"))
	}
	assert.Equal(t, http.StatusOK, get(t, srv, "/runners", srv.AdminToken()).status)

	srv.AddFault(glrunnerstest.Fault{Method: "*", Pattern: "**", Status: 500, Times: glrunnerstest.Always})
	for range 3 {
		assert.Equal(t, http.StatusInternalServerError, get(t, srv, "/runners/all", srv.AdminToken()).status)
	}
	srv.ClearFaults()
	assert.Equal(t, http.StatusOK, get(t, srv, "/runners/all", srv.AdminToken()).status)
}

// A fault with no Times is used once, with the body given.
func TestFault_onceByDefault(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/runners", Status: http.StatusBadGateway, Body: `{"message":"down"}`})
	res := get(t, srv, "/runners", srv.AdminToken())
	assert.Equal(t, http.StatusBadGateway, res.status)
	assert.JSONEq(t, `{"message":"down"}`, string(res.body))
	assert.Equal(t, http.StatusOK, get(t, srv, "/runners", srv.AdminToken()).status, "used once")
}

func TestFault_afterApply(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/user/runners", Status: 500, AfterApply: true})
	res := call(t, srv, "POST", "/user/runners", srv.AdminToken(), map[string]any{"runner_type": "instance_type", "description": "dup?"})
	assert.Equal(t, http.StatusInternalServerError, res.status)
	assert.JSONEq(t, `{"message":"500 Internal Server Error"}`, string(res.body))
	runners := srv.Runners()
	require.Len(t, runners, 1, "the runner was created although the client saw a 500")
	assert.Equal(t, "dup?", runners[0].Description)
	assert.True(t, strings.HasPrefix(runners[0].Token, "glrt-"))

	id := runners[0].ID
	old := srv.RunnerToken(id)
	srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/runners/*/reset_authentication_token", Status: 502, AfterApply: true})
	res = call(t, srv, "POST", fmt.Sprintf("/runners/%d/reset_authentication_token", id), srv.AdminToken(), nil)
	assert.Equal(t, http.StatusBadGateway, res.status)
	assert.NotEqual(t, old, srv.RunnerToken(id), "the token rotated: the old one is lost")
}

func TestFault_reset(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/user/runners", Reset: true, AfterApply: true})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequestWithContext(t.Context(), "POST", srv.URL()+"/api/v4/user/runners",
		strings.NewReader(`{"runner_type":"instance_type"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("PRIVATE-TOKEN", srv.AdminToken())
	res, err := client.Do(req)
	if res != nil {
		res.Body.Close()
	}
	require.Error(t, err, "the connection is closed without an answer")
	assert.Len(t, srv.Runners(), 1, "AfterApply: created before the reset")
	log := srv.Requests()
	assert.Equal(t, 0, log[len(log)-1].Status)

	srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/runners", Reset: true})
	req, err = http.NewRequestWithContext(t.Context(), "GET", srv.URL()+"/api/v4/runners", nil)
	require.NoError(t, err)
	res, err = client.Do(req)
	if res != nil {
		res.Body.Close()
	}
	require.Error(t, err)
	assert.Equal(t, http.StatusUnauthorized, get(t, srv, "/runners", "").status, "next request served normally")
}

func TestFault_latency(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.AddFault(glrunnerstest.Fault{Pattern: "/runners", Latency: time.Hour})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL()+"/api/v4/runners", nil)
	require.NoError(t, err)
	req.Header.Set("PRIVATE-TOKEN", srv.AdminToken())
	res, err := http.DefaultClient.Do(req)
	if res != nil {
		res.Body.Close()
	}
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)

	// A short latency then a normal answer. On a loaded machine the 20 ms
	// can run out before the request reaches the server, leaving the
	// hour-long fault unused: clear it, or it would hold the next request.
	srv.ClearFaults()
	srv.AddFault(glrunnerstest.Fault{Pattern: "/runners", Latency: time.Millisecond})
	assert.Equal(t, http.StatusOK, get(t, srv, "/runners", srv.AdminToken()).status)
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 20, 12, 0, 30, 0, time.UTC)
	var mu sync.Mutex
	srv := newServer(t, glrunnerstest.WithNow(func() time.Time { mu.Lock(); defer mu.Unlock(); return now }))
	srv.SetRateLimit(2, time.Minute)
	_, other := srv.AddUser(glrunnerstest.User{Username: "other"})

	first := get(t, srv, "/runners", srv.AdminToken())
	assert.Equal(t, http.StatusOK, first.status)
	assert.Equal(t, "throttle_authenticated_api", first.header.Get("RateLimit-Name"))
	assert.Equal(t, "2", first.header.Get("RateLimit-Limit"))
	assert.Equal(t, "1", first.header.Get("RateLimit-Observed"))
	assert.Equal(t, "1", first.header.Get("RateLimit-Remaining"))
	assert.Equal(t, fmt.Sprint(time.Date(2025, 3, 20, 12, 1, 0, 0, time.UTC).Unix()), first.header.Get("RateLimit-Reset"))
	assert.Equal(t, "0", get(t, srv, "/runners", srv.AdminToken()).header.Get("RateLimit-Remaining"))

	res := get(t, srv, "/runners", srv.AdminToken())
	assert.Equal(t, http.StatusTooManyRequests, res.status)
	assert.Equal(t, "Retry later", strings.TrimSpace(string(res.body)))
	assert.True(t, strings.HasPrefix(res.header.Get("Content-Type"), "text/plain"))
	assert.Equal(t, "30", res.header.Get("Retry-After"))
	assert.Equal(t, "Thu, 20 Mar 2025 12:01:00 GMT", res.header.Get("RateLimit-ResetTime"))
	assert.Equal(t, "3", res.header.Get("RateLimit-Observed"))

	assert.Equal(t, http.StatusOK, get(t, srv, "/runners", other).status, "quotas are per token")
	unauth := call(t, srv, "POST", "/runners/verify", "", map[string]any{"token": "x"})
	assert.Equal(t, "throttle_unauthenticated_api", unauth.header.Get("RateLimit-Name"))

	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	assert.Equal(t, http.StatusOK, get(t, srv, "/runners", srv.AdminToken()).status, "a new window")

	srv.SetRateLimit(0, 0)
	off := get(t, srv, "/runners", srv.AdminToken())
	assert.Empty(t, off.header.Get("RateLimit-Limit"))
}

func TestRequests_neverHoldTokens(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tokens := []string{w.srv.AdminToken(), w.maintTok, w.srv.RegistrationToken(glrunnerstest.TokenInstance, 0),
		w.srv.RegistrationToken(glrunnerstest.TokenProject, w.q), w.srv.RunnerToken(w.projRunner)}
	custom := w.srv.AddRunner(glrunnerstest.Runner{Token: "my secret runner token"})
	tokens = append(tokens, "my secret runner token")

	res := call(t, w.srv, "POST", "/runners", "", map[string]any{"token": w.srv.RegistrationToken(glrunnerstest.TokenProject, w.q)})
	require.Equal(t, http.StatusCreated, res.status)
	var reg registration
	res.decode(t, &reg)
	tokens = append(tokens, reg.Token)
	call(t, w.srv, "POST", "/runners/verify", "", form{"token": {"my secret runner token"}})
	res = call(t, w.srv, "POST", fmt.Sprintf("/runners/%d/reset_authentication_token", custom), w.srv.AdminToken(), nil)
	tokens = append(tokens, res.object(t)["token"].(string))
	// Careless clients put tokens in URLs; the log must still not show them.
	for _, tok := range tokens {
		r, err := http.Get(w.srv.URL() + "/api/v4/runners?private_token=" + url.QueryEscape(tok) + "&x=" + url.QueryEscape(tok))
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
		r, err = http.Get(w.srv.URL() + "/api/v4/runners/" + strings.ReplaceAll(tok, " ", "%20"))
		require.NoError(t, err)
		r.Body.Close()
	}
	log := w.srv.Requests()
	require.Len(t, log, 3+2*len(tokens))
	for _, entry := range log {
		dump := fmt.Sprintf("%+v", entry)
		for _, tok := range tokens {
			assert.NotContains(t, dump, tok)
			assert.NotContains(t, dump, strings.ReplaceAll(tok, " ", "%20"))
			assert.NotContains(t, dump, strings.ReplaceAll(tok, " ", "+"))
		}
	}
	assert.Equal(t, "/api/v4/runners", log[len(log)-2].Path)
	assert.Equal(t, "private_token=[REDACTED]&x=[REDACTED]", log[len(log)-2].Query)
	assert.Equal(t, http.StatusUnauthorized, log[len(log)-2].Status)
	assert.Equal(t, "POST", log[0].Method)
	assert.Equal(t, fixedNow, log[0].Time)
}

func TestConcurrency(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const workers, each = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	client := &http.Client{}
	do := func(method, path, body string) (int, error) {
		req, err := http.NewRequestWithContext(t.Context(), method, w.srv.URL()+"/api/v4"+path, strings.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("PRIVATE-TOKEN", w.srv.AdminToken())
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		_, err = io.Copy(io.Discard, res.Body)
		return res.StatusCode, err
	}
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range each {
				var code int
				var err error
				switch j % 4 {
				case 0:
					code, err = do("POST", "/user/runners", `{"runner_type":"instance_type"}`)
					if code != http.StatusCreated {
						err = errors.Join(err, fmt.Errorf("create: %d", code))
					}
				case 1:
					code, err = do("PUT", fmt.Sprintf("/runners/%d", w.projRunner), fmt.Sprintf(`{"description":"w%d"}`, i))
					if code != http.StatusOK {
						err = errors.Join(err, fmt.Errorf("update: %d", code))
					}
				case 2:
					w.srv.AddRunner(glrunnerstest.Runner{Description: "seeded"})
					_ = w.srv.Runners()
				default:
					code, err = do("GET", "/runners/all?per_page=100", "")
					if code != http.StatusOK {
						err = errors.Join(err, fmt.Errorf("list: %d", code))
					}
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	// 3 seeded + 8 workers x 5 creates + 8 x 5 AddRunner.
	assert.Len(t, w.srv.Runners(), 3+workers*each/4*2)
	assert.Len(t, w.srv.Requests(), workers*each*3/4)
}
