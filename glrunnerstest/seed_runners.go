package glrunnerstest

import (
	"crypto/sha1"
	"encoding/hex"
	"slices"
	"strconv"
	"time"
)

// AddRunner adds a runner and returns its ID. Unknown groups, projects or
// users, a duplicate ID or token, a value outside its type's constants and
// inconsistent values are misuse. A project runner with no ProjectIDs is
// allowed: it is orphaned.
func (s *Server) AddRunner(r Runner) int64 {
	s.t().Helper()
	st := s.lock()
	defer s.unlock()
	now := st.now()
	fail := func(format string, a ...any) { s.t().Helper(); s.misuse("AddRunner", format, a...) }
	if r.RunnerType == "" {
		r.RunnerType = InstanceType
	}
	switch r.RunnerType {
	case InstanceType:
		if r.GroupID != 0 || len(r.ProjectIDs) > 0 {
			fail("an instance runner has no GroupID or ProjectIDs")
		}
	case GroupType:
		if st.groups[r.GroupID] == nil || len(r.ProjectIDs) > 0 {
			fail("a group runner needs a known GroupID and no ProjectIDs (got group %d)", r.GroupID)
		}
	case ProjectType:
		if r.GroupID != 0 {
			fail("a project runner has no GroupID")
		}
		for _, pid := range r.ProjectIDs {
			if st.projects[pid] == nil {
				fail("unknown project %d", pid)
			}
		}
	default:
		fail("unknown RunnerType %q (want InstanceType, GroupType or ProjectType)", r.RunnerType)
	}
	if r.AccessLevel == "" {
		r.AccessLevel = NotProtected
	}
	if !r.AccessLevel.valid() {
		fail("unknown AccessLevel %q (want NotProtected or RefProtected)", r.AccessLevel)
	}
	if r.CreatedBy != 0 && st.users[r.CreatedBy] == nil {
		fail("unknown CreatedBy user %d", r.CreatedBy)
	}
	if r.ID != 0 && st.runners[r.ID] != nil {
		fail("duplicate ID %d", r.ID)
	}
	if r.RunUntagged == nil {
		r.RunUntagged = ptrTo(true)
	} else {
		r.RunUntagged = clonePtr(r.RunUntagged)
	}
	r.ContactedAt = utcPtr(r.ContactedAt)
	if r.ContactedAt == nil && r.Status != "" {
		if err := deriveTimes(now, r.Status, &r.CreatedAt, &r.ContactedAt); err != nil {
			fail("%v", err)
		}
		if r.Status == StatusPaused {
			r.Paused = true
		}
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	r.CreatedAt = r.CreatedAt.UTC()
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	r.Status = ""
	r.ProjectIDs = slices.Clone(r.ProjectIDs)
	r.TagList = slices.Clone(r.TagList)
	if r.TagList == nil {
		r.TagList = []string{}
	}
	r.MaximumTimeout = clonePtr(r.MaximumTimeout)
	r.TokenExpiresAt = utcPtr(r.TokenExpiresAt)
	if r.Token == "" {
		r.Token = newToken(runnerTokenPrefix(r.RunnerType, false))
	} else if _, dup := st.runnerTokens[r.Token]; dup {
		fail("duplicate Token")
	} else if !tokenPattern.MatchString(r.Token) {
		st.customTokens[r.Token] = true
	}
	r.ID = assignID(r.ID, &st.nextRunner)
	st.runners[r.ID] = &runner{Runner: r}
	st.runnerTokens[r.Token] = r.ID
	st.insertRunnerID(r.ID)
	return r.ID
}

// AddManager adds a manager (a host serving the runner) and returns its ID.
func (s *Server) AddManager(runnerID int64, m Manager) int64 {
	s.t().Helper()
	st := s.lock()
	defer s.unlock()
	r := st.runners[runnerID]
	if r == nil {
		s.misuse("AddManager", "unknown runner %d", runnerID)
	}
	if m.ID != 0 && st.managers[m.ID] != nil {
		s.misuse("AddManager", "duplicate ID %d", m.ID)
	}
	m.ID = assignID(m.ID, &st.nextManager)
	if m.SystemID == "" {
		sum := sha1.Sum([]byte("manager" + strconv.FormatInt(m.ID, 10)))
		m.SystemID = "s_" + hex.EncodeToString(sum[:6])
	}
	for _, other := range r.managers {
		if other.SystemID == m.SystemID {
			s.misuse("AddManager", "duplicate SystemID %s", m.SystemID)
		}
	}
	m.ContactedAt = utcPtr(m.ContactedAt)
	switch {
	case m.ContactedAt != nil:
	case m.Status == StatusPaused:
		s.misuse("AddManager", "a manager cannot be paused (Status %q)", m.Status)
	case m.Status != "":
		if err := deriveTimes(st.now(), m.Status, &m.CreatedAt, &m.ContactedAt); err != nil {
			s.misuse("AddManager", "%v", err)
		}
	default:
		m.ContactedAt = clonePtr(r.ContactedAt)
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = r.CreatedAt
	}
	m.CreatedAt = m.CreatedAt.UTC()
	m.Status = ""
	if m.ContactedAt != nil && (r.ContactedAt == nil || m.ContactedAt.After(*r.ContactedAt)) {
		r.ContactedAt = clonePtr(m.ContactedAt)
	}
	mg := &manager{Manager: m, runnerID: runnerID}
	st.managers[m.ID] = mg
	r.managers = append(r.managers, mg)
	slices.SortFunc(r.managers, func(a, b *manager) int { return cmpInt(a.ID, b.ID) })
	return m.ID
}

// AddJob records a job run by the runner and returns its ID.
func (s *Server) AddJob(runnerID int64, j Job) int64 {
	s.t().Helper()
	st := s.lock()
	defer s.unlock()
	r := st.runners[runnerID]
	fail := func(format string, a ...any) { s.t().Helper(); s.misuse("AddJob", format, a...) }
	if r == nil {
		fail("unknown runner %d", runnerID)
	}
	if j.ProjectID == 0 {
		j.ProjectID = r.ownerProject()
	}
	p := st.projects[j.ProjectID]
	if p == nil {
		fail("unknown project %d (ProjectID is required for instance and group runners)", j.ProjectID)
	}
	if j.Status == "" {
		j.Status = "success"
	}
	if !contains(jobStatuses, j.Status) {
		fail("unknown Status %q (want one of GitLab's job statuses, e.g. success, failed, running)", j.Status)
	}
	if j.UserID != 0 && st.users[j.UserID] == nil {
		fail("unknown user %d", j.UserID)
	}
	if j.ID != 0 && st.jobs[j.ID] != nil {
		fail("duplicate ID %d", j.ID)
	}
	j.ID = assignID(j.ID, &st.nextJob)
	if j.PipelineID == 0 {
		j.PipelineID = st.nextPipeline
	}
	j.PipelineID = assignID(j.PipelineID, &st.nextPipeline)
	if j.Stage == "" {
		j.Stage = "test"
	}
	if j.Name == "" {
		j.Name = "job"
	}
	if j.Ref == "" {
		j.Ref = p.DefaultBranch
	}
	if j.PipelineSource == "" {
		j.PipelineSource = "push"
	}
	if j.SHA == "" {
		sum := sha1.Sum([]byte("commit" + strconv.FormatInt(j.PipelineID, 10)))
		j.SHA = hex.EncodeToString(sum[:])
	}
	if j.CommitTitle == "" {
		j.CommitTitle = "Update " + j.Ref
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = st.now()
		if j.StartedAt != nil && j.StartedAt.Before(j.CreatedAt) {
			j.CreatedAt = j.StartedAt.Add(-5 * time.Second)
		}
	}
	j.CreatedAt = j.CreatedAt.UTC()
	j.StartedAt, j.FinishedAt, j.ErasedAt = utcPtr(j.StartedAt), utcPtr(j.FinishedAt), utcPtr(j.ErasedAt)
	j.Coverage, j.Duration, j.QueuedDuration = clonePtr(j.Coverage), clonePtr(j.Duration), clonePtr(j.QueuedDuration)
	if j.Status == "failed" && j.FailureReason == "" {
		j.FailureReason = "script_failure"
	}
	jb := &job{Job: j, runnerID: runnerID}
	st.jobs[j.ID] = jb
	r.jobs = append(r.jobs, jb)
	if n := len(r.jobs); n > 1 && r.jobs[n-2].ID > j.ID {
		slices.SortFunc(r.jobs, func(a, b *job) int { return cmpInt(a.ID, b.ID) })
	}
	return j.ID
}

// Runner returns a copy of the runner with its current token and computed
// Status.
func (s *Server) Runner(id int64) (Runner, bool) {
	st := s.lock()
	defer s.unlock()
	r := st.runners[id]
	if r == nil {
		return Runner{}, false
	}
	return copyRunner(st.now(), r), true
}

// Runners returns copies of all runners in ID order.
func (s *Server) Runners() []Runner {
	st := s.lock()
	defer s.unlock()
	now := st.now()
	out := make([]Runner, 0, len(st.runnerIDs))
	for _, id := range st.runnerIDs {
		out = append(out, copyRunner(now, st.runners[id]))
	}
	return out
}

// RunnerToken returns the runner's current authentication token ("" if the
// runner does not exist).
func (s *Server) RunnerToken(id int64) string {
	st := s.lock()
	defer s.unlock()
	if r := st.runners[id]; r != nil {
		return r.Token
	}
	return ""
}

// Managers returns copies of the runner's managers with computed Status.
func (s *Server) Managers(runnerID int64) []Manager {
	st := s.lock()
	defer s.unlock()
	r := st.runners[runnerID]
	if r == nil {
		return nil
	}
	out := make([]Manager, 0, len(r.managers))
	for _, m := range r.managers {
		c := m.Manager
		c.ContactedAt = clonePtr(m.ContactedAt)
		c.Status = managerStatus(st.now(), &m.Manager)
		out = append(out, c)
	}
	return out
}

func copyRunner(now time.Time, r *runner) Runner {
	c := r.Runner
	c.ProjectIDs = slices.Clone(r.ProjectIDs)
	c.TagList = slices.Clone(r.TagList)
	c.RunUntagged = clonePtr(r.RunUntagged)
	c.MaximumTimeout = clonePtr(r.MaximumTimeout)
	c.ContactedAt = clonePtr(r.ContactedAt)
	c.TokenExpiresAt = clonePtr(r.TokenExpiresAt)
	c.Status = runnerStatus(now, &r.Runner)
	return c
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

var jobStatuses = []string{"created", "waiting_for_resource", "preparing", "waiting_for_callback",
	"pending", "running", "success", "failed", "canceling", "canceled", "skipped", "manual", "scheduled"}
