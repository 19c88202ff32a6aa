package glrunners

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRefPath_escapesOnce(t *testing.T) {
	t.Parallel()
	for ref, want := range map[Ref]string{
		ID(42):                     "projects/42/runners",
		Path("a/b c"):              "projects/a%2Fb%20c/runners",
		Path("group/sub/proj-1.x"): "projects/group%2Fsub%2Fproj-1.x/runners",
	} {
		got, err := refPath("projects", ref, "/runners")
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := refPath("groups", Path(""), "/runners")
	ve, ok := asType[*ValidationError](err)
	require.True(t, ok)
	assert.Equal(t, "id", ve.Field)
}
