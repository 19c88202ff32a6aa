package glrunners

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeTarget is a type the SDK decodes a 2xx body into, or a type nested
// in one, as a constructor of a fresh value (the SDK always decodes into a
// fresh value).
type decodeTarget struct {
	name string
	new  func() any
}

func target[T any]() decodeTarget {
	return decodeTarget{reflect.TypeFor[T]().String(), func() any { return new(T) }}
}

var decodeTargets = []decodeTarget{
	target[Runner](), target[[]*Runner](), target[RunnerDetails](),
	target[RunnerJob](), target[[]*RunnerJob](),
	target[RunnerManager](), target[[]*RunnerManager](),
	target[Project](), target[[]*Project](),
	target[RunnerRegistration](), target[Token](),
	target[Commit](), target[Pipeline](), target[User](), target[UserBasic](),
	target[Namespace](), target[Group](), target[ProjectIdentity](),
}

// fixtureTargets names the type each fixture is the answer for.
var fixtureTargets = map[string]decodeTarget{
	"runner_assigned.json":                 target[Runner](),
	"runner_details.json":                  target[RunnerDetails](),
	"runner_details_without_projects.json": target[RunnerDetails](),
	"runner_jobs.json":                     target[[]*RunnerJob](),
	"runner_jobs_null_commit_user.json":    target[[]*RunnerJob](),
	"runner_list.json":                     target[[]*Runner](),
	"runner_list_edge_cases.json":          target[[]*Runner](),
	"runner_managers.json":                 target[[]*RunnerManager](),
	"runner_projects.json":                 target[[]*Project](),
	"runner_registration.json":             target[RunnerRegistration](),
	"runner_registration_no_expiry.json":   target[RunnerRegistration](),
	"token_reset.json":                     target[Token](),
	"token_reset_null_expiry.json":         target[Token](),
	"token_reset_registration.json":        target[Token](),
}

// decodeDiff decodes data into a fresh value of tg with encoding/json and
// with decode, and describes how the two differ: in whether they fail, or,
// when both succeed, in the value. It returns "" when they agree, and
// whether encoding/json accepted data.
func decodeDiff(data []byte, tg decodeTarget, decode func([]byte, any) error) (diff string, accepted bool) {
	want, got := tg.new(), tg.new()
	wantErr := json.Unmarshal(data, want)
	gotErr := decode(data, got)
	switch {
	case (wantErr == nil) != (gotErr == nil):
		return fmt.Sprintf("into %s: encoding/json err = %v, ours = %v", tg.name, wantErr, gotErr), wantErr == nil
	case wantErr == nil && !reflect.DeepEqual(want, got):
		// %#v would print Secrets redacted; the values compared are real.
		return fmt.Sprintf("into %s: values differ\nencoding/json: %s\nours:          %s",
			tg.name, dump(want), dump(got)), true
	}
	return "", wantErr == nil
}

// dump prints v for a failure message, following pointers (a Secret
// prints redacted).
func dump(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// TestDecodeJSON_fixtures decodes every fixture into every response type:
// its own type, and the others, where the shapes only partly fit or do not
// fit at all.
func TestDecodeJSON_fixtures(t *testing.T) {
	t.Parallel()
	names, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	require.Len(t, names, len(fixtureTargets), "every fixture needs its type in fixtureTargets")
	for _, name := range names {
		data, err := os.ReadFile(name)
		require.NoError(t, err)
		own, ok := fixtureTargets[filepath.Base(name)]
		require.True(t, ok, "%s has no type in fixtureTargets", name)
		diff, accepted := decodeDiff(data, own, decodeJSON)
		assert.Empty(t, diff, name)
		assert.True(t, accepted, "%s does not decode into %s", name, own.name)
		for _, tg := range decodeTargets {
			diff, _ := decodeDiff(data, tg, decodeJSON)
			assert.Empty(t, diff, name)
		}
	}
}

// TestDecodeJSON_crafted decodes each crafted body into every response
// type and checks that both decoders accept or reject it alike and, when
// they accept it, fill the same value.
func TestDecodeJSON_crafted(t *testing.T) {
	t.Parallel()
	accepted, rejected := map[string]int{}, map[string]int{}
	for _, c := range decodeCases {
		for _, tg := range decodeTargets {
			diff, ok := decodeDiff([]byte(c.body), tg, decodeJSON)
			if diff != "" {
				t.Errorf("%s / %s: %s", c.category, c.name, diff)
			}
			if ok {
				accepted[c.category]++
			} else {
				rejected[c.category]++
			}
		}
	}
	// Each category holds bodies encoding/json accepts and bodies it refuses
	// (for some target at least), so neither outcome goes untested.
	for _, cat := range []string{"null", "missing", "unknown", "deprecated", "duplicate", "case", "time", "unicode", "number", "type", "syntax"} {
		assert.Positive(t, accepted[cat], "no accepted body in %q", cat)
		assert.Positive(t, rejected[cat], "no rejected body in %q", cat)
	}
}

// TestDecodeJSON_truncated decodes prefixes of every fixture: all of
// them for a small one, and about 500 spread evenly (so cutting inside
// every kind of token) for a big one. The fuzz target cuts anywhere.
//
// Each cut body is also reported as io.ErrUnexpectedEOF, wherever the cut
// falls (inside a string, a number, a literal, between tokens): decodeInto
// tells a body that broke off from a malformed one by it.
func TestDecodeJSON_truncated(t *testing.T) {
	t.Parallel()
	for name, tg := range fixtureTargets {
		data := bytes.TrimRight(fixture(t, name), " \t\r\n")
		step := max(1, len(data)/500)
		for n := 0; n < len(data); n += step {
			if diff, _ := decodeDiff(data[:n], tg, decodeJSON); diff != "" {
				t.Fatalf("%s cut at %d: %s", name, n, diff)
			}
			if err := decodeJSON(data[:n], tg.new()); !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%s cut at %d: got %v, want io.ErrUnexpectedEOF", name, n, err)
			}
		}
	}
	// A complete body with a syntax error is not a cut one.
	for body, isCut := range map[string]bool{
		`[{"id":1}]]`: false, `[{"id":}`: false, `[{"id":tr `: false, `[{"id":1},`: true, `[{"id":tr`: true, `[{"id":-`: true,
	} {
		err := decodeJSON([]byte(body), new([]*Runner))
		require.Error(t, err, body)
		assert.Equal(t, isCut, errors.Is(err, io.ErrUnexpectedEOF), body)
	}
}

// TestDecodeJSON_mutated replaces, one at a time, every value of every
// fixture (objects and arrays included) with each of a set of values of
// other types and edge cases, and decodes the result into the fixture's
// type. This covers each field of each type with nulls, wrong types,
// numbers past int64 and odd strings. A list fixture is varied one item at
// a time, as a list of that item alone, to keep the bodies small.
func TestDecodeJSON_mutated(t *testing.T) {
	t.Parallel()
	replacements := []string{
		`null`, `""`, `"x"`, `0`, `-1`, `1.5`, `9223372036854775808`, `1e400`, `true`, `false`,
		`[]`, `{}`, `["a"]`, `{"id":1}`, `"2025-01-14T08:22:51+02:00"`, `"2025-01-14T08\u003a22:51Z"`,
		`"\ud800"`, "\"\xff\"",
	}
	var cases, accepted int
	for name, tg := range fixtureTargets {
		bases := [][]byte{fixture(t, name)}
		var items []json.RawMessage
		if json.Unmarshal(bases[0], &items) == nil {
			bases = bases[:0]
			for _, it := range items {
				bases = append(bases, slices.Concat([]byte("["), it, []byte("]")))
			}
		}
		for _, data := range bases {
			for _, span := range valueSpans(t, data) {
				for _, r := range replacements {
					body := slices.Concat(data[:span[0]], []byte(r), data[span[1]:])
					diff, ok := decodeDiff(body, tg, decodeJSON)
					if diff != "" {
						t.Fatalf("%s with %s at %d: %s", name, r, span[0], diff)
					}
					cases++
					if ok {
						accepted++
					}
				}
			}
		}
	}
	t.Logf("%d mutated bodies, %d accepted", cases, accepted)
	assert.Greater(t, accepted, cases/4)
	assert.Greater(t, cases-accepted, cases/4)
}

// valueSpans returns the byte range of every JSON value in data, nested
// ones included.
func valueSpans(t *testing.T, data []byte) [][2]int {
	t.Helper()
	var spans [][2]int
	var walk func(start int, v json.RawMessage)
	walk = func(start int, v json.RawMessage) {
		v = bytes.TrimLeft(v, " \t\r\n")
		off := start + bytes.Index(data[start:], v[:1])
		spans = append(spans, [2]int{off, off + len(bytes.TrimRight(v, " \t\r\n"))})
		dec := json.NewDecoder(bytes.NewReader(v))
		switch v[0] {
		case '{', '[':
			_, _ = dec.Token()
			for dec.More() {
				if v[0] == '{' {
					_, _ = dec.Token() // key
				}
				var elem json.RawMessage
				pos := int(dec.InputOffset())
				require.NoError(t, dec.Decode(&elem))
				walk(off+pos+bytes.IndexFunc(v[pos:], func(r rune) bool { return !strings.ContainsRune(" \t\r\n:,", r) }), elem)
			}
		}
	}
	walk(0, data)
	return spans
}

// FuzzDecodeDifferential decodes arbitrary bodies, seeded with the fixtures
// and the crafted cases, into every response type with encoding/json and
// with decodeJSON (whose fast path takes what it understands), and fails
// on any difference in outcome or value.
func FuzzDecodeDifferential(f *testing.F) {
	for name := range fixtureTargets {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, c := range decodeCases {
		if len(c.body) <= 8<<10 { // the fuzzer minimises a big input for minutes
			f.Add([]byte(c.body))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, tg := range decodeTargets {
			if diff, _ := decodeDiff(data, tg, decodeJSON); diff != "" {
				t.Fatal(diff)
			}
		}
	})
}

// raceEnabled reports whether the test binary was built with -race.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	return ok && slices.Contains(bi.Settings, debug.BuildSetting{Key: "-race", Value: "true"})
}
