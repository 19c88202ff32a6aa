package glrunners

import (
	"bytes"
	"unicode/utf8"
)

// Checking JSON the scanner does not decode: values of unknown keys, the
// counting pass over a list, literals and whitespace. Each check accepts
// exactly JSON's grammar (and gives up on a nesting deeper than the
// scanner goes), so a body the scanner takes is one encoding/json takes.

// skipValue checks and skips a value of an unknown key, as deep as
// encoding/json would accept it but for a nesting this scanner leaves to
// the fallback.
func (s *jsonScanner) skipValue(depth int) bool {
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
			if !s.skipValue(depth + 1) {
				return false
			}
			if done, ok := s.next(']'); !ok || done {
				return ok
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
			if !s.skipValue(depth + 1) {
				return false
			}
			if done, ok := s.next('}'); !ok || done {
				return ok
			}
		}
	}
	return false
}

// skipString checks and skips the string at s.pos. Bytes past ASCII are
// not checked: encoding/json accepts invalid UTF-8 (and lone surrogates)
// in a value it ignores.
func (s *jsonScanner) skipString() bool {
	end, _, _, ok := s.stringEnd()
	if ok {
		s.pos = end + 1
	}
	return ok
}

// stringEnd scans the string whose opening quote is at s.pos, by JSON's
// grammar (escapes checked, control characters refused), and returns the
// index of its closing quote, and whether the string holds an escape and
// a byte past ASCII, which the readers check further.
func (s *jsonScanner) stringEnd() (end int, escaped, wide, ok bool) {
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
			return i, escaped, wide, true
		case c < 0x20:
			return 0, false, false, false
		case c >= utf8.RuneSelf:
			wide = true
		case c == '\\':
			escaped = true
			if i+1 == len(d) {
				return 0, false, false, false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if _, ok := hex4(d[i+2:]); !ok {
					return 0, false, false, false
				}
				i += 5
			default:
				return 0, false, false, false
			}
		}
	}
	return 0, false, false, false
}

// skipNumber checks and skips a number by JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *jsonScanner) skipNumber() bool {
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
func (s *jsonScanner) literal(lit string) bool {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(lit)) {
		return false
	}
	s.pos += len(lit)
	return true
}

// next reads what follows an item of an array or a member of an object:
// ',' (another follows) or end (the last one was read, done).
func (s *jsonScanner) next(end byte) (done, ok bool) {
	if !s.skipSpace() {
		return false, false
	}
	switch s.data[s.pos] {
	case ',':
		s.pos++
		return false, true
	case end:
		s.pos++
		return true, true
	}
	return false, false
}

// skipSpace skips JSON whitespace and reports whether a byte follows.
func (s *jsonScanner) skipSpace() bool {
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
func (s *jsonScanner) skipSpaceTo(c byte) bool {
	return s.skipSpace() && s.data[s.pos] == c
}

// atEnd skips whitespace and reports whether the input ends there.
func (s *jsonScanner) atEnd() bool {
	return !s.skipSpace()
}
