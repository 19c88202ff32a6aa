package glrunners

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A generator of bodies shaped like GitLab's runner answers, each value
// drawn from what GitLab sends and from what the scanner must refuse or
// leave to the fallback, with keys in any order, some repeated,
// some in another case, some unknown, and whitespace anywhere. The tests
// below decode thousands of them with the fast path alone and with
// decodeJSON, and hold each to encoding/json: a property test that
// runs on every `go test`, where the fuzz targets run only when asked.

// bodyGen draws bodies; one value in odds is drawn from the odd ones:
// what encoding/json refuses, or accepts in a way the fast path leaves to
// the fallback.
type bodyGen struct {
	r    *rand.Rand
	odds int
}

func (g bodyGen) pick(vs ...string) string { return vs[g.r.IntN(len(vs))] }

// draw picks from odd one time in g.odds, else from usual.
func (g bodyGen) draw(usual, odd []string) string {
	if g.r.IntN(g.odds) == 0 {
		return g.pick(odd...)
	}
	return g.pick(usual...)
}

// ws is whitespace, mostly none.
func (g bodyGen) ws() string {
	if g.r.IntN(8) != 0 {
		return ""
	}
	return g.pick(" ", "\n", "\t", "\r\n  ", " \n\t ")
}

func (g bodyGen) intValue() string {
	return g.draw([]string{"0", "7", "4117", "-3", "-0", "123456789012345678", "null"},
		[]string{"1234567890123456789", "9223372036854775807", "9223372036854775808", "1.0", "1e2", "01", `"7"`, "true", "-"})
}

func (g bodyGen) boolValue() string {
	return g.draw([]string{"true", "false", "null"}, []string{"0", `"true"`, "tru", "nul", "truex"})
}

func (g bodyGen) stringValue() string {
	if g.r.IntN(g.odds) == 0 {
		return g.pick("1", "[]", "{}", "true")
	}
	if g.r.IntN(10) == 0 {
		return "null"
	}
	var b strings.Builder
	b.WriteByte('"')
	for range g.r.IntN(5) {
		b.WriteString(g.draw([]string{"fleet-amd64", "x", " ", "https://gitlab.example/a.png?s=80", `\u0026`, `\u003c`,
			`\n`, `\"`, `\\`, `\/`, `\t`, `\b`, `\f`, `\r`, `\u0000`, `\u00e9`, `\u65E5`, "é", "日本", "🚀", "online", "a\u2028b"},
			[]string{`\ud83d\ude80`, `\ud800`, `\udc00x`, "\xff", "\xc3", "\t", `\x`, `\u12`, "\x01"}))
	}
	b.WriteByte('"')
	return b.String()
}

func (g bodyGen) enumValue() string {
	if g.r.IntN(3) == 0 {
		return g.stringValue()
	}
	return g.pick(`"online"`, `"offline"`, `"stale"`, `"never_contacted"`, `"paused"`, `"active"`,
		`"instance_type"`, `"group_type"`, `"project_type"`, `"idle"`, `"blocked"`, `"not_protected"`,
		`"ref_protected"`, `""`, `"Online"`, `"online\u0020"`)
}

func (g bodyGen) timeValue() string {
	return g.draw([]string{`"2025-01-14T08:22:51Z"`, `"2025-01-14T08:22:51.604Z"`, `"2025-03-20T12:29:41.5+02:00"`,
		`"2025-03-20T12:29:41-05:30"`, `"2025-03-20T1:29:41Z"`, `"2025-03-20T12:29:41,5Z"`, "null"},
		[]string{`"2025-03-20T12:29:41"`, `"2025-03-20 12:29:41Z"`, `"2025-03-20T12\u003a29:41Z"`, `""`, "0",
			`"yesterday"`, "\"2025-03-20T12:29:41\xffZ\""})
}

// anyValue is a JSON value of any shape, for an unknown key, sometimes
// broken.
func (g bodyGen) anyValue(depth int) string {
	n := 7
	if depth > 2 {
		n = 5
	}
	switch g.r.IntN(n) {
	case 0:
		return g.stringValue()
	case 1:
		return g.draw([]string{"0", "-1.5e-3", "1E+2", "123456789012345678901234567890"}, []string{"01", "1.", "-", ".5"})
	case 2:
		return g.draw([]string{"true", "false", "null"}, []string{"nul", "truex"})
	case 3:
		return g.intValue()
	case 4:
		return g.boolValue()
	case 5:
		items := make([]string, g.r.IntN(3))
		for i := range items {
			items[i] = g.ws() + g.anyValue(depth+1) + g.ws()
		}
		return "[" + strings.Join(items, ",") + g.draw([]string{"]"}, []string{",]", "}"})
	default:
		pairs := make([]string, g.r.IntN(3))
		for i := range pairs {
			pairs[i] = g.ws() + g.pick(`"a"`, `"b"`, `"\u00e9"`, "\"\xff\"", `"id"`) + g.ws() + ":" + g.ws() + g.anyValue(depth+1)
		}
		return "{" + strings.Join(pairs, ",") + g.draw([]string{"}"}, []string{",}", "]"})
	}
}

// field is one key and a way to draw its value.
type field struct {
	key   string
	value func() string
}

// object draws an object from fields: most keys, in any order, with now
// and then a key repeated, in another case, escaped, or unknown.
func (g bodyGen) object(fields []field) string {
	var pairs []string
	for _, i := range g.r.Perm(len(fields)) {
		if g.r.IntN(6) == 0 {
			continue
		}
		f := fields[i]
		key := f.key
		switch g.r.IntN(15 * g.odds) {
		case 0:
			key = strings.ToUpper(key)
		case 1:
			key = `\u00` + "69" + key // an escaped 'i' before the key: unknown, but only once unescaped
		case 2:
			pairs = append(pairs, `"`+key+`":`+f.value()) // repeated
		case 3:
			key = strings.Replace(key, "_", "-", 1)
		}
		pairs = append(pairs, g.ws()+`"`+key+`"`+g.ws()+":"+g.ws()+f.value()+g.ws())
	}
	if g.r.IntN(5) == 0 {
		pairs = append(pairs, `"`+g.pick("future", "maintainer_note", "tag", "x_id")+`":`+g.anyValue(0))
	}
	return "{" + strings.Join(pairs, ",") + "}"
}

func (g bodyGen) user() string {
	if g.r.IntN(5) == 0 {
		return g.draw([]string{"null", "{}"}, []string{`"root"`, "[]"})
	}
	return g.object([]field{
		{"id", g.intValue}, {"username", g.stringValue}, {"public_email", g.stringValue},
		{"name", g.stringValue}, {"state", g.enumValue}, {"locked", g.boolValue},
		{"avatar_url", g.stringValue}, {"web_url", g.stringValue},
	})
}

func (g bodyGen) runnerFields() []field {
	return []field{
		{"id", g.intValue}, {"description", g.stringValue}, {"ip_address", g.stringValue},
		{"active", g.boolValue}, {"paused", g.boolValue}, {"is_shared", g.boolValue},
		{"runner_type", g.enumValue}, {"name", g.stringValue}, {"online", g.boolValue},
		{"created_by", g.user}, {"created_at", g.timeValue}, {"status", g.enumValue},
		{"job_execution_status", g.enumValue},
	}
}

// list draws a JSON array of item, now and then null, null items or a
// broken end.
func (g bodyGen) list(item func() string, most int) string {
	if g.r.IntN(10) == 0 {
		return g.draw([]string{"null", "[]"}, []string{"{}", `"x"`})
	}
	items := make([]string, g.r.IntN(most+1))
	for i := range items {
		items[i] = g.ws() + item() + g.ws()
		if g.r.IntN(20) == 0 {
			items[i] = "null"
		}
	}
	return "[" + strings.Join(items, ",") + g.draw([]string{"]"}, []string{"]", ",]"})
}

func (g bodyGen) page() string {
	body := g.ws() + g.list(func() string { return g.object(g.runnerFields()) }, 4) + g.ws()
	if g.r.IntN(g.odds) == 0 {
		body += g.pick("x", "[]", "]")
	}
	return body
}

func (g bodyGen) details() string {
	namespace := func() string {
		if g.r.IntN(5) == 0 {
			return g.draw([]string{"null", "{}"}, []string{"[]", "1"})
		}
		return g.object([]field{
			{"id", g.intValue}, {"name", g.stringValue}, {"path", g.stringValue}, {"kind", g.stringValue},
			{"full_path", g.stringValue}, {"parent_id", g.intValue}, {"avatar_url", g.stringValue}, {"web_url", g.stringValue},
		})
	}
	tags := func() string { return g.list(g.stringValue, 3) }
	project := func() string {
		return g.object([]field{
			{"id", g.intValue}, {"description", g.stringValue}, {"name", g.stringValue},
			{"name_with_namespace", g.stringValue}, {"path", g.stringValue}, {"path_with_namespace", g.stringValue},
			{"created_at", g.timeValue}, {"default_branch", g.stringValue}, {"tag_list", tags}, {"topics", tags},
			{"ssh_url_to_repo", g.stringValue}, {"http_url_to_repo", g.stringValue}, {"web_url", g.stringValue},
			{"readme_url", g.stringValue}, {"forks_count", g.intValue}, {"avatar_url", g.stringValue},
			{"star_count", g.intValue}, {"last_activity_at", g.timeValue}, {"namespace", namespace},
			{"repository_storage", g.stringValue},
		})
	}
	group := func() string {
		return g.object([]field{{"id", g.intValue}, {"web_url", g.stringValue}, {"name", g.stringValue}})
	}
	fields := append(g.runnerFields(),
		field{"tag_list", tags}, field{"run_untagged", g.boolValue}, field{"locked", g.boolValue},
		field{"maximum_timeout", g.intValue}, field{"access_level", g.enumValue}, field{"version", g.stringValue},
		field{"revision", g.stringValue}, field{"platform", g.stringValue}, field{"architecture", g.stringValue},
		field{"contacted_at", g.timeValue}, field{"maintenance_note", g.stringValue},
		field{"projects", func() string { return g.list(project, 2) }},
		field{"groups", func() string { return g.list(group, 2) }},
	)
	return g.ws() + g.object(fields) + g.ws()
}

// generatedMix is what happened to n generated bodies: how many
// encoding/json accepted, and how many of those the scanner took itself.
type generatedMix struct{ n, accepted, scanned int }

// checkGenerated decodes n bodies drawn by draw with the scanner (through
// scan, a scanDiff) and with each of decoders into tg, fails on the first
// that differs from encoding/json, and returns the mix.
func checkGenerated(t *testing.T, n int, draw func() string, scan func([]byte) (string, bool),
	tg decodeTarget, decoders map[string]func([]byte, any) error) generatedMix {
	t.Helper()
	mix := generatedMix{n: n}
	for range n {
		body := []byte(draw())
		diff, took := scan(body)
		if diff != "" {
			t.Fatalf("scanner on %q: %s", body, diff)
		}
		if took {
			mix.scanned++
		}
		for name, decode := range decoders {
			diff, ok := decodeDiff(body, tg, decode)
			if diff != "" {
				t.Fatalf("%s on %q: %s", name, body, diff)
			}
			if ok && name == "decodeJSON" {
				mix.accepted++
			}
		}
	}
	t.Logf("%d bodies: encoding/json accepted %d, the scanner took %d", mix.n, mix.accepted, mix.scanned)
	return mix
}

// TestScanner_generatedPages decodes generated runner pages every way the
// SDK may and holds each to encoding/json. It also checks the mix, so that
// a generator that drifted into bodies nobody takes, or a scanner that
// gives up on everything, fails here.
func TestScanner_generatedPages(t *testing.T) {
	t.Parallel()
	g := bodyGen{rand.New(rand.NewPCG(8, 2026)), 200}
	mix := checkGenerated(t, 4000, g.page, scanDiff, target[[]*Runner](), listDecoders)
	assert.Greater(t, mix.scanned, mix.n/2, "the scanner takes too few pages")
	assert.Greater(t, mix.accepted-mix.scanned, mix.n/20, "too few pages left to the fallback")
	assert.Greater(t, mix.n-mix.accepted, mix.n/10, "too few pages refused")
}

// TestScanner_generatedDetails is TestScanner_generatedPages for a
// runner's details.
func TestScanner_generatedDetails(t *testing.T) {
	t.Parallel()
	g := bodyGen{rand.New(rand.NewPCG(8, 2027)), 400}
	mix := checkGenerated(t, 3000, g.details, detailsScanDiff, target[RunnerDetails](),
		map[string]func([]byte, any) error{"decodeJSON": decodeJSON})
	assert.Greater(t, mix.scanned, mix.n/2, "the scanner takes too few bodies")
	assert.Greater(t, mix.accepted-mix.scanned, mix.n/40, "too few bodies left to the fallback")
	assert.Greater(t, mix.n-mix.accepted, mix.n/10, "too few bodies refused")
}
