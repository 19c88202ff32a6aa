//go:build unix

package main

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// notifySignals really catches SIGINT and SIGTERM: without it, the signal
// sent here would kill the test binary.
func TestNotifySignalsCatchesSIGINTAndSIGTERM(t *testing.T) {
	got := make(chan os.Signal, 2)
	stop := notifySignals(func(sig os.Signal) { got <- sig })
	defer stop()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		if err := syscall.Kill(os.Getpid(), sig); err != nil {
			t.Fatal(err)
		}
		select {
		case s := <-got:
			if s != sig {
				t.Errorf("handled %v, want %v", s, sig)
			}
		case <-time.After(time.Minute): // a failure bound, not a speed bound
			t.Fatalf("%v never reached the handler", sig)
		}
	}
}
