package demofleet

import (
	"fmt"
	"time"

	"github.com/glrunners/glrunners/glrunnerstest"
)

// jobKinds are the stage/name pairs of the demo pipelines.
var jobKinds = [][2]string{
	{"build", "compile"}, {"build", "docker-image"}, {"test", "unit"}, {"test", "integration"},
	{"test", "lint"}, {"deploy", "staging"}, {"deploy", "production"},
}

// addJobs records n finished jobs that ended before the runner's last
// contact; the newest is still running when the runner is online.
func (s *seeder) addJobs(runnerID int64, p pool, systemIDs []string, contacted time.Time, online bool, n int) {
	projects := s.projectsUnder(p.owner)
	if p.typ == glrunnerstest.ProjectType {
		projects = []int64{s.projects[p.owner]}
	}
	specs := make([]jobSpec, n)
	end := contacted
	for i := range specs {
		status := pick(s.rnd, "success", "success", "success", "success", "success", "failed", "failed", "canceled")
		if online && i == 0 && s.rnd.IntN(3) == 0 {
			status = "running"
		}
		took := s.between(40*time.Second, 25*time.Minute)
		specs[i] = jobSpec{
			project: pick(s.rnd, projects...), systemID: pick(s.rnd, systemIDs...),
			status: status, end: end, took: took,
		}
		end = end.Add(-took - s.between(time.Minute, 6*time.Hour))
	}
	s.addJobsOldestFirst(runnerID, specs)
}

// addJobsOldestFirst adds jobs planned newest first in the order they
// would have been created, so that job IDs grow with time as in GitLab.
func (s *seeder) addJobsOldestFirst(runnerID int64, newestFirst []jobSpec) {
	for i := len(newestFirst) - 1; i >= 0; i-- {
		s.addJob(runnerID, newestFirst[i])
	}
}

// jobSpec is what varies between seeded jobs.
type jobSpec struct {
	project  int64
	systemID string
	status   string
	end      time.Time // finish time, or now for a running job
	took     time.Duration
	kind     [2]string // stage, name; random when empty
	ref      string    // random when empty
}

func (s *seeder) addJob(runnerID int64, j jobSpec) {
	if j.kind == ([2]string{}) {
		j.kind = pick(s.rnd, jobKinds...)
	}
	if j.ref == "" {
		j.ref = pick(s.rnd, "main", "main", "main", fmt.Sprintf("feature/%d-%s", 100+s.rnd.IntN(900), j.kind[1]))
	}
	started := j.end.Add(-j.took)
	queued := s.between(time.Second, 90*time.Second).Seconds()
	job := glrunnerstest.Job{
		Status:         j.status,
		Stage:          j.kind[0],
		Name:           j.kind[1],
		Ref:            j.ref,
		ProjectID:      j.project,
		SystemID:       j.systemID,
		UserID:         pick(s.rnd, s.users...),
		CreatedAt:      started.Add(-time.Duration(queued * float64(time.Second))),
		StartedAt:      &started,
		QueuedDuration: &queued,
	}
	if j.status != "running" {
		job.FinishedAt = &j.end
	}
	s.srv.AddJob(runnerID, job)
}

// seedShowcase adds the runner the quickstart looks at in detail: an online
// instance runner on two hosts with a dozen jobs behind it.
func (s *seeder) seedShowcase() int64 {
	timeout := int64(3600)
	id := s.srv.AddRunner(glrunnerstest.Runner{
		Description:    "shared-linux-amd64-primary",
		Name:           "ci-linux-01",
		TagList:        []string{"docker", "linux", "amd64"},
		MaximumTimeout: &timeout,
		CreatedBy:      1,
		CreatedAt:      Now.Add(-183 * day),
		ContactedAt:    ago(42 * time.Second),
	})
	h := host{"linux", "amd64", "linux"}
	systemIDs := s.addManagers(id, h, Now.Add(-42*time.Second), "18.1.1", 2)
	end := Now.Add(-42 * time.Second)
	projects := s.projectsUnder("acme")
	specs := make([]jobSpec, 12)
	for i := range specs {
		status := pick(s.rnd, "success", "success", "success", "failed")
		if i == 0 {
			status = "running"
		}
		took := s.between(2*time.Minute, 14*time.Minute)
		specs[i] = jobSpec{
			project: projects[i%len(projects)], systemID: systemIDs[i%2], status: status,
			end: end, took: took, kind: jobKinds[i%len(jobKinds)],
		}
		end = end.Add(-took - s.between(time.Minute, 50*time.Minute))
	}
	s.addJobsOldestFirst(id, specs)
	return id
}
