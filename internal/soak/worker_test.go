package soak_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/internal/soak"
)

type opKind int

const (
	opList opKind = iota
	opGet
	opUpdate
	opPause
	opCreate
	opVerify
	opReset
	opDelete
	opReconcile // a list by tag after a create whose outcome is unknown
	numOps
)

var opNames = [numOps]string{"list", "get", "update", "pause", "create", "verify", "reset token", "delete", "reconcile list"}

// opWeights is the mix of operations a worker draws from (reconcile is
// not drawn: it follows an unknown create).
var opWeights = [numOps]int{opList: 8, opGet: 18, opUpdate: 12, opPause: 8, opCreate: 16, opVerify: 10, opReset: 12, opDelete: 16}

// method is the HTTP method of an operation: POSTs may end with an unknown
// outcome, nothing else may.
func (o opKind) method() string {
	switch o {
	case opCreate, opVerify, opReset:
		return http.MethodPost
	case opUpdate, opPause:
		return http.MethodPut
	case opDelete:
		return http.MethodDelete
	}
	return http.MethodGet
}

// result is one call and what it returned.
type result struct {
	call     string
	op       opKind
	runner   int64
	err      error
	attempts int    // as the SDK reported; 0 when it did not say
	gotID    int64  // the runner a create returned
	gotToken string // the token a create or reset returned
	took     time.Duration
	problems []string // incomplete or wrong values
}

// owned is a runner a worker created or was given; token "" means the
// worker does not know the current token.
type owned struct {
	id    int64
	token string
}

// worker runs its share of operations on runners of its own, so that what
// one goroutine does never makes another's call fail.
type worker struct {
	n       int
	c       *glrunners.Client
	rng     *rand.Rand
	timeout time.Duration
	runners []owned
	results []result
}

func (w *worker) run(ctx context.Context, ops int) {
	for i := range ops {
		w.do(ctx, w.draw(), fmt.Sprintf("w%02d-%04d", w.n, i))
	}
}

// draw picks an operation, falling back to a create when the worker has
// nothing to work on.
func (w *worker) draw() opKind {
	total := 0
	for _, wt := range opWeights {
		total += wt
	}
	x := w.rng.IntN(total)
	op := opList
	for k, wt := range opWeights {
		if x < wt {
			op = opKind(k)
			break
		}
		x -= wt
	}
	switch {
	case op != opList && op != opCreate && len(w.runners) == 0:
		return opCreate
	case op == opDelete && len(w.runners) < 2:
		return opCreate
	case op == opVerify && w.withToken() < 0:
		return opReset // learn a token first, as a caller would
	}
	return op
}

func (w *worker) withToken() int {
	for _, i := range w.rng.Perm(len(w.runners)) {
		if w.runners[i].token != "" {
			return i
		}
	}
	return -1
}

func (w *worker) do(parent context.Context, op opKind, call string) {
	ctx, cancel := context.WithTimeout(parent, w.timeout)
	defer cancel()
	res := result{call: call, op: op}
	opts := []glrunners.RequestOption{glrunners.WithHeader(soak.CallHeader, call)}
	start := time.Now()
	i := -1
	if op != opList && op != opCreate {
		i = w.rng.IntN(len(w.runners))
		if op == opVerify {
			i = w.withToken()
		}
		res.runner = w.runners[i].id
	}
	var resp *glrunners.Response
	switch op {
	case opList:
		w.list(ctx, &res, opts)
	case opGet:
		var d *glrunners.RunnerDetails
		d, resp, res.err = w.c.Runners.Get(ctx, res.runner, nil, opts...)
		res.checkDetails(d, res.runner)
	case opUpdate:
		desc := "soak " + call
		var d *glrunners.RunnerDetails
		d, resp, res.err = w.c.Runners.Update(ctx, res.runner, &glrunners.UpdateRunnerOptions{Description: &desc}, opts...)
		if res.checkDetails(d, res.runner) && (d.Description == nil || *d.Description != desc) {
			res.problem("update returned description %v, want %q", d.Description, desc)
		}
	case opPause:
		pause := w.rng.IntN(2) == 0
		var d *glrunners.RunnerDetails
		if pause {
			d, resp, res.err = w.c.Runners.Pause(ctx, res.runner, opts...)
		} else {
			d, resp, res.err = w.c.Runners.Unpause(ctx, res.runner, opts...)
		}
		if res.checkDetails(d, res.runner) && d.Paused != pause {
			res.problem("pause(%v) returned paused=%v", pause, d.Paused)
		}
	case opCreate:
		resp = w.create(ctx, &res, opts)
	case opVerify:
		resp = w.verify(ctx, &res, i, opts)
	case opReset:
		resp = w.reset(ctx, &res, i, opts)
	case opDelete:
		resp, res.err = w.c.Runners.Delete(ctx, res.runner, opts...)
		// Whatever the answer, the runner is gone or its deletion is in
		// doubt: stop using it. The check compares with the ledger.
		w.runners = append(w.runners[:i], w.runners[i+1:]...)
	}
	res.attempts = attemptsOf(resp, res.err)
	res.took = time.Since(start)
	w.results = append(w.results, res)
}

// listQueries vary page sizes (more pages, more fetched ahead) and
// filters.
var listQueries = []*glrunners.ListRunnersOptions{
	nil, // 100 a page
	{ListOptions: glrunners.ListOptions{PerPage: 50}},
	{ListOptions: glrunners.ListOptions{PerPage: 40}, TagList: []string{"fleet"}},
}

// list ranges an iterator over runners: to the end, or breaking early
// (which must cancel and reap any page fetched ahead).
func (w *worker) list(ctx context.Context, res *result, opts []glrunners.RequestOption) {
	limit := -1
	if w.rng.IntN(2) == 0 {
		limit = 1 + w.rng.IntN(150)
	}
	n := 0
	q := listQueries[w.rng.IntN(len(listQueries))]
	for r, err := range w.c.Runners.ListAllIter(ctx, q, opts...) {
		if err != nil {
			res.err = err
			return
		}
		if r == nil || r.ID <= 0 {
			res.problem("list yielded an incomplete runner (nil or no ID) with a nil error")
			return
		}
		if n++; n == limit {
			return
		}
	}
}

func (w *worker) create(ctx context.Context, res *result, opts []glrunners.RequestOption) *glrunners.Response {
	tag := "soak-" + res.call
	reg, resp, err := w.c.Runners.Create(ctx, &glrunners.CreateRunnerOptions{
		RunnerType: glrunners.InstanceType, Description: "soak " + res.call, TagList: []string{tag},
	}, opts...)
	res.err = err
	switch {
	case err == nil && (reg == nil || reg.ID <= 0 || reg.Token.Reveal() == ""):
		res.problem("create returned an incomplete registration (nil, no ID or no token) with a nil error")
	case err == nil:
		res.gotID, res.gotToken = reg.ID, reg.Token.Reveal()
		w.runners = append(w.runners, owned{reg.ID, reg.Token.Reveal()})
	case errors.Is(err, glrunners.ErrOutcomeUnknown):
		w.reconcile(ctx, res.call, tag)
	}
	return resp
}

// reconcile does what a caller must after a create of unknown outcome:
// look for the runner by its unique tag, and adopt it (token unknown).
func (w *worker) reconcile(parent context.Context, call, tag string) {
	ctx, cancel := context.WithTimeout(parent, w.timeout)
	defer cancel()
	rec := result{call: call + "-reconcile", op: opReconcile}
	start := time.Now()
	opt := &glrunners.ListRunnersOptions{TagList: []string{tag}}
	for r, err := range w.c.Runners.ListAllIter(ctx, opt, glrunners.WithHeader(soak.CallHeader, rec.call)) {
		if err != nil {
			rec.err = err
			break
		}
		if r == nil || r.ID <= 0 {
			rec.problem("reconcile list yielded an incomplete runner with a nil error")
			break
		}
		rec.gotID = r.ID // the check compares it with the ledger
		w.runners = append(w.runners, owned{id: r.ID})
	}
	rec.took = time.Since(start)
	w.results = append(w.results, rec)
}

func (w *worker) verify(ctx context.Context, res *result, i int, opts []glrunners.RequestOption) *glrunners.Response {
	tok := w.runners[i].token
	reg, resp, err := w.c.Runners.Verify(ctx, &glrunners.VerifyRunnerOptions{
		Token: glrunners.Secret(tok), SystemID: fmt.Sprintf("soak-w%02d", w.n),
	}, opts...)
	res.err = err
	if err == nil && (reg == nil || reg.ID != res.runner || reg.Token.Reveal() != tok) {
		res.problem("verify of runner %d returned an incomplete or foreign registration with a nil error", res.runner)
	}
	return resp
}

func (w *worker) reset(ctx context.Context, res *result, i int, opts []glrunners.RequestOption) *glrunners.Response {
	tok, resp, err := w.c.Tokens.ResetAuthenticationToken(ctx, res.runner, opts...)
	res.err = err
	switch {
	case err == nil && (tok == nil || tok.Token.Reveal() == ""):
		res.problem("reset of runner %d returned no token with a nil error", res.runner)
		w.runners[i].token = ""
	case err == nil:
		res.gotToken = tok.Token.Reveal()
		w.runners[i].token = res.gotToken
	case errors.Is(err, glrunners.ErrOutcomeUnknown):
		w.runners[i].token = "" // rotated or not: the caller cannot tell
	}
	return resp
}

// checkDetails reports whether d is a complete answer about runner id.
func (r *result) checkDetails(d *glrunners.RunnerDetails, id int64) bool {
	if r.err != nil {
		return false
	}
	if d == nil || d.ID != id {
		r.problem("%s of runner %d returned an incomplete or foreign runner with a nil error", opNames[r.op], id)
		return false
	}
	return true
}

func (r *result) problem(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

func attemptsOf(resp *glrunners.Response, err error) int {
	if resp != nil {
		return resp.Attempts
	}
	var te *glrunners.TransportError
	if errors.As(err, &te) {
		return te.Attempts
	}
	return 0
}
