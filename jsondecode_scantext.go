package glrunners

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// The text of a decoded value: each string is checked, unescaped and
// appended to the scanner's text buffer, and when a top-level value (a
// list item, or the one value of a body) is complete, the buffer becomes
// one string, and every string of the value a part of it. So a value holds
// exactly its own text in one allocation, and a Runner kept after its page
// keeps only what is its own.

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

// textValue reads the JSON string at s.pos into the item's text, to be stored
// in dst when the item is complete (settleText). It gives up on a lone surrogate escape
// and on invalid UTF-8, which encoding/json replaces with U+FFFD.
func (s *jsonScanner) textValue(dst *string) bool {
	d := s.data
	if d[s.pos] != '"' {
		return false
	}
	end, escaped, wide, ok := s.stringEnd()
	if !ok {
		return false
	}
	raw := d[s.pos+1 : end]
	s.pos = end + 1
	if wide && !utf8.Valid(raw) {
		return false
	}
	if len(raw) == 0 {
		return true
	}
	from := len(s.text)
	if !escaped {
		s.text = append(s.text, raw...)
	} else if !s.unescape(raw) {
		return false
	}
	s.fixes = append(s.fixes, stringFix{dst, from, len(s.text)})
	return true
}

// unescape appends raw, a string's content with escapes, unescaped to the
// item's text. It gives up on a surrogate, paired or not: GitLab writes
// characters past the BMP as UTF-8, and the fallback knows what
// encoding/json makes of the rest.
func (s *jsonScanner) unescape(raw []byte) bool {
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\\')
		if i < 0 {
			s.text = append(s.text, raw...)
			return true
		}
		s.text = append(s.text, raw[:i]...)
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
			s.text = utf8.AppendRune(s.text, r)
			raw = raw[6:]
			continue
		default:
			return false
		}
		s.text = append(s.text, c)
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

// settleText makes the current item's text one string and stores each of
// its strings, parts of that one, where they belong.
func (s *jsonScanner) settleText() {
	if len(s.fixes) == 0 {
		return
	}
	text := string(s.text)
	for _, f := range s.fixes {
		*f.dst = text[f.start:f.end]
	}
	clear(s.fixes)
	s.fixes, s.text = s.fixes[:0], s.text[:0]
}

// ownString reads a string, or null, which leaves dst as it is, into a
// string of its own: a map's value, which the item's text cannot reach
// later.
func (s *jsonScanner) ownString(dst *string) bool {
	if s.isNull() {
		return s.literal("null")
	}
	mark, fixes := len(s.text), len(s.fixes)
	if !s.textValue(dst) {
		return false
	}
	if len(s.fixes) > fixes {
		*dst = string(s.text[mark:])
		s.text, s.fixes = s.text[:mark], s.fixes[:fixes]
	}
	return true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
