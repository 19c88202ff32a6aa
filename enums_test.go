package glrunners

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// enumType is what every enum type of the package implements.
type enumType interface {
	Valid() bool
	~string
}

// assertEnum asserts that every constant is valid and that near misses are not.
func assertEnum[E enumType](t *testing.T, consts ...E) {
	t.Helper()
	for _, c := range consts {
		assert.True(t, c.Valid(), "%T(%q)", c, string(c))
		assert.False(t, E(strings.ToUpper(string(c))).Valid(), "wrong case of %q", string(c))
		assert.False(t, E(" "+string(c)).Valid(), "padded %q", string(c))
	}
	for _, bad := range []string{"", "bogus", "null"} {
		assert.False(t, E(bad).Valid(), "%T(%q)", E(bad), bad)
	}
}

func TestEnumsValid(t *testing.T) {
	t.Parallel()
	assertEnum(t, InstanceType, GroupType, ProjectType)
	assertEnum(t, StatusOnline, StatusOffline, StatusStale, StatusNeverContacted, StatusActive, StatusPaused)
	assertEnum(t, NotProtected, RefProtected)
	assertEnum(t, JobCreated, JobWaitingForResource, JobPreparing, JobWaitingForCallback, JobPending,
		JobRunning, JobSuccess, JobFailed, JobCanceling, JobCanceled, JobSkipped, JobManual, JobScheduled)
	assertEnum(t, JobExecutionActive, JobExecutionIdle)
}

func TestEnumValues(t *testing.T) {
	t.Parallel()
	// The wire spellings, written out: a typo in a constant would pass Valid.
	assert.Equal(t, []RunnerType{"instance_type", "group_type", "project_type"},
		[]RunnerType{InstanceType, GroupType, ProjectType})
	assert.Equal(t, []RunnerStatus{"online", "offline", "stale", "never_contacted", "active", "paused"},
		[]RunnerStatus{StatusOnline, StatusOffline, StatusStale, StatusNeverContacted, StatusActive, StatusPaused})
	assert.Equal(t, []AccessLevel{"not_protected", "ref_protected"}, []AccessLevel{NotProtected, RefProtected})
	assert.Equal(t, []JobStatus{"created", "waiting_for_resource", "preparing", "waiting_for_callback",
		"pending", "running", "success", "failed", "canceling", "canceled", "skipped", "manual", "scheduled"},
		[]JobStatus{JobCreated, JobWaitingForResource, JobPreparing, JobWaitingForCallback, JobPending,
			JobRunning, JobSuccess, JobFailed, JobCanceling, JobCanceled, JobSkipped, JobManual, JobScheduled})
	assert.Equal(t, []JobExecutionStatus{"active", "idle"}, []JobExecutionStatus{JobExecutionActive, JobExecutionIdle})

	// Each type rejects the values of the others.
	assert.False(t, RunnerStatus("idle").Valid())
	assert.False(t, JobExecutionStatus("online").Valid())
	assert.False(t, JobStatus("paused").Valid())
}
