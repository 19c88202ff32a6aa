package glrunners

import (
	"context"
	"math/rand/v2"
	"time"
)

// DefaultSettleWindow is how long CreateOnce and RegisterOnce watch for a
// runner after a create's answer was lost, before they conclude that
// GitLab made none and create again: 90 seconds.
//
// The number comes from GitLab's side, not from the client's retries. A
// proxy (NGINX, Workhorse, a load balancer) that gives up on a create
// answers 502 or drops the connection, but the request may still be
// running in GitLab's Rails application behind it, or waiting for a Puma
// thread. Puma's Rack::Timeout bounds both (config/initializers/
// rack_timeout.rb): a request that has run 60 s in Rails is aborted and
// its transaction rolled back (service_timeout, GITLAB_RAILS_RACK_TIMEOUT),
// and one that has waited and run 90 s in all since the front web server
// received it is dropped (wait_timeout, GITLAB_RAILS_WAIT_TIMEOUT, which
// caps wait plus service when that server stamps X-Request-Start). A proxy
// can only give up after it received the request, so a create still
// commits, if ever, within 90 s of its answer being lost; the 60 s service
// timeout alone covers a request that had reached Rails when the proxy
// gave up.
//
// The window costs time only when no runner shows up: a lost answer whose
// create has committed is found by the first look, right away.
const DefaultSettleWindow = 90 * time.Second

// WithSettleWindow sets how long CreateOnce and RegisterOnce watch for the
// runner of a create whose answer was lost (DefaultSettleWindow explains
// the default of 90 s). It is separate from the retry policy on purpose:
// fast retries must not shorten it. Lower it only for a GitLab whose
// request timeouts are shorter than the defaults (or for tests against
// glrunnerstest); raise it for one configured with longer ones. A create
// that commits later than the window after its answer was lost is left
// behind, carrying the call's marker (Runners.FindCreated finds it).
//
// The call's context still bounds everything: a deadline inside the
// window ends the call with ErrOutcomeUnknown at that deadline. d must be
// positive.
func WithSettleWindow(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return invalidArg("WithSettleWindow", "must be positive; a window of 0 would switch exactly-once off")
		}
		c.settleWindow = d
		return nil
	}
}

// settleLooks is how many times a step is tried over one settle window:
// right away, after each of 5 waits that double from window/32, and once
// more at the window's end. The count is fixed, so that request counts do
// not depend on timing; the times are not (each wait is jittered into the
// upper half of its step, so calls that failed together do not look
// together), except that the last try is never before the window's end.
const settleLooks = 7

// overWindow tries step right away and again over the settle window, which
// starts now, until step reports done: settleLooks tries in all, the last
// at or after the window's end. It returns the last try's error, or the
// context's error (wrapping the last try's) when the context ends during
// a wait.
func (o *onceCall) overWindow(ctx context.Context, step func() (done bool, err error)) error {
	end := time.Now().Add(o.window)
	wait := o.window / 32
	var err error
	for i := range settleLooks {
		if i > 0 {
			d := wait/2 + time.Duration(rand.Float64()*float64(wait/2))
			if i == settleLooks-1 {
				d = time.Until(end) // the last try: the window's end
			}
			if werr := sleepCtx(ctx, d); werr != nil {
				if err != nil {
					return wrapf("%s (after: %s)", werr, err)
				}
				return werr
			}
			wait *= 2
		}
		var done bool
		if done, err = step(); done {
			return err
		}
	}
	return err
}
