package glrunners

import (
	"context"
	"net/http"
	"testing"

	"github.com/glrunners/glrunners/glrunnerstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRegisterOnce_lostAnswers registers through the legacy workflow with
// the answer lost after GitLab applied it, as an administrator (found
// through GET /runners/all) and as the project's Maintainer (GET
// /runners/all is refused; GET /runners finds it).
func TestRegisterOnce_lostAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		admin    bool
		fault    glrunnerstest.Fault
		requests []string // method and path of every request, in order
	}{
		{
			name: "administrator, 502 after applying", admin: true,
			fault:    glrunnerstest.Fault{Method: "POST", Pattern: "/api/v4/runners", Status: 502, AfterApply: true},
			requests: []string{"POST /api/v4/runners", "GET /api/v4/runners/all", "POST /api/v4/runners/1/reset_authentication_token", "PUT /api/v4/runners/1"},
		},
		{
			name:     "maintainer, connection reset after applying",
			fault:    glrunnerstest.Fault{Method: "POST", Pattern: "/api/v4/runners", Reset: true, AfterApply: true},
			requests: []string{"POST /api/v4/runners", "GET /api/v4/runners/all", "GET /api/v4/runners", "POST /api/v4/runners/1/reset_authentication_token", "PUT /api/v4/runners/1"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newOnceFake()
			defer f.srv.Close()
			c := f.client()
			if tc.admin {
				c = f.client(WithToken(f.srv.AdminToken()))
			}
			f.srv.AddFault(tc.fault)
			opt := &RegisterRunnerOptions{
				Token: Secret(f.srv.RegistrationToken("project", f.projectID)), Description: "legacy-vm",
				TagList: []string{"shell"}, Paused: Ptr(true), MaintenanceNote: "registered by a test",
			}
			reg, _, err := c.Runners.RegisterOnce(t.Context(), opt)
			require.NoError(t, err)
			var sent []string
			for _, r := range f.srv.Requests() {
				sent = append(sent, r.Method+" "+r.Path)
			}
			assert.Equal(t, tc.requests, sent)
			runners := f.projectRunners()
			if assert.Len(t, runners, 1) {
				r := runners[0]
				assert.Equal(t, reg.ID, r.ID)
				assert.Equal(t, []any{"legacy-vm", "registered by a test", true, []string{"shell"}},
					[]any{r.Description, r.MaintenanceNote, r.Paused, r.TagList})
			}
			got, _, err := c.Runners.Verify(t.Context(), &VerifyRunnerOptions{Token: reg.Token})
			if assert.NoError(t, err, "the recovered token verifies") {
				assert.Equal(t, reg.ID, got.ID)
			}
		})
	}
}

func TestRegisterOnce_refusedToken(t *testing.T) {
	t.Parallel()
	f := newOnceFake()
	defer f.srv.Close()
	reg, resp, err := f.client().Runners.RegisterOnce(context.Background(), &RegisterRunnerOptions{Token: "GR1348941not-a-known-token"})
	assert.Nil(t, reg)
	if _, ok := assertState(t, ErrNotCreated, err); ok {
		assert.ErrorIs(t, err, ErrForbidden)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	}
	assert.Len(t, f.srv.Requests(), 1, "a refusal is not retried")
	assert.Empty(t, f.srv.Runners())
}
