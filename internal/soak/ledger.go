package soak

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// CallHeader names the soak call a request belongs to. The test sets it on
// every call (glrunners.WithHeader), so that the ledger can group a call's
// attempts; the proxy does not forward it.
const CallHeader = "X-Soak-Call"

// Attempt is one request that reached the proxy's handler, and what the
// server did with it.
type Attempt struct {
	Seq    int       // order of arrival, over all calls
	At     time.Time // when the proxy recorded it
	Call   string
	Method string
	Path   string // escaped, without the query
	Fault  Kind   // as applied
	// Forwarded reports whether the server received the request; Status
	// is then the server's answer, else the proxy's own (429) or 0.
	Forwarded bool
	Status    int
	// body is the server's answer. It may hold a token, so it is kept
	// unexported: printing an Attempt cannot leak it.
	body []byte
}

// Applied reports whether the server acted on the request.
func (a Attempt) Applied() bool {
	return a.Forwarded && a.Status >= 200 && a.Status <= 299
}

// Created returns the runner a POST /user/runners created.
func (a Attempt) Created() (id int64, token string, ok bool) {
	if !a.Applied() || a.Method != http.MethodPost || a.Path != "/api/v4/user/runners" {
		return 0, "", false
	}
	var reg struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	if json.Unmarshal(a.body, &reg) != nil || reg.ID == 0 {
		return 0, "", false
	}
	return reg.ID, reg.Token, true
}

// Rotated returns the new token a reset_authentication_token call issued.
func (a Attempt) Rotated() (token string, ok bool) {
	if !a.Applied() || a.Method != http.MethodPost || !strings.HasSuffix(a.Path, "/reset_authentication_token") {
		return "", false
	}
	var tok struct {
		Token string `json:"token"`
	}
	if json.Unmarshal(a.body, &tok) != nil || tok.Token == "" {
		return "", false
	}
	return tok.Token, true
}

// Deleted reports whether the request deleted a runner.
func (a Attempt) Deleted() bool {
	return a.Applied() && a.Method == http.MethodDelete
}

// Ledger is every attempt the proxy handled, by call. It is safe for
// concurrent use.
type Ledger struct {
	mu     sync.Mutex
	seq    int
	byCall map[string][]Attempt
}

func newLedger() *Ledger { return &Ledger{byCall: map[string][]Attempt{}} }

func (l *Ledger) add(a Attempt) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	a.Seq, a.At = l.seq, time.Now()
	l.byCall[a.Call] = append(l.byCall[a.Call], a)
}

// Attempts returns a copy of call's attempts, oldest first.
func (l *Ledger) Attempts(call string) []Attempt {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Attempt(nil), l.byCall[call]...)
}

// Calls returns the IDs of every call with at least one attempt.
func (l *Ledger) Calls() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ids := make([]string, 0, len(l.byCall))
	for id := range l.byCall {
		ids = append(ids, id)
	}
	return ids
}
