package glrunners

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
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

// markCreate returns a copy of opt whose description carries the marker.
//
// Why the description: lists return it, so one look is one walk of the
// scope's never-contacted runners with the asked tags (one page per 100 of
// them). The maintenance note is not listed, so a look would also GET
// every candidate; a tag would make a look one filtered request, but
// GitLab keeps every tag it has ever seen, the marker would take one of
// the 50 tag slots, and tags steer job scheduling.
func markCreate(opt *CreateRunnerOptions, marker string) *CreateRunnerOptions {
	o := *opt
	o.Description = withMarker(opt.Description, marker)
	return &o
}

// carriesMarker reports whether a listed runner carries the marker.
func carriesMarker(r *Runner, marker string) bool {
	return r.Description != nil && strings.Contains(*r.Description, marker)
}
