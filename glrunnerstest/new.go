package glrunnerstest

import (
	"fmt"
	"testing"
)

// New starts a fake GitLab for a test, as NewServer does, and ties it to t:
// the server is closed by t.Cleanup when the test and its subtests end, and
// a seeding mistake (an unknown status, kind or role, an unknown user,
// group, project or runner ID, a duplicate name or path, a fault that does
// nothing) fails the test with t.Fatal naming the call, for example
//
//	glrunnerstest: AddRunner: unknown project 7
//
// instead of panicking.
//
// Call the seeding methods (AddUser, AddRunner, AddFault, ...) of a server
// from New on the test's own goroutine, as with t.Fatal itself: t.Fatal
// stops the goroutine that calls it, and testing does not allow that from
// any other goroutine. The HTTP API, and the inspection methods (Runner,
// Runners, Requests, ...), may be used from any goroutine.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	srv := NewServer(opts...)
	srv.tb = t
	t.Cleanup(srv.Close)
	return srv
}

// t is what reports misuse: the test's TB for a server from New, else
// panicTB. Seeding methods call s.t().Helper() first, so that a failure
// points at the test's line rather than at this package.
func (s *Server) t() testing.TB {
	if s.tb == nil {
		return panicTB{}
	}
	return s.tb
}

// misuse reports a seeding mistake of call. With a TB from New it calls
// Fatal, which does not return; the panic after it covers a TB whose Fatal
// does return, so that the seeding call never goes on with bad input.
func (s *Server) misuse(call, format string, a ...any) {
	t := s.t()
	t.Helper()
	msg := "glrunnerstest: " + call + ": " + fmt.Sprintf(format, a...)
	t.Fatal(msg)
	panic(msg)
}

// panicTB stands in for a test in a server from NewServer: misuse panics
// with the message, as a fixture in a program should. Only Helper and Fatal
// are ever called on it; the embedded nil TB supplies the unexported method
// that testing.TB requires.
type panicTB struct{ testing.TB }

func (panicTB) Helper()           {}
func (panicTB) Fatal(args ...any) { panic(fmt.Sprint(args...)) }
