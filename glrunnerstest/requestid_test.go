package glrunnerstest_test

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
)

// ulid is the shape of the fake's X-Request-Id: 26 characters of
// Crockford's base 32.
var ulid = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`)

func TestRequestID_onEveryAnswer(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id := srv.AddRunner(glrunnerstest.Runner{})
	srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/runners/all", Status: http.StatusBadGateway})
	srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/runners/{id}/jobs", Status: http.StatusTooManyRequests})
	srv.AddFault(glrunnerstest.Fault{Method: "PUT", Pattern: "/runners/*", Status: http.StatusServiceUnavailable, AfterApply: true})
	admin := srv.AdminToken()
	runner := fmt.Sprintf("/runners/%d", id)

	start := time.Now()
	answers := []struct {
		name   string
		res    response
		status int
	}{
		{"success", get(t, srv, "/runners", admin), http.StatusOK},
		{"no token", get(t, srv, "/runners", ""), http.StatusUnauthorized},
		{"unknown path", get(t, srv, "/nothing/here", admin), http.StatusNotFound},
		{"unknown runner", get(t, srv, "/runners/999", admin), http.StatusNotFound},
		{"applied, answer lost", call(t, srv, "PUT", runner, admin, map[string]any{"paused": true}), http.StatusServiceUnavailable},
		{"fault", get(t, srv, "/runners/all", admin), http.StatusBadGateway},
		{"429 fault", get(t, srv, runner+"/jobs", admin), http.StatusTooManyRequests},
		{"no content", call(t, srv, "DELETE", runner, admin, nil), http.StatusNoContent},
	}
	end := time.Now()

	log := srv.Requests()
	require.Len(t, log, len(answers))
	seen := map[string]bool{}
	for i, a := range answers {
		got := a.res.header.Get("X-Request-Id")
		assert.Equal(t, a.status, a.res.status, a.name)
		assert.Regexp(t, ulid, got, a.name)
		assert.False(t, seen[got], "%s: ids are unique", a.name)
		seen[got] = true
		assert.Equal(t, got, log[i].RequestID, "%s: the log records the id the answer carried", a.name)
		ms := ulidMillis(t, got)
		assert.True(t, ms >= start.UnixMilli() && ms <= end.UnixMilli(), "%s: the id starts with the time it was made", a.name)
	}
}

// ulidMillis decodes the 48-bit millisecond time of a ULID's first ten
// characters.
func ulidMillis(t *testing.T, id string) int64 {
	t.Helper()
	var ms int64
	for _, c := range id[:10] {
		i := strings.IndexRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", c)
		require.GreaterOrEqual(t, i, 0)
		ms = ms<<5 | int64(i)
	}
	return ms
}

// A reset connection carries no answer, so its log entry has no id.
func TestRequestID_resetHasNone(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/runners/verify", Reset: true})
	req, err := http.NewRequest("POST", srv.URL()+"/api/v4/runners/verify", strings.NewReader(`{"token":"x"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	_, err = (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	require.Error(t, err)
	log := srv.Requests()
	require.Len(t, log, 1)
	assert.Equal(t, 0, log[0].Status)
	assert.Empty(t, log[0].RequestID)
}

// What users' tests see through the SDK: the id of the answer on the
// *Response of a success and on the *Error of a failure.
func TestRequestID_throughTheSDK(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id := srv.AddRunner(glrunnerstest.Runner{Description: "build-1"})
	client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()), glrunners.WithoutRetries())
	require.NoError(t, err)

	_, resp, err := client.Runners.Get(t.Context(), id, nil)
	require.NoError(t, err)
	log := srv.Requests()
	assert.Regexp(t, ulid, resp.RequestID)
	assert.Equal(t, log[len(log)-1].RequestID, resp.RequestID)

	srv.AddFault(glrunnerstest.Fault{Method: "GET", Pattern: "/runners/{id}", Status: http.StatusForbidden})
	_, resp, err = client.Runners.Get(t.Context(), id, nil)
	var e *glrunners.Error
	require.True(t, errors.As(err, &e), "%v", err)
	log = srv.Requests()
	assert.Equal(t, http.StatusForbidden, e.StatusCode)
	assert.Regexp(t, ulid, e.RequestID)
	assert.Equal(t, log[len(log)-1].RequestID, e.RequestID)
	assert.Equal(t, e.RequestID, resp.RequestID)
}
