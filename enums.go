package glrunners

import "slices"

// RunnerType says at which level a runner is registered.
type RunnerType string

// Runner types, as GitLab spells them.
const (
	InstanceType RunnerType = "instance_type" // shared by every project of the instance
	GroupType    RunnerType = "group_type"    // serves the projects of one group and its subgroups
	ProjectType  RunnerType = "project_type"  // serves the projects it is assigned to
)

// Valid reports whether t is one of the runner types GitLab knows.
func (t RunnerType) Valid() bool {
	return slices.Contains([]RunnerType{InstanceType, GroupType, ProjectType}, t)
}

// RunnerStatus is the status GitLab reports for a runner or a runner manager,
// and the value of the status filter of the list endpoints.
//
// A runner's status is a summary computed as: stale, else never_contacted,
// else online/offline when not paused, else paused. For decisions, read
// [Runner.Paused] and [Runner.Online] instead.
type RunnerStatus string

// Runner statuses.
const (
	StatusOnline         RunnerStatus = "online"          // contacted within the last 2 hours
	StatusOffline        RunnerStatus = "offline"         // last contact 2 hours ago or earlier
	StatusStale          RunnerStatus = "stale"           // created 7+ days ago and silent for 7+ days
	StatusNeverContacted RunnerStatus = "never_contacted" // no contact recorded yet

	// Active filters on runners that are not paused.
	//
	// Deprecated: use ListRunnersOptions.Paused set to false.
	StatusActive RunnerStatus = "active"

	// Paused filters on paused runners. GitLab still returns it as the
	// status of a paused runner that is neither stale nor never contacted.
	//
	// Deprecated: use ListRunnersOptions.Paused set to true, and Runner.Paused
	// to read the flag.
	StatusPaused RunnerStatus = "paused"
)

// Valid reports whether s is a status GitLab sends or accepts, the
// deprecated ones included: responses still carry "paused".
func (s RunnerStatus) Valid() bool {
	return slices.Contains([]RunnerStatus{
		StatusOnline, StatusOffline, StatusStale, StatusNeverContacted,
		StatusActive, StatusPaused,
	}, s)
}

// AccessLevel says which refs a runner picks jobs for.
type AccessLevel string

// Access levels.
const (
	NotProtected AccessLevel = "not_protected" // jobs of any ref
	RefProtected AccessLevel = "ref_protected" // only jobs of protected branches and tags
)

// Valid reports whether l is one of the access levels GitLab knows.
func (l AccessLevel) Valid() bool {
	return slices.Contains([]AccessLevel{NotProtected, RefProtected}, l)
}

// JobStatus is the status of a CI job. Pipelines use the same set of values.
type JobStatus string

// Job statuses: every value GitLab validates the status filter of
// GET /runners/:id/jobs against.
const (
	JobCreated            JobStatus = "created"
	JobWaitingForResource JobStatus = "waiting_for_resource"
	JobPreparing          JobStatus = "preparing"
	JobWaitingForCallback JobStatus = "waiting_for_callback" // GitLab 18.x and later
	JobPending            JobStatus = "pending"
	JobRunning            JobStatus = "running"
	JobSuccess            JobStatus = "success"
	JobFailed             JobStatus = "failed"
	JobCanceling          JobStatus = "canceling" // GitLab 18.x and later
	JobCanceled           JobStatus = "canceled"
	JobSkipped            JobStatus = "skipped"
	JobManual             JobStatus = "manual"
	JobScheduled          JobStatus = "scheduled"
)

// Valid reports whether s is a job status GitLab knows. An older server
// rejects waiting_for_callback and canceling as filters with 400.
func (s JobStatus) Valid() bool {
	return slices.Contains([]JobStatus{
		JobCreated, JobWaitingForResource, JobPreparing, JobWaitingForCallback,
		JobPending, JobRunning, JobSuccess, JobFailed, JobCanceling, JobCanceled,
		JobSkipped, JobManual, JobScheduled,
	}, s)
}

// JobExecutionStatus says whether a runner or manager is running a job.
type JobExecutionStatus string

// Job execution statuses.
const (
	JobExecutionActive JobExecutionStatus = "active" // at least one running job; canceling jobs do not count
	JobExecutionIdle   JobExecutionStatus = "idle"
)

// Valid reports whether s is a job execution status GitLab knows.
func (s JobExecutionStatus) Valid() bool {
	return slices.Contains([]JobExecutionStatus{JobExecutionActive, JobExecutionIdle}, s)
}
