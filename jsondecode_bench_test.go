package glrunners

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
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
// encoding/json against unmarshalJSON, and the variants it was chosen from.
func BenchmarkDecodeRunnerPage(b *testing.B) {
	page := runnerPage(100)
	var check []*Runner
	if err := json.Unmarshal(page, &check); err != nil || len(check) != 100 || check[99].CreatedBy == nil {
		b.Fatalf("bad page: %v", err)
	}
	b.Logf("page: %d bytes", len(page))
	run := func(name string, decode func([]byte, any) error) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				var out []*Runner
				if err := decode(page, &out); err != nil || len(out) != 100 {
					b.Fatal(err)
				}
			}
		})
	}
	run("encoding-json", json.Unmarshal)
	run("unmarshalJSON", unmarshalJSON)
	// What the SDK runs on a page: scanRunnerPage, which GitLab's pages
	// never make give up.
	run("unmarshalList", unmarshalList)
	// The general decoder a page goes to when scanRunnerPage gives up:
	// runnerList, Runners and the pointees of their nullable fields in one
	// block per page.
	run("runnerList", func(data []byte, out any) error {
		return unmarshalJSON(data, (*runnerList)(out.(*[]*Runner)))
	})
	// runnerList on a page that mayHoldEscapedTime flags.
	run("unmarshalList-exact-time", func(data []byte, out any) error {
		return jsonv2.Unmarshal(data, (*runnerList)(out.(*[]*Runner)), decodeOptionsExactTime...)
	})
	// What a page that mayHoldEscapedTime flags costs.
	run("exact-time-path", withOptions(decodeOptionsExactTime))
	// v2 run with every v1 option, as its own v1 package does: the pre-scan
	// and v1 error reporting included.
	run("v2-all-v1-options", withOptions([]jsonv2.Options{jsonv1.DefaultOptionsV1()}))
	// v2's defaults: not exact (duplicate keys, case, invalid UTF-8), for
	// scale only.
	run("v2-defaults", func(data []byte, out any) error { return jsonv2.Unmarshal(data, out) })

	// Two ways to allocate less, open to the caller, who knows per_page:
	// a slice made with the page's capacity (v2 fills it in place, as v1
	// does), and one []Runner slab the page's pointers point into, which
	// makes 1 allocation where []*Runner makes 100, for the same values.
	b.Run("unmarshalJSON-presized", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			out := make([]*Runner, 0, 100)
			if err := unmarshalJSON(page, &out); err != nil || len(out) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run("unmarshalList-presized", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			out := make([]*Runner, 0, 100)
			if err := unmarshalList(page, &out); err != nil || len(out) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run("unmarshalJSON-slab", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			slab := make([]Runner, 0, 100)
			if err := unmarshalJSON(page, &slab); err != nil {
				b.Fatal(err)
			}
			out := make([]*Runner, len(slab))
			for i := range slab {
				out[i] = &slab[i]
			}
			if len(out) != 100 {
				b.Fatal(len(out))
			}
		}
	})
}

// BenchmarkDecodeRunnerDetails decodes the answer of Runners.Get: with
// encoding/json, the general decoder, and what the SDK runs (the scanner).
func BenchmarkDecodeRunnerDetails(b *testing.B) {
	data := fixtureB(b, "runner_details.json")
	for _, v := range []struct {
		name   string
		decode func([]byte, any) error
	}{{"encoding-json", json.Unmarshal}, {"unmarshalJSON", unmarshalJSON}, {"decodeJSON", decodeJSON}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var rd RunnerDetails
				if err := v.decode(data, &rd); err != nil {
					b.Fatal(err)
				}
			}
		})
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
