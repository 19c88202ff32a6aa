package glrunners

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCreateOnceError_states checks that each state matches its sentinel
// only, that a settled request's ErrOutcomeUnknown is hidden while the
// typed error stays reachable, and what the messages say.
func TestCreateOnceError_states(t *testing.T) {
	t.Parallel()
	lost := &Error{StatusCode: 502, Method: "POST", Path: "/api/v4/user/runners", outcomeUnknown: true}
	require.ErrorIs(t, lost, ErrOutcomeUnknown)
	cases := []struct {
		err  *CreateOnceError
		want error
		text string
	}{
		{&CreateOnceError{Op: "CreateOnce", Err: lost, outcome: outcomeNotCreated}, ErrNotCreated,
			"glrunners: CreateOnce: no runner was created: POST /api/v4/user/runners: 502 Bad Gateway"},
		{&CreateOnceError{Op: "CreateOnce", RunnerIDs: []int64{7, 9}, Err: lost, outcome: outcomeUnrecovered}, ErrRunnerUnrecovered,
			"glrunners: CreateOnce: runner [7 9] was created but its token could not be obtained (delete it): POST /api/v4/user/runners: 502 Bad Gateway"},
		{&CreateOnceError{Op: "RegisterOnce", Marker: "[glrunners:once:00]", Err: context.Canceled, outcome: outcomeUnknown}, ErrOutcomeUnknown,
			"glrunners: RegisterOnce: outcome unknown; a runner made by this call carries [glrunners:once:00] in its description: context canceled"},
	}
	for _, tc := range cases {
		var err error = tc.err
		assertState(t, tc.want, err)
		assert.Equal(t, tc.text, err.Error())
		if tc.err.Err == lost {
			e, ok := asType[*Error](err)
			assert.True(t, ok && e == lost, "errors.As reaches the request's *Error")
			assert.ErrorIs(t, err, ErrServer)
		}
	}
	wrapped := fmt.Errorf("provisioning vm-7: %w", cases[0].err)
	assert.ErrorIs(t, wrapped, ErrNotCreated)
	assert.NotErrorIs(t, wrapped, ErrOutcomeUnknown)
}
