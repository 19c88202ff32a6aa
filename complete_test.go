package glrunners

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSuccessAnswers_lackingTheValueAreInvalid(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v4/runners/1", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `null`) })
	mux.HandleFunc("GET /api/v4/runners/2", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	mux.HandleFunc("GET /api/v4/runners/3", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"description":"no id"}`) })
	mux.HandleFunc("POST /api/v4/user/runners", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 201, `null`) })
	mux.HandleFunc("POST /api/v4/runners/reset_registration_token", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 201, `{"token_expires_at":null}`)
	})
	mux.HandleFunc("GET /api/v4/runners/all", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `[{"id":1},null,{"id":3}]`)
	})
	c, err := NewClient(newServer(t, mux), WithToken(testToken), WithoutRetries())
	require.NoError(t, err)

	for id := int64(1); id <= 3; id++ {
		got, _, err := c.Runners.Get(t.Context(), id, nil)
		assert.Nil(t, got)
		assert.ErrorIs(t, err, ErrInvalidResponse, "runner %d", id)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a GET changed nothing")
	}
	reg, _, err := c.Runners.Create(t.Context(), &CreateRunnerOptions{RunnerType: InstanceType})
	assert.Nil(t, reg)
	assert.ErrorIs(t, err, ErrInvalidResponse)
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "201 says a runner was made; its answer is lost")
	tok, _, err := c.Tokens.ResetInstanceRegistrationToken(t.Context())
	assert.Nil(t, tok)
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "the token rotated but the answer has no token")

	var seen []int64
	for r, err := range c.Runners.ListAllIter(t.Context(), nil) {
		if err != nil {
			assert.ErrorIs(t, err, ErrInvalidResponse)
			break
		}
		require.NotNil(t, r, "a nil item is never yielded with a nil error")
		seen = append(seen, r.ID)
	}
	assert.Empty(t, seen, "a page with a null element is refused whole")
}
