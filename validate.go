package glrunners

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// GitLab's model limits (its ActiveRecord validations), checked before anything is sent.
const (
	maxTextLength     = 1024 // description, maintenance_note
	maxTags           = 50
	minMaximumTimeout = 600 // seconds
	maxSystemIDLength = 64
)

// checkEnum accepts the zero value ("not set") and any known value.
func checkEnum[E interface {
	~string
	Valid() bool
}](field string, v E) error {
	if v == "" || v.Valid() {
		return nil
	}
	return invalidArg(field, fmt.Sprintf("%q is not a known value", string(v)))
}

func checkText(field, s string) error {
	if n := utf8.RuneCountInString(s); n > maxTextLength {
		return invalidArg(field, fmt.Sprintf("is %d characters long; GitLab allows at most %d", n, maxTextLength))
	}
	return nil
}

func checkTextPtr(field string, s *string) error {
	if s == nil {
		return nil
	}
	return checkText(field, *s)
}

// checkTags refuses what GitLab would refuse (more than 50 tags) and what
// would be silently mangled: GitLab splits tag_list on commas, and drops
// empty tags.
func checkTags(tags []string) error {
	if len(tags) > maxTags {
		return invalidArg("tag_list", fmt.Sprintf("has %d tags; GitLab allows at most %d", len(tags), maxTags))
	}
	for _, t := range tags {
		if strings.TrimSpace(t) == "" {
			return invalidArg("tag_list", "contains an empty tag")
		}
		if strings.Contains(t, ",") {
			return invalidArg("tag_list", fmt.Sprintf("tag %q contains a comma, which GitLab reads as a separator", t))
		}
	}
	return nil
}

// checkListPage refuses negative page numbers and sizes. A PerPage above
// 100 is left to GitLab, which clamps it.
func checkListPage(lo ListOptions) error {
	switch {
	case lo.Page < 0:
		return invalidArg("page", "must not be negative")
	case lo.PerPage < 0:
		return invalidArg("per_page", "must not be negative")
	}
	return nil
}

func checkMaximumTimeout(p *int64) error {
	if p != nil && *p < minMaximumTimeout {
		return invalidArg("maximum_timeout", fmt.Sprintf("is %d seconds; GitLab needs at least %d", *p, minMaximumTimeout))
	}
	return nil
}

// checkVersionPrefix mirrors GitLab's check (^[\d.]+): the prefix must
// start with digits or dots, e.g. "17", "16.1", "15.0.".
func checkVersionPrefix(s string) error {
	if s == "" {
		return nil
	}
	if c := s[0]; (c < '0' || c > '9') && c != '.' {
		return invalidArg("version_prefix", fmt.Sprintf("%q must start with digits or dots, like \"17.9\"", s))
	}
	return nil
}

func checkToken(field string, s Secret) error {
	v := s.Reveal()
	if strings.TrimSpace(v) == "" {
		return invalidArg(field, "is empty")
	}
	if strings.ContainsAny(v, " \t\r\n") {
		return invalidArg(field, "contains whitespace")
	}
	return nil
}

func checkSystemID(s string) error {
	if utf8.RuneCountInString(s) > maxSystemIDLength {
		return invalidArg("system_id", fmt.Sprintf("is longer than %d characters", maxSystemIDLength))
	}
	return nil
}

func checkPositive(field string, id int64) error {
	if id <= 0 {
		return invalidArg(field, "must be a positive ID")
	}
	return nil
}

// firstError returns the first non-nil error, so that validate methods read
// as a list of rules.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// withRunnerToken marks a call to a runner-token endpoint (the token is in
// the body; the user's credential stays home). It copies opts so the
// caller's slice is never appended to.
func withRunnerToken(opts []RequestOption) []RequestOption {
	return append(opts[:len(opts):len(opts)], runnerTokenAuth)
}
