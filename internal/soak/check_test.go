package soak_test

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/internal/soak"
)

// tally is the outcome of every call.
type tally struct {
	ok, failed, unknown int
	lostDeleteAnswers   int // a retried DELETE answered 404: done on an earlier attempt
	violations          int
}

// verdict says whether a failed POST must match ErrOutcomeUnknown.
type verdict int

const (
	mayBeUnknown verdict = iota // the last attempt vanished before the proxy saw it
	mustBeUnknown
	mustNotBeUnknown
)

// expectUnknown decides from what the proxy and the client saw of a failed
// POST whether its outcome is unknown to the caller.
func expectUnknown(recs []soak.Attempt, atts []clientAttempt) verdict {
	if len(atts) > 0 && atts[len(atts)-1].refused {
		return mustNotBeUnknown // the last dial was refused: nothing was written
	}
	written := 0
	for _, a := range atts {
		if !a.refused {
			written++
		}
	}
	if len(recs) == 0 || written != len(recs) {
		return mayBeUnknown // a connection dropped on accept: the request may have been read
	}
	last := recs[len(recs)-1]
	switch last.Fault {
	case soak.ResetBeforeForward, soak.ResetAfterApply, soak.ServerErrorAfterApply:
		return mustBeUnknown
	case soak.TruncatedWithLength, soak.TruncatedNoLength:
		if last.Status >= 200 && last.Status <= 299 {
			return mustBeUnknown // applied, and the answer is unusable
		}
	}
	if last.Status >= 500 {
		return mustBeUnknown
	}
	return mustNotBeUnknown // an answer the client could read: 4xx, or 429 at the end
}

// checkCalls holds every call's outcome against the ledger.
func checkCalls(t *testing.T, results []result, led *soak.Ledger, alog *attemptLog) tally {
	t.Helper()
	var tl tally
	for _, res := range results {
		recs := led.Attempts(res.call)
		var bad []string
		bad = append(bad, res.problems...)
		unknown := errors.Is(res.err, glrunners.ErrOutcomeUnknown)
		switch {
		case res.err == nil:
			tl.ok++
		case unknown:
			tl.unknown++
		default:
			tl.failed++
		}
		if res.op.method() == http.MethodPost {
			bad = append(bad, checkPost(res, recs, alog.attempts(res.call))...)
		} else {
			bad = append(bad, checkIdempotent(res, recs, &tl)...)
		}
		if res.op == opReconcile {
			bad = append(bad, checkReconcile(res, led)...)
		}
		for _, b := range bad {
			tl.violations++
			t.Errorf("%s (%s, runner %d, %d requests sent, %s): %s%s", res.call, opNames[res.op], res.runner,
				len(alog.attempts(res.call)), res.took.Round(1e6), b, describe(recs))
		}
	}
	return tl
}

func checkPost(res result, recs []soak.Attempt, atts []clientAttempt) []string {
	var bad []string
	unknown := errors.Is(res.err, glrunners.ErrOutcomeUnknown)
	if res.err != nil {
		switch expectUnknown(recs, atts) {
		case mustBeUnknown:
			if !unknown {
				bad = append(bad, fmt.Sprintf("outcome unknown to the caller, but the error (%T) does not match ErrOutcomeUnknown: %v", res.err, res.err))
			}
		case mustNotBeUnknown:
			if unknown {
				bad = append(bad, fmt.Sprintf("the server's answer was definite, but the error matches ErrOutcomeUnknown: %v", res.err))
			}
		}
	}
	switch res.op {
	case opCreate:
		var ids []int64
		var tokens []string
		for _, a := range recs {
			if id, tok, ok := a.Created(); ok {
				ids, tokens = append(ids, id), append(tokens, tok)
			}
		}
		switch {
		case len(ids) > 1:
			bad = append(bad, fmt.Sprintf("DUPLICATE: one create made runners %v", ids))
		case len(ids) == 1 && res.err == nil && (ids[0] != res.gotID || tokens[0] != res.gotToken):
			bad = append(bad, fmt.Sprintf("created runner %d, but the call returned runner %d or another token", ids[0], res.gotID))
		case len(ids) == 1 && res.err != nil && !unknown:
			bad = append(bad, fmt.Sprintf("LOST: runner %d was created, but the error does not match ErrOutcomeUnknown", ids[0]))
		case len(ids) == 0 && res.err == nil:
			bad = append(bad, fmt.Sprintf("the call returned runner %d, which the server never created", res.gotID))
		}
	case opReset:
		var tokens []string
		for _, a := range recs {
			if tok, ok := a.Rotated(); ok {
				tokens = append(tokens, tok)
			}
		}
		switch {
		case len(tokens) > 1:
			bad = append(bad, fmt.Sprintf("DOUBLE ROTATION: one reset rotated the token %d times", len(tokens)))
		case len(tokens) == 1 && res.err == nil && tokens[0] != res.gotToken:
			bad = append(bad, "the call returned a token other than the one the server issued")
		case len(tokens) == 1 && res.err != nil && !unknown:
			bad = append(bad, "LOST: the token was rotated, but the error does not match ErrOutcomeUnknown")
		case len(tokens) == 0 && res.err == nil:
			bad = append(bad, "the call returned a token the server never issued")
		}
	}
	return bad
}

func checkIdempotent(res result, recs []soak.Attempt, tl *tally) []string {
	if errors.Is(res.err, glrunners.ErrOutcomeUnknown) {
		return []string{fmt.Sprintf("a %s matched ErrOutcomeUnknown: %v", res.op.method(), res.err)}
	}
	deleted := slices.ContainsFunc(recs, soak.Attempt.Deleted)
	switch {
	case res.op == opDelete && res.err == nil && !deleted:
		return []string{"delete succeeded, but the server deleted nothing"}
	case res.op == opDelete && errors.Is(res.err, glrunners.ErrNotFound) && deleted && res.attempts > 1:
		tl.lostDeleteAnswers++ // documented: the 404 of a retry after a lost answer
		return nil
	case res.err != nil:
		return []string{fmt.Sprintf("idempotent call failed despite retries (%T): %v", res.err, res.err)}
	}
	return nil
}

// checkReconcile compares what the caller found by listing with what the
// ledger says the create did.
func checkReconcile(res result, led *soak.Ledger) []string {
	var want int64
	for _, a := range led.Attempts(strings.TrimSuffix(res.call, "-reconcile")) {
		if id, _, ok := a.Created(); ok {
			want = id
		}
	}
	if res.err == nil && res.gotID != want {
		return []string{fmt.Sprintf("reconcile found runner %d, the ledger says the create made %d", res.gotID, want)}
	}
	return nil
}

// checkServerState compares the fake's runners with the ledger: seeded,
// plus every runner created, minus every runner deleted. A difference
// means a change the ledger missed, which would void the other checks.
func checkServerState(t *testing.T, led *soak.Ledger, seeded, now []int64) {
	t.Helper()
	want := map[int64]bool{}
	for _, id := range seeded {
		want[id] = true
	}
	calls := led.Calls()
	var deletes []soak.Attempt
	for _, call := range calls {
		for _, a := range led.Attempts(call) {
			if a.Status == -1 {
				t.Errorf("%s: the proxy could not forward %s %s; the ledger is incomplete", call, a.Method, a.Path)
			}
			if id, _, ok := a.Created(); ok {
				want[id] = true
			}
			if a.Deleted() {
				deletes = append(deletes, a)
			}
		}
	}
	for _, a := range deletes {
		id, err := strconv.ParseInt(strings.TrimPrefix(a.Path, "/api/v4/runners/"), 10, 64)
		if err != nil {
			t.Errorf("%s: cannot read the runner ID of deletion %s", a.Call, a.Path)
		}
		delete(want, id)
	}
	for _, id := range now {
		if !want[id] {
			t.Errorf("the server holds runner %d, which the ledger neither seeded nor saw created", id)
		}
		delete(want, id)
	}
	for id := range want {
		t.Errorf("the ledger expects runner %d, which the server does not hold", id)
	}
}

// describe summarises a call's attempts for a failure message. It never
// prints a body: bodies hold tokens.
func describe(recs []soak.Attempt) string {
	if len(recs) == 0 {
		return "\n\tno attempt reached the proxy"
	}
	var b strings.Builder
	for i, a := range recs {
		fmt.Fprintf(&b, "\n\tattempt %d seen by proxy: %s %s fault=%q forwarded=%v status=%d",
			i+1, a.Method, a.Path, a.Fault, a.Forwarded, a.Status)
	}
	return b.String()
}
