package main

import (
	"net/http"
	"sync/atomic"
	"time"
)

// countingTransport counts the requests that go out, retries included, for
// the request rate in the progress line and the summary.
type countingTransport struct {
	base http.RoundTripper
	n    atomic.Int64
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return t.base.RoundTrip(r)
}

// newHTTPClient keeps enough idle connections for every request in flight
// (pages read ahead plus runners read at once): with Go's default of two
// per host, most requests would open a new connection.
func newHTTPClient(concurrency int) (*http.Client, *countingTransport) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 2 * concurrency
	ct := &countingTransport{base: tr}
	return &http.Client{Transport: ct, Timeout: 2 * time.Minute}, ct
}
