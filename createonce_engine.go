package glrunners

import (
	"cmp"
	"context"
	"errors"
	"iter"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"
)

// onceCall is one CreateOnce or RegisterOnce call: a create that may be
// sent again, and the recovery that runs whenever its answer is lost.
//
// The client's RetryPolicy bounds the attempts: at most MaxRetries+1
// creates and MaxRetries+1 token resets, with its backoff between resets.
// How long a lost create is watched for is the settle window
// (WithSettleWindow), which the policy does not touch: after each lost
// answer, settleLooks looks spread over the window, the last at its end.
// Every request and wait also ends with ctx.
type onceCall struct {
	s      *RunnersService
	op     string
	marker string
	opts   []RequestOption
	policy RetryPolicy
	window time.Duration // the settle window

	// send makes one create attempt carrying the marker.
	send func(ctx context.Context) (*RunnerRegistration, *Response, error)
	// scope ranges over the never-contacted runners with all of tags in
	// the instance, group or project the create targeted.
	scope scopeLister
	// tags are the user's tags: a look lists the runners carrying them.
	tags []string
	// restore puts back the user's description, without the marker.
	restore *UpdateRunnerOptions

	last *Response // the answer to the last request sent
}

// scopeLister ranges over the never-contacted runners carrying all of tags
// in the scope a create targeted.
type scopeLister func(ctx context.Context, tags []string) iter.Seq2[*Runner, error]

// errVanished reports that every runner found carrying the marker was
// deleted before its token could be reset.
var errVanished = errors.New("the runner carrying the call's marker was deleted during recovery")

func (o *onceCall) run(ctx context.Context) (*RunnerRegistration, *Response, error) {
	var cause error
	for sent := 1; sent <= o.policy.MaxRetries+1; sent++ {
		reg, resp, err := o.send(ctx)
		o.keep(resp)
		if err == nil {
			return o.finish(ctx, reg, sent)
		}
		if !createAmbiguous(err) {
			return o.fail(outcomeNotCreated, nil, err)
		}
		cause = err
		o.log(ctx, slog.LevelInfo, "create answer lost; looking for the runner", slog.Int("attempt", sent))
		found, err := o.settle(ctx)
		if err != nil {
			return o.fail(outcomeUnknown, nil, wrapf("%s; looking for the runner: %s", cause, err))
		}
		if len(found) == 0 {
			o.log(ctx, slog.LevelInfo, "no runner showed up in the settle window; creating again")
			continue
		}
		reg, err = o.adopt(ctx, found)
		if errors.Is(err, errVanished) {
			cause = err
			continue
		}
		if err != nil {
			return nil, o.last, err
		}
		return o.finish(ctx, reg, sent)
	}
	return o.fail(outcomeNotCreated, nil, cause)
}

// createAmbiguous reports whether a failed create may have made a runner:
// its outcome is unknown, or GitLab said 2xx with a body the client could
// not read (the runner exists; its token is lost).
func createAmbiguous(err error) bool {
	return errors.Is(err, ErrOutcomeUnknown) || errors.Is(err, ErrInvalidResponse)
}

// settle looks for runners carrying the marker until it finds some or the
// settle window, which starts now, has passed. It returns an error when it
// could not make a last successful look at the end of the window, or the
// context ended first.
func (o *onceCall) settle(ctx context.Context) ([]*Runner, error) {
	var found []*Runner
	err := o.overWindow(ctx, func() (bool, error) {
		var err error
		found, err = o.look(ctx)
		if err != nil {
			return ctx.Err() != nil || !transient(err), err
		}
		return len(found) > 0, nil
	})
	if err != nil {
		return nil, err
	}
	return found, nil
}

// look walks the scope once and returns the runners carrying the marker,
// oldest first.
func (o *onceCall) look(ctx context.Context) ([]*Runner, error) {
	var found []*Runner
	for r, err := range o.scope(ctx, o.tags) {
		if err != nil {
			return nil, err
		}
		if carriesMarker(r, o.marker) {
			found = append(found, r)
		}
	}
	slices.SortFunc(found, func(a, b *Runner) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return found, nil
}

// adopt takes over the oldest runner found that still exists: it resets
// that runner's token (no one holds the lost one, so a repeated reset is
// harmless) and deletes the other runners of the call.
func (o *onceCall) adopt(ctx context.Context, found []*Runner) (*RunnerRegistration, error) {
	for i, r := range found {
		tok, err := o.reset(ctx, r.ID)
		if errors.Is(err, ErrNotFound) {
			continue // deleted by someone else: try the next one
		}
		if err != nil {
			return nil, o.failIDs(outcomeUnrecovered, ids(found[i:]), err)
		}
		reg := &RunnerRegistration{ID: r.ID, Token: tok.Token, TokenExpiresAt: tok.TokenExpiresAt}
		o.log(ctx, slog.LevelInfo, "recovered the runner of a lost create answer", slog.Int64("runner_id", r.ID))
		if err := o.deleteOthers(ctx, reg.ID, found[i+1:]); err != nil {
			return nil, err
		}
		return reg, nil
	}
	return nil, errVanished
}

// reset resets a runner's authentication token, sending it again when
// its answer is lost or GitLab fails on the way.
func (o *onceCall) reset(ctx context.Context, id int64) (*Token, error) {
	var err error
	for i := 0; i <= o.policy.MaxRetries; i++ {
		if i > 0 {
			if werr := o.pause(ctx, i); werr != nil {
				return nil, wrapf("%s (after: %s)", werr, err)
			}
		}
		var tok *Token
		var resp *Response
		tok, resp, err = o.s.client.Tokens.ResetAuthenticationToken(ctx, id, o.opts...)
		o.keep(resp)
		if err == nil {
			return tok, nil
		}
		if ctx.Err() != nil || !transient(err) {
			return nil, err
		}
	}
	return nil, err
}

// deleteOthers deletes the runners of this call other than keep: creates
// sent again after a window that showed nothing, which committed late.
func (o *onceCall) deleteOthers(ctx context.Context, keep int64, others []*Runner) error {
	var deleted []int64
	for i, r := range others {
		if r.ID == keep {
			continue
		}
		resp, err := o.s.Delete(ctx, r.ID, o.opts...)
		o.keep(resp)
		if err != nil && !errors.Is(err, ErrNotFound) {
			left := []int64{keep}
			for _, l := range others[i:] {
				if l.ID != keep {
					left = append(left, l.ID)
				}
			}
			return o.failIDs(outcomeUnrecovered, left, wrapf("deleting duplicate runner %d: %s", r.ID, err))
		}
		deleted = append(deleted, r.ID)
	}
	if len(deleted) > 0 {
		o.log(ctx, slog.LevelWarn, "deleted duplicate runners of one call",
			slog.Int64("kept", keep), slog.Any("deleted", deleted))
	}
	return nil
}

// finish gives the runner back the user's own fields. When this call sent
// more than one create, it then takes one more look for the marker and
// deletes what it finds: a runner of an earlier create that committed
// while the later one was on its way (the kept runner no longer carries
// the marker by then).
func (o *onceCall) finish(ctx context.Context, reg *RunnerRegistration, sent int) (*RunnerRegistration, *Response, error) {
	err := o.restoreFields(ctx, reg.ID)
	if errors.Is(err, ErrNotFound) && ctx.Err() == nil {
		// 404 over the whole window: not a create still committing.
		return o.fail(outcomeNotCreated, nil, wrapf("the new runner was deleted: %s", err))
	}
	if err != nil {
		// The runner works but its fields are not the ones asked for: undo
		// it rather than hand over something other than what was asked.
		return o.undo(ctx, reg, wrapf("restoring the runner's fields: %s", err))
	}
	if sent > 1 {
		found, err := o.look(ctx)
		if err == nil {
			err = o.deleteOthers(ctx, reg.ID, found)
		}
		var failed *CreateOnceError
		if errors.As(err, &failed) {
			return nil, o.last, err
		}
		// A failed extra look is no reason to give up a runner in hand.
	}
	return reg, o.last, nil
}

// undo deletes, by its token, a new runner the call cannot hand over.
func (o *onceCall) undo(ctx context.Context, reg *RunnerRegistration, err error) (*RunnerRegistration, *Response, error) {
	if ctx.Err() == nil {
		resp, derr := o.s.DeleteByToken(ctx, reg.Token, o.opts...)
		o.keep(resp)
		if derr == nil {
			return o.fail(outcomeNotCreated, nil, err)
		}
	}
	return nil, o.last, o.failIDs(outcomeUnrecovered, []int64{reg.ID}, err)
}

// restoreFields sends the update that removes the marker. A 404 is asked
// again over the settle window: the create may still be committing (a
// runner GitLab answered for is not always readable yet behind a proxy or
// replica).
func (o *onceCall) restoreFields(ctx context.Context, id int64) error {
	return o.overWindow(ctx, func() (bool, error) {
		_, resp, err := o.s.Update(ctx, id, o.restore, o.opts...)
		o.keep(resp)
		return !errors.Is(err, ErrNotFound), err
	})
}

func (o *onceCall) fail(outcome onceOutcome, runnerIDs []int64, err error) (*RunnerRegistration, *Response, error) {
	return nil, o.last, o.failIDs(outcome, runnerIDs, err)
}

func (o *onceCall) failIDs(outcome onceOutcome, runnerIDs []int64, err error) error {
	return &CreateOnceError{Op: o.op, RunnerIDs: runnerIDs, Marker: o.marker, Err: err, outcome: outcome}
}

func (o *onceCall) keep(resp *Response) {
	if resp != nil {
		o.last = resp
	}
}

func (o *onceCall) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if l := o.s.client.logger; l != nil {
		attrs = append(attrs, slog.String("op", o.op), slog.String("marker", o.marker))
		l.LogAttrs(ctx, level, "glrunners: "+msg, attrs...)
	}
}

// transient reports whether a failed step may succeed when repeated: an
// unknown outcome, a server error, a rate limit or a broken connection.
// Refusals (4xx) and bad input are final.
func transient(err error) bool {
	var te *TransportError
	return errors.Is(err, ErrOutcomeUnknown) || errors.Is(err, ErrServer) ||
		errors.Is(err, ErrRateLimited) || errors.Is(err, ErrInvalidResponse) || errors.As(err, &te)
}

func ids(rs []*Runner) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// pause waits before the nth repeat of a step: the backoff of the retry
// policy, with jitter so that calls that failed together do not look
// together.
func (o *onceCall) pause(ctx context.Context, n int) error {
	return sleepCtx(ctx, o.policy.backoff(n, rand.Float64()))
}

// sleepCtx is sleep (ratelimit.go) that also reports an ended context
// when there is nothing to wait for.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	return sleep(ctx, d)
}

// refuseUnsafeRetry refuses WithRetryNonIdempotent: replaying a create
// whose answer was lost is exactly the duplicate these calls prevent.
func refuseUnsafeRetry(opts []RequestOption) error {
	rc := requestConfig{header: make(http.Header)}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&rc); err != nil {
			return err
		}
	}
	if rc.retryUnsafe {
		return invalidArg("WithRetryNonIdempotent", "would replay a create whose answer was lost; the call recovers such answers itself")
	}
	return nil
}
