package glrunners

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const testToken = "glpat-TESTTOKEN0123456789abcdef"

// fastRetry keeps retry tests quick: real retries, no real waiting.
var fastRetry = RetryPolicy{MaxRetries: 3, WaitMin: 0, WaitMax: 0, MaxRetryAfter: 5 * time.Second}

// setup starts an httptest server and a client pointed at it. The mux
// serves under /api/v4/, as GitLab does.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux, *httptest.Server) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	all := append([]Option{WithToken(testToken), WithRetry(fastRetry)}, opts...)
	c, err := NewClient(srv.URL, all...)
	require.NoError(t, err)
	return c, mux, srv
}

// fixture reads testdata/name on the test goroutine.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
