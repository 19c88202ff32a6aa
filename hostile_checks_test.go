package glrunners

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The calls and checks the rows of the hostile-answer table are made of.

// hostileCall is one SDK call; it returns what the caller got.
type hostileCall func(ctx context.Context, c *Client) (any, error)

// hostileOutcome is what a call returned, and whether its context had
// ended by then.
type hostileOutcome struct {
	got    any
	err    error
	ctxErr error
}

// hostileCheck asserts one thing about an outcome.
type hostileCheck func(t *testing.T, h *hostileEnv, out hostileOutcome)

// seen is what an iterator yielded before it stopped: the IDs of its items,
// then at most one error.
type seen struct{ ids []int64 }

var (
	getRunner hostileCall = func(ctx context.Context, c *Client) (any, error) {
		r, _, err := c.Runners.Get(ctx, 7, nil)
		return r, err
	}
	listRunners hostileCall = func(ctx context.Context, c *Client) (any, error) {
		rs, _, err := c.Runners.ListAll(ctx, nil)
		return rs, err
	}
	createRunner hostileCall = func(ctx context.Context, c *Client) (any, error) {
		r, _, err := c.Runners.Create(ctx, &CreateRunnerOptions{RunnerType: InstanceType})
		return r, err
	}
	resetToken hostileCall = func(ctx context.Context, c *Client) (any, error) {
		tok, _, err := c.Tokens.ResetAuthenticationToken(ctx, 7)
		return tok, err
	}
	deleteRunner hostileCall = func(ctx context.Context, c *Client) (any, error) {
		_, err := c.Runners.Delete(ctx, 7)
		return nil, err
	}
	iterateAll hostileCall = func(ctx context.Context, c *Client) (any, error) {
		return drainSeq(c.Runners.ListAllIter(ctx, nil))
	}
	iterateJobs hostileCall = func(ctx context.Context, c *Client) (any, error) {
		return drainSeq(c.Runners.ListJobsIter(ctx, 7, &ListRunnerJobsOptions{KeysetOptions: KeysetOptions{Pagination: PaginationKeyset}}))
	}
)

// errNilItem is what drainSeq reports when an iterator yields a nil item with
// a nil error, which would make the caller's r.ID panic.
var errNilItem = errors.New("iterator yielded a nil item without an error")

// drainSeq ranges over seq, recording what it yields.
func drainSeq[T any](seq iter.Seq2[*T, error]) (any, error) {
	var s seen
	for it, err := range seq {
		if err != nil {
			return s, err
		}
		if it == nil {
			return s, errNilItem
		}
		s.ids = append(s.ids, reflect.ValueOf(it).Elem().FieldByName("ID").Int())
	}
	return s, nil
}

// twice makes the call a second time after a first call that must succeed:
// for rows about what one answer does to the next call.
func twice(first, second hostileCall) hostileCall {
	return func(ctx context.Context, c *Client) (any, error) {
		if _, err := first(context.Background(), c); err != nil {
			return nil, errors.Join(errors.New("the first call failed"), err)
		}
		return second(ctx, c)
	}
}

// checkNoValueWithError asserts that a failed single call returned no value:
// a half-decoded result must never reach a caller who skips the error.
func checkNoValueWithError(t *testing.T, out hostileOutcome) {
	t.Helper()
	if out.err == nil || out.got == nil {
		return
	}
	if _, ok := out.got.(seen); ok {
		return // an iterator's items before its error are legitimate
	}
	if v := reflect.ValueOf(out.got); !v.IsNil() {
		t.Errorf("a value came with the error: %#v", out.got)
	}
}

// retryAfterOf finds the RetryAfter the error carries: the *Error of an
// answer, or the *RateLimitError of a call not sent.
func retryAfterOf(err error) (time.Duration, bool) {
	if e, ok := asType[*Error](err); ok {
		return e.RetryAfter, true
	}
	if e, ok := asType[*RateLimitError](err); ok {
		return e.RetryAfter, true
	}
	return 0, false
}

// notMatching asserts err matches none of the sentinels that the checks
// below do not name.
func notMatching(t *testing.T, err error, allowed ...error) {
	t.Helper()
	for _, s := range []error{ErrOutcomeUnknown, ErrInvalidResponse, ErrResponseTooLarge, ErrRateLimited, ErrServer, ErrPaginationStalled} {
		if !containsErr(allowed, s) {
			assert.NotErrorIs(t, err, s)
		}
	}
}

func containsErr(errs []error, target error) bool {
	for _, e := range errs {
		if e == target {
			return true
		}
	}
	return false
}

// decodeFailure: a 2xx body the client cannot use is a *DecodeError
// matching ErrInvalidResponse and the extra sentinels, and no other.
func decodeFailure(extra ...error) hostileCheck {
	return func(t *testing.T, _ *hostileEnv, out hostileOutcome) {
		t.Helper()
		_, ok := asType[*DecodeError](out.err)
		require.True(t, ok, "want *DecodeError, got %T: %v", out.err, out.err)
		assert.ErrorIs(t, out.err, ErrInvalidResponse)
		for _, s := range extra {
			assert.ErrorIs(t, out.err, s)
		}
		notMatching(t, out.err, append(extra, ErrInvalidResponse)...)
	}
}

// apiError: a non-2xx answer is an *Error with the status, matching sentinel
// (nil: none of the status sentinels) and the extra sentinels.
func apiError(status int, sentinel error, extra ...error) hostileCheck {
	return func(t *testing.T, _ *hostileEnv, out hostileOutcome) {
		t.Helper()
		e, ok := asType[*Error](out.err)
		require.True(t, ok, "want *Error, got %T: %v", out.err, out.err)
		assert.Equal(t, status, e.StatusCode)
		allowed := extra
		if sentinel != nil {
			assert.ErrorIs(t, out.err, sentinel)
			allowed = append(allowed, sentinel)
		}
		for _, s := range extra {
			assert.ErrorIs(t, out.err, s)
		}
		notMatching(t, out.err, allowed...)
	}
}

// transportFailure: no usable answer is a *TransportError that unwraps to
// cause (nil: any), with Sent as given, matching ErrOutcomeUnknown exactly
// when outcomeUnknown.
func transportFailure(cause error, sent, outcomeUnknown bool) hostileCheck {
	return func(t *testing.T, _ *hostileEnv, out hostileOutcome) {
		t.Helper()
		te, ok := asType[*TransportError](out.err)
		require.True(t, ok, "want *TransportError, got %T: %v", out.err, out.err)
		if cause != nil {
			assert.ErrorIs(t, out.err, cause)
		}
		assert.Equal(t, sent, te.Sent, "Sent")
		assert.Positive(t, te.Attempts)
		if outcomeUnknown {
			assert.ErrorIs(t, out.err, ErrOutcomeUnknown)
			notMatching(t, out.err, ErrOutcomeUnknown)
		} else {
			notMatching(t, out.err)
		}
	}
}

// deadlineExceeded: a server that never finishes ends in the caller's
// deadline: a *TransportError when no answer came, a *DecodeError when the
// 2xx headers came and the body did not.
func deadlineExceeded(midBody bool) hostileCheck {
	return func(t *testing.T, h *hostileEnv, out hostileOutcome) {
		t.Helper()
		assert.ErrorIs(t, out.err, context.DeadlineExceeded)
		if midBody {
			decodeFailure()(t, h, out)
		} else {
			transportFailure(nil, true, false)(t, h, out)
		}
	}
}

// unwrapsTo: the error unwraps to cause.
func unwrapsTo(cause error) hostileCheck {
	return func(t *testing.T, _ *hostileEnv, out hostileOutcome) {
		t.Helper()
		assert.ErrorIs(t, out.err, cause)
	}
}

// notSent: the call was held back by a rate-limit wait that could not fit
// in its deadline, and sent nothing; server tells whose limit held it.
func notSent(server bool, min, max time.Duration) hostileCheck {
	return func(t *testing.T, h *hostileEnv, out hostileOutcome) {
		t.Helper()
		e, ok := asType[*RateLimitError](out.err)
		require.True(t, ok, "want *RateLimitError, got %T: %v", out.err, out.err)
		assert.Equal(t, server, e.Server, "Server")
		assert.ErrorIs(t, out.err, ErrRateLimited)
		notMatching(t, out.err, ErrRateLimited)
		waitBetween(min, max)(t, h, out)
	}
}

// waitBetween: the error carries a RetryAfter between min and max.
func waitBetween(min, max time.Duration) hostileCheck {
	return func(t *testing.T, _ *hostileEnv, out hostileOutcome) {
		t.Helper()
		d, ok := retryAfterOf(out.err)
		require.True(t, ok, "no RetryAfter in %T: %v", out.err, out.err)
		assert.GreaterOrEqual(t, d, min, "RetryAfter")
		assert.LessOrEqual(t, d, max, "RetryAfter")
	}
}

// waitIs: the error carries exactly the wait the server asked for (0:
// it asked for none the client could read).
func waitIs(want time.Duration) hostileCheck { return waitBetween(want, want) }

// requests: the origin received exactly n requests.
func requests(n int32) hostileCheck {
	return func(t *testing.T, h *hostileEnv, _ hostileOutcome) {
		t.Helper()
		assert.Equal(t, n, h.hits.Load(), "requests the origin received")
	}
}

// requestsBetween: the origin received between lo and hi requests.
func requestsBetween(lo, hi int32) hostileCheck {
	return func(t *testing.T, h *hostileEnv, _ hostileOutcome) {
		t.Helper()
		n := h.hits.Load()
		assert.True(t, n >= lo && n <= hi, "the origin received %d requests, want %d to %d", n, lo, hi)
	}
}

// noError: the call succeeded.
func noError() hostileCheck {
	return func(t *testing.T, _ *hostileEnv, out hostileOutcome) {
		t.Helper()
		require.NoError(t, out.err)
	}
}

// runnerID: the call returned the runner (or registration) with this ID.
func runnerID(id int64) hostileCheck {
	return func(t *testing.T, _ *hostileEnv, out hostileOutcome) {
		t.Helper()
		require.NoError(t, out.err)
		require.NotNil(t, out.got)
		assert.Equal(t, id, reflect.ValueOf(out.got).Elem().FieldByName("ID").Int())
	}
}

// yielded: the iterator yielded exactly these IDs before stopping.
func yielded(ids ...int64) hostileCheck {
	return func(t *testing.T, _ *hostileEnv, out hostileOutcome) {
		t.Helper()
		s, ok := out.got.(seen)
		require.True(t, ok, "not an iterator call: %T", out.got)
		assert.Equal(t, ids, s.ids)
		assert.NotErrorIs(t, out.err, errNilItem)
	}
}

// stalled: the iterator ended with an error wrapping ErrPaginationStalled.
func stalled() hostileCheck {
	return func(t *testing.T, _ *hostileEnv, out hostileOutcome) {
		t.Helper()
		assert.ErrorIs(t, out.err, ErrPaginationStalled)
	}
}

// awayGotNoCredential: the other host received no credential; it received
// exactly n requests.
func awayGotNoCredential(n int) hostileCheck {
	return func(t *testing.T, h *hostileEnv, _ hostileOutcome) {
		t.Helper()
		reqs, withCred := h.away.counts()
		assert.Zero(t, withCred, "requests to another host that carried a credential")
		assert.Equal(t, n, reqs, "requests to another host")
	}
}

// redirectRefused: the client refused to follow, before sending anything
// to the target.
func redirectRefused() hostileCheck {
	return func(t *testing.T, h *hostileEnv, out hostileOutcome) {
		t.Helper()
		assert.ErrorIs(t, out.err, errRedirectRefused)
		_, ok := asType[*TransportError](out.err)
		assert.True(t, ok, "want *TransportError, got %T: %v", out.err, out.err)
	}
}

// redirectTo answers every request with a redirect to target(r).
func redirectTo(code int, target func(r *http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target(r), code)
	}
}

// check adapts an ad-hoc assertion to a hostileCheck.
func check(f func(t *testing.T, out hostileOutcome)) hostileCheck {
	return func(t *testing.T, _ *hostileEnv, out hostileOutcome) {
		t.Helper()
		f(t, out)
	}
}
