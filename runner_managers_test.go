package glrunners

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunnersListManagers_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	managers := fixture(t, "runner_managers.json")
	mux.HandleFunc("GET /api/v4/runners/{id}/managers", func(w http.ResponseWriter, r *http.Request) {
		assertUserRequest(t, r, "/api/v4/runners/4117/managers", nil)
		writeJSON(w, http.StatusOK, string(managers))
	})
	got, _, err := c.Runners.ListManagers(t.Context(), 4117)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, int64(88210), got[0].ID)
	assert.Equal(t, "s_5d1c9a0e7b34", got[0].SystemID)
	assert.Equal(t, Ptr("17.9.1"), got[0].Version)
	assert.Equal(t, Ptr("10.40.12.7"), got[0].IPAddress)
	assert.Equal(t, StatusOnline, got[0].Status)
	assert.Equal(t, rfc3339p("2025-03-20T11:40:07.215Z"), got[0].ContactedAt)
	assert.Equal(t, int64(61002), got[1].ID)
	assert.Equal(t, "<legacy>", got[1].SystemID)
	assert.Equal(t, StatusStale, got[1].Status)
	assert.Equal(t, JobExecutionIdle, got[1].JobExecutionStatus)
}

// ListManagers turns its documented error answers into an *Error with the
// status, the sentinel and GitLab's body.
func TestRunnersListManagers_errors(t *testing.T) {
	t.Parallel()
	testEndpointErrors(t, []endpointErrors{
		{"ListManagers", "GET /api/v4/runners/{id}/managers", []errorAnswer{
			{401, `{"message":"401 Unauthorized"}`, ErrUnauthorized},
			{403, `{"message":"403 Forbidden - No access granted"}`, ErrForbidden},
			{404, `{"message":"404 Runner Not Found"}`, ErrNotFound},
		}, func(ctx context.Context, c *Client) error {
			_, _, err := c.Runners.ListManagers(ctx, 4117)
			return err
		}},
	})
}
