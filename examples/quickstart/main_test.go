package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/glrunners/glrunners/examples/internal/demofleet"
)

func TestTourAgainstTheDemoFleet(t *testing.T) {
	var out bytes.Buffer
	if err := runTour(context.Background(), &out, func(string) string { return "" }); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{
		"token [REDACTED], expires never",
		"old token: errors.Is(err, glrunners.ErrForbidden) = true",
		"Get now gives errors.Is(err, glrunners.ErrNotFound) = true",
		"*glrunners.ValidationError (nothing sent)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(s, "glrt-") {
		t.Errorf("output shows a runner token:\n%s", s)
	}
}

// With GITLAB_URL set the tour must only read: point it at a fake and check
// that every request was a GET, as an administrator and as a user who gets
// 403 from /runners/all.
func TestTourAgainstAGitLabOnlyReads(t *testing.T) {
	fleet := demofleet.Start()
	defer fleet.Server.Close()
	for name, token := range map[string]string{"admin": fleet.AdminToken, "developer": fleet.DeveloperToken} {
		t.Run(name, func(t *testing.T) {
			vars := map[string]string{"GITLAB_URL": fleet.Server.URL(), "GITLAB_TOKEN": token}
			var out bytes.Buffer
			if err := runTour(context.Background(), &out, func(k string) string { return vars[k] }); err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			if !strings.Contains(out.String(), "Runners by status and type") {
				t.Errorf("no counts in the output:\n%s", out.String())
			}
		})
	}
	for _, r := range fleet.Server.Requests() {
		if r.Method != http.MethodGet {
			t.Errorf("read-only tour sent %s %s", r.Method, r.Path)
		}
	}
}

func TestURLWithoutTokenIsAnError(t *testing.T) {
	vars := map[string]string{"GITLAB_URL": "http://127.0.0.1:1"}
	if err := runTour(context.Background(), &bytes.Buffer{}, func(k string) string { return vars[k] }); err == nil {
		t.Fatal("no error")
	}
}
