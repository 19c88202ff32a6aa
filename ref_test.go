package glrunners

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRefSegment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ref     Ref
		want    string
		wantErr string // a substring of ValidationError.Reason; "" means success
	}{
		{"id", ID(42), "42", ""},
		{"large id", ID(9007199254740993), "9007199254740993", ""},
		{"simple path", Path("group"), "group", ""},
		{"nested path", Path("group/sub/project"), "group%2Fsub%2Fproject", ""},
		{"space", Path("a/b c"), "a%2Fb%20c", ""},
		{"escaped once", Path("a%2Fb"), "a%252Fb", ""},
		{"question mark and hash", Path("a?b#c"), "a%3Fb%23c", ""},
		{"dots inside names", Path("my.group/.hidden/..x"), "my.group%2F.hidden%2F..x", ""},
		{"plus", Path("c++/lib"), "c++%2Flib", ""},
		{"digits among segments", Path("2024/reports"), "2024%2Freports", ""},
		{"zero Ref", Ref{}, "", "is required"},
		{"zero id", ID(0), "", "positive"},
		{"negative id", ID(-3), "", "positive"},
		{"empty path", Path(""), "", "empty"},
		{"blank path", Path(" \t\n"), "", "empty"},
		{"leading slash", Path("/group/project"), "", "slash"},
		{"trailing slash", Path("group/project/"), "", "slash"},
		{"only a slash", Path("/"), "", "slash"},
		{"empty segment", Path("a//b"), "", "empty segment"},
		{"dot segment", Path("a/./b"), "", ". or .."},
		{"dot-dot segment", Path("a/../b"), "", ". or .."},
		{"dot-dot alone", Path(".."), "", ". or .."},
		{"all digits", Path("42"), "", "all digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.ref.segment("project")
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			assert.Empty(t, got)
			verr, ok := asType[*ValidationError](err)
			require.True(t, ok, "want *ValidationError, got %T: %v", err, err)
			assert.Equal(t, "id", verr.Field)
			assert.Contains(t, verr.Reason, tt.wantErr)
		})
	}
}

func TestRefString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "42", ID(42).String())
	assert.Equal(t, "0", ID(0).String())
	assert.Equal(t, "group/sub", Path("group/sub").String())
	assert.Equal(t, "a b", Path("a b").String(), "String shows the path unescaped")
	assert.Empty(t, Ref{}.String())
	assert.Equal(t, "group/sub", fmt.Sprint(Path("group/sub")))
}

func TestRefComparable(t *testing.T) {
	t.Parallel()
	assert.Equal(t, ID(7), ID(7))
	assert.NotEqual(t, ID(7), Path("7"), "an ID and a path never compare equal")
	assert.NotEqual(t, ID(0), Ref{})
}

func TestPtr(t *testing.T) {
	t.Parallel()
	f := Ptr(false)
	require.NotNil(t, f)
	assert.False(t, *f)
	n := Ptr[int64](0)
	assert.Equal(t, int64(0), *n)
	v := "x"
	p := Ptr(v)
	*p = "y"
	assert.Equal(t, "x", v, "Ptr points to a copy")
}

func TestValue(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "edge", Value(Ptr("edge")))
	assert.Equal(t, "", Value[string](nil))
	assert.Equal(t, int64(600), Value(Ptr[int64](600)))
	assert.Equal(t, int64(0), Value[int64](nil))
}
