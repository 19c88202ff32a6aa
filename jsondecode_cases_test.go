package glrunners

import (
	"slices"
	"strings"
)

// The crafted bodies of the differential tests (jsondecode_test.go), by
// category: each is decoded into every response type.

// decodeCase is a crafted body, decoded into every response type.
type decodeCase struct {
	category, name, body string
}

// A runner and a runner's details as GitLab sends them, as key/value
// pairs, to vary in the cases below.
var (
	runnerPairs = []string{
		"id", `7`, "description", `"build-1"`, "ip_address", `null`, "active", `true`, "paused", `false`,
		"is_shared", `false`, "runner_type", `"project_type"`, "name", `"gitlab-runner"`, "online", `true`,
		"created_by", `{"id":1,"username":"root","public_email":null,"name":"Admin","state":"active",` +
			`"locked":false,"avatar_url":"https://gitlab.example/a.png?s=80\u0026d=identicon","web_url":"https://gitlab.example/root"}`,
		"created_at", `"2025-01-14T08:22:51.604Z"`, "status", `"online"`, "job_execution_status", `"idle"`,
	}
	detailsPairs = []string{
		"tag_list", `["docker","linux"]`, "run_untagged", `true`, "locked", `false`, "maximum_timeout", `3600`,
		"access_level", `"not_protected"`, "version", `"17.9.0"`, "revision", `"abc"`, "platform", `"linux"`,
		"architecture", `"amd64"`, "contacted_at", `"2025-03-20T11:31:02Z"`, "maintenance_note", `null`,
		"projects", `[{"id":3,"name":"p","name_with_namespace":"g / p","path":"p","path_with_namespace":"g/p",` +
			`"created_at":"2024-01-01T00:00:00Z","namespace":{"id":2,"kind":"group","parent_id":null}}]`,
		"groups", `[{"id":2,"web_url":"https://gitlab.example/g","name":"g"}]`,
	}
	runnerBody = runner()
)

// object builds a JSON object from key/value pairs. A key given again
// replaces the earlier value in place, so the object has no repeated key.
func object(pairs ...string) string {
	var keys []string
	values := map[string]string{}
	for i := 0; i < len(pairs); i += 2 {
		if _, ok := values[pairs[i]]; !ok {
			keys = append(keys, pairs[i])
		}
		values[pairs[i]] = pairs[i+1]
	}
	fields := make([]string, len(keys))
	for i, k := range keys {
		fields[i] = `"` + k + `":` + values[k]
	}
	return "{" + strings.Join(fields, ",") + "}"
}

// runner is runnerBody with some keys changed or added.
func runner(changes ...string) string { return object(slices.Concat(runnerPairs, changes)...) }

// details is a RunnerDetails body with some keys changed or added.
func details(changes ...string) string {
	return object(slices.Concat(runnerPairs, detailsPairs, changes)...)
}

// repeated is runnerBody with key sent a second time.
func repeated(key, value string) string {
	return strings.TrimSuffix(runnerBody, "}") + `,"` + key + `":` + value + "}"
}

// timeIn puts a JSON value where every response type keeps a time.
func timeIn(v string) string {
	return `{"created_at":` + v + `,"contacted_at":` + v + `,"token_expires_at":` + v +
		`,"started_at":` + v + `,"last_activity_at":` + v + `,"authored_date":` + v + `,"updated_at":` + v + `}`
}

// numberIn puts a JSON value where response types keep integers and floats.
func numberIn(v string) string {
	return `{"id":` + v + `,"maximum_timeout":` + v + `,"coverage":` + v + `,"duration":` + v +
		`,"forks_count":` + v + `,"parent_id":` + v + `,"followers":` + v + `,"iid":` + v + `}`
}

var decodeCases = []decodeCase{
	// Nulls, for pointers (nil) and for values (left as they are).
	{"null", "top level", `null`},
	{"null", "every runner field", `{"id":null,"description":null,"ip_address":null,"active":null,"paused":null,` +
		`"is_shared":null,"runner_type":null,"name":null,"online":null,"created_by":null,"created_at":null,` +
		`"status":null,"job_execution_status":null}`},
	{"null", "every details field", details("tag_list", `null`, "run_untagged", `null`, "maximum_timeout", `null`, "projects", `null`, "groups", `null`, "contacted_at", `null`)},
	{"null", "job parts", `{"id":1,"user":null,"commit":null,"pipeline":null,"project":null,"coverage":null,"erased_at":null}`},
	{"null", "list items", `[null,` + runnerBody + `,null]`},
	{"null", "in string arrays and maps", `{"tag_list":[null,"a"],"parent_ids":[null],"trailers":{"a":null},"extended_trailers":{"a":null,"b":[null]}}`},
	{"null", "token", `{"id":1,"token":null,"token_expires_at":null}`},
	{"null", "value after a value", repeated("id", "null")},
	{"null", "pointer after a value", repeated("description", "null")},
	{"null", "time after a time", repeated("created_at", "null")},
	{"null", "object after an object", repeated("created_by", "null")},
	{"null", "token after a token", `{"token":"glrt-first","token":null}`},

	// Missing and unknown fields.
	{"missing", "empty object", `{}`},
	{"missing", "empty list", `[]`},
	{"missing", "id only", `{"id":7}`},
	{"missing", "details without projects", details()},
	{"missing", "job without commit and user", `{"id":1,"status":"success","pipeline":{"id":2},"project":{"id":3}}`},
	{"unknown", "scalar keys", runner("maintainer_note", `"x"`)},
	{"unknown", "nested values", runner("future", `{"a":[1,{"b":null}],"c":"\u00e9"}`)},
	{"unknown", "in nested objects", `{"created_by":{"id":1,"custom_attributes":[{"key":"k","value":"v"}]},"namespace":{"x":[]}}`},
	{"unknown", "only", `{"a":1,"b":[true,false],"c":{"d":"e"}}`},
	{"unknown", "keys differing only in separators", `{"ipaddress":"1.2.3.4","ip-address":"1.2.3.4","runnertype":"x","run_untagged_":true}`},
	{"unknown", "long key", `{"` + strings.Repeat("k", 5000) + `":1}`},

	// Deprecated fields are decoded like the others.
	{"deprecated", "runner active and ip_address", runner("ip_address", `"10.0.0.1"`)},
	{"deprecated", "status paused and active", `[{"id":1,"status":"paused","active":false},{"id":2,"status":"active","active":true}]`},
	{"deprecated", "details version fields", details("version", `"16.0.0"`, "revision", `"r"`, "platform", `"darwin"`, "architecture", `"arm64"`)},
	{"deprecated", "project tag_list", `{"id":3,"tag_list":["a"],"topics":["a"]}`},
	{"deprecated", "user skype and bio_html", `{"user":{"id":1,"skype":"s","bio_html":"<p>b</p>"},"skype":"s","bio_html":"\u003cp\u003e"}`},

	// Repeated keys: the last one wins, arrays and objects merge as v1 does.
	{"duplicate", "scalar", repeated("id", "8")},
	{"duplicate", "pointer", repeated("description", `"second"`)},
	{"duplicate", "object merges", repeated("created_by", `{"id":2}`)},
	{"duplicate", "bool false after true", repeated("active", "false")},
	{"duplicate", "string array", `{"tag_list":["a","b","c"],"tag_list":["d"]}`},
	{"duplicate", "object array merges", strings.TrimSuffix(details(), "}") + `,"projects":[{"id":9},{"id":10,"path":"q"}]}`},
	{"duplicate", "map keys", `{"trailers":{"a":"1","a":"2","b":"3"},"trailers":{"c":"4"}}`},
	{"duplicate", "map of arrays", `{"extended_trailers":{"a":["1","2"]},"extended_trailers":{"a":["3"]}}`},
	{"duplicate", "differing in case", `{"id":1,"ID":2,"Id":3}`},
	{"duplicate", "token", `{"token":"glrt-first","token":"glrt-second"}`},
	{"duplicate", "time", repeated("created_at", `"2020-02-02T02:02:02+02:00"`)},

	// Keys match case-insensitively, as v1 folds them; separators count.
	{"case", "upper", `{"ID":7,"DESCRIPTION":"d","RUNNER_TYPE":"group_type","CREATED_AT":"2025-01-14T08:22:51Z"}`},
	{"case", "mixed", `{"Is_Shared":true,"Job_Execution_Status":"active","Created_By":{"UserName":"x"}}`},
	{"case", "exact beats folded", `{"id":1,"ID":2,"id":3}`},
	{"case", "unicode folding long s", `{"\u017ftatus":"online","tag_li\u017ft":["x"],"\u017fha":"abc"}`},
	{"case", "unicode folding kelvin sign", `{"\u212aind":"group","loc\u212aed":true}`},
	{"case", "escaped key", `{"\u0069\u0064":7,"web\u005furl":"u"}`},
	{"case", "token key", `{"TOKEN":"glrt-x","Token_Expires_At":null}`},

	// RFC 3339 times as time.Time.UnmarshalJSON reads them.
	{"time", "UTC", timeIn(`"2025-01-14T08:22:51Z"`)},
	{"time", "millis", timeIn(`"2025-01-14T08:22:51.604Z"`)},
	{"time", "nanos", timeIn(`"2025-01-14T08:22:51.123456789Z"`)},
	{"time", "past nanos", timeIn(`"2025-01-14T08:22:51.1234567891Z"`)},
	{"time", "positive offset", timeIn(`"2025-03-20T12:29:41.000+01:00"`)},
	{"time", "negative offset", timeIn(`"2025-03-20T12:29:41-05:30"`)},
	{"time", "zero offset", timeIn(`"2025-03-20T12:29:41+00:00"`)},
	{"time", "negative zero offset", timeIn(`"2025-03-20T12:29:41-00:00"`)},
	{"time", "offset without colon", timeIn(`"2025-03-20T12:29:41+0100"`)},
	{"time", "offset hour 24", timeIn(`"2025-03-20T12:29:41+24:00"`)},
	{"time", "offset minute 60", timeIn(`"2025-03-20T12:29:41+01:60"`)},
	{"time", "comma fraction", timeIn(`"2025-03-20T12:29:41,5Z"`)},
	{"time", "one-digit hour", timeIn(`"2025-03-20T1:29:41Z"`)},
	{"time", "hour 24", timeIn(`"2025-03-20T24:00:00Z"`)},
	{"time", "leap second", timeIn(`"2016-12-31T23:59:60Z"`)},
	{"time", "February 30", timeIn(`"2025-02-30T00:00:00Z"`)},
	{"time", "year 0 and 9999", `{"created_at":"0000-01-01T00:00:00Z","contacted_at":"9999-12-31T23:59:59.999999999Z"}`},
	{"time", "lower-case t and z", timeIn(`"2025-03-20t12:29:41z"`)},
	{"time", "space separator", timeIn(`"2025-03-20 12:29:41Z"`)},
	{"time", "no zone", timeIn(`"2025-03-20T12:29:41"`)},
	{"time", "date only", timeIn(`"2025-03-20"`)},
	{"time", "empty", timeIn(`""`)},
	{"time", "surrounding spaces", timeIn(`" 2025-03-20T12:29:41Z "`)},
	{"time", "as a number", timeIn(`1742472000`)},
	{"time", "as an object", timeIn(`{}`)},
	{"time", "escaped colon", timeIn(`"2025-03-20T12\u003a29:41Z"`)},
	{"time", "escaped digit", timeIn(`"\u0032025-03-20T12:29:41Z"`)},
	{"time", "escaped Z, upper-case hex", timeIn(`"2025-03-20T12:29:41\u005A"`)},
	{"time", "escaped slash", timeIn(`"2025\/03\/20T12:29:41Z"`)},
	{"time", "escaped newline", timeIn(`"2025-03-20T12:29:41Z\n"`)},
	{"time", "escape elsewhere", runner("description", `"a \u0026 b \u003c c \u003e d"`)},
	{"time", "escaped backslash then u0030", runner("description", `"\\u0030"`)},
	{"time", "invalid UTF-8", timeIn("\"2025-03-20T12:29:41\xffZ\"")},

	// Unicode: escapes, surrogates, invalid UTF-8 (replaced, not refused).
	{"unicode", "escapes", runner("description", `"caf\u00e9 \u65e5\u672c \ud83d\ude80 \u0000 \/ \" \\ \b\f\n\r\t"`)},
	{"unicode", "raw UTF-8", runner("description", `"café 日本 🚀"`)},
	{"unicode", "lone high surrogate", runner("description", `"a\ud800b"`)},
	{"unicode", "lone low surrogate", runner("description", `"a\udc00b"`)},
	{"unicode", "high surrogate then non-surrogate escape", runner("description", `"\ud800\u0041"`)},
	{"unicode", "surrogates reversed", runner("description", `"\udc00\ud800"`)},
	{"unicode", "invalid byte", runner("description", "\"a\xffb\"")},
	{"unicode", "overlong encoding", runner("description", "\"\xc0\xaf\"")},
	{"unicode", "UTF-8 surrogate", runner("description", "\"\xed\xa0\x80\"")},
	{"unicode", "truncated sequence", runner("description", "\"\xe6\x97\"")},
	{"unicode", "invalid UTF-8 in key", "{\"i\xffd\":1,\"id\xff\":2}"},
	{"unicode", "invalid UTF-8 in token", "{\"token\":\"glrt-\xff\"}"},
	{"unicode", "invalid UTF-8 in map key", "{\"trailers\":{\"\xff\":\"x\",\"\xfe\":\"y\"}}"},
	{"unicode", "raw control character", runner("description", "\"a\tb\"")},
	{"unicode", "invalid escape", runner("description", `"\x41"`)},
	{"unicode", "short unicode escape", runner("description", `"\u12"`)},
	{"unicode", "non-hex unicode escape", runner("description", `"\u12G4"`)},
	{"unicode", "U+2028 raw", runner("description", "\"a\u2028b\"")},

	// Numbers, up to and past int64 and float64.
	{"number", "int64 max", numberIn(`9223372036854775807`)},
	{"number", "int64 max + 1", numberIn(`9223372036854775808`)},
	{"number", "int64 min", numberIn(`-9223372036854775808`)},
	{"number", "int64 min - 1", numberIn(`-9223372036854775809`)},
	{"number", "uint64 max + 1", numberIn(`18446744073709551616`)},
	{"number", "many digits", numberIn(strings.Repeat("9", 400))},
	{"number", "exponent", numberIn(`1e3`)},
	{"number", "fraction", numberIn(`1.5`)},
	{"number", "integral fraction", numberIn(`1.0`)},
	{"number", "negative zero", numberIn(`-0`)},
	{"number", "float overflow", numberIn(`1e400`)},
	{"number", "float underflow", numberIn(`1e-400`)},
	{"number", "max float64", numberIn(`1.7976931348623157e308`)},
	{"number", "leading zero", numberIn(`01`)},
	{"number", "plus sign", numberIn(`+1`)},
	{"number", "bare fraction", numberIn(`.5`)},
	{"number", "trailing dot", numberIn(`1.`)},
	{"number", "hex", numberIn(`0x10`)},
	{"number", "NaN", numberIn(`NaN`)},
	{"number", "quoted", numberIn(`"7"`)},
	{"number", "job ID past int32", `[{"id":4294967297,"pipeline":{"id":4294967298,"project_id":2147483648}}]`},

	// Wrong JSON types for a field.
	{"type", "string for int", runner("id", `"7"`)},
	{"type", "bool for int", runner("id", `true`)},
	{"type", "number for string", runner("runner_type", `1`)},
	{"type", "number for pointer string", runner("description", `1`)},
	{"type", "string for bool", runner("paused", `"true"`)},
	{"type", "number for bool", runner("online", `1`)},
	{"type", "string for object", runner("created_by", `"root"`)},
	{"type", "array for object", runner("created_by", `[]`)},
	{"type", "string for array", `{"tag_list":"docker,linux"}`},
	{"type", "numbers in string array", `{"tag_list":[1,2]}`},
	{"type", "object for array", `{"projects":{"id":1}}`},
	{"type", "array for map", `{"trailers":[]}`},
	{"type", "number in map", `{"trailers":{"a":1}}`},
	{"type", "string in map of arrays", `{"extended_trailers":{"a":"b"}}`},
	{"type", "number for token", `{"token":12345}`},
	{"type", "object for token", `{"token":{"value":"glrt-x"}}`},
	{"type", "array for token", `{"token":["glrt-x"]}`},
	{"type", "object at the top", runnerBody},
	{"type", "array at the top", `[` + runnerBody + `]`},
	{"type", "string at the top", `"runner"`},
	{"type", "number at the top", `7`},
	{"type", "nested list", `[[` + runnerBody + `]]`},
	{"type", "error after a good item", `[` + runnerBody + `,{"id":"x"}]`},
	{"type", "type error then syntax error", `{"id":"x","paused":tru}`},

	// Syntax: truncation, trailing data, whitespace, depth.
	{"syntax", "empty", ``},
	{"syntax", "whitespace only", " \t\r\n"},
	{"syntax", "surrounding whitespace", " \t\r\n" + runnerBody + "\n\t "},
	{"syntax", "trailing garbage", runnerBody + ` x`},
	{"syntax", "two values", runnerBody + runnerBody},
	{"syntax", "trailing comma in object", `{"id":1,}`},
	{"syntax", "trailing comma in array", `[` + runnerBody + `,]`},
	{"syntax", "missing colon", `{"id" 1}`},
	{"syntax", "single quotes", `{'id':1}`},
	{"syntax", "unquoted key", `{id:1}`},
	{"syntax", "comment", `{"id":1 /* c */}`},
	{"syntax", "byte order mark", "\xef\xbb\xbf" + runnerBody},
	{"syntax", "vertical tab", "{\v\"id\":1}"},
	{"syntax", "NUL after value", runnerBody + "\x00"},
	{"syntax", "capitalised literal", runner("paused", `True`)},
	{"syntax", "unterminated string", `{"description":"abc`},
	{"syntax", "unclosed array", `[` + runnerBody},
	{"syntax", "closed with the wrong bracket", `[` + runnerBody + `}`},
	{"syntax", "depth 10000 in an unknown field", `{"x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`},
	{"syntax", "depth 10001 in an unknown field", `{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`},
	{"syntax", "depth 10001 of objects", strings.Repeat(`{"x":`, 10001) + `1` + strings.Repeat(`}`, 10001)},
}
