package glrunners

import (
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

var runnerScanners = sync.Pool{New: func() any { return new(runnerScanner) }}

// runnerScanner is the reader under scanRunnerPage and scanRunnerDetails:
// a position in one body, readers for the values of the fields of those
// types, each exact where it accepts and giving up (false) on anything it
// does not model, and the body's text. The readers expect s.pos at a
// value's first byte and leave it after the value. The scanner is pooled:
// its fixes keep their room from one body to the next.
type runnerScanner struct {
	data []byte
	pos  int

	chunk     strings.Builder // the current chunk of the page's text
	fixes     []stringFix     // strings in chunk, to set once it is final
	textBytes int             // text in chunks made final
	boxes     []runnerBox     // the current block
	items     int             // runners decoded
	itemBytes int             // bytes those runners took
}

// stringFix is a string whose content is chunk[start:end], to store in dst
// once the chunk is final (strings.Builder gives the chunk as a string
// without a copy, but only then).
type stringFix struct {
	dst        *string
	start, end int
}

func (s *runnerScanner) reset() {
	clear(s.fixes)
	*s = runnerScanner{fixes: s.fixes[:0]}
}

// object reads the object at s.pos, handing each key to field, which reads
// its value and returns the key's bit in the set of keys seen, or 0 for a
// key it does not know, which object skips unless it folds onto one of
// keys. A repeated key makes it give up.
func (s *runnerScanner) object(keys []string, field func(key []byte) (uint64, bool)) bool {
	if s.data[s.pos] != '{' {
		return false
	}
	s.pos++
	var seen uint64
	for first := true; ; first = false {
		key, end, ok := s.nextKey(first)
		if !ok {
			return false
		}
		if end {
			return true
		}
		bit, ok := field(key)
		if bit == 0 {
			ok = s.unknown(key, keys)
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
}

// nextKey reads up to the next key's value: after the object's '{' when
// first, else after a value. It returns the key (plain ASCII, no escapes,
// or it gives up), or end when the object closes.
func (s *runnerScanner) nextKey(first bool) (key []byte, end, ok bool) {
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
	for ; i < len(s.data); i++ {
		c := s.data[i]
		if c == '"' {
			break
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return nil, false, false
		}
	}
	if i == len(s.data) {
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
// ignores it, unless the key folds onto a field's (encoding/json would fill
// that field: the general decoder does it).
func (s *runnerScanner) unknown(key []byte, fields []string) bool {
	for _, f := range fields {
		if len(f) == len(key) && strings.EqualFold(f, string(key)) {
			return false
		}
	}
	return s.skipValue(0)
}

// intValue reads an integer that fits without a doubt (18 digits at most) or
// null, which leaves dst as it is.
func (s *runnerScanner) intValue(dst *int64) bool {
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

// boolValue reads true, false, or null, which leaves dst as it is.
func (s *runnerScanner) boolValue(dst *bool) bool {
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

// optBool reads a *bool: null leaves it nil, a value goes to slot.
func (s *runnerScanner) optBool(slot *bool, dst **bool) bool {
	if s.data[s.pos] == 'n' {
		return s.literal("null")
	}
	*dst = slot
	return s.boolValue(slot)
}

// stringValue reads a string, or null, which leaves dst as it is.
func (s *runnerScanner) stringValue(dst *string) bool {
	if s.data[s.pos] == 'n' {
		return s.literal("null")
	}
	return s.textValue(dst)
}

// enumValue reads a string of a field with a few known values (status,
// type, state): a known value is stored as the package's constant, so the
// page's text does not hold a copy of it for every runner.
func (s *runnerScanner) enumValue(dst *string) bool {
	d := s.data
	if d[s.pos] == '"' {
		for i := s.pos + 1; i < len(d) && ('a' <= d[i] && d[i] <= 'z' || d[i] == '_' || d[i] == '"'); i++ {
			if d[i] != '"' {
				continue
			}
			if v, ok := enumValues[string(d[s.pos+1:i])]; ok {
				*dst, s.pos = v, i+1
				return true
			}
			break
		}
	}
	return s.stringValue(dst)
}

// enumValues are the values enumValue stores without a copy.
var enumValues = func() map[string]string {
	m := map[string]string{"active": "active", "blocked": "blocked"} // users' states
	for _, v := range []RunnerType{InstanceType, GroupType, ProjectType} {
		m[string(v)] = string(v)
	}
	for _, v := range []RunnerStatus{StatusOnline, StatusOffline, StatusStale, StatusNeverContacted, StatusActive, StatusPaused} {
		m[string(v)] = string(v)
	}
	for _, v := range []JobExecutionStatus{JobExecutionActive, JobExecutionIdle} {
		m[string(v)] = string(v)
	}
	return m
}()

// optString reads a *string: null leaves it nil, a value goes to slot.
func (s *runnerScanner) optString(slot *string, dst **string) bool {
	if s.data[s.pos] == 'n' {
		return s.literal("null")
	}
	*dst = slot
	return s.textValue(slot)
}

// timeValue reads a time as encoding/json does, with time.Time's UnmarshalJSON
// on the raw string; null leaves dst as it is. A string with an escape or
// a byte past ASCII, which no valid time has, is left to the general
// decoder.
func (s *runnerScanner) timeValue(dst *time.Time) bool {
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

// list reads null (n < 0), or counts the items of the array at s.pos
// without moving past it, so that the slice is made once, at its size:
// the scanner keeps pointers into it.
func (s *runnerScanner) list() (n int, ok bool) {
	switch s.data[s.pos] {
	case 'n':
		return -1, s.literal("null")
	case '[':
	default:
		return 0, false
	}
	start := s.pos
	defer func() { s.pos = start }()
	s.pos++
	if s.skipSpaceTo(']') {
		return 0, true
	}
	for {
		if !s.skipValue(1) {
			return 0, false
		}
		n++
		if done, ok := s.next(']'); !ok || done {
			return n, ok
		}
	}
}

// eachItem reads the items of the array at s.pos, which list has counted
// (and so checked), with item(i), or leaves a null item as it is.
func (s *runnerScanner) eachItem(item func(i int) bool) bool {
	s.pos++ // '['
	if s.skipSpaceTo(']') {
		s.pos++
		return true
	}
	for i := 0; ; i++ {
		if !s.skipSpace() {
			return false
		}
		var ok bool
		if s.data[s.pos] == 'n' {
			ok = s.literal("null")
		} else {
			ok = item(i)
		}
		if !ok {
			return false
		}
		if done, ok := s.next(']'); !ok || done {
			return ok
		}
	}
}

// optInt reads a *int64: null leaves it nil, a value goes to slot.
func (s *runnerScanner) optInt(slot *int64, dst **int64) bool {
	if s.data[s.pos] == 'n' {
		return s.literal("null")
	}
	*dst = slot
	return s.intValue(slot)
}

// optTime reads a *time.Time: null leaves it nil, a value goes to slot.
func (s *runnerScanner) optTime(slot *time.Time, dst **time.Time) bool {
	if s.data[s.pos] == 'n' {
		return s.literal("null")
	}
	*dst = slot
	return s.timeValue(slot)
}
