package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/glrunners/glrunners/glrunnerstest"
)

// org remembers the groups and projects seeded, so that the front can
// answer GET /groups/:id and GET /projects/:id, which glrunnerstest does
// not serve.
type org struct {
	mu       sync.Mutex
	groups   map[string]entity // by full path and by decimal ID
	projects map[string]entity
}

type entity struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Path     string `json:"path"`
	FullPath string `json:"full_path"`
}

func newOrg() *org {
	return &org{groups: map[string]entity{}, projects: map[string]entity{}}
}

func (o *org) addGroup(srv *glrunnerstest.Server, name, path string, parent *entity) entity {
	full := path
	var pid int64
	if parent != nil {
		full, pid = parent.FullPath+"/"+path, parent.ID
	}
	e := entity{ID: srv.AddGroup(glrunnerstest.Group{Name: name, Path: path, ParentID: pid}), Name: name, Path: path, FullPath: full}
	o.put(o.groups, e)
	return e
}

func (o *org) addProject(srv *glrunnerstest.Server, name, path string, g entity) entity {
	e := entity{ID: srv.AddProject(glrunnerstest.Project{Name: name, Path: path, GroupID: g.ID}), Name: name, Path: path, FullPath: g.FullPath + "/" + path}
	o.put(o.projects, e)
	return e
}

func (o *org) put(m map[string]entity, e entity) {
	o.mu.Lock()
	defer o.mu.Unlock()
	m[strings.ToLower(e.FullPath)] = e
	m[fmt.Sprint(e.ID)] = e
}

func (o *org) lookup(kind, ref string) (entity, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.groups
	if kind == "projects" {
		m = o.projects
	}
	e, ok := m[strings.ToLower(ref)]
	return e, ok
}

// seedDemo builds the acme organisation: three groups under acme, two
// projects in each, and n runners of every type with varied settings and
// statuses. The same seed gives the same organisation.
func seedDemo(srv *glrunnerstest.Server, o *org, n int, seed int64) {
	rnd := rand.New(rand.NewPCG(uint64(seed), 18))
	top := o.addGroup(srv, "Acme", "acme", nil)
	var groups, projects []entity
	groups = append(groups, top)
	for _, g := range []string{"platform", "web", "data"} {
		ge := o.addGroup(srv, strings.ToUpper(g[:1])+g[1:], g, &top)
		groups = append(groups, ge)
		for _, p := range []string{"api", "jobs"} {
			projects = append(projects, o.addProject(srv, g+"-"+p, p, ge))
		}
	}
	tagSets := [][]string{nil, {"linux"}, {"linux", "docker"}, {"windows"}, {"macos", "arm64"}, {"gpu", "linux", "cuda"}}
	statuses := []glrunnerstest.RunnerStatus{glrunnerstest.StatusOnline, glrunnerstest.StatusOnline, glrunnerstest.StatusOffline,
		glrunnerstest.StatusStale, glrunnerstest.StatusNeverContacted, glrunnerstest.StatusPaused}
	timeouts := []int64{0, 3600, 7200, 10800}
	for i := range n {
		r := glrunnerstest.Runner{
			Description: fmt.Sprintf("demo-%03d", i+1),
			TagList:     tagSets[rnd.IntN(len(tagSets))],
			Status:      statuses[rnd.IntN(len(statuses))],
			Locked:      rnd.IntN(4) == 0,
			CreatedBy:   1,
		}
		if len(r.TagList) > 0 && rnd.IntN(2) == 0 {
			r.RunUntagged = new(bool)
		}
		if rnd.IntN(5) == 0 {
			r.AccessLevel = glrunnerstest.RefProtected
		}
		if t := timeouts[rnd.IntN(len(timeouts))]; t > 0 {
			r.MaximumTimeout = &t
		}
		if rnd.IntN(6) == 0 {
			r.MaintenanceNote = "owner: team-" + groups[rnd.IntN(len(groups))].Path
		}
		switch rnd.IntN(3) {
		case 1:
			r.RunnerType, r.GroupID = glrunnerstest.GroupType, groups[rnd.IntN(len(groups))].ID
		case 2:
			r.RunnerType, r.ProjectIDs = glrunnerstest.ProjectType, []int64{projects[rnd.IntN(len(projects))].ID}
		}
		srv.AddRunner(r)
	}
}
