package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// stopper turns -timeout and signals into the two ways a run stops. The
// first SIGINT or SIGTERM ends stop: nothing new starts, but requests in
// flight (deletes above all) finish, so their outcome is known and
// reported. A second signal, or -timeout, ends ctx too and so aborts them.
type stopper struct {
	ctx  context.Context // for requests that must finish once started
	stop context.Context // for starting anything new; ends with ctx

	abort         context.CancelCauseFunc
	cancelTimeout context.CancelFunc
	cancelStop    context.CancelCauseFunc
	signals       atomic.Int32
	stderr        io.Writer
}

func newStopper(parent context.Context, timeout time.Duration, stderr io.Writer) *stopper {
	st := &stopper{stderr: stderr}
	ctx, abort := context.WithCancelCause(parent)
	st.ctx, st.cancelTimeout = context.WithTimeoutCause(ctx, timeout, fmt.Errorf("-timeout %v reached", timeout))
	st.abort = abort
	st.stop, st.cancelStop = context.WithCancelCause(st.ctx)
	return st
}

// signal handles one SIGINT or SIGTERM.
func (st *stopper) signal(sig os.Signal) {
	switch st.signals.Add(1) {
	case 1:
		st.cancelStop(fmt.Errorf("got %v", sig))
		fmt.Fprintf(st.stderr, "stale-cleanup: got %v: starting nothing new, finishing what is in flight (signal again to abort it)\n", sig)
	case 2:
		st.abort(fmt.Errorf("got %v twice", sig))
		fmt.Fprintf(st.stderr, "stale-cleanup: got %v again: aborting the requests in flight\n", sig)
	}
}

// stopCode is the exit status of a stopped run: 130 when a signal
// stopped it, 1 when -timeout did.
func (st *stopper) stopCode() int {
	if st.signals.Load() > 0 {
		return exitInterrupted
	}
	return exitIncomplete
}

// stopped reports why the run was stopped, or nil.
func (st *stopper) stopped() error {
	if st.stop.Err() == nil {
		return nil
	}
	return context.Cause(st.stop)
}

func (st *stopper) release() {
	st.cancelStop(nil)
	st.cancelTimeout()
	st.abort(nil)
}

// notifySignals passes each SIGINT and SIGTERM to handle, one at a time,
// until the returned function is called.
func notifySignals(handle func(os.Signal)) (stop func()) {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case sig := <-ch:
				handle(sig)
			case <-done:
				return
			}
		}
	})
	return func() {
		signal.Stop(ch)
		close(done)
		wg.Wait()
	}
}
