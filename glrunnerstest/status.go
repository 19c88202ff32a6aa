package glrunnerstest

import (
	"fmt"
	"time"
)

// Thresholds of spec §10, the same for runners and managers.
const (
	onlineWindow = 2 * time.Hour
	staleAfter   = 7 * 24 * time.Hour
)

// contactState computes the §10 facts from created_at/contacted_at.
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
func runnerStatus(now time.Time, r *Runner) string {
	return contactStatus(computeContact(now, r.CreatedAt, r.ContactedAt), r.Paused)
}

// managerStatus follows the runner's order; managers cannot be paused.
func managerStatus(now time.Time, m *Manager) string {
	return contactStatus(computeContact(now, m.CreatedAt, m.ContactedAt), false)
}

func contactStatus(cs contactState, paused bool) string {
	switch {
	case cs.stale:
		return "stale"
	case cs.neverContacted:
		return "never_contacted"
	case paused:
		return "paused"
	case cs.online:
		return "online"
	}
	return "offline"
}

// matchesStatusFilter applies a status filter value (spec §10: offline
// includes stale runners that contacted; never_contacted includes stale ones
// that never did).
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
// want. It panics when an explicit createdAt makes that impossible.
func deriveTimes(now time.Time, what, want string, createdAt *time.Time, contactedAt **time.Time) {
	at := func(d time.Duration) *time.Time { t := now.Add(-d).UTC(); return &t }
	switch want {
	case "online", "paused":
		if createdAt.IsZero() {
			*createdAt = *at(24 * time.Hour)
		}
		*contactedAt = at(time.Minute)
	case "offline":
		if createdAt.IsZero() {
			*createdAt = *at(24 * time.Hour)
		}
		*contactedAt = at(3 * time.Hour)
	case "stale":
		if createdAt.IsZero() {
			*createdAt = *at(60 * 24 * time.Hour)
		}
		*contactedAt = at(10 * 24 * time.Hour)
		if createdAt.After(**contactedAt) {
			*contactedAt = nil
		}
	case "never_contacted":
		if createdAt.IsZero() {
			*createdAt = *at(time.Hour)
		}
	default:
		panic(fmt.Sprintf("glrunnerstest: %s: unknown Status %q", what, want))
	}
	cs := computeContact(now, *createdAt, *contactedAt)
	ok := map[string]bool{"online": cs.online && !cs.stale, "paused": cs.online && !cs.stale,
		"offline": cs.offline && !cs.stale, "stale": cs.stale,
		"never_contacted": cs.neverContacted && !cs.stale}[want]
	if !ok {
		panic(fmt.Sprintf("glrunnerstest: %s: CreatedAt %s cannot give Status %q", what, createdAt.Format(time.RFC3339), want))
	}
}
