package main

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// toolResult is what a run of the tool left behind.
type toolResult struct {
	code        int
	out, errOut string
}

// startTool runs the tool against g on its own goroutine; the result
// arrives on the returned channel.
func startTool(f *testFleet, g *gate, sig *signalSeam, args ...string) <-chan toolResult {
	done := make(chan toolResult, 1)
	go func() {
		vars := map[string]string{"GITLAB_URL": g.URL, "GITLAB_TOKEN": f.srv.AdminToken()}
		code, out, errOut := runTool(vars, sig.signals, args...)
		done <- toolResult{code, out, errOut}
	}()
	return done
}

func TestSignalFinishesDeletesInFlightAndStartsNoMore(t *testing.T) {
	f := newTestFleet(t)
	g := newGate(t, f.srv, isDelete)
	sig := newSignalSeam()
	done := startTool(f, g, sig, "-apply", "-concurrency", "2")

	// Candidates go in ID order: runners 2 and 3 are in flight.
	in := []string{<-g.arrived, <-g.arrived}
	slices.Sort(in)
	if want := []string{"/api/v4/runners/2", "/api/v4/runners/3"}; !slices.Equal(in, want) {
		t.Fatalf("in flight %v, want %v", in, want)
	}
	sig.send(syscall.SIGTERM)
	close(g.release)
	r := <-done

	if r.code != exitInterrupted {
		t.Errorf("exit %d, want %d", r.code, exitInterrupted)
	}
	if got, want := f.remaining(), without(allIDs, 2, 3); !slices.Equal(got, want) {
		t.Errorf("runners left %v, want %v: the two deletes in flight finish", got, want)
	}
	if d := f.deletes(); len(d) != 2 {
		t.Errorf("DELETEs %v, want only the two in flight", d)
	}
	for _, want := range []string{
		"runner 2: deleted", "runner 3: deleted",
		"runner 4: not attempted (stopped)", "runner 10: not attempted (stopped)",
		summaryLine(summary{Found: 7, Deleted: 2, NotAttempted: 5}),
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.out)
		}
	}
	for _, want := range []string{"got terminated: starting nothing new, finishing what is in flight", "stopped: got terminated"} {
		if !strings.Contains(r.errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.errOut)
		}
	}
}

func TestSignalStopsARunWhoseDeletesAllStarted(t *testing.T) {
	f := newTestFleet(t)
	g := newGate(t, f.srv, isDelete)
	sig := newSignalSeam()
	done := startTool(f, g, sig, "-apply", "-type", "instance_type", "-concurrency", "2", "-json")
	<-g.arrived
	<-g.arrived // runners 2 and 3: every delete has started
	sig.send(syscall.SIGINT)
	close(g.release)
	r := <-done
	if r.code != exitInterrupted {
		t.Errorf("exit %d, want %d: a run stopped by a signal never exits 0", r.code, exitInterrupted)
	}
	recs := jsonLines(t, r.out)
	if last := recs[len(recs)-1]; last["type"] != "summary" || last["deleted"] != 2.0 || last["stopped"] != "got interrupt" {
		t.Errorf("last record %v, want a summary with 2 deleted, stopped by the interrupt", last)
	}
}

func TestSecondSignalAbortsDeletesInFlight(t *testing.T) {
	f := newTestFleet(t)
	g := newGate(t, f.srv, isDelete)
	sig := newSignalSeam()
	done := startTool(f, g, sig, "-apply", "-concurrency", "2")
	<-g.arrived
	<-g.arrived
	sig.send(syscall.SIGTERM)
	sig.send(syscall.SIGTERM)
	r := <-done // the gate never opens: only the abort can end the deletes

	if r.code != exitInterrupted {
		t.Errorf("exit %d, want %d", r.code, exitInterrupted)
	}
	if got := f.remaining(); !slices.Equal(got, allIDs) {
		t.Errorf("runners left %v, want all: the aborted deletes never reached GitLab", got)
	}
	failed := regexp.MustCompile(`(?m)^\[\d/7\] runner ([23]): FAILED: .*got terminated twice$`).FindAllString(r.out, -1)
	if len(failed) != 2 || !strings.Contains(r.out, summaryLine(summary{Found: 7, Failed: 2, NotAttempted: 5})) {
		t.Errorf("stdout:\n%s\nwant runners 2 and 3 failed (aborted) and 5 not attempted", r.out)
	}
	if !strings.Contains(r.errOut, "got terminated again: aborting the requests in flight") {
		t.Errorf("stderr lacks the abort:\n%s", r.errOut)
	}
}

func TestSignalDuringTheSearchDeletesNothing(t *testing.T) {
	f := newTestFleet(t)
	readsDetails := regexp.MustCompile(`^/api/v4/runners/\d+$`)
	g := newGate(t, f.srv, func(r *http.Request) bool {
		return r.Method == http.MethodGet && readsDetails.MatchString(r.URL.Path)
	})
	sig := newSignalSeam()
	done := startTool(f, g, sig, "-apply")
	<-g.arrived
	sig.send(syscall.SIGINT)
	r := <-done // the gate never opens: the signal ends the search's reads

	if r.code != exitInterrupted {
		t.Errorf("exit %d, want %d", r.code, exitInterrupted)
	}
	if d := f.deletes(); len(d) != 0 {
		t.Errorf("DELETEs after a stop during the search: %v", d)
	}
	if want := "stopped during the search, nothing deleted: got interrupt"; !strings.Contains(r.errOut, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.errOut)
	}
}

func TestTimeoutStopsTheRun(t *testing.T) {
	f := newTestFleet(t)
	code, _, errOut := f.runTool(t, "", "-apply", "-timeout", "1ns")
	if code != exitIncomplete || !strings.Contains(errOut, "-timeout 1ns reached") {
		t.Errorf("exit %d, stderr %q; want %d and the timeout named", code, errOut, exitIncomplete)
	}
	if d := f.deletes(); len(d) != 0 {
		t.Errorf("DELETEs sent: %v", d)
	}
}
