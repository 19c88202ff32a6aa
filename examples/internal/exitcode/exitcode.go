// Package exitcode is the one exit-status convention of the example tools
// (quickstart, provision, fleet-report, stale-cleanup), so that a script
// can treat them alike.
package exitcode

import (
	"errors"

	"github.com/glrunners/glrunners"
)

// The exit statuses.
const (
	OK          = 0   // done, or dry run
	Failed      = 1   // partial failure, or stopped (-timeout)
	Usage       = 2   // bad flags, arguments or environment: nothing was done
	GitLab      = 3   // GitLab unreachable or the credentials refused: nothing was done
	Interrupted = 130 // SIGINT or SIGTERM, as shells report SIGINT
)

// Help is the exit-status section of every tool's usage text.
const Help = `Exit status:
  0    done, or dry run
  1    partial failure, or stopped by -timeout
  2    usage: bad flags, arguments or environment; nothing was done
  3    GitLab unreachable, or the credentials refused; nothing was done
  130  interrupted (SIGINT or SIGTERM)
`

// Unreachable reports whether err means GitLab could not be reached (no
// answer at all) or refused the credentials (401): exit status 3.
func Unreachable(err error) bool {
	var te *glrunners.TransportError
	return errors.As(err, &te) || errors.Is(err, glrunners.ErrUnauthorized)
}
