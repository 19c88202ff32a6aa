package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// violation is one entry of Prism's sl-violations header.
type violation struct {
	Location []string `json:"location"`
	Severity string   `json:"severity"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
}

type seenViolation struct {
	method, path string
	violation
}

// recorder keeps the sl-violations Prism adds to each proxied answer.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	seen []seenViolation
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if resp != nil {
		if h := resp.Header.Get("sl-violations"); h != "" {
			var vs []violation
			if json.Unmarshal([]byte(h), &vs) == nil {
				r.mu.Lock()
				for _, v := range vs {
					r.seen = append(r.seen, seenViolation{req.Method, req.URL.EscapedPath(), v})
				}
				r.mu.Unlock()
			}
		}
	}
	return resp, err
}

// fixQuirks applies the start-up edits the OpenAPI README prescribes:
// array query parameters lose "nullable" (so tag_list=a,b validates) and
// the project id becomes a plain string (a number matched both oneOf arms).
func fixQuirks(spec string) string {
	spec = regexp.MustCompile(`(type: array\n\s+items:\n\s+type: string\n)\s+nullable: true\n`).ReplaceAllString(spec, "$1")
	return regexp.MustCompile(`oneOf:\n\s*- type: string\n\s*- type: integer\n`).ReplaceAllString(spec, "type: string\n")
}

// knownQuirk reports the violations that are the generated document's, not
// the SDK's (README items 4–6): runner-token endpoints need no user token,
// tokens travel in the body rather than the query, and POST /user/runners
// needs only the id matching runner_type.
func knownQuirk(v seenViolation) bool {
	runnerTokenPath := map[string]bool{
		"POST /api/v4/runners": true, "DELETE /api/v4/runners": true, "POST /api/v4/runners/verify": true,
		"POST /api/v4/runners/reset_authentication_token": true, "DELETE /api/v4/runners/managers": true,
	}[v.method+" "+v.path]
	msg := strings.ToLower(v.Message)
	switch {
	case runnerTokenPath && strings.Contains(msg, "authoriz"), runnerTokenPath && v.Code == "401":
		return true
	case v.method == http.MethodDelete && runnerTokenPath && strings.Contains(msg, "token") && slicesHas(v.Location, "query"):
		return true
	case v.method == http.MethodPost && v.path == "/api/v4/user/runners" &&
		(strings.Contains(msg, "group_id") || strings.Contains(msg, "project_id")):
		return true
	}
	return false
}

func slicesHas(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// lockedBuffer collects Prism's output, written by exec's goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestScenario_throughPrism sends the whole scenario through Prism's
// validating proxy and fails on any request violation the SDK caused. It
// runs when GLRUNNERS_PRISM names a prism binary (.ci/run installs one).
func TestScenario_throughPrism(t *testing.T) {
	prism := os.Getenv("GLRUNNERS_PRISM")
	if prism == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("GLRUNNERS_PRISM is not set under CI: .ci/run must install Prism")
		}
		t.Skip("GLRUNNERS_PRISM is not set; .ci/run installs Prism and sets it")
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "gitlab-runners-openapi-v3.yaml"))
	require.NoError(t, err)
	spec := filepath.Join(t.TempDir(), "openapi.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(fixQuirks(string(raw))), 0o600))

	w := seed(t)
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, prism, "proxy", spec, w.srv.URL(), "-h", "127.0.0.1", "-p", fmt.Sprint(port), "--errors=false")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(90 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("prism did not start: %s", out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}

	rec := &recorder{base: http.DefaultTransport}
	// A control: a request Prism must flag, so a silent proxy cannot pass.
	control, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+addr+"/api/v4/runners?type=bogus", nil)
	require.NoError(t, err)
	control.Header.Set("PRIVATE-TOKEN", w.srv.AdminToken())
	resp, err := (&http.Client{Transport: rec}).Do(control)
	require.NoError(t, err)
	resp.Body.Close()
	require.NotEmpty(t, rec.seen, "Prism flagged nothing on a bad enum: %s", out.String())
	assert.Equal(t, []string{"request", "query", "type"}, rec.seen[0].Location)
	rec.seen = nil

	runScenario(t, w, "http://"+addr, glrunners.WithHTTPClient(&http.Client{Transport: rec}))

	var requestViolations []string
	for _, v := range rec.seen {
		if len(v.Location) == 0 || v.Location[0] != "request" || knownQuirk(v) {
			continue
		}
		requestViolations = append(requestViolations, fmt.Sprintf("%s %s: %s %v: %s", v.method, v.path, v.Code, v.Location, v.Message))
	}
	assert.Empty(t, requestViolations)
	t.Logf("%d violations seen, %d on requests the SDK is responsible for", len(rec.seen), len(requestViolations))
	if testing.Verbose() {
		for _, v := range rec.seen {
			t.Logf("seen: %s %s %v %s", v.method, v.path, v.Location, v.Message)
		}
	}
}
