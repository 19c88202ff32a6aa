package glrunners

// Arrays and objects the generated readers share: the body's top-level
// list or value, lists and maps in fields.

// getScanner takes a pooled scanner and sets it on data.
func getScanner(data []byte) *jsonScanner {
	s := scanners.Get().(*jsonScanner)
	s.data, s.pos = data, 0
	return s
}

// putScanner returns s to the pool, unless its text buffer grew past what
// a pooled body may hold.
func putScanner(s *jsonScanner) {
	s.reset()
	if cap(s.text) <= maxPooledBody {
		scanners.Put(s)
	}
}

// scanOne decodes the body, one object, into out, which must be zero: a
// value of its own in one allocation (slots), its strings in one string.
// When it gives up it leaves out zero again, for the fallback.
func scanOne[T any](s *jsonScanner, out *T, read func(s *jsonScanner, v *T) bool) bool {
	ok := s.skipSpace() && read(s, out) && s.atEnd()
	if ok {
		s.settleText()
	} else {
		var zero T
		*out = zero
	}
	return ok
}

// scanList decodes the body, a JSON array of objects, into *out as
// encoding/json decodes into []*T: items go into the room *out has (it
// must be empty), null is a nil item, [] an empty list without the room.
// Each item comes from item, in an allocation of its own with its
// pointees, and its strings in one string of its own. When it gives up it
// clears the room, for the fallback.
func scanList[T any](s *jsonScanner, out *[]*T, item func(s *jsonScanner) (*T, bool)) bool {
	room := (*out)[:0]
	list, ok := listItems(s, room, item)
	if ok {
		*out = list
	} else {
		clear(room[:cap(room)])
	}
	return ok
}

func listItems[T any](s *jsonScanner, list []*T, item func(s *jsonScanner) (*T, bool)) ([]*T, bool) {
	if !s.skipSpaceTo('[') {
		return nil, false
	}
	s.pos++
	if s.skipSpaceTo(']') {
		s.pos++
		return []*T{}, s.atEnd()
	}
	for {
		if !s.skipSpace() {
			return nil, false
		}
		var v *T
		if s.isNull() {
			if !s.literal("null") {
				return nil, false
			}
		} else {
			var ok bool
			if v, ok = item(s); !ok {
				return nil, false
			}
			s.settleText()
		}
		list = append(list, v)
		switch done, ok := s.next(']'); {
		case !ok:
			return nil, false
		case done:
			return list, s.atEnd()
		}
	}
}

// list reads null (n < 0), or counts the items of the array at s.pos
// without moving past it, so that the slice is made once, at its size:
// the item's text keeps pointers into it.
func (s *jsonScanner) list() (n int, ok bool) {
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
// (and so checked), with item(i), or leaves a null item as it is, zero.
func (s *jsonScanner) eachItem(item func(i int) bool) bool {
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
		if s.isNull() {
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

// stringList reads a []string: null leaves it nil, [] makes it empty, a
// null item is "", as in encoding/json.
func (s *jsonScanner) stringList(dst *[]string) bool {
	n, ok := s.list()
	if !ok || n < 0 {
		return ok
	}
	list := make([]string, n)
	*dst = list
	return s.eachItem(func(i int) bool { return s.stringValue(&list[i]) })
}

// mapOf reads a map with string keys as encoding/json does: null leaves it
// nil, an object makes it and sets each key, a repeated key to its last
// value. A key with an escape or past ASCII is left to the fallback.
func mapOf[V any](s *jsonScanner, dst *map[string]V, value func(v *V) bool) bool {
	if s.isNull() {
		return s.literal("null")
	}
	if s.data[s.pos] != '{' {
		return false
	}
	s.pos++
	m := map[string]V{}
	*dst = m
	for first := true; ; first = false {
		key, end, ok := s.nextKey(first)
		if !ok {
			return false
		}
		if end {
			return true
		}
		var v V
		if !value(&v) {
			return false
		}
		m[string(key)] = v
	}
}

func (s *jsonScanner) stringMap(dst *map[string]string) bool {
	return mapOf(s, dst, s.ownString)
}

// stringListMap's lists are made once, at their size, so their strings can
// wait for the item's text.
func (s *jsonScanner) stringListMap(dst *map[string][]string) bool {
	return mapOf(s, dst, s.stringList)
}
