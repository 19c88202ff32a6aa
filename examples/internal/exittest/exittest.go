// Package exittest holds what the example tools' exit-status tests share.
package exittest

import (
	"net"
	"testing"
)

// ClosedURL returns the URL of a loopback port nothing listens on: a
// GitLab that cannot be reached, without leaving the machine.
func ClosedURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("exittest: listen: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("exittest: close: %v", err)
	}
	return "http://" + addr
}
