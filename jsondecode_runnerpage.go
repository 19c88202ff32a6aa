package glrunners

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
		switch done, ok := s.next(']'); {
		case !ok:
			return nil, false
		case done:
			if !s.atEnd() {
				return nil, false
			}
			s.flushText()
			return list, true
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
	ok := s.object(runnerKeys, func(key []byte) (uint64, bool) {
		return s.runnerField(key, r, &b.runnerPointees)
	})
	return r, ok
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
	u := &p.createdBy
	*dst = u
	return s.object(userKeys, func(key []byte) (uint64, bool) {
		switch string(key) {
		case "id":
			return uID, s.intValue(&u.ID)
		case "username":
			return uUsername, s.stringValue(&u.Username)
		case "public_email":
			return uPublicEmail, s.optString(&p.publicEmail, &u.PublicEmail)
		case "name":
			return uName, s.stringValue(&u.Name)
		case "state":
			return uState, s.enumValue(&u.State)
		case "locked":
			return uLocked, s.boolValue(&u.Locked)
		case "avatar_url":
			return uAvatarURL, s.optString(&p.avatarURL, &u.AvatarURL)
		case "web_url":
			return uWebURL, s.stringValue(&u.WebURL)
		}
		return 0, true
	})
}
