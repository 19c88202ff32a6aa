package soak_test

import (
	"errors"
	"net/http"
	"sync"
	"syscall"

	"github.com/glrunners/glrunners/internal/soak"
)

// attemptLog sits under the SDK (as the transport of its HTTP client) and
// records every attempt of every call as the client saw it: the ledger
// cannot see an attempt whose connection was refused or dropped before the
// proxy read it.
type attemptLog struct {
	base http.RoundTripper

	mu     sync.Mutex
	byCall map[string][]clientAttempt
}

type clientAttempt struct {
	url     string // the request's URL: one per page of a list
	refused bool   // the dial was refused: nothing was written
}

func newAttemptLog(base http.RoundTripper) *attemptLog {
	return &attemptLog{base: base, byCall: map[string][]clientAttempt{}}
}

func (l *attemptLog) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(req)
	a := clientAttempt{url: req.URL.String(), refused: errors.Is(err, syscall.ECONNREFUSED)}
	l.mu.Lock()
	call := req.Header.Get(soak.CallHeader)
	l.byCall[call] = append(l.byCall[call], a)
	l.mu.Unlock()
	return resp, err
}

func (l *attemptLog) attempts(call string) []clientAttempt {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]clientAttempt(nil), l.byCall[call]...)
}

// retries counts the attempts that repeated a request of the same call
// (a list's pages are distinct requests, not retries).
func (l *attemptLog) retries() (total, refused int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, as := range l.byCall {
		seen := map[string]bool{}
		for _, a := range as {
			if seen[a.url] {
				total++
			}
			seen[a.url] = true
			if a.refused {
				refused++
			}
		}
	}
	return total, refused
}
