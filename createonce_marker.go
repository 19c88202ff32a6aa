package glrunners

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// A call marker is 128 random bits that a CreateOnce call writes into the
// runner it creates, so that the runner can be found again when the answer
// (and with it the ID and the token) is lost. GitLab has no idempotency
// key; the marker is the next best thing, and it is removed again before
// the call returns.
const (
	markerPrefix = "[glrunners:once:"
	markerSuffix = "]"

	// tagMarkerPrefix names the marker when it rides as a tag (spotTag),
	// where brackets and colons are best avoided.
	tagMarkerPrefix = "glrunners-once-"
)

// markedDescription matches a description that still carries a marker:
// the user's text (possibly cut to make room), a space, the marker.
var markedDescription = regexp.MustCompile(`^(?s)(.*?) ?\[glrunners:once:([0-9a-f]{32})\]$`)

func newMarker() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return markerPrefix + hex.EncodeToString(b[:]) + markerSuffix
}

// withMarker appends the marker to a description or note, cutting the
// user's text if both would pass GitLab's 1,024-character limit. The cut
// lasts only until the call restores the user's text.
func withMarker(text, marker string) string {
	if text == "" {
		return marker
	}
	room := maxTextLength - utf8.RuneCountInString(marker) - 1
	if utf8.RuneCountInString(text) > room {
		text = string([]rune(text)[:room])
	}
	return text + " " + marker
}

// markedBase returns the user's text in front of a marker, and whether
// desc carries one at all.
func markedBase(desc string) (string, bool) {
	m := markedDescription.FindStringSubmatch(desc)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// markerSpot is where a call's marker rides while the call is in flight.
// Only spotDescription is used by CreateOnce; the others exist so that
// tests can measure what each choice costs (see the package README).
type markerSpot int

const (
	// spotDescription: lists return descriptions, so one look is one walk
	// of the scope's never-contacted runners with the asked tags (one page
	// per 100 of them).
	spotDescription markerSpot = iota
	// spotNote: only runner details return the maintenance note, so a look
	// also GETs every listed runner whose description is the asked one.
	spotNote
	// spotTag: lists filter by tag, so a look is one request; but GitLab
	// keeps every tag it ever saw, the marker takes one of the 50 tag
	// slots, and tags steer job scheduling.
	spotTag
)

// markCreate returns a copy of opt carrying the marker at spot.
func (spot markerSpot) markCreate(opt *CreateRunnerOptions, marker string) *CreateRunnerOptions {
	o := *opt
	switch spot {
	case spotNote:
		o.MaintenanceNote = withMarker(opt.MaintenanceNote, marker)
	case spotTag:
		o.TagList = append(slices.Clone(opt.TagList), tagMarker(marker))
	default:
		o.Description = withMarker(opt.Description, marker)
	}
	return &o
}

// restore is the update that gives back the user's own value of the field
// the marker rode in.
func (spot markerSpot) restore(description, note string, tags []string) *UpdateRunnerOptions {
	switch spot {
	case spotNote:
		return &UpdateRunnerOptions{MaintenanceNote: Ptr(note)}
	case spotTag:
		return &UpdateRunnerOptions{TagList: append([]string{}, tags...)} // [] clears
	}
	return &UpdateRunnerOptions{Description: Ptr(description)}
}

// listTags is the tag filter of a look: the user's tags, plus the marker
// itself when it is a tag.
func (spot markerSpot) listTags(tags []string, marker string) []string {
	if spot == spotTag {
		return append(slices.Clone(tags), tagMarker(marker))
	}
	return tags
}

// listed reports whether a listed runner carries the marker, as far as
// the list can tell; spotNote needs the runner's details as well.
func (spot markerSpot) listed(r *Runner, marker, description string) bool {
	switch spot {
	case spotTag:
		return true // the list was filtered by the marker tag
	case spotNote:
		return r.Description != nil && *r.Description == description
	}
	return r.Description != nil && strings.Contains(*r.Description, marker)
}

func tagMarker(marker string) string {
	return tagMarkerPrefix + strings.TrimSuffix(strings.TrimPrefix(marker, markerPrefix), markerSuffix)
}
