package glrunners

import (
	"context"
	"net/http"
)

// Every reset is a POST that rotates a token: the old token stops working
// when GitLab acts. A reset is therefore never retried once it may have
// reached GitLab (a 5xx, or a connection that broke after sending): the
// error matches ErrOutcomeUnknown, and the token in use may or may not have
// changed. WithRetryNonIdempotent overrides this for one call; avoid it here.

// ResetInstanceRegistrationToken replaces the instance's runner registration
// token and returns the new one (an administrator is needed). Registration
// tokens never expire, so Token.TokenExpiresAt is nil. GitLab answers 403
// (ErrForbidden) to non-administrators and when registration tokens are
// disabled on the instance.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#reset-instances-runner-registration-token
//
// GitLab API: POST /runners/reset_registration_token
func (s *TokensService) ResetInstanceRegistrationToken(ctx context.Context, opts ...RequestOption) (*Token, *Response, error) {
	return getOne[Token](ctx, s.client, http.MethodPost, "runners/reset_registration_token", nil, nil, opts)
}

// ResetProjectRegistrationToken replaces the project's runner registration
// token and returns the new one; Token.TokenExpiresAt is nil. GitLab answers
// 403 (ErrForbidden) to callers without the right role and when
// registration tokens are disabled for the project's hierarchy, and 404
// (ErrNotFound) for a project the caller cannot see.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#reset-projects-runner-registration-token
//
// GitLab API: POST /projects/:id/runners/reset_registration_token
func (s *TokensService) ResetProjectRegistrationToken(ctx context.Context, project Ref, opts ...RequestOption) (*Token, *Response, error) {
	return s.resetRegistrationToken(ctx, "projects", project, opts)
}

// ResetGroupRegistrationToken replaces the group's runner registration
// token and returns the new one; Token.TokenExpiresAt is nil. GitLab answers
// 403 (ErrForbidden) to callers who do not own the group, and 404
// (ErrNotFound) for a group the caller cannot see.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#reset-groups-runner-registration-token
//
// GitLab API: POST /groups/:id/runners/reset_registration_token
func (s *TokensService) ResetGroupRegistrationToken(ctx context.Context, group Ref, opts ...RequestOption) (*Token, *Response, error) {
	return s.resetRegistrationToken(ctx, "groups", group, opts)
}

func (s *TokensService) resetRegistrationToken(ctx context.Context, kind string, ref Ref, opts []RequestOption) (*Token, *Response, error) {
	path, err := refPath(kind, ref, "/runners/reset_registration_token")
	if err != nil {
		return nil, nil, err
	}
	return getOne[Token](ctx, s.client, http.MethodPost, path, nil, nil, opts)
}

// ResetAuthenticationToken replaces the authentication token of a runner and
// returns the new one; the old token stops working. Token.TokenExpiresAt is
// set when a token expiration interval applies. GitLab answers 403
// (ErrForbidden) to callers who may not update the runner, 404 (ErrNotFound)
// for an unknown runner, and 422 (ErrUnprocessable) for a project runner
// assigned to no project.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#reset-runners-authentication-token-by-using-the-runner-id
//
// GitLab API: POST /runners/:id/reset_authentication_token
func (s *TokensService) ResetAuthenticationToken(ctx context.Context, runnerID int64, opts ...RequestOption) (*Token, *Response, error) {
	path, err := runnerPath(runnerID, "/reset_authentication_token")
	if err != nil {
		return nil, nil, err
	}
	return getOne[Token](ctx, s.client, http.MethodPost, path, nil, nil, opts)
}

// ResetAuthenticationTokenWithToken replaces a runner's authentication token,
// proving possession of the current one, and returns the new token. The
// current token travels in the request body and no user credential is sent.
// GitLab answers 403 (ErrForbidden) to a wrong or expired token (an expired
// token cannot rotate itself) and 422 (ErrUnprocessable) when the runner is
// invalid, such as a project runner assigned to no project.
//
// GitLab API docs: https://docs.gitlab.com/api/runners/#reset-runners-authentication-token-by-using-the-current-token
//
// GitLab API: POST /runners/reset_authentication_token
func (s *TokensService) ResetAuthenticationTokenWithToken(ctx context.Context, token Secret, opts ...RequestOption) (*Token, *Response, error) {
	if err := checkToken("token", token); err != nil {
		return nil, nil, err
	}
	body := tokenBody{Token: token.Reveal()}
	return getOne[Token](ctx, s.client, http.MethodPost, "runners/reset_authentication_token", nil, body, withRunnerToken(opts))
}
