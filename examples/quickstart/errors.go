package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/glrunners/glrunners"
)

// lowPrivilege shows the typed errors a developer of one project gets.
func (t *tour) lowPrivilege(ctx context.Context) error {
	t.p.heading("Typed errors, as bob (developer of acme/web/storefront only)",
		"errors.Is(err, glrunners.ErrForbidden) / errors.As(err, &apiErr) / *glrunners.ValidationError")
	groupRunners, _, err := t.c.Runners.ListAll(ctx, &glrunners.ListRunnersOptions{
		ListOptions: glrunners.ListOptions{PerPage: 1},
		Type:        glrunners.GroupType,
	})
	if err != nil || len(groupRunners) == 0 {
		return fmt.Errorf("finding a group runner: %v", err)
	}
	bob, err := glrunners.NewClient(t.fleet.Server.URL(), glrunners.WithToken(t.fleet.DeveloperToken))
	if err != nil {
		return err
	}

	tw := t.p.table("CALL", "Is ErrForbidden", "Is ErrNotFound", "ERROR")
	try := func(call string, err error) {
		tw.row(call, errors.Is(err, glrunners.ErrForbidden), errors.Is(err, glrunners.ErrNotFound), describe(err))
	}
	_, _, err = bob.Runners.ListAll(ctx, nil)
	try("Runners.ListAll", err)
	_, _, err = bob.Runners.Get(ctx, groupRunners[0].ID, nil)
	try(fmt.Sprintf("Runners.Get(%d) (a group runner)", groupRunners[0].ID), err)
	_, _, err = bob.Projects.ListRunners(ctx, glrunners.Path(project), nil)
	try(fmt.Sprintf("Projects.ListRunners(%q)", project), err)
	_, _, err = bob.Runners.Get(ctx, 999999, nil)
	try("Runners.Get(999999)", err)
	_, _, err = bob.Projects.ListRunners(ctx, glrunners.Path("acme//web"), nil)
	try(`Projects.ListRunners("acme//web")`, err)
	return tw.Flush()
}

// describe says what kind of error err is and what GitLab said.
func describe(err error) string {
	var apiErr *glrunners.Error
	var valErr *glrunners.ValidationError
	switch {
	case err == nil:
		return "no error"
	case errors.As(err, &apiErr):
		// Message is GitLab's own text, which often starts with the status.
		return fmt.Sprintf("*glrunners.Error, StatusCode %d: %s", apiErr.StatusCode, apiErr.Message)
	case errors.As(err, &valErr):
		return "*glrunners.ValidationError (nothing sent): " + valErr.Reason
	}
	return err.Error()
}
