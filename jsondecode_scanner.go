package glrunners

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// The readers of the fast path. The per-type parts (one reader per struct,
// its key list, the slots of its pointer fields) are generated from
// types.go into jsondecode_gen_*.go; this file holds what they share. Each
// reader expects s.pos at a value's first byte and leaves it after the
// value, and returns false (gives up) on anything it does not model
// exactly as encoding/json decodes it.

var scanners = sync.Pool{New: func() any { return new(jsonScanner) }}

// jsonScanner is a position in one body and the text of the value being
// decoded (see jsondecode_scantext.go). It is pooled: its buffers keep
// their room from one body to the next.
type jsonScanner struct {
	data []byte
	pos  int

	text  []byte      // the current item's strings, unescaped, back to back
	fixes []stringFix // where each of them goes, once text is one string
}

// stringFix is a string whose content is text[start:end], to store in dst
// once the item's text is one string.
type stringFix struct {
	dst        *string
	start, end int
}

func (s *jsonScanner) reset() {
	clear(s.fixes)
	*s = jsonScanner{text: s.text[:0], fixes: s.fixes[:0]}
}

// nextKey reads up to the next key's value: after the object's '{' when
// first, else after a value. It returns the key (plain ASCII, no escapes,
// or it gives up), or end when the object closes.
func (s *jsonScanner) nextKey(first bool) (key []byte, end, ok bool) {
	if !s.skipSpace() {
		return nil, false, false
	}
	c := s.data[s.pos]
	if c == '}' { // after '{' or a value; after ',' it is a syntax error
		s.pos++
		return nil, true, true
	}
	if !first {
		if c != ',' {
			return nil, false, false
		}
		s.pos++
		if !s.skipSpace() {
			return nil, false, false
		}
		c = s.data[s.pos]
	}
	if c != '"' {
		return nil, false, false
	}
	start := s.pos + 1
	i := start
	for i < len(s.data) && plainByte[s.data[i]]&plainASCII != 0 {
		i++
	}
	if i == len(s.data) || s.data[i] != '"' { // an escape, a byte past ASCII: the fallback's
		return nil, false, false
	}
	key = s.data[start:i]
	s.pos = i + 1
	if !s.skipSpaceTo(':') {
		return nil, false, false
	}
	s.pos++
	if !s.skipSpace() {
		return nil, false, false
	}
	return key, false, true
}

// unknown skips the value of a key that is not a field, as encoding/json
// ignores it, unless the key folds onto one of fields (encoding/json
// would fill that field: the fallback does it).
func (s *jsonScanner) unknown(key []byte, fields []string) bool {
	for _, f := range fields {
		if len(f) == len(key) && strings.EqualFold(f, string(key)) {
			return false
		}
	}
	return s.skipValue(0)
}

// isNull reports whether the value at s.pos begins as null does.
func (s *jsonScanner) isNull() bool { return s.data[s.pos] == 'n' }

// intValue reads an integer that fits without a doubt (18 digits at most) or
// null, which leaves dst as it is.
func (s *jsonScanner) intValue(dst *int64) bool {
	d, i := s.data, s.pos
	if d[i] == 'n' {
		return s.literal("null")
	}
	neg := d[i] == '-'
	if neg {
		i++
	}
	start := i
	var n int64
	for ; i < len(d) && '0' <= d[i] && d[i] <= '9'; i++ {
		n = n*10 + int64(d[i]-'0')
	}
	digits := i - start
	switch {
	case digits == 0, digits > 18, digits > 1 && d[start] == '0':
		return false
	case i < len(d) && (d[i] == '.' || d[i] == 'e' || d[i] == 'E'):
		return false // encoding/json refuses a fraction or exponent for an int64
	}
	if neg {
		n = -n
	}
	*dst, s.pos = n, i
	return true
}

// floatValue reads a number as encoding/json does (strconv.ParseFloat of
// the literal), or null, which leaves dst as it is; a number out of range
// is left to the fallback.
func (s *jsonScanner) floatValue(dst *float64) bool {
	if s.isNull() {
		return s.literal("null")
	}
	start := s.pos
	if c := s.data[start]; c != '-' && (c < '0' || c > '9') || !s.skipNumber() {
		return false
	}
	f, err := strconv.ParseFloat(string(s.data[start:s.pos]), 64)
	*dst = f
	return err == nil
}

// boolValue reads true, false, or null, which leaves dst as it is.
func (s *jsonScanner) boolValue(dst *bool) bool {
	switch s.data[s.pos] {
	case 't':
		*dst = true
		return s.literal("true")
	case 'f':
		*dst = false
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	return false
}

// stringValue reads a string, or null, which leaves dst as it is.
func (s *jsonScanner) stringValue(dst *string) bool {
	if s.isNull() {
		return s.literal("null")
	}
	return s.textValue(dst)
}

// secretValue reads a Secret as its UnmarshalJSON does: null makes it
// empty.
func (s *jsonScanner) secretValue(dst *Secret) bool {
	if s.isNull() {
		*dst = ""
		return s.literal("null")
	}
	return s.textValue((*string)(dst))
}

// enumValue reads a string of a field with a few known values (status,
// type, access level): a known value is stored as the package's constant
// (knownEnum, generated from enums.go), so the item's text does not hold a
// copy of it.
func (s *jsonScanner) enumValue(dst *string) bool {
	d := s.data
	if d[s.pos] == '"' {
		for i := s.pos + 1; i < len(d) && ('a' <= d[i] && d[i] <= 'z' || d[i] == '_' || d[i] == '"'); i++ {
			if d[i] != '"' {
				continue
			}
			if v, ok := knownEnum(d[s.pos+1 : i]); ok {
				*dst, s.pos = v, i+1
				return true
			}
			break
		}
	}
	return s.stringValue(dst)
}

// timeValue reads a time as encoding/json does, with time.Time's UnmarshalJSON
// on the raw string; null leaves dst as it is. A string with an escape or
// a byte past ASCII, which no valid time has, is left to the fallback.
func (s *jsonScanner) timeValue(dst *time.Time) bool {
	d := s.data
	if d[s.pos] == 'n' {
		return s.literal("null")
	}
	if d[s.pos] != '"' {
		return false
	}
	end, escaped, wide, ok := s.stringEnd()
	if !ok || escaped || wide || dst.UnmarshalJSON(d[s.pos:end+1]) != nil {
		return false
	}
	s.pos = end + 1
	return true
}

// The readers of a pointer field: null leaves it nil, a value goes to
// slot, the pointee's room in the item's one allocation.

func (s *jsonScanner) optInt(slot *int64, dst **int64) bool {
	if s.isNull() {
		return s.literal("null")
	}
	*dst = slot
	return s.intValue(slot)
}

func (s *jsonScanner) optFloat(slot *float64, dst **float64) bool {
	if s.isNull() {
		return s.literal("null")
	}
	*dst = slot
	return s.floatValue(slot)
}

func (s *jsonScanner) optBool(slot *bool, dst **bool) bool {
	if s.isNull() {
		return s.literal("null")
	}
	*dst = slot
	return s.boolValue(slot)
}

func (s *jsonScanner) optString(slot *string, dst **string) bool {
	if s.isNull() {
		return s.literal("null")
	}
	*dst = slot
	return s.textValue(slot)
}

func (s *jsonScanner) optTime(slot *time.Time, dst **time.Time) bool {
	if s.isNull() {
		return s.literal("null")
	}
	*dst = slot
	return s.timeValue(slot)
}
