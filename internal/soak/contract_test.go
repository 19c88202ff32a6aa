package soak_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/glrunners/glrunners/internal/soak"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// want is what one call must end in under one forced fault.
type want struct {
	ok        bool // succeeds (after retries)
	unknown   bool // fails matching ErrOutcomeUnknown; else any failure must not match it
	decode    bool // fails with a *DecodeError matching ErrInvalidResponse
	transport bool // fails with a *TransportError
	server    bool // fails with an *Error matching ErrServer
	notFound  bool // fails matching ErrNotFound after more than one attempt
	applied   int  // runners created, tokens rotated or runners deleted, per the ledger
	// orRetried also accepts a success (with one change made): a
	// connection reset before the client wrote anything is retried.
	orRetried bool
}

// faultEnv is what a contract row works on.
type faultEnv struct {
	c      *glrunners.Client
	runner int64
	token  string
}

type faultOp struct {
	name string
	do   func(ctx context.Context, e faultEnv, opts ...glrunners.RequestOption) (*glrunners.Response, error)
	// effect counts what an attempt did to the server.
	effect func(soak.Attempt) bool
}

var (
	createOp = faultOp{"create", func(ctx context.Context, e faultEnv, opts ...glrunners.RequestOption) (*glrunners.Response, error) {
		reg, resp, err := e.c.Runners.Create(ctx, &glrunners.CreateRunnerOptions{RunnerType: glrunners.InstanceType}, opts...)
		if err == nil && (reg == nil || reg.ID <= 0 || reg.Token.Reveal() == "") {
			err = errIncomplete
		}
		return resp, err
	}, func(a soak.Attempt) bool { _, _, ok := a.Created(); return ok }}
	resetOp = faultOp{"reset token", func(ctx context.Context, e faultEnv, opts ...glrunners.RequestOption) (*glrunners.Response, error) {
		tok, resp, err := e.c.Tokens.ResetAuthenticationToken(ctx, e.runner, opts...)
		if err == nil && (tok == nil || tok.Token.Reveal() == "") {
			err = errIncomplete
		}
		return resp, err
	}, func(a soak.Attempt) bool { _, ok := a.Rotated(); return ok }}
	verifyOp = faultOp{"verify", func(ctx context.Context, e faultEnv, opts ...glrunners.RequestOption) (*glrunners.Response, error) {
		reg, resp, err := e.c.Runners.Verify(ctx, &glrunners.VerifyRunnerOptions{Token: glrunners.Secret(e.token), SystemID: "contract"}, opts...)
		if err == nil && (reg == nil || reg.ID != e.runner) {
			err = errIncomplete
		}
		return resp, err
	}, func(soak.Attempt) bool { return false }}
	getOp = faultOp{"get", func(ctx context.Context, e faultEnv, opts ...glrunners.RequestOption) (*glrunners.Response, error) {
		d, resp, err := e.c.Runners.Get(ctx, e.runner, nil, opts...)
		if err == nil && (d == nil || d.ID != e.runner) {
			err = errIncomplete
		}
		return resp, err
	}, func(soak.Attempt) bool { return false }}
	updateOp = faultOp{"update", func(ctx context.Context, e faultEnv, opts ...glrunners.RequestOption) (*glrunners.Response, error) {
		d, resp, err := e.c.Runners.Update(ctx, e.runner, &glrunners.UpdateRunnerOptions{Description: glrunners.Ptr("changed")}, opts...)
		if err == nil && (d == nil || d.ID != e.runner || d.Description == nil || *d.Description != "changed") {
			err = errIncomplete
		}
		return resp, err
	}, func(soak.Attempt) bool { return false }}
	deleteOp = faultOp{"delete", func(ctx context.Context, e faultEnv, opts ...glrunners.RequestOption) (*glrunners.Response, error) {
		return e.c.Runners.Delete(ctx, e.runner, opts...)
	}, soak.Attempt.Deleted}
)

var errIncomplete = errors.New("incomplete value with a nil error")

// cut says where a truncation cuts the body.
type cut struct {
	name string
	at   func(body []byte) int
}

var (
	half      = func(body []byte) int { return len(body) / 2 }
	inLiteral = cut{" in a literal", func(body []byte) int {
		// Go's decoder reports a body ending in "tr" as a syntax error
		// about a space, not as an unexpected end.
		at := len(body)
		for _, lit := range []string{":true", ":false", ":null"} {
			if i := bytes.Index(body, []byte(lit)); i >= 0 {
				at = min(at, i+3)
			}
		}
		return at
	}}
	toEmpty = cut{" to nothing", func([]byte) int { return 0 }}
)

// TestFaultContract forces each fault kind on single calls and checks the
// typed outcome the SDK promises. It is the soak's findings made
// deterministic: each row is a reproduction.
func TestFaultContract(t *testing.T) {
	srv := glrunnerstest.NewServer()
	defer srv.Close()
	plan := soak.NewPlan(1, 0, 0, 0)
	proxy, err := soak.NewProxy(srv.URL(), plan)
	require.NoError(t, err)
	defer proxy.Close()
	tr, err := soak.NewClientTransport(plan, 4)
	require.NoError(t, err)
	defer tr.CloseIdleConnections()
	alog := newAttemptLog(tr)
	c, err := glrunners.NewClient(proxy.URL(), glrunners.WithToken(srv.AdminToken()),
		glrunners.WithHTTPClient(&http.Client{Transport: alog, Timeout: 30 * time.Second}),
		glrunners.WithRetry(glrunners.RetryPolicy{MaxRetries: 3, WaitMax: time.Millisecond, MaxRetryAfter: 3 * time.Second}))
	require.NoError(t, err)

	unknown := want{unknown: true, applied: 1}
	for _, tc := range []struct {
		op    faultOp
		fault soak.Kind
		want  want
		cut   cut // for truncations; default: half the body
	}{
		{createOp, soak.None, want{ok: true, applied: 1}, cut{}},
		{createOp, soak.Latency, want{ok: true, applied: 1}, cut{}},
		{createOp, soak.RateLimited, want{ok: true, applied: 1}, cut{}},
		{createOp, soak.RefusedDial, want{ok: true, applied: 1}, cut{}},
		{createOp, soak.ResetBeforeForward, want{unknown: true, transport: true}, cut{}},
		{createOp, soak.DroppedOnAccept, want{unknown: true, transport: true, orRetried: true}, cut{}},
		{createOp, soak.ServerErrorAfterApply, want{unknown: true, server: true, applied: 1}, cut{}},
		{createOp, soak.ResetAfterApply, want{unknown: true, transport: true, applied: 1}, cut{}},
		{createOp, soak.TruncatedWithLength, unknown, cut{}},
		{createOp, soak.TruncatedNoLength, want{unknown: true, decode: true, applied: 1}, cut{}},
		{createOp, soak.TruncatedNoLength, want{unknown: true, decode: true, applied: 1}, inLiteral},
		{createOp, soak.TruncatedNoLength, want{unknown: true, decode: true, applied: 1}, toEmpty},
		{resetOp, soak.ServerErrorAfterApply, want{unknown: true, server: true, applied: 1}, cut{}},
		{resetOp, soak.ResetAfterApply, want{unknown: true, transport: true, applied: 1}, cut{}},
		{resetOp, soak.TruncatedWithLength, unknown, cut{}},
		{resetOp, soak.TruncatedNoLength, want{unknown: true, decode: true, applied: 1}, cut{}},
		{resetOp, soak.RefusedDial, want{ok: true, applied: 1}, cut{}},
		{verifyOp, soak.TruncatedNoLength, want{unknown: true, decode: true}, cut{}},
		{verifyOp, soak.ServerErrorAfterApply, want{unknown: true, server: true}, cut{}},
		{getOp, soak.ResetBeforeForward, want{ok: true}, cut{}},
		{getOp, soak.ResetAfterApply, want{ok: true}, cut{}},
		{getOp, soak.ServerErrorAfterApply, want{ok: true}, cut{}},
		{getOp, soak.TruncatedWithLength, want{ok: true}, cut{}},
		{getOp, soak.TruncatedNoLength, want{ok: true}, cut{}},
		{getOp, soak.TruncatedNoLength, want{ok: true}, inLiteral},
		{getOp, soak.TruncatedNoLength, want{ok: true}, toEmpty},
		{getOp, soak.DroppedOnAccept, want{ok: true}, cut{}},
		{getOp, soak.RefusedDial, want{ok: true}, cut{}},
		{updateOp, soak.ServerErrorAfterApply, want{ok: true}, cut{}},
		{updateOp, soak.TruncatedWithLength, want{ok: true}, cut{}},
		{updateOp, soak.TruncatedNoLength, want{ok: true}, cut{}},
		{updateOp, soak.TruncatedNoLength, want{ok: true}, inLiteral},
		{deleteOp, soak.None, want{ok: true, applied: 1}, cut{}},
		{deleteOp, soak.ResetAfterApply, want{notFound: true, applied: 1}, cut{}},
		{deleteOp, soak.ServerErrorAfterApply, want{notFound: true, applied: 1}, cut{}},
	} {
		name := tc.op.name + "/" + tc.fault.String() + tc.cut.name
		t.Run(name, func(t *testing.T) {
			id := srv.AddRunner(glrunnerstest.Runner{Description: "contract", Status: "online"})
			env := faultEnv{c: c, runner: id, token: srv.RunnerToken(id)}
			tr.CloseIdleConnections() // connection faults need a new connection
			if tc.fault != soak.None {
				plan.Force(tc.fault)
			}
			if tc.fault == soak.TruncatedNoLength || tc.fault == soak.TruncatedWithLength {
				at := tc.cut.at
				if at == nil {
					at = half
				}
				plan.ForceCut(at)
			}
			call := "contract-" + name
			resp, err := tc.op.do(t.Context(), env, glrunners.WithHeader(soak.CallHeader, call))
			recs := proxy.Ledger.Attempts(call)
			w := tc.want
			if w.orRetried && err == nil {
				w = want{ok: true, applied: 1}
			}
			applied := 0
			for _, a := range recs {
				if tc.op.effect(a) {
					applied++
				}
			}
			assert.Equal(t, w.applied, applied, "changes the server made%s", describe(recs))
			checkWant(t, w, resp, err)
			if w.ok && tc.fault != soak.None && tc.fault != soak.Latency {
				// The fault really hit the call, and the SDK rode it out.
				assert.GreaterOrEqual(t, len(alog.attempts(call)), 2, "attempts%s", describe(recs))
			}
		})
	}
}

func checkWant(t *testing.T, w want, resp *glrunners.Response, err error) {
	t.Helper()
	if w.ok {
		assert.NoError(t, err)
		return
	}
	require.Error(t, err)
	assert.Equal(t, w.unknown, errors.Is(err, glrunners.ErrOutcomeUnknown), "matches ErrOutcomeUnknown: %v", err)
	if w.decode {
		var de *glrunners.DecodeError
		assert.True(t, errors.As(err, &de), "a *DecodeError, got %T: %v", err, err)
		assert.ErrorIs(t, err, glrunners.ErrInvalidResponse)
	}
	if w.transport {
		var te *glrunners.TransportError
		assert.True(t, errors.As(err, &te), "a *TransportError, got %T: %v", err, err)
	}
	if w.server {
		assert.ErrorIs(t, err, glrunners.ErrServer)
	}
	if w.notFound {
		assert.ErrorIs(t, err, glrunners.ErrNotFound)
		if assert.NotNil(t, resp) {
			assert.Greater(t, resp.Attempts, 1, "the 404 came from a retry")
		}
	}
}
