package glrunners

import (
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listDecoders are the two ways decodeJSON decodes a page of runners: the
// scanner first, then the general decoder when the scanner gives up. The
// tests below hold runnerList to encoding/json on bodies the scanner would
// take, too.
var listDecoders = map[string]func([]byte, any) error{
	"decodeJSON": decodeJSON,
	"runnerList": func(data []byte, out any) error {
		return unmarshalJSON(data, (*runnerList)(out.(*[]*Runner)))
	},
}

// TestRunnerWire_mirrorsRunner fails when a field is added to Runner or
// UserBasic (or changed) without its counterpart in the mirror runnerList
// decodes into: same names, keys and order, and a pointer field held as
// optional of its element.
func TestRunnerWire_mirrorsRunner(t *testing.T) {
	t.Parallel()
	mirrors := map[reflect.Type]reflect.Type{
		reflect.TypeFor[Runner]():    reflect.TypeFor[runnerWire](),
		reflect.TypeFor[UserBasic](): reflect.TypeFor[userWire](),
	}
	optionalOf := map[reflect.Type]reflect.Type{
		reflect.TypeFor[string]():    reflect.TypeFor[optional[string]](),
		reflect.TypeFor[bool]():      reflect.TypeFor[optional[bool]](),
		reflect.TypeFor[UserBasic](): reflect.TypeFor[optional[userWire]](),
	}
	for public, wire := range mirrors {
		require.Equal(t, public.NumField(), wire.NumField(), "%s and %s", public, wire)
		for i := range public.NumField() {
			pf, wf := public.Field(i), wire.Field(i)
			assert.Equal(t, pf.Name, wf.Name, "%s field %d", public, i)
			assert.Equal(t, pf.Tag, wf.Tag, "%s.%s", public, pf.Name)
			want := pf.Type
			if pf.Type.Kind() == reflect.Pointer {
				want = optionalOf[pf.Type.Elem()]
			}
			assert.Equal(t, want, wf.Type, "%s.%s", public, pf.Name)
		}
	}
}

// TestRunnerList_everyFieldPlaced decodes a runner with every field set,
// pointers included, and checks that each arrives: a mirror field that
// place forgets to copy fails here.
func TestRunnerList_everyFieldPlaced(t *testing.T) {
	t.Parallel()
	var want Runner
	fillNonZero(t, reflect.ValueOf(&want).Elem())
	for name, decode := range listDecoders {
		for _, items := range [][]*Runner{{&want, &want, &want}, {&want, nil, &want}} {
			body, err := json.Marshal(items)
			require.NoError(t, err)
			var got []*Runner
			require.NoError(t, decode(body, &got))
			require.Len(t, got, 3)
			assert.Equal(t, &want, got[0], name)
			assert.Equal(t, items[1], got[1], name)
			assert.Equal(t, &want, got[2], name)
			// Each runner has pointees of its own.
			*got[0].Description = "changed"
			*got[0].Online = false
			got[0].CreatedBy.Name = "changed"
			assert.Equal(t, *want.Description, *got[2].Description, name)
			assert.Equal(t, *want.Online, *got[2].Online, name)
			assert.Equal(t, want.CreatedBy.Name, got[2].CreatedBy.Name, name)
		}
	}
}

// fillNonZero sets every field reachable from v to a value other than its
// zero value.
func fillNonZero(t *testing.T, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2025, 1, 14, 8, 22, 51, 604e6, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fillNonZero(t, v.Field(i))
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillNonZero(t, v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillNonZero(t, v.Index(0))
	case reflect.String:
		v.SetString("s-" + v.Type().Name())
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int64:
		v.SetInt(4000)
	default:
		t.Fatalf("fillNonZero: no value for %s", v.Type())
	}
}

// TestRunnerList_craftedItems puts each crafted object body in a list, as
// an item alone and among others, so that the duplicate, case, null,
// unicode and type cases reach runnerList's items (decoded alone, an object
// is no list).
func TestRunnerList_craftedItems(t *testing.T) {
	t.Parallel()
	tg := target[[]*Runner]()
	var accepted int
	for _, c := range decodeCases {
		if !strings.HasPrefix(c.body, "{") {
			continue
		}
		for _, body := range []string{
			"[" + c.body + "]",
			"[null," + c.body + "," + c.body + "]",
			" [ " + runnerBody + " , " + c.body + " ] ",
		} {
			for name, decode := range listDecoders {
				diff, ok := decodeDiff([]byte(body), tg, decode)
				if diff != "" {
					t.Errorf("%s: %s / %s in %.40q: %s", name, c.category, c.name, body, diff)
				}
				if ok {
					accepted++
				}
			}
		}
	}
	assert.Greater(t, accepted, 100)
}

// TestRunnerList_intoRoom decodes into a slice with room, as decodeInto
// leaves one from an earlier attempt or a caller's per_page: items go into
// that room, as encoding/json puts them.
func TestRunnerList_intoRoom(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`[]`, `null`, `[` + runnerBody + `,null]`, string(runnerPage(40))} {
		for name, decode := range listDecoders {
			want, got := make([]*Runner, 0, 10), make([]*Runner, 0, 10)
			wantErr := json.Unmarshal([]byte(body), &want)
			require.NoError(t, wantErr)
			require.NoError(t, decode([]byte(body), &got))
			assert.Equal(t, want, got, name)
			assert.Equal(t, cap(want) == 10, cap(got) == 10, "%s %.20s: kept the room", name, body)
		}
	}
}

// TestRunnerList_truncated cuts a page everywhere (inside every kind of
// token, between items, in a nested user) and checks runnerList reports
// each cut as io.ErrUnexpectedEOF, as decodeInto needs to tell a body that
// broke off from a malformed one, on both option paths of unmarshalJSON.
func TestRunnerList_truncated(t *testing.T) {
	t.Parallel()
	page := string(runnerPage(3))
	for _, data := range []string{page, strings.Replace(page, `"online":true`, `"online":null`, 1), `[null,` + runnerBody + `]`} {
		for _, exact := range []bool{false, true} {
			if exact {
				data = strings.Replace(data, `{"id"`, `{"x":"\u0030","id"`, 1)
				require.True(t, mayHoldEscapedTime([]byte(data)))
			}
			for n := range len(data) {
				for name, decode := range listDecoders {
					var out []*Runner
					err := decode([]byte(data[:n]), &out)
					require.ErrorIs(t, err, io.ErrUnexpectedEOF, "%s: cut at %d: %.60q", name, n, data[max(0, n-30):n])
				}
			}
		}
	}
}
