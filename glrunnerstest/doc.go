// Package glrunnerstest is an in-memory fake of GitLab's Runners REST API,
// served over real HTTP on 127.0.0.1, for testing code that manages GitLab
// runners: with glrunners or with any other client.
//
//	func TestFleet(t *testing.T) {
//		srv := glrunnerstest.New(t)
//		srv.AddRunner(glrunnerstest.Runner{Description: "build-1", Status: glrunnerstest.StatusOnline})
//		client, err := glrunners.NewClient(srv.URL(), glrunners.WithToken(srv.AdminToken()))
//		if err != nil {
//			t.Fatal(err)
//		}
//		runners, _, err := client.Runners.ListAll(context.Background(), nil)
//		// ...
//	}
//
// New closes the server when the test ends and fails the test on a seeding
// mistake; NewServer is the same fake for programs, such as demos, which
// close it themselves. ExampleNew runs this code.
//
// The fake keeps its own JSON structs and does not import glrunners, so a
// wrong field name in a client is caught rather than encoded and decoded
// by the same struct.
//
// # What it models
//
// Every endpoint of the Runners API under /api/v4: listing runners (yours,
// all, a project's, a group's) with their filters, reading, updating,
// pausing and deleting a runner, its jobs (offset and keyset pagination),
// managers and projects, assigning and unassigning project runners,
// creating runners with POST /user/runners, legacy registration with
// registration tokens, verify, delete and token reset with a runner's own
// token, and the registration and authentication token resets.
//
// Around them it models what a client meets in practice:
//
//   - users, groups (nested, roles inherited), projects and memberships,
//     and who may do what to which runner, with GitLab's 401, 403 and 404
//     answers;
//   - personal tokens and their scopes (api, read_api, manage_runner,
//     create_runner, sudo), sent in PRIVATE-TOKEN or Authorization: Bearer;
//   - Sudo (the sudo parameter or the Sudo header, with an administrator's
//     token that has the sudo scope): the request is served as that user;
//   - parameters as GitLab's framework reads them: JSON, urlencoded and
//     multipart bodies merged over the query string; array parameters as
//     a JSON array, a comma-separated string or tag_list[]=a&tag_list[]=b,
//     while a repeated bare key (tag_list=a&tag_list=b) keeps its last
//     value; GitLab's validation messages;
//   - offset pagination headers and Link (totals left out past 10,000
//     items), keyset pagination of a runner's jobs;
//   - runner status (online, offline, stale, never_contacted, paused)
//     computed from the fake's clock, so tests can move time;
//   - an X-Request-Id on every answer, errors and faults included, as
//     GitLab sends (a 26-character ULID), also kept in the request log;
//   - tokens with GitLab's prefixes (glrt-, glrtr-, glrit-, GR1348941),
//     optional expiry of runner tokens, registration switched off per
//     instance, group or project (410), If-Unmodified-Since on deletes
//     (412);
//   - GitLab's error bodies: {"message": ...}, {"error": ...}, field
//     errors, insufficient_scope, and the plain-text 429 of its throttle.
//
// # What it does not model
//
// It is not GitLab. It serves the Runners API only: no other endpoint
// (projects, users, CI jobs) exists, and unknown paths answer 404. Every
// group and project is private: non-members get 404. There is no Admin
// Mode (an administrator's token acts as administrator at once), no
// auditors, no custom roles, no OAuth applications, no project, group,
// impersonation or CI job tokens: only personal tokens, and never as
// private_token= in the URL. Runners do not run: jobs exist only when
// seeded, and managers appear only when seeded or when a runner verifies.
// The endpoints runners use to pick up jobs are absent. There is no
// persistence, no webhook or audit event, no application rate limit (only
// the optional instance throttle, see SetRateLimit). Registration tokens
// are enabled by default, which GitLab 17 and later are not; see
// SetRegistrationEnabled. Where GitLab's documentation and tests leave a
// behaviour open, the fake makes a choice and says so in its source:
// before you rely on an edge case, check it against a real GitLab.
//
// # Seeding
//
// AddUser returns a user's ID and personal token (AdminToken is the token
// of user 1, "root", an administrator); AddToken issues more tokens with
// chosen scopes. AddGroup, AddProject and AddMember build the organisation;
// AddRunner, AddManager and AddJob fill it. A seeded Runner's Status sets
// its contact times from the clock so that the computed status matches.
// RegistrationToken returns a registration token, SetRegistrationEnabled
// switches them off, DeleteProject orphans a project's runners. WithNow
// and SetNow set the clock, WithRunnerTokenExpiry makes runner tokens
// expire.
//
// Closed sets are named types with constants: RunnerStatus (StatusOnline,
// ...), RunnerType (InstanceType, GroupType, ProjectType), AccessLevel,
// MemberKind (MemberGroup, MemberProject), TokenKind (TokenInstance,
// TokenGroup, TokenProject) and Role (Guest ... Owner). A misspelt
// constant does not compile; a value outside the set, like an unknown
// group or a duplicate path, is misuse, reported by the call that received
// it: with t.Fatal naming the call for a server from New, with a panic
// carrying the same message for one from NewServer. As with t.Fatal
// itself, seed a server from New on the test's goroutine.
//
// # Faults
//
// AddFault makes matching requests fail: with a status and body, after a
// latency, by resetting the connection, and, with AfterApply, only after
// the request has taken effect, so that a client sees a failure for a
// change that happened. A fault applies once, Times times, or Always. SetRateLimit throttles every
// token (429 with Retry-After). SetCommitDelay keeps runners created through
// the API invisible for a while after their creation, and SetListLag makes
// the list endpoints answer like a lagging read replica. Together they
// reproduce what a client creating runners exactly once must survive:
//
//	// the create was applied, then a proxy answered 502
//	srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/user/runners", Status: 502, AfterApply: true})
//	// the create was applied, then the connection was reset
//	srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/user/runners", Reset: true, AfterApply: true})
//	// ... and the runner shows up only 300 ms later
//	srv.SetCommitDelay(300 * time.Millisecond)
//	// a token reset was applied but its answer lost
//	srv.AddFault(glrunnerstest.Fault{Method: "POST", Pattern: "/runners/*/reset_authentication_token", Status: 502, AfterApply: true})
//	// lists lag two seconds behind
//	srv.SetListLag(2 * time.Second)
//
// # Inspecting
//
// Runner, Runners, RunnerToken and Managers return copies of the fake's
// state, including runners still hidden by SetCommitDelay, so a test can
// count what really exists and check that a token it was given is the
// current one. Requests returns the request log with each answer's status;
// it never holds a token.
//
// A Server is safe for concurrent use by any number of clients and test
// goroutines.
package glrunnerstest
