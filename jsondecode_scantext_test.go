package glrunners

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// textValue and settleText give each string exactly what encoding/json
// gives, escapes included, and every string of a value shares one text.
func TestScanner_textAgreesWithEncodingJSON(t *testing.T) {
	for _, v := range []string{
		`""`, `"plain"`, `"tab\tnew\nline"`, `"quote\" slash\/ back\\"`, `"\u00e9\u4e2d"`, `"\b\f\r"`,
		`"é and 中"`, `"a\u0000b"`, `"<&>"`,
	} {
		var want string
		require.NoError(t, json.Unmarshal([]byte(v), &want), v)
		var s jsonScanner
		s.reset()
		s.data = []byte(v)
		var got string
		require.True(t, s.textValue(&got), "textValue refused %s", v)
		s.settleText()
		assert.Equal(t, want, got, v)
		assert.Equal(t, len(v), s.pos, "stops after the closing quote of %s", v)
	}
}

func TestScanner_textGivesUp(t *testing.T) {
	for _, v := range []string{`"\ud800"`, `"\udc00x"`, "\"\xff\"", `"\x"`, `"\u12"`, `"open`, "\"ctl\x01\""} {
		var s jsonScanner
		s.reset()
		s.data = []byte(v)
		var got string
		assert.False(t, s.textValue(&got), "textValue took %q", v)
	}
}

func TestScanner_hex4(t *testing.T) {
	r, ok := hex4([]byte("00e9"))
	assert.True(t, ok)
	assert.Equal(t, 'é', r)
	r, ok = hex4([]byte("ABCD"))
	assert.True(t, ok)
	assert.Equal(t, rune(0xabcd), r)
	_, ok = hex4([]byte("12g4"))
	assert.False(t, ok)
}
