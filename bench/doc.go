// Package bench measures glrunners side by side with a bare net/http fetch
// (floor), net/http plus encoding/json (raw) and GitLab's client-go, all
// against one loopback server that serves the same pre-serialized answers.
//
// It is a nested module so that the SDK's own go.mod stays free of client-go.
// Everything lives in _test.go files; README.md says how to run it and what
// it measured, and run.sh reproduces those numbers.
package bench
