package glrunners

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunnersListProjects_wire(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	projects := fixture(t, "runner_projects.json")
	mux.HandleFunc("GET /api/v4/runners/{id}/projects", func(w http.ResponseWriter, r *http.Request) {
		assertUserRequest(t, r, "/api/v4/runners/4117/projects", url.Values{"page": {"1"}, "per_page": {"2"}})
		writeJSON(w, http.StatusOK, string(projects))
	})
	got, _, err := c.Runners.ListProjects(t.Context(), 4117, &ListOptions{Page: 1, PerPage: 2})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, edgeProxy, got[0].ProjectIdentity)
	assert.Equal(t, Ptr("main"), got[0].DefaultBranch)
	assert.Equal(t, []string{"networking"}, got[0].Topics)
	assert.Equal(t, int64(3), got[0].StarCount)
	assert.Equal(t, "git@gitlab.example.test:platform/networking/edge-proxy.git", got[0].SSHURLToRepo)
	assert.Equal(t, networkingNamespace, got[0].Namespace)
	assert.Equal(t, edgeFirmware, got[1].ProjectIdentity)
	assert.Nil(t, got[1].ReadmeURL)
	assert.Equal(t, int64(1), got[1].ForksCount)
}

func TestRunnersListProjectsIter_threePages(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	servePages(t, mux, "GET /api/v4/runners/{id}/projects", "/api/v4/runners/4117/projects", url.Values{},
		[]string{`[{"id":1}]`, `[{"id":2},{"id":3}]`, `[{"id":4}]`})
	seq := c.Runners.ListProjectsIter(t.Context(), 4117, nil)
	assert.Equal(t, []int64{1, 2, 3, 4}, collectIDs(t, seq, idOfProject))
}

// ListProjects turns its documented error answers into an *Error with the
// status, the sentinel and GitLab's body.
func TestRunnersListProjects_errors(t *testing.T) {
	t.Parallel()
	testEndpointErrors(t, []endpointErrors{
		{"ListProjects", "GET /api/v4/runners/{id}/projects", []errorAnswer{
			{401, `{"message":"401 Unauthorized"}`, ErrUnauthorized},
			{403, `{"message":"403 Forbidden - No access granted"}`, ErrForbidden},
			{404, `{"message":"404 Runner Not Found"}`, ErrNotFound},
		}, func(ctx context.Context, c *Client) error {
			_, _, err := c.Runners.ListProjects(ctx, 4117, nil)
			return err
		}},
	})
}
