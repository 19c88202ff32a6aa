package glrunnerstest

import (
	"slices"
	"time"
)

// Eventual consistency: a create that is still committing (SetCommitDelay)
// and list endpoints served from a lagging replica (SetListLag). Both are
// measured on the wall clock, not the clock of WithNow/SetNow, because they
// model the time a real server takes, which a test's fixed clock would
// freeze forever.

// SetCommitDelay makes every runner created through the API (POST
// /user/runners and POST /runners) invisible to every read until d of wall
// time has passed since its creation: GET, PUT and DELETE /runners/:id and
// its sub-resources, assignment, every list, and the runner-token
// endpoints (verify, reset, delete) answer as for a runner that does not
// exist. The runner's ID is taken at once, and Runner and Runners show it.
// Together with an AfterApply fault on the create, this is a proxy that
// answers 502 while GitLab is still committing.
//
// The delay is read at request time: changing it (0 turns it off) applies
// to runners created before the change as well. Seeded runners are never
// delayed.
func (s *Server) SetCommitDelay(d time.Duration) {
	st := s.lock()
	defer s.unlock()
	st.commitDelay = max(d, 0)
}

// SetListLag makes the list endpoints (GET /runners, /runners/all,
// /projects/:id/runners and /groups/:id/runners) answer as a read replica d
// behind: runners created through the API less than d ago are missing, and
// a runner changed by PUT /runners/:id or by (un)assignment less than d ago
// is listed, and filtered, as it was before those changes. Deletions show
// at once. Single-runner reads (GET /runners/:id) are always current.
//
// Like SetCommitDelay it is wall time read at request time; 0 turns it off.
// Changes are recorded only while a lag is set.
func (s *Server) SetListLag(d time.Duration) {
	st := s.lock()
	defer s.unlock()
	st.listLag = max(d, 0)
}

// revision is a runner as it was until replacedAt (wall time).
type revision struct {
	Runner
	replacedAt time.Time
}

// committed reports whether an API-created runner is visible yet.
func (st *state) committed(r *runner, wall time.Time) bool {
	return r.createdWall.IsZero() || !wall.Before(r.createdWall.Add(st.commitDelay))
}

// runner finds a runner by ID the way handlers must: one still committing
// does not exist.
func (st *state) runner(id int64) *runner {
	r := st.runners[id]
	if r == nil || !st.committed(r, time.Now()) {
		return nil
	}
	return r
}

// listView is the runner as a lagging replica shows it, or nil when the
// replica does not have it yet. The view is a shallow copy: read only.
func (st *state) listView(r *runner, wall time.Time) *runner {
	if !st.committed(r, wall) {
		return nil
	}
	if st.listLag <= 0 {
		return r
	}
	if !r.createdWall.IsZero() && wall.Before(r.createdWall.Add(st.listLag)) {
		return nil
	}
	cutoff := wall.Add(-st.listLag)
	for _, rev := range r.revisions {
		if rev.replacedAt.After(cutoff) {
			v := *r
			v.Runner = rev.Runner
			return &v
		}
	}
	return r
}

// remember records the runner as it is before a change that lists should
// show late. Revisions the replica has caught up with are dropped.
func (st *state) remember(r *runner) {
	if st.listLag <= 0 {
		r.revisions = nil
		return
	}
	wall := time.Now()
	cutoff := wall.Add(-st.listLag)
	r.revisions = slices.DeleteFunc(r.revisions, func(rev revision) bool { return !rev.replacedAt.After(cutoff) })
	snap := r.Runner
	snap.TagList = slices.Clone(snap.TagList)
	snap.ProjectIDs = slices.Clone(snap.ProjectIDs) // unassign deletes in place
	r.revisions = append(r.revisions, revision{Runner: snap, replacedAt: wall})
}
