// Package fleet reconciles GitLab runners with a desired state kept in a
// YAML file: it loads and validates the file, imports what exists, plans
// the changes and applies them, handing new runners' tokens to a sink.
//
// # Identity
//
// A runner in the file is known by its key (its name in the file). The
// key is kept in GitLab itself, as tags that the tool owns on the runner:
//
//	runnerfleet:<fleet>              every runner of the fleet
//	runnerfleet:<fleet>:key:<key>    this runner's key
//	runnerfleet:<fleet>:token-pending   the token has not reached the sink
//
// Why tags: they are the only settable field GitLab lets a list filter
// on, so the fleet's runners are found with one filtered walk (GET
// /runners/all?tag_list=runnerfleet:<fleet>) and no other runner is ever
// read, let alone touched; and they are not a field the user sets for
// another purpose (a marker in the description or the maintenance note
// would be). The extra tags never stop a runner from picking a job: a
// runner takes a job whose tags are a subset of its own. There is no
// local state: losing every local file loses nothing but the desired
// state itself, which import rebuilds from GitLab. A new runner is
// created with Runners.CreateOnce, carrying its key and token-pending
// tags from the first request, so a lost answer or a crash never makes a
// second runner for a key; should two runs race, the next run finds two
// runners for one key and deletes the one whose token was never
// delivered.
//
// The token-pending tag is cleared only after the sink took the token;
// a runner still carrying it on the next apply gets its token reset
// (Tokens.ResetAuthenticationToken) and delivered again.
//
// Desired fields left out of the file are not managed: plan ignores their
// drift and create leaves them to GitLab's defaults.
package fleet
