// Package glrunnerstest is an in-memory fake of GitLab's Runners REST API,
// served over real HTTP on 127.0.0.1, for testing code that talks to GitLab.
//
//	srv := glrunnerstest.NewServer()
//	defer srv.Close()
//	srv.AddRunner(glrunnerstest.Runner{Description: "build-1", Status: "online"})
//	// GET srv.URL()+"/api/v4/runners" with header PRIVATE-TOKEN: srv.AdminToken()
//
// It follows ../shared/spec/runners-api.md: permissions and token scopes,
// filters, pagination headers (totals omitted past 10,000 items), keyset
// pagination of runner jobs, success codes and error bodies. It keeps its
// own wire structs and does not import the SDK, so a wrong JSON tag in the
// SDK cannot round-trip unnoticed.
//
// Seeding methods (AddUser, AddGroup, AddProject, AddMember, AddRunner,
// AddManager, AddJob) panic on misuse, like pstest. Inspection methods
// (Runner, Runners, Managers, Requests) return copies taken under the lock.
// Everything is safe for concurrent use.
//
// # Simplifications
//
// Every project and group is private: non-members get 404. There is no
// Admin Mode (an admin token acts as admin), no auditors, no Sudo, no custom
// roles. User tokens are accepted in PRIVATE-TOKEN and Authorization: Bearer
// only, never as private_token= in the URL. Registration tokens are enabled
// by default (GitLab 17+ disables them); see SetRegistrationEnabled.
//
// # Choices where the spec is UNCONFIRMED
//
//   - Reading a group/project runner (details, managers, projects, jobs)
//     needs Maintainer+ of the owning group or an assigned project (18.x
//     docs; seed docs said Developer). Jobs are then filtered to projects
//     where the caller is Reporter+.
//   - GET /groups/:id/runners and the group registration-token reset need
//     group Owner (18.x); the project registration-token reset and
//     POST /user/runners for project runners need project Maintainer.
//   - GET /runners lists every runner for an administrator; for others,
//     group runners of owned groups and project runners of maintained
//     projects.
//   - ip_address on runners is null; created_by is absent without a creator.
//   - read_api tokens on assign/unassign/resets get 403 insufficient_scope;
//     manage_runner/create_runner-only tokens get 401 there.
//   - POST resets (15–19) answer 201. Keyset pages send Link rel="next" but
//     no X-Next-Cursor. No 405 offset limit on runner jobs.
//   - Runner-token endpoints (no user token) are rate-limited per client IP.
//   - maximum_timeout: null in a PUT clears the timeout.
//   - version_prefix is a plain string prefix of a manager's version
//     ("16.1" also matches "16.10.0"), as GitLab's LIKE query.
//   - If-Unmodified-Since compares with the runner's last change (update,
//     assign, unassign, token reset) at full precision, like GitLab.
//   - Tokens: personal "glpat-", created runners "glrt-t{1,2,3}_",
//     legacy-registered runners "glrtr-t{1,2,3}_", group/project registration
//     tokens "GR1348941", the instance registration token "glrit-".
package glrunnerstest
