package glrunners

import (
	"errors"
	"fmt"
	"reflect"
)

// A 2xx answer that parses but lacks what the operation promises (a
// runner without an ID, a reset without its token) is as unusable as one
// that does not parse: handing the caller an empty value would turn a
// server fault into a silent wrong answer. Each result type says what it
// must carry.
type completer interface {
	complete() error
}

var errNoID = errors.New("the answer has no id")

func (r *Runner) complete() error        { return requireID(r.ID) }
func (r *RunnerDetails) complete() error { return requireID(r.ID) }
func (m *RunnerManager) complete() error { return requireID(m.ID) }
func (j *RunnerJob) complete() error     { return requireID(j.ID) }
func (p *Project) complete() error       { return requireID(p.ID) }
func (r *RunnerRegistration) complete() error {
	return errors.Join(requireID(r.ID), requireToken(r.Token))
}
func (t *Token) complete() error { return requireToken(t.Token) }

func requireID(id int64) error {
	if id <= 0 {
		return errNoID
	}
	return nil
}

func requireToken(s Secret) error {
	if s.IsZero() {
		return errors.New("the answer has no token")
	}
	return nil
}

// checkComplete checks a decoded value, or every element of a decoded
// list; a null element is refused, never yielded as a nil item.
func checkComplete(out any) error {
	if c, ok := out.(completer); ok {
		return c.complete()
	}
	v := reflect.ValueOf(out).Elem()
	if v.Kind() != reflect.Slice {
		return nil
	}
	for i := range v.Len() {
		el := v.Index(i)
		if el.Kind() == reflect.Pointer && el.IsNil() {
			return fmt.Errorf("list element %d is null", i)
		}
		if c, ok := el.Interface().(completer); ok {
			if err := c.complete(); err != nil {
				return fmt.Errorf("list element %d: %w", i, err)
			}
		}
	}
	return nil
}
