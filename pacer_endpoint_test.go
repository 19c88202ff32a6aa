package glrunners

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEndpointShape(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v4/runners/17/jobs":                  "GET /api/v4/runners/:id/jobs",
		"/api/v4/runners/18/jobs":                  "GET /api/v4/runners/:id/jobs",
		"/api/v4/runners/all":                      "GET /api/v4/runners/all",
		"/api/v4/projects/grp%2Fapp/runners":       "GET /api/v4/projects/:id/runners",
		"/api/v4/projects/5/runners/9":             "GET /api/v4/projects/:id/runners/:id",
		"/gitlab/api/v4/groups/a%2Fb/runners":      "GET /gitlab/api/v4/groups/:id/runners",
		"/api/v4/runners/12/managers":              "GET /api/v4/runners/:id/managers",
		"/api/v4/runners/reset_registration_token": "GET /api/v4/runners/reset_registration_token",
	} {
		assert.Equal(t, want, endpointShape("GET", path), path)
	}
}
