// Package e2e holds runnerfleet's end-to-end tests: they build the
// runnerfleet and fakegitlab commands, start the fake as a process and
// run runnerfleet against it as a user would, counting requests in the
// fake's log (GET /-/fake/requests). It has no non-test code.
package e2e
