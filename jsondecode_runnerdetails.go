package glrunners

import "time"

// A runner's details (Get, Update) are the other body the SDK decodes on a
// hot path: a fleet audit gets every runner it lists. scanRunnerDetails
// reads them with the readers of runnerScanner (jsondecode_scanner.go),
// under the same rule: it decodes only what it understands completely, as
// encoding/json does, and gives up on anything else, which the general
// decoder then decodes.

// scanRunnerDetails decodes data, a runner's details, into out and reports
// whether it could; out must be zero, and is left as it is when the scanner
// gives up.
func scanRunnerDetails(data []byte, out *RunnerDetails) bool {
	s := runnerScanners.Get().(*runnerScanner)
	s.data, s.pos = data, 0
	var d RunnerDetails
	ok := s.skipSpaceTo('{') && s.details(&d) && s.atEnd()
	if ok {
		s.flushText()
		*out = d
	}
	s.reset()
	runnerScanners.Put(s)
	return ok
}

// detailsPointees are the values a RunnerDetails' pointer fields point to,
// in one allocation.
type detailsPointees struct {
	runnerPointees
	maximumTimeout                                             int64
	version, revision, platform, architecture, maintenanceNote string
	contactedAt                                                time.Time
}

// projectPointees are the values a Project's pointer fields point to.
type projectPointees struct {
	description, defaultBranch, readmeURL, avatarURL string
	namespaceParentID                                int64
	namespaceAvatarURL                               string
}

// The keys of the types below, beyond Runner's, in field order: the bit of
// key i in a set of keys seen is 1<<i (detailsKeys: 1<<(13+i), after
// Runner's). TestScanRunnerDetails_keys holds them to the types.
var (
	detailsKeys = []string{"tag_list", "run_untagged", "locked", "maximum_timeout", "access_level",
		"version", "revision", "platform", "architecture", "contacted_at", "maintenance_note", "projects", "groups"}
	projectKeys = []string{"id", "description", "name", "name_with_namespace", "path", "path_with_namespace",
		"created_at", "default_branch", "tag_list", "topics", "ssh_url_to_repo", "http_url_to_repo", "web_url",
		"readme_url", "forks_count", "avatar_url", "star_count", "last_activity_at", "namespace", "repository_storage"}
	namespaceKeys = []string{"id", "name", "path", "kind", "full_path", "parent_id", "avatar_url", "web_url"}
	groupKeys     = []string{"id", "web_url", "name"}

	runnerDetailsKeys = append(runnerKeys[:len(runnerKeys):len(runnerKeys)], detailsKeys...)
)

func (s *runnerScanner) details(d *RunnerDetails) bool {
	p := new(detailsPointees)
	return s.object(runnerDetailsKeys, func(key []byte) (uint64, bool) {
		if bit, ok := s.runnerField(key, &d.Runner, &p.runnerPointees); bit != 0 {
			return bit, ok
		}
		const first = 13 // the bit of detailsKeys[0]: Runner's keys come first
		switch string(key) {
		case "tag_list":
			return 1 << (first + 0), s.stringList(&d.TagList)
		case "run_untagged":
			return 1 << (first + 1), s.boolValue(&d.RunUntagged)
		case "locked":
			return 1 << (first + 2), s.boolValue(&d.Locked)
		case "maximum_timeout":
			return 1 << (first + 3), s.optInt(&p.maximumTimeout, &d.MaximumTimeout)
		case "access_level":
			return 1 << (first + 4), s.enumValue((*string)(&d.AccessLevel))
		case "version":
			return 1 << (first + 5), s.optString(&p.version, &d.Version)
		case "revision":
			return 1 << (first + 6), s.optString(&p.revision, &d.Revision)
		case "platform":
			return 1 << (first + 7), s.optString(&p.platform, &d.Platform)
		case "architecture":
			return 1 << (first + 8), s.optString(&p.architecture, &d.Architecture)
		case "contacted_at":
			return 1 << (first + 9), s.optTime(&p.contactedAt, &d.ContactedAt)
		case "maintenance_note":
			return 1 << (first + 10), s.optString(&p.maintenanceNote, &d.MaintenanceNote)
		case "projects":
			return 1 << (first + 11), s.projects(&d.Projects)
		case "groups":
			return 1 << (first + 12), s.groups(&d.Groups)
		}
		return 0, true
	})
}

func (s *runnerScanner) project(pr *Project, p *projectPointees) bool {
	return s.object(projectKeys, func(key []byte) (uint64, bool) {
		switch string(key) {
		case "id":
			return 1 << 0, s.intValue(&pr.ID)
		case "description":
			return 1 << 1, s.optString(&p.description, &pr.Description)
		case "name":
			return 1 << 2, s.stringValue(&pr.Name)
		case "name_with_namespace":
			return 1 << 3, s.stringValue(&pr.NameWithNamespace)
		case "path":
			return 1 << 4, s.stringValue(&pr.Path)
		case "path_with_namespace":
			return 1 << 5, s.stringValue(&pr.PathWithNamespace)
		case "created_at":
			return 1 << 6, s.timeValue(&pr.CreatedAt)
		case "default_branch":
			return 1 << 7, s.optString(&p.defaultBranch, &pr.DefaultBranch)
		case "tag_list":
			return 1 << 8, s.stringList(&pr.TagList)
		case "topics":
			return 1 << 9, s.stringList(&pr.Topics)
		case "ssh_url_to_repo":
			return 1 << 10, s.stringValue(&pr.SSHURLToRepo)
		case "http_url_to_repo":
			return 1 << 11, s.stringValue(&pr.HTTPURLToRepo)
		case "web_url":
			return 1 << 12, s.stringValue(&pr.WebURL)
		case "readme_url":
			return 1 << 13, s.optString(&p.readmeURL, &pr.ReadmeURL)
		case "forks_count":
			return 1 << 14, s.intValue(&pr.ForksCount)
		case "avatar_url":
			return 1 << 15, s.optString(&p.avatarURL, &pr.AvatarURL)
		case "star_count":
			return 1 << 16, s.intValue(&pr.StarCount)
		case "last_activity_at":
			return 1 << 17, s.timeValue(&pr.LastActivityAt)
		case "namespace":
			return 1 << 18, s.namespace(&pr.Namespace, p)
		case "repository_storage":
			return 1 << 19, s.stringValue(&pr.RepositoryStorage)
		}
		return 0, true
	})
}

// namespace reads a Namespace, a value: null leaves it as it is.
func (s *runnerScanner) namespace(ns *Namespace, p *projectPointees) bool {
	if s.data[s.pos] == 'n' {
		return s.literal("null")
	}
	return s.object(namespaceKeys, func(key []byte) (uint64, bool) {
		switch string(key) {
		case "id":
			return 1 << 0, s.intValue(&ns.ID)
		case "name":
			return 1 << 1, s.stringValue(&ns.Name)
		case "path":
			return 1 << 2, s.stringValue(&ns.Path)
		case "kind":
			return 1 << 3, s.stringValue(&ns.Kind)
		case "full_path":
			return 1 << 4, s.stringValue(&ns.FullPath)
		case "parent_id":
			return 1 << 5, s.optInt(&p.namespaceParentID, &ns.ParentID)
		case "avatar_url":
			return 1 << 6, s.optString(&p.namespaceAvatarURL, &ns.AvatarURL)
		case "web_url":
			return 1 << 7, s.stringValue(&ns.WebURL)
		}
		return 0, true
	})
}

func (s *runnerScanner) group(g *Group) bool {
	return s.object(groupKeys, func(key []byte) (uint64, bool) {
		switch string(key) {
		case "id":
			return 1 << 0, s.intValue(&g.ID)
		case "web_url":
			return 1 << 1, s.stringValue(&g.WebURL)
		case "name":
			return 1 << 2, s.stringValue(&g.Name)
		}
		return 0, true
	})
}

// projects reads a []Project: null leaves it nil, [] makes it empty, a
// null item is a zero Project, as in encoding/json.
func (s *runnerScanner) projects(dst *[]Project) bool {
	n, ok := s.list()
	if !ok || n < 0 {
		return ok
	}
	list, pointees := make([]Project, n), make([]projectPointees, n)
	*dst = list
	return s.eachItem(func(i int) bool { return s.project(&list[i], &pointees[i]) })
}

// groups reads a []Group as projects reads a []Project.
func (s *runnerScanner) groups(dst *[]Group) bool {
	n, ok := s.list()
	if !ok || n < 0 {
		return ok
	}
	list := make([]Group, n)
	*dst = list
	return s.eachItem(func(i int) bool { return s.group(&list[i]) })
}

// stringList reads a []string as projects reads a []Project; a null item
// is "".
func (s *runnerScanner) stringList(dst *[]string) bool {
	n, ok := s.list()
	if !ok || n < 0 {
		return ok
	}
	list := make([]string, n)
	*dst = list
	return s.eachItem(func(i int) bool { return s.stringValue(&list[i]) })
}
