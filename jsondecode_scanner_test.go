package glrunners

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scanDiff runs the fast path on data, a page of runners, and describes how
// what it accepted differs from encoding/json's decoding of it: "" when it
// gave up, or when it accepted data and made the value encoding/json makes.
func scanDiff(data []byte) (diff string, scanned bool) {
	var got []*Runner
	if !scanKnown(data, &got) {
		return "", false
	}
	var want []*Runner
	if err := json.Unmarshal(data, &want); err != nil {
		return fmt.Sprintf("scanner accepted what encoding/json refuses: %v", err), true
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("values differ\nencoding/json: %s\nscanner:       %s", dump(want), dump(got)), true
	}
	return "", true
}

// TestScanRunnerPage_takes lists pages the fast path must decode itself, as
// encoding/json does: what GitLab sends and what it may send (unknown keys
// of any shape, escapes, whitespace, nulls), so that a change that makes it
// give up on them, and so slows every fleet walk, fails here.
func TestScanRunnerPage_takes(t *testing.T) {
	t.Parallel()
	var want Runner
	fillNonZero(t, reflect.ValueOf(&want).Elem())
	everyField, err := json.Marshal([]*Runner{&want, &want})
	require.NoError(t, err)
	indented, err := json.MarshalIndent(json.RawMessage(runnerPage(3)), "", "\t")
	require.NoError(t, err)
	pages := map[string]string{
		"fixture":                 string(fixture(t, "runner_list.json")),
		"edge-case fixture":       string(fixture(t, "runner_list_edge_cases.json")),
		"a page of 100":           string(runnerPage(100)),
		"every field":             string(everyField),
		"indented":                string(indented),
		"whitespace everywhere":   " \r\n[ \t{ \"id\" : 7 , \"created_by\" : { \"id\" : 1 } } , { } ] \n",
		"empty object":            `[{}]`,
		"empty user":              `[{"created_by":{}}]`,
		"every field null":        "[" + decodeCases[1].body + "]",
		"null items":              "[null," + runnerBody + ",null]",
		"empty strings":           `[{"description":"","ip_address":"","name":"","status":"","created_by":{"username":"","avatar_url":""}}]`,
		"negative and zero ids":   `[{"id":-7},{"id":0},{"id":-0},{"id":999999999999999999}]`,
		"escapes":                 "[" + runner("description", `"a \u0026 b \u003c\/c\u003e \"q\" \\ \b\f\n\r\t \u0000 \u00e9 \u65e5"`) + "]",
		"raw UTF-8":               "[" + runner("name", `"café 日本 🚀"`, "description", `"a\u2028b é"`) + "]",
		"escape after UTF-8":      "[" + runner("name", `"é\u0026é"`) + "]",
		"unknown keys":            "[" + runner("future", `{"a":[1,-2.5e-3,{"b":null}],"c":"\u00e9\ud800","d":[[],{}]}`, "maintenance_note", `"x"`, "n", `0`, "t", `true`) + "]",
		"unknown key in user":     `[{"created_by":{"id":1,"custom_attributes":[{"key":"k","value":"v"}],"bot":false}}]`,
		"unknown non-UTF-8 value": "[{\"x\":\"\xff\",\"id\":1}]",
		"unknown known-lookalike": `[{"ipaddress":"1.2.3.4","ip-address":"x","runnertype":"x","id_":1}]`,
		"unknown enum values":     `[{"status":"future_status","runner_type":"x_type","job_execution_status":"Idle","created_by":{"state":"deactivated"}}]`,
		"times":                   `[{"created_at":"2025-03-20T12:29:41.5+01:00"},{"created_at":"2025-03-20T12:29:41,5-05:30"},{"created_at":null}]`,
	}
	for name, page := range pages {
		diff, scanned := scanDiff([]byte(page))
		assert.True(t, scanned, "%s: the fast path gave up", name)
		assert.Empty(t, diff, name)
	}
}

// TestScanRunnerPage_givesUp lists bodies the fast path must leave to the
// fallback: those where encoding/json does something it does not
// model (folding keys, merging repeated keys, replacing bad UTF-8), and
// those encoding/json refuses, which the fallback reports. Each is
// then decoded as encoding/json does.
func TestScanRunnerPage_givesUp(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat(`[`, 40) + strings.Repeat(`]`, 40)
	bodies := map[string]string{
		"null":                     `null`,
		"object":                   runnerBody,
		"empty":                    ``,
		"byte order mark":          "\xef\xbb\xbf[]",
		"number item":              `[1]`,
		"repeated key":             "[" + repeated("id", "8") + "]",
		"repeated user key":        `[{"created_by":{"id":1,"id":2}}]`,
		"repeated user":            "[" + repeated("created_by", `{"id":2}`) + "]",
		"folded key":               `[{"ID":7}]`,
		"folded user key":          `[{"created_by":{"UserName":"x"}}]`,
		"escaped key":              `[{"\u0069d":7}]`,
		"non-ASCII key":            `[{"\u017ftatus":"online"}]`,
		"raw non-ASCII key":        "[{\"\u212aind\":1}]",
		"lone surrogate":           "[" + runner("description", `"a\ud800b"`) + "]",
		"surrogate pair":           "[" + runner("description", `"\ud83d\ude80"`) + "]",
		"invalid UTF-8":            "[" + runner("name", "\"a\xffb\"") + "]",
		"invalid UTF-8 in user":    "[{\"created_by\":{\"name\":\"\xc0\xaf\"}}]",
		"raw control character":    "[" + runner("description", "\"a\tb\"") + "]",
		"invalid escape":           "[" + runner("description", `"\x41"`) + "]",
		"short unicode escape":     "[" + runner("description", `"\u12"`) + "]",
		"fraction id":              `[{"id":1.0}]`,
		"exponent id":              `[{"id":1e2}]`,
		"19-digit id":              `[{"id":1000000000000000000}]`,
		"leading zero":             `[{"id":07}]`,
		"bare minus":               `[{"id":-}]`,
		"id as a string":           `[{"id":"7"}]`,
		"bool as a string":         `[{"active":"true"}]`,
		"bool as a number":         `[{"online":1}]`,
		"string as a number":       `[{"name":1}]`,
		"user as an array":         `[{"created_by":[]}]`,
		"escaped time":             `[{"created_at":"2025-03-20T12\u003a29:41Z"}]`,
		"time time.Time refuses":   `[{"created_at":"2025-03-20T12:29:41"}]`,
		"time as a number":         `[{"created_at":1742472000}]`,
		"trailing data":            `[{}] x`,
		"two arrays":               `[][]`,
		"trailing comma in list":   `[{},]`,
		"trailing comma in object": `[{"id":1,}]`,
		"missing colon":            `[{"id" 1}]`,
		"missing comma":            `[{"id":1 "name":"x"}]`,
		"literal misspelt":         `[{"active":tru}]`,
		"literal run on":           `[{"active":truex}]`,
		"unknown bad number":       `[{"x":01}]`,
		"unknown bad literal":      `[{"x":nul}]`,
		"unknown deep":             `[{"x":` + deep + `}]`,
		"unknown bad escape":       `[{"x":"\q"}]`,
		"cut":                      string(runnerPage(2)[:200]),
	}
	for name, body := range bodies {
		_, scanned := scanDiff([]byte(body))
		assert.False(t, scanned, "%s: the fast path should give up", name)
		diff, _ := decodeDiff([]byte(body), target[[]*Runner](), decodeJSON)
		assert.Empty(t, diff, name)
	}
}

// TestScanRunnerPage_text decodes a page whose runners' texts differ
// widely in size (short strings, then long ones, then one longer than all
// the rest), each runner's text in a string of its own, so that each
// string lands where it belongs.
func TestScanRunnerPage_text(t *testing.T) {
	t.Parallel()
	var items []string
	for i := range 60 {
		desc := fmt.Sprintf("r%d", i)
		if i >= 20 {
			desc = strings.Repeat(fmt.Sprintf("%c", 'a'+i%26), 10*i)
		}
		if i == 50 {
			desc = strings.Repeat(`\u0026x`, 20000)
		}
		items = append(items, runner("id", fmt.Sprint(i), "description", `"`+desc+`"`))
	}
	page := []byte("[" + strings.Join(items, ",") + "]")
	diff, scanned := scanDiff(page)
	require.True(t, scanned)
	assert.Empty(t, diff)
	var got []*Runner
	require.True(t, scanKnown(page, &got))
	assert.Equal(t, strings.Repeat("&x", 20000), *got[50].Description)
}

// TestScanRunnerPage_allocs pins the fast path's allocations: a page of 100
// runners, into a slice with room for it, takes two per runner (the Runner
// with its pointees, and its text), where encoding/json takes about 14.
func TestScanRunnerPage_allocs(t *testing.T) {
	if raceEnabled() {
		t.Skip("sync.Pool drops items at random under the race detector: allocation counts are noise")
	}
	page := runnerPage(100)
	allocs := testing.AllocsPerRun(20, func() {
		list := make([]*Runner, 0, 100)
		if !scanKnown(page, &list) || len(list) != 100 {
			t.Fatal("scanner gave up on a page of 100")
		}
	})
	assert.LessOrEqual(t, allocs, 203.0) // and the room, and a pool miss now and then
}

// FuzzScanRunnerPage mutates runner pages and holds whatever the fast path
// accepts to encoding/json, and what it gives up on to decodeJSON's
// general path.
func FuzzScanRunnerPage(f *testing.F) {
	f.Add(runnerPage(2))
	f.Add(fixture(f, "runner_list.json"))
	f.Add(fixture(f, "runner_list_edge_cases.json"))
	f.Add([]byte("[" + runner("description", `"a \u0026 é \n"`, "future", `{"a":[1,{"b":null}]}`) + "]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if diff, _ := scanDiff(data); diff != "" {
			t.Fatal(diff)
		}
		if diff, _ := decodeDiff(data, target[[]*Runner](), decodeJSON); diff != "" {
			t.Fatal(diff)
		}
	})
}

// detailsScanDiff is scanDiff for a runner's details.
func detailsScanDiff(data []byte) (diff string, scanned bool) {
	var got RunnerDetails
	if !scanKnown(data, &got) {
		if !reflect.ValueOf(got).IsZero() {
			return "scanner gave up but left a value behind", false
		}
		return "", false
	}
	var want RunnerDetails
	if err := json.Unmarshal(data, &want); err != nil {
		return fmt.Sprintf("scanner accepted what encoding/json refuses: %v", err), true
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("values differ\nencoding/json: %s\nscanner:       %s", dump(want), dump(got)), true
	}
	return "", true
}

// TestScanRunnerDetails_takes is TestScanRunnerPage_takes for a runner's
// details, the answer of Get and Update.
func TestScanRunnerDetails_takes(t *testing.T) {
	t.Parallel()
	var want RunnerDetails
	fillNonZero(t, reflect.ValueOf(&want).Elem())
	want.Projects = append(want.Projects, want.Projects[0])
	want.Groups = append(want.Groups, want.Groups[0])
	everyField, err := json.Marshal(&want)
	require.NoError(t, err)
	bodies := map[string]string{
		"fixture":                  string(fixture(t, "runner_details.json")),
		"fixture without projects": string(fixture(t, "runner_details_without_projects.json")),
		"every field":              string(everyField),
		"crafted":                  details(),
		"null":                     `null`,
		"empty lists":              details("tag_list", `[]`, "projects", `[]`, "groups", `[]`),
		"null lists":               details("tag_list", `null`, "projects", `null`, "groups", `null`),
		"null items":               details("tag_list", `[null,"a", null]`, "projects", `[null,{"id":1}]`, "groups", `[null]`),
		"nulls":                    details("maximum_timeout", `null`, "contacted_at", `null`, "version", `null`, "projects", `[{"namespace":null,"description":null,"created_at":null}]`),
		"unknown keys":             details("future", `[{"a":1}]`, "projects", `[{"id":3,"custom_attributes":[],"namespace":{"id":2,"x":{}}}]`, "groups", `[{"id":2,"full_path":"g"}]`),
		"whitespace":               " {\n \"tag_list\" : [ \"a\" , \"b\" ] , \"projects\" : [ { \"id\" : 1 } , null ] } \n",
		"escapes":                  details("maintenance_note", `"a \u0026 b\n"`, "tag_list", `["\u00e9t\u00e9"]`),
	}
	for name, body := range bodies {
		diff, scanned := detailsScanDiff([]byte(body))
		assert.True(t, scanned, "%s: the fast path gave up", name)
		assert.Empty(t, diff, name)
	}
}

// TestScanRunnerDetails_givesUp is TestScanRunnerPage_givesUp for a
// runner's details.
func TestScanRunnerDetails_givesUp(t *testing.T) {
	t.Parallel()
	bodies := map[string]string{
		"a list":                  `[` + details() + `]`,
		"a string":                `"x"`,
		"repeated details key":    strings.TrimSuffix(details(), "}") + `,"locked":true}`,
		"repeated project key":    details("projects", `[{"id":1,"id":2}]`),
		"folded details key":      details("Tag_List", `["x"]`),
		"folded project key":      details("projects", `[{"Web_URL":"x"}]`),
		"folded namespace key":    details("projects", `[{"namespace":{"KIND":"group"}}]`),
		"folded group key":        details("groups", `[{"NAME":"g"}]`),
		"tag as a number":         details("tag_list", `[1]`),
		"tags as an object":       details("tag_list", `{}`),
		"project as a string":     details("projects", `["p"]`),
		"namespace as a list":     details("projects", `[{"namespace":[]}]`),
		"maximum timeout 1.5":     details("maximum_timeout", `1.5`),
		"bad time in a project":   details("projects", `[{"last_activity_at":"yesterday"}]`),
		"cut in a list":           strings.TrimSuffix(details(), `"name":"g"}]}`),
		"trailing comma in list":  details("tag_list", `["a",]`),
		"invalid UTF-8 in a tag":  details("tag_list", "[\"\xff\"]"),
		"trailing data":           details() + `x`,
		"deep unknown in project": details("projects", `[{"x":`+strings.Repeat("[", 40)+strings.Repeat("]", 40)+`}]`),
	}
	for name, body := range bodies {
		diff, scanned := detailsScanDiff([]byte(body))
		assert.False(t, scanned, "%s: the fast path should give up", name)
		assert.Empty(t, diff, name)
		diff, _ = decodeDiff([]byte(body), target[RunnerDetails](), decodeJSON)
		assert.Empty(t, diff, name)
	}
}

// TestScanRunnerDetails_allocs pins the fast path's allocations for the
// details fixture: the pointees in one block, each list once, the text in
// one string.
func TestScanRunnerDetails_allocs(t *testing.T) {
	if raceEnabled() {
		t.Skip("sync.Pool drops items at random under the race detector: allocation counts are noise")
	}
	data := fixture(t, "runner_details.json")
	allocs := testing.AllocsPerRun(20, func() {
		var d RunnerDetails
		if !scanKnown(data, &d) {
			t.Fatal("scanner gave up on the fixture")
		}
	})
	assert.LessOrEqual(t, allocs, 8.0)
}

// FuzzScanRunnerDetails is FuzzScanRunnerPage for a runner's details.
func FuzzScanRunnerDetails(f *testing.F) {
	f.Add(fixture(f, "runner_details.json"))
	f.Add(fixture(f, "runner_details_without_projects.json"))
	f.Add([]byte(details("tag_list", `[null,"\u00e9"]`, "projects", `[null,{"id":1,"namespace":null,"x":[{}]}]`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if diff, _ := detailsScanDiff(data); diff != "" {
			t.Fatal(diff)
		}
		if diff, _ := decodeDiff(data, target[RunnerDetails](), decodeJSON); diff != "" {
			t.Fatal(diff)
		}
	})
}
