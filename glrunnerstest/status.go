package glrunnerstest

import (
	"fmt"
	"time"
)

// GitLab's contact thresholds, the same for runners and managers: online
// means contacted within onlineWindow; stale means created, and last
// contacted, staleAfter ago or more.
const (
	onlineWindow = 2 * time.Hour
	staleAfter   = 7 * 24 * time.Hour
)

// contactState holds the facts the status and the status filters derive
// from created_at/contacted_at.
type contactState struct {
	online, offline, neverContacted, stale bool
}

func computeContact(now, createdAt time.Time, contactedAt *time.Time) contactState {
	var cs contactState
	cs.neverContacted = contactedAt == nil
	if contactedAt != nil {
		cs.online = contactedAt.After(now.Add(-onlineWindow))
		cs.offline = !cs.online
	}
	last := createdAt
	if contactedAt != nil && contactedAt.After(last) {
		last = *contactedAt
	}
	cs.stale = !createdAt.IsZero() && !last.After(now.Add(-staleAfter))
	return cs
}

// runnerStatus is the response value: stale, never_contacted, then
// online/offline unless paused, else paused.
func runnerStatus(now time.Time, r *Runner) RunnerStatus {
	return contactStatus(computeContact(now, r.CreatedAt, r.ContactedAt), r.Paused)
}

// managerStatus follows the runner's order; managers cannot be paused.
func managerStatus(now time.Time, m *Manager) RunnerStatus {
	return contactStatus(computeContact(now, m.CreatedAt, m.ContactedAt), false)
}

func contactStatus(cs contactState, paused bool) RunnerStatus {
	switch {
	case cs.stale:
		return StatusStale
	case cs.neverContacted:
		return StatusNeverContacted
	case paused:
		return StatusPaused
	case cs.online:
		return StatusOnline
	}
	return StatusOffline
}

// matchesStatusFilter applies a status filter value as GitLab does: offline
// includes stale runners that contacted; never_contacted includes stale ones
// that never did.
func matchesStatusFilter(now time.Time, r *Runner, status string) bool {
	cs := computeContact(now, r.CreatedAt, r.ContactedAt)
	switch status {
	case "online":
		return cs.online
	case "offline":
		return cs.offline
	case "never_contacted":
		return cs.neverContacted
	case "stale":
		return cs.stale
	case "active":
		return !r.Paused
	case "paused":
		return r.Paused
	}
	return false
}

// deriveTimes fills createdAt/contactedAt so that the computed status equals
// want. It reports an unknown status, or an explicit createdAt that makes
// the status impossible.
func deriveTimes(now time.Time, want RunnerStatus, createdAt *time.Time, contactedAt **time.Time) error {
	at := func(d time.Duration) *time.Time { t := now.Add(-d).UTC(); return &t }
	switch want {
	case StatusOnline, StatusPaused:
		if createdAt.IsZero() {
			*createdAt = *at(24 * time.Hour)
		}
		*contactedAt = at(time.Minute)
	case StatusOffline:
		if createdAt.IsZero() {
			*createdAt = *at(24 * time.Hour)
		}
		*contactedAt = at(3 * time.Hour)
	case StatusStale:
		if createdAt.IsZero() {
			*createdAt = *at(60 * 24 * time.Hour)
		}
		*contactedAt = at(10 * 24 * time.Hour)
		if createdAt.After(**contactedAt) {
			*contactedAt = nil
		}
	case StatusNeverContacted:
		if createdAt.IsZero() {
			*createdAt = *at(time.Hour)
		}
	default:
		return fmt.Errorf("unknown Status %q (want one of the Status constants)", want)
	}
	if got := contactStatus(computeContact(now, *createdAt, *contactedAt), want == StatusPaused); got != want {
		return fmt.Errorf("CreatedAt %s cannot give Status %q", createdAt.Format(time.RFC3339), want)
	}
	return nil
}
