package exitcode

import (
	"context"
	"fmt"
	"testing"

	"github.com/glrunners/glrunners"
	"github.com/glrunners/glrunners/examples/internal/exittest"
	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Unreachable is true for no answer at all and for a refused token, and
// false for any other error: over real HTTP, as the tools meet them.
func TestUnreachable(t *testing.T) {
	srv := glrunnerstest.New(t)
	get := func(url, token string) error {
		c, err := glrunners.NewClient(url, glrunners.WithToken(token), glrunners.WithoutRetries())
		require.NoError(t, err)
		_, _, err = c.Runners.Get(context.Background(), 1, nil)
		return err
	}
	assert.True(t, Unreachable(get(exittest.ClosedURL(t), "x")), "connection refused")
	assert.True(t, Unreachable(get(srv.URL(), "wrong-token")), "401")
	assert.True(t, Unreachable(fmt.Errorf("listing: %w", get(srv.URL(), "wrong-token"))), "wrapped 401")
	notFound := get(srv.URL(), srv.AdminToken())
	require.ErrorIs(t, notFound, glrunners.ErrNotFound)
	assert.False(t, Unreachable(notFound), "404: GitLab answered")
	assert.False(t, Unreachable(nil))
}

// Help names every status of the convention.
func TestHelpListsEveryStatus(t *testing.T) {
	for _, code := range []int{OK, Failed, Usage, GitLab, Interrupted} {
		assert.Contains(t, Help, fmt.Sprintf("\n  %-3d  ", code))
	}
}
