package exittest

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestClosedURL_refusesConnections(t *testing.T) {
	u := ClosedURL(t)
	if !strings.HasPrefix(u, "http://127.0.0.1:") {
		t.Fatalf("ClosedURL = %q, want a loopback URL", u)
	}
	c := &http.Client{Timeout: 5 * time.Second}
	if resp, err := c.Get(u); err == nil {
		resp.Body.Close()
		t.Fatalf("GET %s answered %s; want a refused connection", u, resp.Status)
	}
}
