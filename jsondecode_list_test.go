package glrunners

import (
	"encoding/json"
	"io"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listDecoders are the ways a page of runners is decoded: decodeJSON (the
// fast path, then encoding/json for what it gives up on).
var listDecoders = map[string]func([]byte, any) error{"decodeJSON": decodeJSON}

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
	case reflect.Float64:
		v.SetFloat(2.5)
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		elem := reflect.New(v.Type().Elem()).Elem()
		fillNonZero(t, elem)
		v.SetMapIndex(reflect.ValueOf("k"), elem)
	default:
		t.Fatalf("fillNonZero: no value for %s", v.Type())
	}
}

// TestRunnerList_craftedItems puts each crafted object body in a list, as
// an item alone and among others, so that the duplicate, case, null,
// unicode and type cases reach the fast path's items (decoded alone, an object
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
// token, between items, in a nested user) and checks decodeJSON reports
// each cut as io.ErrUnexpectedEOF, as decodeInto needs to tell a body that
// broke off from a malformed one.
func TestRunnerList_truncated(t *testing.T) {
	t.Parallel()
	page := string(runnerPage(3))
	for _, data := range []string{page, strings.Replace(page, `"online":true`, `"online":null`, 1), `[null,` + runnerBody + `]`} {
		for n := range len(data) {
			var out []*Runner
			err := decodeJSON([]byte(data[:n]), &out)
			require.ErrorIs(t, err, io.ErrUnexpectedEOF, "cut at %d: %.60q", n, data[max(0, n-30):n])
		}
	}
}

// TestRunnerList_keptRunnerAlone keeps one runner of a decoded page and
// checks that the others, and their text, are freed: no runner pins its
// page's memory (each runner, with its pointees, is an allocation of its
// own, and its strings one string of its own).
func TestRunnerList_keptRunnerAlone(t *testing.T) {
	page := runnerPage(50)
	var list []*Runner
	require.True(t, scanKnown(page, &list))
	var freed atomic.Int32
	for i, r := range list {
		if i != 7 {
			runtime.AddCleanup(r, func(struct{}) { freed.Add(1) }, struct{}{})
			runtime.AddCleanup(unsafe.StringData(*r.Description), func(struct{}) { freed.Add(1) }, struct{}{})
		}
	}
	kept := list[7]
	list = nil
	want := int32(2 * 49)
	for deadline := time.Now().Add(10 * time.Second); freed.Load() < want && time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	assert.Equal(t, want, freed.Load(), "runners and texts freed while one runner of the page is kept")
	assert.Equal(t, "fleet-amd64-007 (docker-autoscaler)", *kept.Description)
	runtime.KeepAlive(kept)
}
