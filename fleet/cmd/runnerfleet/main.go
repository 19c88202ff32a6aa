// Command runnerfleet manages GitLab runners as code: import writes a
// desired-state file from the runners that exist, plan shows how GitLab
// differs from the file, apply makes GitLab match it and hands new
// runners' tokens to a sink. Run runnerfleet -h for the details.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
