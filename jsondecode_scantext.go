package glrunners

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The text of a scanned body: strings checked, unescaped and copied into
// shared chunks, each chunk one string once final, every field's string a
// part of it.

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

// textValue reads the JSON string at s.pos into the page's text, to be stored
// in dst when its chunk is final. It gives up on a lone surrogate escape
// and on invalid UTF-8, which encoding/json replaces with U+FFFD.
func (s *runnerScanner) textValue(dst *string) bool {
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
