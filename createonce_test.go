package glrunners

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestCreateOnce_refusedBeforeSending(t *testing.T) {
	t.Parallel()
	f := newOnceFake()
	defer f.srv.Close()
	c := f.client()
	noUser, err := NewClient(f.srv.URL())
	if !assert.NoError(t, err) {
		return
	}
	cases := []struct {
		name  string
		field string
		call  func() error
	}{
		{"nil options", "runner_type", func() error { _, _, err := c.Runners.CreateOnce(t.Context(), nil); return err }},
		{"project runner without project", "project_id", func() error {
			_, _, err := c.Runners.CreateOnce(t.Context(), &CreateRunnerOptions{RunnerType: ProjectType})
			return err
		}},
		{"WithRetryNonIdempotent", "WithRetryNonIdempotent", func() error {
			_, _, err := c.Runners.CreateOnce(t.Context(), f.onceOptions("x"), WithRetryNonIdempotent())
			return err
		}},
		{"RegisterOnce without a user token", "client", func() error {
			_, _, err := noUser.Runners.RegisterOnce(t.Context(), &RegisterRunnerOptions{Token: "GR1348941abcdef"})
			return err
		}},
		{"RegisterOnce WithRetryNonIdempotent", "WithRetryNonIdempotent", func() error {
			_, _, err := c.Runners.RegisterOnce(t.Context(), &RegisterRunnerOptions{Token: "GR1348941abcdef"}, WithRetryNonIdempotent())
			return err
		}},
	}
	for _, tc := range cases {
		err := tc.call()
		if _, ok := assertState(t, ErrNotCreated, err); ok {
			checkValidation(t, tc.field, err)
		}
	}
	assert.Zero(t, f.requests(), "refused calls reached the server")
}

func TestCreateOnce_contextEndsMidReconcile(t *testing.T) {
	t.Parallel()
	f := newOnceFake()
	defer f.srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// The first look cancels the call's context: the create was lost and
	// the call cannot find out what became of it.
	hc := &http.Client{Transport: &cancelOn{base: http.DefaultTransport, match: isProjectList, cancel: cancel}}
	c := f.client(WithHTTPClient(hc))
	f.srv.AddFault(fault502AfterApply(1))
	opt := f.onceOptions("build-vm")
	reg, _, err := c.Runners.CreateOnce(ctx, opt)
	assert.Nil(t, reg)
	e, ok := assertState(t, ErrOutcomeUnknown, err)
	if !ok {
		return
	}
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, ErrServer, "the lost create's 502 stays reachable")
	assert.True(t, strings.HasPrefix(e.Marker, markerPrefix), "marker %q", e.Marker)
	assert.Contains(t, err.Error(), e.Marker)

	// The runner exists and carries the marker; FindCreated finds it.
	runners := f.projectRunners()
	if assert.Len(t, runners, 1) {
		assert.Equal(t, opt.Description+" "+e.Marker, runners[0].Description)
	}
	found, _, err := f.client().Runners.FindCreated(t.Context(), opt, time.Time{})
	if assert.NoError(t, err) && assert.Len(t, found, 1) {
		assert.Equal(t, runners[0].ID, found[0].ID)
		assert.Contains(t, *found[0].Description, e.Marker)
	}
}
