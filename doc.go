// Package glrunners is a typed client for GitLab's Runners REST API (v4):
// listing, inspecting, updating, pausing and deleting runners, their jobs
// and managers, assigning them to projects, creating and registering them,
// and rotating their tokens.
//
// A short tour:
//
//	c, err := glrunners.NewClient("https://gitlab.example.com",
//		glrunners.WithToken(os.Getenv("GITLAB_TOKEN")))
//	if err != nil {
//		return err
//	}
//	// Collect first: deleting while ranging would shift the pages and skip runners.
//	stale, err := glrunners.Collect(c.Runners.ListAllIter(ctx,
//		&glrunners.ListRunnersOptions{Status: glrunners.StatusStale}))
//	if err != nil {
//		return err
//	}
//	for _, r := range stale {
//		if _, err := c.Runners.Delete(ctx, r.ID); err != nil && !errors.Is(err, glrunners.ErrNotFound) {
//			return err
//		}
//	}
//
// # Authentication
//
// [WithToken] sends a personal, project or group access token in the
// PRIVATE-TOKEN header; [WithOAuthToken] and [WithTokenSource] send a
// bearer token. Runner-token endpoints ([RunnersService.Register],
// [RunnersService.Verify], [RunnersService.DeleteByToken],
// [TokensService.ResetAuthenticationTokenWithToken]) send no user
// credential: the runner token travels in the JSON body. Tokens never
// appear in a URL, a log line or an error string; [Secret] holds them and
// prints as [REDACTED] until [Secret.Reveal] is called.
//
// # Pagination
//
// Each list method returns one page plus a [*Response] with the page
// fields (NextPage, TotalItems, ...). Its ...Iter twin, such as
// [RunnersService.ListAllIter], ranges over every item, fetching pages of
// 100 lazily; break out of the loop and no further page is fetched. It
// never relies on X-Total, which GitLab omits past 10,000 items.
// [WithPageConcurrency] fetches pages ahead in parallel, still yielding in
// order. [Collect] gathers an iterator into a slice. Pages are offsets into
// a list that may change meanwhile: to delete or change what a list
// returns, Collect it first, as the tour does; changing it while ranging
// skips items.
//
// # Errors
//
// A non-2xx answer is an [*Error] matching a sentinel with errors.Is
// ([ErrNotFound], [ErrForbidden], [ErrRateLimited], ...). Bad input is a
// [*ValidationError], returned before anything is sent. A POST whose
// outcome is unknown (a 5xx, or a connection that broke after sending)
// also matches [ErrOutcomeUnknown]: the runner may exist, the token may
// have rotated. A 2xx answer that cannot be used is a [*DecodeError]; no
// answer at all is a [*TransportError]; a call held back by a rate limit
// that cannot fit in its deadline is a [*RateLimitError].
//
// # Other endpoints
//
// [Client.NewRequest] and [Client.Do] send any call through the same
// pipeline as the endpoint methods, for what this package does not wrap.
//
// # Retries
//
// GET, PUT and DELETE are retried on transport errors, 429 and 5xx
// gateway errors with exponential backoff, honouring Retry-After up to a
// cap. POST is retried only when GitLab cannot have acted on it. See
// [RetryPolicy] and [WithRetryNonIdempotent].
//
// # Rate limits
//
// A Client paces itself to GitLab's rate limit, for all its goroutines:
// it spends what RateLimit-Remaining says is left of the window, spread
// over the time to RateLimit-Reset (read against the answer's Date, so a
// skewed local clock does not matter), counting requests in flight, so
// that concurrent callers use the whole quota without answers 429. When
// GitLab sends the headers only on a 429 it learns the quota there; a 429
// without headers (an application limit such as GET /runners/:id/jobs)
// paces that endpoint alone. Several processes on one token coexist, each
// holding back what the others are seen to spend. The pacer does nothing
// until GitLab sends rate-limit headers or a 429 and never waits longer
// than RetryPolicy.MaxRetryAfter; [WithoutPacing] switches it off, and
// [WithRateLimit] adds a client-side cap of its own.
//
// # Testing
//
// Package glrunnerstest is an in-memory GitLab speaking this API over
// loopback HTTP, with permissions, filters, pagination and fault
// injection, for testing code built on this package.
package glrunners
