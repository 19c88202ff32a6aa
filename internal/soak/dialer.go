package soak

import (
	"context"
	"net"
	"net/http"
	"time"
)

// NewClientTransport returns the HTTP transport for the client under test:
// an ordinary pooled transport whose dialer sends the dials its plan
// refuses to a port that was listened on and closed, so that the refusal
// is the kernel's own ECONNREFUSED and nothing is ever written.
//
// MaxIdleConnsPerHost is kept below the number of workers so that
// connections are closed and dialled again often.
func NewClientTransport(plan *Plan, maxIdlePerHost int) (*http.Transport, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	closed := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: 10 * time.Second}
	return &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if plan.refuseDial() {
				addr = closed
			}
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: maxIdlePerHost,
		IdleConnTimeout:     time.Minute,
	}, nil
}
