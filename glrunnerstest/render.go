package glrunnerstest

import (
	"math"
	"net"
	"strconv"
	"strings"
	"time"
)

// Conversions from the model to the wire, applying what the caller may see.

func (c *call) userBasic(id int64) *wireUserBasic {
	u := c.st.users[id]
	if u == nil {
		return nil
	}
	return &wireUserBasic{ID: u.ID, Username: u.Username, PublicEmail: strOrNull(u.Email),
		Name: u.Name, State: u.State, WebURL: c.s.baseURL + "/" + u.Username}
}

func (c *call) userFull(id int64) *wireUser {
	b := c.userBasic(id)
	if b == nil {
		return nil
	}
	b.PublicEmail = ptrTo(c.st.users[id].Email)
	return &wireUser{wireUserBasic: *b, CreatedAt: wt(time.Unix(1577836800, 0))}
}

func jobExecutionStatus(jobs []*job, systemID string) string {
	for _, j := range jobs {
		if j.Status == "running" && (systemID == "" || j.SystemID == systemID) {
			return "active"
		}
	}
	return "idle"
}

func (c *call) runnerWire(r *runner) wireRunner {
	now := c.now()
	w := wireRunner{
		ID:                 r.ID,
		Description:        ptrTo(r.Description),
		Active:             !r.Paused,
		Paused:             r.Paused,
		IsShared:           r.RunnerType == InstanceType,
		RunnerType:         string(r.RunnerType),
		Name:               strOrNull(r.Name),
		CreatedAt:          wt(r.CreatedAt),
		Status:             string(runnerStatus(now, &r.Runner)),
		JobExecutionStatus: jobExecutionStatus(r.jobs, ""),
	}
	if r.ContactedAt != nil {
		w.Online = ptrTo(computeContact(now, r.CreatedAt, r.ContactedAt).online)
	}
	// ip_address stays null (GitLab 17+ sends null or ""); created_by is
	// left out for a runner nobody created through the API (UNCONFIRMED
	// whether GitLab sends null there instead).
	if r.CreatedBy != 0 {
		w.CreatedBy = c.userBasic(r.CreatedBy)
	}
	return w
}

func (c *call) runnerDetails(r *runner, includeProjects bool) wireRunnerDetails {
	d := wireRunnerDetails{
		wireRunner:     c.runnerWire(r),
		TagList:        append([]string{}, r.TagList...),
		RunUntagged:    r.RunUntagged == nil || *r.RunUntagged,
		Locked:         r.Locked,
		MaximumTimeout: clonePtr(r.MaximumTimeout),
		AccessLevel:    string(r.AccessLevel),
		ContactedAt:    wtp(r.ContactedAt),
		Groups:         []wireGroupDetails{},
	}
	// Deprecated version fields come from the most recently contacted manager.
	var latest *manager
	for _, m := range r.managers {
		if m.ContactedAt != nil && (latest == nil || m.ContactedAt.After(*latest.ContactedAt)) {
			latest = m
		}
	}
	if latest != nil {
		d.Version, d.Revision = strOrNull(latest.Version), strOrNull(latest.Revision)
		d.Platform, d.Architecture = strOrNull(latest.Platform), strOrNull(latest.Architecture)
	}
	if c.canUpdate(r) {
		d.MaintenanceNote = strOrNull(r.MaintenanceNote)
	}
	if includeProjects {
		ps := []wireProject{}
		for _, pid := range r.ProjectIDs {
			if c.canSeeProject(pid) {
				ps = append(ps, c.projectWire(c.st.projects[pid]))
			}
		}
		d.Projects = &ps
	}
	if r.RunnerType == GroupType && c.canSeeGroup(r.GroupID) {
		g := c.st.groups[r.GroupID]
		d.Groups = append(d.Groups, wireGroupDetails{ID: g.ID, Name: g.Name, WebURL: c.s.baseURL + "/groups/" + g.fullPath})
	}
	return d
}

func (c *call) projectIdentity(p *project) wireProjectIdentity {
	return wireProjectIdentity{
		ID:                p.ID,
		Description:       strOrNull(p.Description),
		Name:              p.Name,
		NameWithNamespace: c.st.fullGroupName(p.GroupID) + " / " + p.Name,
		Path:              p.Path,
		PathWithNamespace: p.fullPath,
		CreatedAt:         wt(p.CreatedAt),
	}
}

func (c *call) projectWire(p *project) wireProject {
	g := c.st.groups[p.GroupID]
	host := strings.TrimPrefix(c.s.baseURL, "http://")
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	topics := append([]string{}, p.Topics...)
	ns := wireNamespace{ID: g.ID, Name: g.Name, Path: g.Path, Kind: "group", FullPath: g.fullPath,
		WebURL: c.s.baseURL + "/groups/" + g.fullPath}
	if g.ParentID != 0 {
		ns.ParentID = ptrTo(g.ParentID)
	}
	return wireProject{
		wireProjectIdentity: c.projectIdentity(p),
		DefaultBranch:       p.DefaultBranch,
		TagList:             topics,
		Topics:              topics,
		SSHURLToRepo:        "git@" + host + ":" + p.fullPath + ".git",
		HTTPURLToRepo:       c.s.baseURL + "/" + p.fullPath + ".git",
		WebURL:              c.s.baseURL + "/" + p.fullPath,
		LastActivityAt:      wt(p.CreatedAt),
		Namespace:           ns,
	}
}

func (c *call) managerWire(r *runner, m *manager) wireManager {
	return wireManager{
		ID:                 m.ID,
		SystemID:           m.SystemID,
		Version:            strOrNull(m.Version),
		Revision:           strOrNull(m.Revision),
		Platform:           strOrNull(m.Platform),
		Architecture:       strOrNull(m.Architecture),
		CreatedAt:          wt(m.CreatedAt),
		ContactedAt:        wtp(m.ContactedAt),
		IPAddress:          strOrNull(m.IPAddress),
		Status:             string(managerStatus(c.now(), &m.Manager)),
		JobExecutionStatus: jobExecutionStatus(r.jobs, m.SystemID),
	}
}

func seconds(d time.Duration) *float64 {
	v := math.Round(d.Seconds()*1000) / 1000
	return &v
}

func (c *call) jobWire(j *job) wireJob {
	p := c.st.projects[j.ProjectID]
	projectURL := c.s.baseURL + "/" + p.fullPath
	w := wireJob{
		ID: j.ID, Status: j.Status, Stage: j.Stage, Name: j.Name, Ref: j.Ref, Tag: j.Tag,
		Coverage: clonePtr(j.Coverage), AllowFailure: j.AllowFailure,
		CreatedAt: wt(j.CreatedAt), StartedAt: wtp(j.StartedAt), FinishedAt: wtp(j.FinishedAt),
		ErasedAt: wtp(j.ErasedAt), Duration: clonePtr(j.Duration), QueuedDuration: clonePtr(j.QueuedDuration),
		WebURL:  projectURL + "/-/jobs/" + strconv.FormatInt(j.ID, 10),
		Project: c.projectIdentity(p),
	}
	if w.Duration == nil && j.StartedAt != nil {
		end := c.now()
		if j.FinishedAt != nil {
			end = *j.FinishedAt
		}
		w.Duration = seconds(end.Sub(*j.StartedAt))
	}
	if w.QueuedDuration == nil && j.StartedAt != nil {
		w.QueuedDuration = seconds(j.StartedAt.Sub(j.CreatedAt))
	}
	if j.UserID != 0 {
		w.User = c.userFull(j.UserID)
	}
	if j.Status == "failed" {
		w.FailureReason = ptrTo(j.FailureReason)
	}
	author, email := "GitLab Fake", "fake@example.test"
	if u := c.st.users[j.UserID]; u != nil {
		author, email = u.Name, u.Username+"@example.test"
	}
	w.Commit = &wireCommit{
		ID: j.SHA, ShortID: j.SHA[:min(8, len(j.SHA))], CreatedAt: wt(j.CreatedAt), ParentIDs: []string{},
		Title: j.CommitTitle, Message: j.CommitTitle + "\n", AuthorName: author, AuthorEmail: email,
		AuthoredDate: wt(j.CreatedAt), CommitterName: author, CommitterEmail: email, CommittedDate: wt(j.CreatedAt),
		Trailers: map[string]string{}, ExtendedTrailers: map[string][]string{},
		WebURL: projectURL + "/-/commit/" + j.SHA,
	}
	updated := j.CreatedAt
	if j.FinishedAt != nil {
		updated = *j.FinishedAt
	} else if j.StartedAt != nil {
		updated = *j.StartedAt
	}
	w.Pipeline = wirePipeline{ID: j.PipelineID, IID: j.PipelineID, ProjectID: j.ProjectID, SHA: j.SHA,
		Ref: j.Ref, Status: j.Status, Source: j.PipelineSource, CreatedAt: wt(j.CreatedAt), UpdatedAt: wt(updated),
		WebURL: projectURL + "/-/pipelines/" + strconv.FormatInt(j.PipelineID, 10)}
	return w
}
