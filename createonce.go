package glrunners

import "context"

// CreateOnce creates a runner exactly once, whatever happens to the answer:
// when it returns a nil error, exactly one runner exists for this call,
// with the fields opt asks for, and the returned token authenticates it.
// Create, by contrast, leaves the caller alone with ErrOutcomeUnknown when
// the answer is lost (a 502 from a proxy after GitLab acted, a connection
// reset after the request was written), and a blind retry makes a
// duplicate.
//
// How: the create carries a random call marker at the end of the runner's
// description. When the answer is lost, CreateOnce lists the
// never-contacted runners with opt's tags in opt's instance, group or
// project, looking for the marker right away and then 6 more times over
// the settle window (WithSettleWindow; DefaultSettleWindow, 90 s, is how
// long GitLab may still commit a create after a proxy gave up on it). The
// client's RetryPolicy does not shorten the window. Found: it resets that
// runner's token (no one holds the lost one) and deletes any other runner
// of the call, keeping the oldest. Not found by the look at the window's
// end: it sends the create again, at most RetryPolicy.MaxRetries times.
// Finally an Update restores the description asked for, so the marker is
// gone when the call succeeds; a call that sent more than one create then
// looks once more and deletes a runner of an earlier create that
// committed meanwhile.
//
// Cost: 2 requests when nothing goes wrong (the create and the Update).
// A lost answer whose create has committed adds one look (one request per
// 100 never-contacted runners with those tags in the scope) and a token
// reset, and takes no longer than those requests. A lost answer with no
// runner behind it costs the whole window, 7 looks, the create sent again
// and one last look. The caller's token needs the api scope (or
// create_runner, read_api and manage_runner): a create_runner-only token
// cannot list or update.
//
// Every error is a *CreateOnceError that matches one of ErrNotCreated,
// ErrRunnerUnrecovered (the runner IDs are in the error; delete them) and
// ErrOutcomeUnknown (the context ended, or GitLab refused the lists, before
// the call could tell; the marker is in the error). The context bounds the
// whole call: a deadline inside the settle window ends it at that deadline
// with ErrOutcomeUnknown. The returned Response is that of the last
// request sent. Tokens never reach an error or a log.
//
// Limits: a create that commits more than the settle window (90 s by
// default) after its answer was lost, and after the call's last look, is
// left behind with the marker in its description (Runners.FindCreated
// finds it); a GitLab whose request timeouts are longer than its defaults
// needs a longer window. A runner deleted by someone else during recovery
// is created again. After a recovery the token's expiry is the one a
// reset gives (the instance's expiration interval), not
// opt.TokenExpiresAt. WithRetryNonIdempotent is refused.
//
// Built on: Create, the scope's runner list, Tokens.ResetAuthenticationToken, Update, Delete and DeleteByToken.
func (s *RunnersService) CreateOnce(ctx context.Context, opt *CreateRunnerOptions, opts ...RequestOption) (*RunnerRegistration, *Response, error) {
	marker := newMarker()
	if err := firstError(opt.validate(), refuseUnsafeRetry(opts)); err != nil {
		return nil, nil, &CreateOnceError{Op: "CreateOnce", Marker: marker, Err: err, outcome: outcomeNotCreated}
	}
	marked := markCreate(opt, marker)
	call := &onceCall{
		s: s, op: "CreateOnce", marker: marker, opts: opts, policy: s.client.retry, window: s.client.settleWindow,
		send: func(ctx context.Context) (*RunnerRegistration, *Response, error) {
			return s.Create(ctx, marked, opts...)
		},
		scope:   s.createScope(opt, opts),
		tags:    opt.TagList,
		restore: &UpdateRunnerOptions{Description: Ptr(opt.Description)},
	}
	return call.run(ctx)
}
