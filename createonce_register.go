package glrunners

import (
	"context"
	"errors"
	"iter"
)

// RegisterOnce is CreateOnce for the legacy registration-token workflow
// (Register): the marker rides in the description in the same way, with
// the same guarantee, cost and limits.
//
// Registration needs no user credential, but recovering a lost answer
// does: the runner is found through GET /runners/all (or, when GitLab
// refuses that, GET /runners), its token is reset by ID and its
// description restored, all with the client's user token. So RegisterOnce
// refuses a client without one, and the token must be able to administer
// the new runner (an administrator for instance runners, a group Owner for
// group runners, a project Maintainer for project runners).
//
// Built on: Register, GET /runners/all or GET /runners, Tokens.ResetAuthenticationToken, Update, Delete and DeleteByToken.
func (s *RunnersService) RegisterOnce(ctx context.Context, opt *RegisterRunnerOptions, opts ...RequestOption) (*RunnerRegistration, *Response, error) {
	marker := newMarker()
	var noUser error
	if s.client.auth == nil {
		noUser = invalidArg("client", "has no user token (WithToken, WithOAuthToken or WithTokenSource), which RegisterOnce needs to find and tidy the runner")
	}
	if err := firstError(opt.validate(), refuseUnsafeRetry(opts), noUser); err != nil {
		return nil, nil, &CreateOnceError{Op: "RegisterOnce", Marker: marker, Err: err, outcome: outcomeNotCreated}
	}
	marked := *opt
	marked.Description = withMarker(opt.Description, marker)
	call := &onceCall{
		s: s, op: "RegisterOnce", marker: marker, opts: opts, policy: s.client.retry, window: s.client.settleWindow,
		send: func(ctx context.Context) (*RunnerRegistration, *Response, error) {
			return s.Register(ctx, &marked, opts...)
		},
		scope:   s.registerScope(opts),
		tags:    opt.TagList,
		restore: &UpdateRunnerOptions{Description: Ptr(opt.Description)},
	}
	return call.run(ctx)
}

// registerScope lists what a registration may have made. The token's
// owner (instance, group or project) is unknown, so it asks GET
// /runners/all, which an administrator may read, and falls back for the
// rest of the call to GET /runners (the runners the caller administers)
// when GitLab refuses that.
func (s *RunnersService) registerScope(opts []RequestOption) scopeLister {
	owned := false
	return func(ctx context.Context, tags []string) iter.Seq2[*Runner, error] {
		lo := &ListRunnersOptions{Status: StatusNeverContacted, TagList: tags}
		return func(yield func(*Runner, error) bool) {
			if !owned {
				first := true
				for r, err := range s.ListAllIter(ctx, lo, opts...) {
					if first && errors.Is(err, ErrForbidden) {
						owned = true
						break
					}
					first = false
					if !yield(r, err) {
						return
					}
				}
				if !owned {
					return
				}
			}
			for r, err := range s.ListIter(ctx, lo, opts...) {
				if !yield(r, err) {
					return
				}
			}
		}
	}
}
