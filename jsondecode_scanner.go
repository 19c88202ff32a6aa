package glrunners

import (
	"bytes"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
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
	for i := s.pos + 1; i < len(d); i++ {
		switch c := d[i]; {
		case c == '"':
			if dst.UnmarshalJSON(d[s.pos:i+1]) != nil {
				return false
			}
			s.pos = i + 1
			return true
		case c == '\\', c < 0x20, c >= utf8.RuneSelf:
			return false
		}
	}
	return false
}

// textValue reads the JSON string at s.pos into the page's text, to be stored
// in dst when its chunk is final. It gives up on a lone surrogate escape
// and on invalid UTF-8, which encoding/json replaces with U+FFFD.
func (s *runnerScanner) textValue(dst *string) bool {
	d := s.data
	if d[s.pos] != '"' {
		return false
	}
	start := s.pos + 1
	i := start
	var escaped, wide bool
	for ; i < len(d); i++ {
		for i < len(d) && plainByte[d[i]]&plainASCII != 0 {
			i++
		}
		if i == len(d) {
			break
		}
		switch c := d[i]; {
		case c == '"':
			goto closed
		case c == '\\':
			escaped = true
			i++ // the escaped byte cannot close the string; unescape checks it
		case c < 0x20:
			return false
		case c >= utf8.RuneSelf:
			wide = true
		}
	}
	return false
closed:
	raw := d[start:i]
	s.pos = i + 1
	if wide && !utf8.Valid(raw) {
		return false
	}
	if len(raw) == 0 {
		return true
	}
	// An unescaped string is never longer than its raw form.
	if s.chunk.Cap()-s.chunk.Len() < len(raw) {
		s.newChunk(len(raw))
	}
	from := s.chunk.Len()
	if !escaped {
		s.chunk.Write(raw)
	} else if !s.unescape(raw) {
		return false
	}
	s.fixes = append(s.fixes, stringFix{dst, from, s.chunk.Len()})
	return true
}

// unescape appends raw, a string's content with escapes, unescaped to the
// chunk. It gives up on a surrogate, paired or not: GitLab writes
// characters past the BMP as UTF-8, and the general decoder knows what
// encoding/json makes of the rest.
func (s *runnerScanner) unescape(raw []byte) bool {
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\\')
		if i < 0 {
			s.chunk.Write(raw)
			return true
		}
		s.chunk.Write(raw[:i])
		raw = raw[i:]
		if len(raw) < 2 {
			return false
		}
		var c byte
		switch raw[1] {
		case '"', '\\', '/':
			c = raw[1]
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		case 'u':
			r, ok := hex4(raw[2:])
			if !ok || utf16.IsSurrogate(r) {
				return false
			}
			var buf [utf8.UTFMax]byte
			s.chunk.Write(utf8.AppendRune(buf[:0], r))
			raw = raw[6:]
			continue
		default:
			return false
		}
		s.chunk.WriteByte(c)
		raw = raw[2:]
	}
	return true
}

// hex4 reads the four hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		v, ok := unhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

// newChunk makes the current chunk final and starts one with room for at
// least n bytes. The first is small; the next is sized to hold the rest of
// the page's text, and a little more, if it is like the text so far.
func (s *runnerScanner) newChunk(n int) {
	s.flushText()
	left := len(s.data) - s.pos
	size := min(left/2, 2<<10) // a first chunk to learn the page's share of text from
	if s.textBytes > 0 {
		size = left*s.textBytes/s.pos*21/20 + 64
	}
	s.chunk.Grow(max(n, size))
}

// flushText makes the current chunk final: it becomes one string, and
// every string in it a part of that one.
func (s *runnerScanner) flushText() {
	if s.chunk.Len() == 0 {
		return
	}
	s.textBytes += s.chunk.Len()
	text := s.chunk.String()
	for _, f := range s.fixes {
		*f.dst = text[f.start:f.end]
	}
	clear(s.fixes)
	s.fixes = s.fixes[:0]
	s.chunk = strings.Builder{}
}

// skipValue checks and skips a value of an unknown key, as deep as
// encoding/json would accept it but for a nesting this scanner leaves to
// the general decoder.
func (s *runnerScanner) skipValue(depth int) bool {
	if depth > 32 || !s.skipSpace() {
		return false
	}
	d := s.data
	switch c := d[s.pos]; {
	case c == '"':
		return s.skipString()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.skipNumber()
	case c == '[':
		s.pos++
		if s.skipSpaceTo(']') {
			s.pos++
			return true
		}
		for {
			if !s.skipValue(depth+1) || !s.skipSpace() {
				return false
			}
			switch d[s.pos] {
			case ',':
				s.pos++
			case ']':
				s.pos++
				return true
			default:
				return false
			}
		}
	case c == '{':
		s.pos++
		if s.skipSpaceTo('}') {
			s.pos++
			return true
		}
		for {
			if !s.skipSpaceTo('"') || !s.skipString() || !s.skipSpaceTo(':') {
				return false
			}
			s.pos++
			if !s.skipValue(depth+1) || !s.skipSpace() {
				return false
			}
			switch d[s.pos] {
			case ',':
				s.pos++
			case '}':
				s.pos++
				return true
			default:
				return false
			}
		}
	}
	return false
}

// plainByte classes the bytes of a string's content: plainASCII is a byte
// that stands for itself and needs no check (not '"', '\\', a control
// character or past ASCII), so loops skip runs of them at one lookup a byte.
var plainByte = func() (t [256]uint8) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		if c != '"' && c != '\\' {
			t[c] = plainASCII
		}
	}
	return t
}()

const plainASCII = 1

// skipString checks and skips the string at s.pos. Bytes past ASCII are
// not checked: encoding/json accepts invalid UTF-8 (and lone surrogates)
// in a value it ignores.
func (s *runnerScanner) skipString() bool {
	d := s.data
	for i := s.pos + 1; i < len(d); i++ {
		for i < len(d) && plainByte[d[i]]&plainASCII != 0 {
			i++
		}
		if i == len(d) {
			break
		}
		switch c := d[i]; {
		case c == '"':
			s.pos = i + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if i+1 == len(d) {
				return false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if _, ok := hex4(d[i+2:]); !ok {
					return false
				}
				i += 5
			default:
				return false
			}
		}
	}
	return false
}

// skipNumber checks and skips a number by JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *runnerScanner) skipNumber() bool {
	d, i := s.data, s.pos
	digits := func() int {
		start := i
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		return i - start
	}
	if d[i] == '-' {
		i++
	}
	start := i
	if n := digits(); n == 0 || n > 1 && d[start] == '0' {
		return false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	s.pos = i
	return true
}

// literal skips lit, which the caller saw begin at s.pos.
func (s *runnerScanner) literal(lit string) bool {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(lit)) {
		return false
	}
	s.pos += len(lit)
	return true
}

// skipSpace skips JSON whitespace and reports whether a byte follows.
func (s *runnerScanner) skipSpace() bool {
	d := s.data
	for s.pos < len(d) {
		switch d[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return true
		}
	}
	return false
}

// skipSpaceTo skips whitespace and reports whether c follows.
func (s *runnerScanner) skipSpaceTo(c byte) bool {
	return s.skipSpace() && s.data[s.pos] == c
}

// atEnd skips whitespace and reports whether the input ends there.
func (s *runnerScanner) atEnd() bool {
	return !s.skipSpace()
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
		if !s.skipValue(1) || !s.skipSpace() {
			return 0, false
		}
		n++
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			return n, true
		default:
			return 0, false
		}
	}
}

// eachItem reads the items of the array at s.pos, which list has counted
// (and so checked), with item(i), or leaves a null item as it is.
func (s *runnerScanner) eachItem(item func(i int) bool) bool {
	s.pos++ // '['
	for i := 0; ; i++ {
		if !s.skipSpace() {
			return false
		}
		if s.data[s.pos] == ']' {
			s.pos++
			return true
		}
		if i > 0 {
			s.pos++ // ','
			s.skipSpace()
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
