package glrunners

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCreateOnce_longDescription fills the description to GitLab's limit:
// the marker cuts it while the call is in flight, FindCreated still
// recognises the cut text, and the call restores it whole.
func TestCreateOnce_longDescription(t *testing.T) {
	t.Parallel()
	f := newOnceFake()
	defer f.srv.Close()
	opt := f.onceOptions(strings.Repeat("é", maxTextLength))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	hc := &http.Client{Transport: &cancelOn{base: http.DefaultTransport, match: isProjectList, cancel: cancel}}
	f.srv.AddFault(fault502AfterApply(1))
	_, _, err := f.client(WithHTTPClient(hc)).Runners.CreateOnce(ctx, opt)
	e, ok := assertState(t, ErrOutcomeUnknown, err)
	require.True(t, ok)
	left := f.projectRunners()
	require.Len(t, left, 1)
	assert.Equal(t, maxTextLength, len([]rune(left[0].Description)))
	assert.True(t, strings.HasSuffix(left[0].Description, " "+e.Marker))
	found, _, err := f.client().Runners.FindCreated(t.Context(), opt, time.Time{})
	require.NoError(t, err)
	assert.Len(t, found, 1, "the cut description is recognised")

	reg, _, err := f.client().Runners.CreateOnce(t.Context(), opt)
	require.NoError(t, err)
	f.assertAsAsked(t, reg.ID, opt)
}
