package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/glrunners/glrunners"
)

// machine is one runner to create and what became of it.
type machine struct {
	name     string
	reg      *glrunners.RunnerRegistration
	err      error
	requests int
	events   []string // what the SDK logged about this call
}

// provision runs one CreateOnce per machine, cfg.concurrency at a time.
func provision(ctx context.Context, c *glrunners.Client, counter *requestCounter, cfg config,
	options func(name string) *glrunners.CreateRunnerOptions) []*machine {
	machines := make([]*machine, cfg.n)
	work := make(chan *machine)
	var wg sync.WaitGroup
	for range cfg.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range work {
				mctx := context.WithValue(ctx, machineKey{}, m.name)
				m.reg, _, m.err = c.Runners.CreateOnce(mctx, options(m.name))
				m.requests = counter.take(m.name)
				m.events = counter.events(m.name)
			}
		}()
	}
	for i := range machines {
		machines[i] = &machine{name: fmt.Sprintf("%s%02d", cfg.prefix, i+1)}
		select {
		case work <- machines[i]:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	for _, m := range machines {
		if m.reg == nil && m.err == nil {
			m.err = fmt.Errorf("not started: %w", ctx.Err())
		}
	}
	return machines
}

// report prints one line per machine and a summary; it returns the exit
// status. Tokens are never printed.
func report(w io.Writer, machines []*machine) int {
	created, recovered, failed := 0, 0, 0
	for _, m := range machines {
		how := "created"
		if len(m.events) > 0 {
			how = strings.Join(m.events, "; ")
		}
		switch {
		case m.err == nil:
			created++
			if len(m.events) > 0 {
				recovered++
			}
			fmt.Fprintf(w, "%-8s runner %-5d %-2d requests  %s\n", m.name, m.reg.ID, m.requests, how)
		default:
			failed++
			fmt.Fprintf(w, "%-8s %-12s %-2d requests  %s: %v\n", m.name, "FAILED", m.requests, state(m.err), m.err)
		}
	}
	fmt.Fprintf(w, "\n%d machines: %d runners created (%d after a lost answer), %d failed\n",
		len(machines), created, recovered, failed)
	if failed > 0 {
		return exitFailures
	}
	return exitOK
}

// state names the state a failed CreateOnce left behind.
func state(err error) string {
	var e *glrunners.CreateOnceError
	switch {
	case errors.Is(err, glrunners.ErrNotCreated):
		return "nothing created"
	case errors.As(err, &e) && errors.Is(err, glrunners.ErrRunnerUnrecovered):
		return fmt.Sprintf("runner(s) %v left without a token, delete them", e.RunnerIDs)
	case errors.Is(err, glrunners.ErrOutcomeUnknown):
		return "outcome unknown, reconcile with Runners.FindCreated"
	}
	return "error"
}

type machineKey struct{}

// requestCounter counts the requests of each machine's call, as an
// http.RoundTripper, and records what the SDK logs about it, as a
// slog.Handler. Both find the machine in the context the call was given.
type requestCounter struct {
	base http.RoundTripper
	mu   sync.Mutex
	n    map[string]int
	logs map[string][]string
}

func newRequestCounter(base http.RoundTripper) *requestCounter {
	if base == nil {
		base = http.DefaultTransport
	}
	return &requestCounter{base: base, n: map[string]int{}, logs: map[string][]string{}}
}

func (rc *requestCounter) client() *http.Client { return &http.Client{Transport: rc} }

func (rc *requestCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if name, ok := r.Context().Value(machineKey{}).(string); ok {
		rc.mu.Lock()
		rc.n[name]++
		rc.mu.Unlock()
	}
	return rc.base.RoundTrip(r)
}

func (rc *requestCounter) take(name string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.n[name]
}

func (rc *requestCounter) events(name string) []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.logs[name]
}

// logger returns a logger recording the SDK's CreateOnce messages (info
// and above) per machine.
func (rc *requestCounter) logger() *slog.Logger { return slog.New(eventHandler{rc}) }

type eventHandler struct{ rc *requestCounter }

func (h eventHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h eventHandler) Handle(ctx context.Context, r slog.Record) error {
	name, ok := ctx.Value(machineKey{}).(string)
	if !ok {
		return nil
	}
	msg := strings.TrimPrefix(r.Message, "glrunners: ")
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "runner_id", "kept", "deleted":
			msg += " " + a.String()
		}
		return true
	})
	h.rc.mu.Lock()
	h.rc.logs[name] = append(h.rc.logs[name], msg)
	h.rc.mu.Unlock()
	return nil
}

func (h eventHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h eventHandler) WithGroup(string) slog.Handler      { return h }
