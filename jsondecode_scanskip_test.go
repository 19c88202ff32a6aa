package glrunners

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// skipValue takes exactly the values encoding/json takes, stops right after
// the value, and refuses nesting past its depth limit.
func TestScanner_skipValueAgreesWithEncodingJSON(t *testing.T) {
	for _, v := range []string{
		`0`, `-1`, `12.5e-3`, `1E+9`, `true`, `false`, `null`, `"a\"b\\c\u00e9"`, `"é"`, `[]`, `{}`,
		`[1,"x",{"a":[null,{}]}]`, `{"k":{"k":{"k":[1,2,3]}},"e":""}`, ` [ 1 , 2 ] `,
		// not JSON
		`01`, `-`, `1.`, `.5`, `1e`, `tru`, `nul`, `"open`, `"bad \x"`, "\"ctl\x01\"", `[1,]`, `[1 2]`,
		`{"a"}`, `{"a":1,}`, `{1:2}`, `{"a" 1}`, `[`, `]`, `"\ud800"`, "\"\xff\"",
	} {
		s := jsonScanner{data: []byte(v + ",")}
		s.skipSpace()
		ok := s.skipValue(0) && s.skipSpace() && s.data[s.pos] == ','
		if ok {
			assert.True(t, json.Valid([]byte(v)), "skipValue took %q, which is not JSON", v)
		} else if json.Valid([]byte(v)) {
			// Giving up on valid JSON is allowed only where the scanner is
			// stricter on purpose: a lone surrogate escape or invalid UTF-8.
			assert.Contains(t, []string{`"\ud800"`, "\"\xff\""}, v, "skipValue refused valid %q", v)
		}
	}
}

func TestScanner_skipValueDepthLimit(t *testing.T) {
	deep := func(n int) []byte {
		b := make([]byte, 0, 2*n)
		for range n {
			b = append(b, '[')
		}
		for range n {
			b = append(b, ']')
		}
		return b
	}
	s := jsonScanner{data: deep(32)}
	assert.True(t, s.skipValue(0), "32 levels are taken")
	s = jsonScanner{data: deep(200)}
	assert.False(t, s.skipValue(0), "200 levels are refused (the general decoder decides)")
}
