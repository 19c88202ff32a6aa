package glrunners

import (
	"errors"
	"fmt"
)

// The states a failed CreateOnce or RegisterOnce leaves behind. Every such
// error is a *CreateOnceError matching exactly one of ErrNotCreated,
// ErrRunnerUnrecovered and ErrOutcomeUnknown.
var (
	// ErrNotCreated matches a CreateOnce or RegisterOnce error after which
	// no runner of the call exists: GitLab refused the create, the input
	// was invalid, or every create whose answer was lost left no runner
	// within the settle window.
	ErrNotCreated = errors.New("glrunners: no runner was created")

	// ErrRunnerUnrecovered matches a CreateOnce or RegisterOnce error after
	// which runners of the call exist but no token was handed over:
	// CreateOnceError.RunnerIDs names them, so that the caller can delete
	// them.
	ErrRunnerUnrecovered = errors.New("glrunners: runner created but not recovered")
)

// onceOutcome is the state a failed call leaves behind.
type onceOutcome int

const (
	outcomeNotCreated onceOutcome = iota
	outcomeUnrecovered
	outcomeUnknown
)

// CreateOnceError is the error of a CreateOnce or RegisterOnce call. It
// matches one of three sentinels with errors.Is:
//
//   - ErrNotCreated: no runner of this call exists.
//   - ErrRunnerUnrecovered: the runners in RunnerIDs exist, but their
//     token could not be obtained; delete them with Runners.Delete.
//   - ErrOutcomeUnknown: the call could not find out whether GitLab created
//     a runner (the context ended, or GitLab refused the lists used to
//     look). A runner made by this call carries Marker in its description;
//     Runners.FindCreated finds it.
//
// Err is the failure that decided the state. errors.As reaches it (an
// *Error, a *ValidationError, a context error, ...); a request whose
// outcome the call settled afterwards no longer matches ErrOutcomeUnknown.
type CreateOnceError struct {
	Op        string  // "CreateOnce" or "RegisterOnce"
	RunnerIDs []int64 // with ErrRunnerUnrecovered: the runners left, oldest first
	Marker    string  // the call's marker; a runner still carrying it is this call's
	Err       error

	outcome onceOutcome
}

func (e *CreateOnceError) Error() string {
	switch e.outcome {
	case outcomeNotCreated:
		return fmt.Sprintf(errPrefix+"%s: no runner was created: %s", e.Op, bare(e.Err))
	case outcomeUnrecovered:
		return fmt.Sprintf(errPrefix+"%s: runner %v was created but its token could not be obtained (delete it): %s",
			e.Op, e.RunnerIDs, bare(e.Err))
	}
	return fmt.Sprintf(errPrefix+"%s: outcome unknown; a runner made by this call carries %s in its description: %s",
		e.Op, e.Marker, bare(e.Err))
}

// Is matches the sentinel of the state the call left behind.
func (e *CreateOnceError) Is(target error) bool {
	switch target {
	case ErrNotCreated:
		return e.outcome == outcomeNotCreated
	case ErrRunnerUnrecovered:
		return e.outcome == outcomeUnrecovered
	case ErrOutcomeUnknown:
		return e.outcome == outcomeUnknown
	}
	return false
}

// Unwrap returns Err. When the call settled what one request left open,
// that request's ErrOutcomeUnknown is hidden, so that errors.Is reports
// the call's state and nothing contradicting it.
func (e *CreateOnceError) Unwrap() error {
	if e.outcome != outcomeUnknown && errors.Is(e.Err, ErrOutcomeUnknown) {
		return settledCause{e.Err}
	}
	return e.Err
}

// settledCause is a cause whose ErrOutcomeUnknown no longer holds. It has
// no Unwrap, so errors.Is stops at its Is; errors.As still reaches the
// typed errors inside.
type settledCause struct{ err error }

func (c settledCause) Error() string { return c.err.Error() }

func (c settledCause) Is(target error) bool {
	return target != ErrOutcomeUnknown && errors.Is(c.err, target)
}

func (c settledCause) As(target any) bool { return errors.As(c.err, target) }
