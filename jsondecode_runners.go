package glrunners

import (
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// runnerList decodes the runner pages scanRunnerPage gives up on (see
// jsondecode_runnerpage.go), as it decoded every page before the scanner.
//
// A page of runners is the body the SDK decodes most (a fleet walk is
// nothing else), and most of its allocations were the Runner structs and
// the pointees of their nullable fields, about six per runner. runnerList
// decodes each item into a mirror whose nullable fields are values, then
// places the Runner and its pointees in one runnerBox, drawn from a block
// sized for the page: a page makes a few allocations where it made six per
// runner. A hook per pointer type (jsonv2.WithUnmarshalers) did the same
// but made every value of the page pay a lookup; a method on the list type
// is resolved once per type.
//
// The price: one runner a caller keeps holds its whole block (about a
// page's worth of boxes) in memory.

// runnerList is []*Runner with a decoder of its own. It decodes exactly
// what encoding/json decodes into []*Runner (the differential tests and
// FuzzDecodeDifferential hold it to that, through decodeJSON).
type runnerList []*Runner

// runnerWire mirrors Runner, with the same keys, so the decoder matches
// keys (case, duplicates) exactly as it does for Runner.
// TestRunnerWire_mirrorsRunner fails when the two drift apart.
type runnerWire struct {
	ID                 int64              `json:"id"`
	Description        optional[string]   `json:"description"`
	IPAddress          optional[string]   `json:"ip_address"`
	Active             bool               `json:"active"`
	Paused             bool               `json:"paused"`
	IsShared           bool               `json:"is_shared"`
	RunnerType         RunnerType         `json:"runner_type"`
	Name               optional[string]   `json:"name"`
	Online             optional[bool]     `json:"online"`
	CreatedBy          optional[userWire] `json:"created_by"`
	CreatedAt          time.Time          `json:"created_at"`
	Status             RunnerStatus       `json:"status"`
	JobExecutionStatus JobExecutionStatus `json:"job_execution_status"`
}

// userWire mirrors UserBasic as runnerWire mirrors Runner.
type userWire struct {
	ID          int64            `json:"id"`
	Username    string           `json:"username"`
	PublicEmail optional[string] `json:"public_email"`
	Name        string           `json:"name"`
	State       string           `json:"state"`
	Locked      bool             `json:"locked"`
	AvatarURL   optional[string] `json:"avatar_url"`
	WebURL      string           `json:"web_url"`
}

// optional is a nullable field held by value: set is what a non-nil
// pointer would say.
type optional[T any] struct {
	v   T
	set bool
}

// UnmarshalJSONFrom does what encoding/json does to a pointer field: null
// makes it nil, and a value fills the pointee, a fresh one after nil, else
// the one already there (a repeated object merges into the earlier one).
func (o *optional[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == 'n' {
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		*o = optional[T]{}
		return nil
	}
	o.set = true
	return jsonv2.UnmarshalDecode(dec, &o.v)
}

// runnerBox holds a Runner and every pointee it may point to, so that one
// allocation serves them all.
type runnerBox struct {
	runner Runner
	runnerPointees
}

// runnerPointees are the values a Runner's pointer fields point to.
type runnerPointees struct {
	description, ipAddress, name string
	online                       bool
	createdBy                    UserBasic
	publicEmail, avatarURL       string
}

// UnmarshalJSONFrom decodes a JSON array of runners, or null, as
// encoding/json does into []*Runner: null leaves the list as it is, an
// item null is a nil *Runner, and items are appended after what the list
// already holds (decodeInto empties it first).
func (l *runnerList) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '[' {
		// null, a value of another type, or a truncated body: the plain
		// decoder says what encoding/json would of each.
		return jsonv2.UnmarshalDecode(dec, (*[]*Runner)(l))
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	start := dec.InputOffset()
	var (
		boxes []runnerBox
		w     runnerWire
		n     int64 // items decoded
	)
	for {
		switch dec.PeekKind() {
		case ']':
			if n == 0 {
				*l = runnerList{} // as encoding/json: empty and not nil, without the room
			}
			_, err := dec.ReadToken()
			return err
		case '{':
			w = runnerWire{}
			if err := jsonv2.UnmarshalDecode(dec, &w); err != nil {
				return err
			}
			n++
			if len(boxes) == cap(boxes) {
				// Size the block from the bytes left and the size of the
				// items so far: a page of like runners takes one block.
				per := max(1, (dec.InputOffset()-start)/n)
				left := (int64(len(dec.UnreadBuffer())) + per - 1) / per
				boxes = make([]runnerBox, 0, min(left+1, 1024))
				if cap(*l) == len(*l) {
					*l = append(make(runnerList, 0, int64(len(*l))+min(left+1, 1024)), *l...)
				}
			}
			boxes = boxes[:len(boxes)+1]
			*l = append(*l, w.place(&boxes[len(boxes)-1]))
		default:
			// null, a value of another type, or a truncated body.
			var r *Runner
			if err := jsonv2.UnmarshalDecode(dec, &r); err != nil {
				return err
			}
			n++
			*l = append(*l, r)
		}
	}
}

// place fills b from w and returns its Runner, whose pointers point into b.
func (w *runnerWire) place(b *runnerBox) *Runner {
	r := &b.runner
	*r = Runner{
		ID:                 w.ID,
		Description:        w.Description.in(&b.description),
		IPAddress:          w.IPAddress.in(&b.ipAddress),
		Active:             w.Active,
		Paused:             w.Paused,
		IsShared:           w.IsShared,
		RunnerType:         w.RunnerType,
		Name:               w.Name.in(&b.name),
		Online:             w.Online.in(&b.online),
		CreatedAt:          w.CreatedAt,
		Status:             w.Status,
		JobExecutionStatus: w.JobExecutionStatus,
	}
	if w.CreatedBy.set {
		u := &w.CreatedBy.v
		b.createdBy = UserBasic{
			ID:          u.ID,
			Username:    u.Username,
			PublicEmail: u.PublicEmail.in(&b.publicEmail),
			Name:        u.Name,
			State:       u.State,
			Locked:      u.Locked,
			AvatarURL:   u.AvatarURL.in(&b.avatarURL),
			WebURL:      u.WebURL,
		}
		r.CreatedBy = &b.createdBy
	}
	return r
}

// in stores o's value in *slot and returns slot, or nil when o is unset.
func (o *optional[T]) in(slot *T) *T {
	if !o.set {
		return nil
	}
	*slot = o.v
	return slot
}
