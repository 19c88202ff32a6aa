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
// project, looking for the marker right away and again after each backoff
// wait of the client's RetryPolicy (the settle window, for a create still
// committing). Found: it resets that runner's token (no one holds the lost
// one) and deletes any other runner of the call, keeping the oldest. Not
// found: it sends the create again, at most RetryPolicy.MaxRetries times.
// Finally an Update restores the description asked for, so the marker is
// gone when the call succeeds.
//
// Cost: 2 requests when nothing goes wrong (the create and the Update);
// each lost answer adds one list walk per look (one request per 100
// never-contacted runners with those tags in the scope) and a token reset.
// The caller's token needs the api scope (or create_runner, read_api and
// manage_runner): a create_runner-only token cannot list or update.
//
// Every error is a *CreateOnceError that matches one of ErrNotCreated,
// ErrRunnerUnrecovered (the runner IDs are in the error; delete them) and
// ErrOutcomeUnknown (the context ended, or GitLab refused the lists, before
// the call could tell; the marker is in the error). The returned Response
// is that of the last request sent. Tokens never reach an error or a log.
//
// Limits: a runner deleted by someone else during recovery is created
// again; a create that becomes visible only after the settle window and
// after the call's last look stays behind with the marker in its
// description (Runners.FindCreated finds it); after a recovery the token's
// expiry is the one a reset gives (the instance's expiration interval),
// not opt.TokenExpiresAt. WithRetryNonIdempotent is refused.
//
// Built on: Create, the scope's runner list, Tokens.ResetAuthenticationToken, Update, Delete and DeleteByToken.
func (s *RunnersService) CreateOnce(ctx context.Context, opt *CreateRunnerOptions, opts ...RequestOption) (*RunnerRegistration, *Response, error) {
	marker := newMarker()
	if err := firstError(opt.validate(), refuseUnsafeRetry(opts)); err != nil {
		return nil, nil, &CreateOnceError{Op: "CreateOnce", Marker: marker, Err: err, outcome: outcomeNotCreated}
	}
	marked := markCreate(opt, marker)
	call := &onceCall{
		s: s, op: "CreateOnce", marker: marker, opts: opts, policy: s.client.retry,
		send: func(ctx context.Context) (*RunnerRegistration, *Response, error) {
			return s.Create(ctx, marked, opts...)
		},
		scope:   s.createScope(opt, opts),
		tags:    opt.TagList,
		restore: &UpdateRunnerOptions{Description: Ptr(opt.Description)},
	}
	return call.run(ctx)
}
