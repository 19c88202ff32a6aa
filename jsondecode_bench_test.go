package glrunners

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runnerPage is a list page of n runners carrying every field of the spec's
// §4.1, created_by included, written the way GitLab writes it: compact, with
// '&' escaped as \u0026. A 100-runner page is about 48 KB.
func runnerPage(n int) []byte {
	statuses := []string{"online", "offline", "stale", "never_contacted", "paused"}
	types := []string{"instance_type", "group_type", "project_type"}
	b := []byte{'['}
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"id":%d,"description":"fleet-amd64-%03d (docker-autoscaler)","ip_address":null,`+
			`"active":%t,"paused":%t,"is_shared":%t,"runner_type":%q,"name":"fleet-amd64-%03d","online":%t,`+
			`"created_by":{"id":%d,"username":"user%d","public_email":"user%d@example.test","name":"User Number %d",`+
			`"state":"active","locked":false,"avatar_url":"https://secure.gravatar.com/avatar/%032x?s=80\u0026d=identicon",`+
			`"web_url":"https://gitlab.example.test/user%d"},"created_at":"2025-01-%02dT08:22:51.%03dZ",`+
			`"status":%q,"job_execution_status":%q}`,
			4000+i, i, i%5 != 4, i%5 == 4, i%3 == 0, types[i%3], i, i%5 != 3,
			300+i%17, i%17, i%17, i%17, i*7919, i%17, 1+i%28, i%1000,
			statuses[i%5], []string{"active", "idle"}[i%2])
	}
	return append(b, ']')
}

// BenchmarkDecodeRunnerPage decodes one 100-runner page into []*Runner:
// encoding/json (the fallback) against decodeJSON (the fast path, which
// GitLab's pages never make give up), into a nil slice and into one with
// room for the page, as the SDK's list calls decode.
func BenchmarkDecodeRunnerPage(b *testing.B) {
	page := runnerPage(100)
	var check []*Runner
	if err := json.Unmarshal(page, &check); err != nil || len(check) != 100 || check[99].CreatedBy == nil {
		b.Fatalf("bad page: %v", err)
	}
	b.Logf("page: %d bytes", len(page))
	for _, v := range []struct {
		name   string
		decode func([]byte, any) error
		room   int
	}{
		{"encoding-json", json.Unmarshal, 0}, {"decodeJSON", decodeJSON, 0},
		{"encoding-json-presized", json.Unmarshal, 100}, {"decodeJSON-presized", decodeJSON, 100},
	} {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				out := make([]*Runner, 0, v.room)
				if err := v.decode(page, &out); err != nil || len(out) != 100 {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeFixtures decodes the answers of Runners.Get, ListJobs and
// ListManagers: with encoding/json, and what the SDK runs (decodeJSON).
func BenchmarkDecodeFixtures(b *testing.B) {
	for _, name := range []string{"runner_details.json", "runner_jobs.json", "runner_managers.json"} {
		data, tg := fixtureB(b, name), fixtureTargets[name]
		for _, v := range []struct {
			name   string
			decode func([]byte, any) error
		}{{"encoding-json", json.Unmarshal}, {"decodeJSON", decodeJSON}} {
			b.Run(strings.TrimSuffix(name, ".json")+"/"+v.name, func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					if err := v.decode(data, tg.new()); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func fixtureB(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}
