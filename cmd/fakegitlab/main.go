// Command fakegitlab serves glrunnerstest, the in-memory fake of GitLab's
// Runners API, on a loopback port, so that tools in any language (and the
// end-to-end tests of runnerfleet) can run against it as against GitLab.
//
//	go run ./cmd/fakegitlab -seed demo
//
// Its first two lines on stdout are
//
//	GITLAB_URL=http://127.0.0.1:PORT
//	GITLAB_TOKEN=<an administrator's personal token>
//
// and it runs until SIGINT or SIGTERM. Beyond the fake's API it answers:
//
//	GET /-/fake/requests        the request log as JSON (method, path,
//	                            redacted query, status, time); ?since=N
//	                            skips the first N entries
//	GET /api/v4/groups/:id      a seeded group (ID or URL-encoded path)
//	GET /api/v4/projects/:id    a seeded project (ID or URL-encoded path)
//
// The last two exist because glrunnerstest serves the Runners API only,
// and a tool that takes group and project paths must turn them into IDs.
//
// Flags: -seed demo seeds an organisation (groups, projects, -runners
// runners); -latency delays every answer; -lose-creates makes a share of
// POST /user/runners answers a 502 after the runner was created (the
// fake's AfterApply fault); -commit-delay and -list-lag model a create
// still committing and a lagging read replica; -rate-limit and
// -rate-window set the fake's throttle.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}
