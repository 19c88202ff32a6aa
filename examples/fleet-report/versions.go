package main

import (
	"slices"
	"strconv"
	"strings"

	"github.com/glrunners/glrunners"
)

// unknownVersion stands for a manager that reported no version.
const unknownVersion = "unknown"

// version is a runner version's numbers; ok is false for a string that
// does not start with major.minor.
type version struct {
	major, minor, patch int
	ok                  bool
}

// parseVersion reads "18.3.1", "v17.11.0", "18.4.0~pre.123.gabcdef" or
// "18.2.0-rc1": the leading numbers are what matter.
func parseVersion(s string) version {
	s = strings.TrimPrefix(s, "v")
	var nums [3]int
	for i := range nums {
		end := 0
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
		}
		if end == 0 {
			return version{ok: i >= 2, major: nums[0], minor: nums[1]}
		}
		nums[i], _ = strconv.Atoi(s[:end])
		s = s[end:]
		if i < 2 {
			if !strings.HasPrefix(s, ".") {
				return version{ok: i == 1, major: nums[0], minor: nums[1]}
			}
			s = s[1:]
		}
	}
	return version{major: nums[0], minor: nums[1], patch: nums[2], ok: true}
}

// compare orders versions oldest first; unparseable ones come before all.
func (v version) compare(w version) int {
	switch {
	case v.ok != w.ok:
		if v.ok {
			return 1
		}
		return -1
	case v.major != w.major:
		return v.major - w.major
	case v.minor != w.minor:
		return v.minor - w.minor
	}
	return v.patch - w.patch
}

// minorsPerMajor counts GitLab's monthly minor releases per major where
// they were not twelve (x.0 to x.11, every major since 15).
var minorsPerMajor = map[int]int{12: 11, 13: 13, 14: 11}

// releaseIndex numbers a major.minor in release order, so that the
// distance between two is the number of monthly releases between them
// (18.0 follows 17.11 directly).
func (v version) releaseIndex() int {
	n := 0
	for m := 1; m < v.major; m++ {
		if k, ok := minorsPerMajor[m]; ok {
			n += k
		} else {
			n += 12
		}
	}
	return n + v.minor
}

// minorsBehind is how many minor releases v trails newest by; -1 when
// either cannot be read.
func minorsBehind(newest, v string) int {
	n, w := parseVersion(newest), parseVersion(v)
	if !n.ok || !w.ok {
		return -1
	}
	return max(n.releaseIndex()-w.releaseIndex(), 0)
}

// versionOf is the manager's version, or unknownVersion.
func versionOf(m *glrunners.RunnerManager) string {
	if m.Version == nil || strings.TrimSpace(*m.Version) == "" {
		return unknownVersion
	}
	return strings.TrimSpace(*m.Version)
}

// sortVersions sorts newest first; unknown and unparseable versions last,
// by name.
func sortVersions(vs []string) {
	slices.SortFunc(vs, func(a, b string) int {
		if c := parseVersion(b).compare(parseVersion(a)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
}
