package glrunners

import (
	"bytes"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// A fleet walk decodes nothing but pages of runners, and decoding was about
// 90% of its CPU time even with runnerList. scanRunnerPage is a scanner for
// exactly that shape, written for the page GitLab sends: an array of
// objects with Runner's keys, each once and in its case, values of the
// fields' types, strings of valid UTF-8. Anything else (an unknown key that
// folds onto a known one, a repeated key, null for an item, a number with a
// fraction, a lone surrogate, a time time.Time refuses, a syntax error, a
// cut) makes it give up, and the page goes to the general decoder, which
// decides as encoding/json would. So the scanner only ever has to agree
// with encoding/json on inputs it understands completely; the differential
// tests and FuzzDecodeDifferential go through it first.
//
// It allocates a handful of times per page: the Runners and their pointees
// in blocks (runnerBox, as runnerList), and every string of the page in a
// few shared chunks of text (known values of status and type fields are
// the package's constants, not copies). The price is runnerList's, larger:
// a runner the caller keeps holds its block and its chunk of text in memory
// (documented on Runner). FuzzScanRunnerPage mutates pages the scanner
// takes, to reach the edges of what it understands.

// scanRunnerPage decodes data, a JSON array of runner objects, into room
// (emptied first; its capacity is used) and reports whether it could.
func scanRunnerPage(data []byte, room []*Runner) ([]*Runner, bool) {
	s := runnerScanners.Get().(*runnerScanner)
	s.data, s.pos = data, 0
	list, ok := s.page(room[:0])
	if !ok {
		clear(room[:cap(room)]) // the general decoder starts from an empty room
	}
	s.reset()
	runnerScanners.Put(s)
	return list, ok
}

var runnerScanners = sync.Pool{New: func() any { return new(runnerScanner) }}

// runnerScanner reads one page. Its fixes outlive a page so that their room
// is reused.
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

// stringFix is a string whose content is text[start:end], to store in dst
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

// Fields of a runner and of its creator, as bits of a set of keys seen.
const (
	rID = 1 << iota
	rDescription
	rIPAddress
	rActive
	rPaused
	rIsShared
	rRunnerType
	rName
	rOnline
	rCreatedBy
	rCreatedAt
	rStatus
	rJobExecutionStatus
)

const (
	uID = 1 << iota
	uUsername
	uPublicEmail
	uName
	uState
	uLocked
	uAvatarURL
	uWebURL
)

// runnerKeys and userKeys are the keys of Runner and UserBasic: an
// unknown key that folds onto one of them would fill it in encoding/json.
var (
	runnerKeys = []string{"id", "description", "ip_address", "active", "paused", "is_shared",
		"runner_type", "name", "online", "created_by", "created_at", "status", "job_execution_status"}
	userKeys = []string{"id", "username", "public_email", "name", "state", "locked", "avatar_url", "web_url"}
)

func (s *runnerScanner) page(list []*Runner) ([]*Runner, bool) {
	if !s.skipSpaceTo('[') {
		return nil, false
	}
	s.pos++
	if s.skipSpaceTo(']') {
		s.pos++
		return []*Runner{}, s.atEnd() // as encoding/json: empty, not nil, without the room
	}
	for {
		start := s.pos
		if !s.skipSpaceTo('{') {
			return nil, false
		}
		r, ok := s.runner()
		if !ok {
			return nil, false
		}
		list = append(list, r)
		s.items++
		s.itemBytes += s.pos - start
		if !s.skipSpace() {
			return nil, false
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			if !s.atEnd() {
				return nil, false
			}
			s.flushText()
			return list, true
		default:
			return nil, false
		}
	}
}

// box returns a fresh runnerBox from the current block, starting a block
// sized from the bytes left and the size of the runners so far: a page of
// like runners takes one or two blocks.
func (s *runnerScanner) box() *runnerBox {
	if len(s.boxes) == cap(s.boxes) {
		n := 1
		if s.items > 0 {
			per := max(1, s.itemBytes/s.items)
			n = min((len(s.data)-s.pos)/per+1, 1024)
		}
		s.boxes = make([]runnerBox, 0, n)
	}
	s.boxes = s.boxes[:len(s.boxes)+1]
	return &s.boxes[len(s.boxes)-1]
}

// runner reads the object at s.pos into a fresh box.
func (s *runnerScanner) runner() (*Runner, bool) {
	b := s.box()
	r := &b.runner
	s.pos++ // '{'
	var seen uint64
	for first := true; ; first = false {
		key, end, ok := s.nextKey(first)
		if !ok {
			return nil, false
		}
		if end {
			return r, true
		}
		bit, ok := s.runnerField(key, r, &b.runnerPointees)
		if bit == 0 {
			ok = s.unknown(key, runnerKeys)
		}
		if !ok || seen&bit != 0 {
			return nil, false
		}
		seen |= bit
	}
}

// runnerField reads the value of key into r, and the values of pointer
// fields into p. It returns the key's bit, or 0, having read nothing, when
// key is not a key of Runner.
func (s *runnerScanner) runnerField(key []byte, r *Runner, p *runnerPointees) (bit uint64, ok bool) {
	switch string(key) {
	case "id":
		return rID, s.intValue(&r.ID)
	case "description":
		return rDescription, s.optString(&p.description, &r.Description)
	case "ip_address":
		return rIPAddress, s.optString(&p.ipAddress, &r.IPAddress)
	case "active":
		return rActive, s.boolValue(&r.Active)
	case "paused":
		return rPaused, s.boolValue(&r.Paused)
	case "is_shared":
		return rIsShared, s.boolValue(&r.IsShared)
	case "runner_type":
		return rRunnerType, s.enumValue((*string)(&r.RunnerType))
	case "name":
		return rName, s.optString(&p.name, &r.Name)
	case "online":
		return rOnline, s.optBool(&p.online, &r.Online)
	case "created_by":
		return rCreatedBy, s.createdBy(p, &r.CreatedBy)
	case "created_at":
		return rCreatedAt, s.timeValue(&r.CreatedAt)
	case "status":
		return rStatus, s.enumValue((*string)(&r.Status))
	case "job_execution_status":
		return rJobExecutionStatus, s.enumValue((*string)(&r.JobExecutionStatus))
	}
	return 0, true
}

// createdBy reads created_by: null leaves it nil, an object fills p's
// user.
func (s *runnerScanner) createdBy(p *runnerPointees, dst **UserBasic) bool {
	if s.data[s.pos] == 'n' {
		return s.literal("null")
	}
	if s.data[s.pos] != '{' {
		return false
	}
	s.pos++
	u := &p.createdBy
	*dst = u
	var seen uint64
	for first := true; ; first = false {
		key, end, ok := s.nextKey(first)
		if !ok {
			return false
		}
		if end {
			return true
		}
		var bit uint64
		switch string(key) {
		case "id":
			bit, ok = uID, s.intValue(&u.ID)
		case "username":
			bit, ok = uUsername, s.stringValue(&u.Username)
		case "public_email":
			bit, ok = uPublicEmail, s.optString(&p.publicEmail, &u.PublicEmail)
		case "name":
			bit, ok = uName, s.stringValue(&u.Name)
		case "state":
			bit, ok = uState, s.enumValue(&u.State)
		case "locked":
			bit, ok = uLocked, s.boolValue(&u.Locked)
		case "avatar_url":
			bit, ok = uAvatarURL, s.optString(&p.avatarURL, &u.AvatarURL)
		case "web_url":
			bit, ok = uWebURL, s.stringValue(&u.WebURL)
		default:
			ok = s.unknown(key, userKeys)
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
func (s *runnerScanner) unknown(key []byte, fields ...[]string) bool {
	for _, keys := range fields {
		for _, f := range keys {
			if len(f) == len(key) && strings.EqualFold(f, string(key)) {
				return false
			}
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
