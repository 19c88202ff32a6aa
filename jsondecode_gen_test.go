package glrunners

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeRoots are the types the SDK's calls decode a body into, alone or
// as a list: the roots of jsondecode.go's go:generate line.
var decodeRoots = []reflect.Type{
	reflect.TypeFor[Runner](), reflect.TypeFor[RunnerDetails](), reflect.TypeFor[RunnerJob](),
	reflect.TypeFor[RunnerManager](), reflect.TypeFor[Project](), reflect.TypeFor[RunnerRegistration](),
	reflect.TypeFor[Token](),
}

// TestGeneratedKeys_matchTypes fails when a response type, or a type one
// reaches, gains, loses or renames a field without `go generate`: the
// generated readers would skip the new key as unknown. It compares the
// generated key lists with the fields reflect sees, type by type, and the
// set of types too.
func TestGeneratedKeys_matchTypes(t *testing.T) {
	t.Parallel()
	reached := map[string]reflect.Type{}
	var walk func(typ reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ == reflect.TypeFor[time.Time]() || reached[typ.Name()] != nil {
			return
		}
		reached[typ.Name()] = typ
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Anonymous {
				for j := range f.Type.NumField() { // an embedded type's own fields may reach others
					walk(f.Type.Field(j).Type)
				}
				continue
			}
			walk(f.Type)
		}
	}
	for _, root := range decodeRoots {
		walk(root)
	}
	for name, typ := range reached {
		assert.Equal(t, jsonKeys(typ), generatedKeys[name], "%s: run go generate", name)
	}
	for name := range generatedKeys {
		assert.Contains(t, reached, name, "generated keys of a type no response reaches")
	}
}

// jsonKeys lists the keys encoding/json reads into typ, embedded structs'
// in place.
func jsonKeys(typ reflect.Type) []string {
	var keys []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Anonymous {
			keys = append(keys, jsonKeys(f.Type)...)
			continue
		}
		keys = append(keys, f.Tag.Get("json"))
	}
	return keys
}

// TestGenerated_everyField decodes each root type with every field set,
// alone and as a list of two with a null between, and checks the fast path
// takes it and fills what encoding/json fills: a key read into the wrong
// field, or a field of a new Go type read the wrong way, fails here.
func TestGenerated_everyField(t *testing.T) {
	t.Parallel()
	for _, root := range decodeRoots {
		v := reflect.New(root)
		fillNonZero(t, v.Elem())
		one, err := json.Marshal(v.Interface())
		require.NoError(t, err)
		list := slices.Concat([]byte("["), one, []byte(",null,"), one, []byte("]"))
		for _, body := range [][]byte{one, list} {
			tg := decodeTarget{root.Name(), func() any { return reflect.New(root).Interface() }}
			if body[0] == '[' {
				tg = decodeTarget{"[]*" + root.Name(), func() any { return reflect.New(reflect.SliceOf(reflect.PointerTo(root))).Interface() }}
			}
			assert.True(t, scanKnown(body, tg.new()), "%s: the fast path gave up on %s", tg.name, body)
			diff, accepted := decodeDiff(body, tg, decodeJSON)
			assert.Empty(t, diff)
			assert.True(t, accepted, tg.name)
		}
	}
}

// TestGenerated_ownPointees checks that two list items share no pointee:
// each item's pointers point into its own allocation.
func TestGenerated_ownPointees(t *testing.T) {
	t.Parallel()
	var want RunnerJob
	fillNonZero(t, reflect.ValueOf(&want).Elem())
	body, err := json.Marshal([]*RunnerJob{&want, &want})
	require.NoError(t, err)
	var got []*RunnerJob
	require.True(t, scanKnown(body, &got))
	require.Len(t, got, 2)
	*got[0].Coverage = 99
	got[0].User.Name = "changed"
	got[0].Commit.ParentIDs[0] = "changed"
	got[0].Pipeline.Ref = "changed"
	assert.Equal(t, *want.Coverage, *got[1].Coverage)
	assert.Equal(t, want.User.Name, got[1].User.Name)
	assert.Equal(t, want.Commit.ParentIDs, got[1].Commit.ParentIDs)
	assert.Equal(t, want.Pipeline.Ref, got[1].Pipeline.Ref)
}
