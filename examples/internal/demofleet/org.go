package demofleet

import (
	"path"
	"strings"

	"github.com/glrunners/glrunners/glrunnerstest"
)

// groupTree lists the groups parents first, so each parent exists when its
// subgroups are added.
var groupTree = []string{
	"acme",
	"acme/platform",
	"acme/platform/infra",
	"acme/web",
	"acme/data",
	"oss",
}

// projectPaths are the projects, each inside a group of groupTree.
var projectPaths = []string{
	"acme/platform/api",
	"acme/platform/auth",
	"acme/platform/infra/terraform",
	"acme/platform/infra/k8s-config",
	"acme/web/storefront",
	"acme/web/admin-ui",
	"acme/web/design-system",
	"acme/data/pipelines",
	"acme/data/warehouse",
	"oss/cli",
	"oss/docs",
}

// seedOrg adds the groups, projects and users with their roles.
func (s *seeder) seedOrg(f *Fleet) {
	for _, full := range groupTree {
		parent, name := path.Split(full)
		s.groups[full] = s.srv.AddGroup(glrunnerstest.Group{
			Name:     name,
			ParentID: s.groups[strings.TrimSuffix(parent, "/")],
		})
	}
	for _, full := range projectPaths {
		group, name := path.Split(full)
		s.projects[full] = s.srv.AddProject(glrunnerstest.Project{
			Name:      name,
			GroupID:   s.groups[strings.TrimSuffix(group, "/")],
			CreatedAt: Now.Add(-400 * day),
		})
	}

	alice, _ := s.srv.AddUser(glrunnerstest.User{Username: "alice", Name: "Alice Ops"})
	s.srv.AddMember(alice, "group", s.groups["acme"], glrunnerstest.Owner)
	carol, _ := s.srv.AddUser(glrunnerstest.User{Username: "carol", Name: "Carol Backend"})
	s.srv.AddMember(carol, "project", s.projects["acme/platform/api"], glrunnerstest.Maintainer)
	dave, _ := s.srv.AddUser(glrunnerstest.User{Username: "dave", Name: "Dave Maintainer"})
	s.srv.AddMember(dave, "group", s.groups["oss"], glrunnerstest.Maintainer)
	bob, bobToken := s.srv.AddUser(glrunnerstest.User{Username: "bob", Name: "Bob Frontend"})
	s.srv.AddMember(bob, "project", s.projects["acme/web/storefront"], glrunnerstest.Developer)

	f.DeveloperToken = bobToken
	s.users = []int64{alice, carol, dave, bob}
}

// projectsUnder returns the projects inside group (any depth), in
// projectPaths order.
func (s *seeder) projectsUnder(group string) []int64 {
	var ids []int64
	for _, full := range projectPaths {
		if group == "" || strings.HasPrefix(full, group+"/") {
			ids = append(ids, s.projects[full])
		}
	}
	return ids
}
