package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMinorsBehind(t *testing.T) {
	for _, c := range []struct {
		newest, v string
		want      int
	}{
		{"18.3.1", "18.3.0", 0},
		{"18.3.1", "18.1.5", 2},
		{"18.3.1", "18.0.6", 3},
		{"18.0.0", "17.11.7", 1}, // 18.0 follows 17.11
		{"18.3.1", "17.11.7", 4},
		{"16.0.0", "15.11.1", 1},
		{"15.0.0", "14.10.0", 1}, // 14 ended at 14.10
		{"14.0.0", "13.12.0", 1}, // 13 ended at 13.12
		{"18.3.1", "v18.1.0", 2},
		{"18.4.0~pre.12.gabc", "18.3.0-rc1", 1},
		{"18.3.1", "18.4.0", 0}, // newer than "newest" is not behind
		{"18.3.1", "unknown", -1},
		{"18.3.1", "18", -1},
		{"", "18.3.1", -1},
	} {
		assert.Equal(t, c.want, minorsBehind(c.newest, c.v), "%s vs %s", c.v, c.newest)
	}
}

func TestSortVersions(t *testing.T) {
	vs := []string{"17.11.7", "unknown", "18.3.0", "9.5.0", "18.3.1", "18.10.0", "beta", "18.3.1-rc1"}
	sortVersions(vs)
	assert.Equal(t, []string{"18.10.0", "18.3.1", "18.3.1-rc1", "18.3.0", "17.11.7", "9.5.0", "beta", "unknown"}, vs)
}
