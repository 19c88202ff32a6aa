package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/glrunners/glrunners"
)

// The changing part of the tour, run only against the in-memory GitLab.

// project is where the tour creates its runner, other is where it assigns it.
const (
	project = "acme/platform/api"
	other   = "acme/platform/auth"
)

func (t *tour) changes(ctx context.Context) error {
	if err := t.pause(ctx); err != nil {
		return err
	}
	id, token, err := t.create(ctx)
	if err != nil {
		return err
	}
	if err := t.rotate(ctx, id, token); err != nil {
		return err
	}
	if err := t.assign(ctx, id); err != nil {
		return err
	}
	return t.remove(ctx, id)
}

// pause stops the runner from taking jobs, then lets it take them again.
func (t *tour) pause(ctx context.Context) error {
	t.p.heading(fmt.Sprintf("Pause and unpause runner %d", t.showcase), "Runners.Pause(ctx, id) / Runners.Unpause(ctx, id)")
	r, _, err := t.c.Runners.Pause(ctx, t.showcase)
	if err != nil {
		return err
	}
	t.p.linef("paused:   paused=%t status=%s", r.Paused, r.Status)
	if r, _, err = t.c.Runners.Unpause(ctx, t.showcase); err != nil {
		return err
	}
	t.p.linef("unpaused: paused=%t status=%s", r.Paused, r.Status)
	return nil
}

// create makes a project runner the modern way (POST /user/runners),
// verifies its token as the runner process would, and updates it.
func (t *tour) create(ctx context.Context) (int64, glrunners.Secret, error) {
	t.p.heading("Create a project runner and verify its token", "Runners.Create / Runners.Verify / Runners.Update")
	reg, _, err := t.c.Runners.Create(ctx, &glrunners.CreateRunnerOptions{
		RunnerType:  glrunners.ProjectType,
		ProjectID:   t.fleet.ProjectID(project),
		Description: "quickstart-demo",
		TagList:     []string{"docker", "linux"},
	})
	if err != nil {
		return 0, "", err
	}
	// A Secret prints as [REDACTED]; only reg.Token.Reveal() gives the token,
	// to write into the runner's config.toml.
	t.p.linef("created runner %d in %s, token %v, expires %s", reg.ID, project, reg.Token, expiry(reg))

	v, _, err := t.c.Runners.Verify(ctx, &glrunners.VerifyRunnerOptions{Token: reg.Token, SystemID: "s_quickstart001"})
	if err != nil {
		return 0, "", err
	}
	d, _, err := t.c.Runners.Update(ctx, reg.ID, &glrunners.UpdateRunnerOptions{
		Description: glrunners.Ptr("quickstart-demo (verified)"),
		TagList:     []string{"docker", "linux", "arm64"},
	})
	if err != nil {
		return 0, "", err
	}
	t.p.linef("verified: the token belongs to runner %d, which is now %s", v.ID, d.Status)
	t.p.linef("updated:  description %q, tags %s", str(d.Description), list(d.TagList))
	return reg.ID, reg.Token, nil
}

// rotate resets the runner's token and shows that the old one stops working.
func (t *tour) rotate(ctx context.Context, id int64, old glrunners.Secret) error {
	t.p.heading("Reset its authentication token", "Tokens.ResetAuthenticationToken(ctx, id)")
	tok, _, err := t.c.Tokens.ResetAuthenticationToken(ctx, id)
	if err != nil {
		return err
	}
	t.p.linef("new token %v (changed: %t)", tok.Token, tok.Token != old)
	_, _, err = t.c.Runners.Verify(ctx, &glrunners.VerifyRunnerOptions{Token: old, SystemID: "s_quickstart001"})
	if !errors.Is(err, glrunners.ErrForbidden) {
		return fmt.Errorf("verifying the old token: want 403, got %v", err)
	}
	t.p.linef("old token: errors.Is(err, glrunners.ErrForbidden) = true")
	return nil
}

// assign lets the runner serve a second project, then takes it away again.
func (t *tour) assign(ctx context.Context, id int64) error {
	t.p.heading("Assign it to another project and back", "Projects.AssignRunner / Runners.ListProjects / Projects.UnassignRunner")
	if _, _, err := t.c.Projects.AssignRunner(ctx, glrunners.Path(other), id); err != nil {
		return err
	}
	projects, _, err := t.c.Runners.ListProjects(ctx, id, nil)
	if err != nil {
		return err
	}
	var paths []string
	for _, p := range projects {
		paths = append(paths, p.PathWithNamespace)
	}
	t.p.linef("assigned to %s: serves %s", other, list(paths))
	if _, err := t.c.Projects.UnassignRunner(ctx, glrunners.Path(other), id); err != nil {
		return err
	}
	t.p.linef("unassigned from %s", other)
	// GitLab refuses to take a runner away from the project that owns it.
	_, err = t.c.Projects.UnassignRunner(ctx, glrunners.Path(project), id)
	var apiErr *glrunners.Error
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("unassigning from the owner project: want an API error, got %v", err)
	}
	t.p.linef("unassign from the owner project: StatusCode %d, Message %q", apiErr.StatusCode, apiErr.Message)
	return nil
}

// remove deletes the runner and shows that it is gone.
func (t *tour) remove(ctx context.Context, id int64) error {
	t.p.heading("Delete it", "Runners.Delete(ctx, id)")
	if _, err := t.c.Runners.Delete(ctx, id); err != nil {
		return err
	}
	_, _, err := t.c.Runners.Get(ctx, id, nil)
	t.p.linef("deleted runner %d; Get now gives errors.Is(err, glrunners.ErrNotFound) = %t", id, errors.Is(err, glrunners.ErrNotFound))
	return nil
}

func expiry(reg *glrunners.RunnerRegistration) string {
	if reg.TokenExpiresAt == nil {
		return "never"
	}
	return reg.TokenExpiresAt.Format("2006-01-02")
}
