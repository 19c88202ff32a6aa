package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/glrunners/glrunners"
)

// The charts of the report, drawn from the report's numbers and nothing
// else.

// maxBars caps the owner and tag charts; the JSON output has every row.
const maxBars = 20

var typeSeries = []series{
	{Name: "instance", Class: "t-instance"}, {Name: "group", Class: "t-group"}, {Name: "project", Class: "t-project"},
}

var staleSeries = []series{
	{Name: "stale", Class: "k-stale"},
	{Name: "stale, never contacted", Class: "k-stale-never"},
	{Name: "new, not contacted yet", Class: "k-never"},
}

// statusNames are the words the report uses for each status.
var statusNames = map[glrunners.RunnerStatus]string{
	glrunners.StatusOnline: "online", glrunners.StatusOffline: "offline",
	glrunners.StatusStale: "stale", glrunners.StatusNeverContacted: "never contacted",
}

func statusChart(rows []statusRow) chart {
	in := make([]barInput, len(rows))
	for i, r := range rows {
		in[i] = barInput{Label: statusNames[r.Status], Values: []int{r.Instance, r.Group, r.Project}}
	}
	return hbar("status", "Runners by status and type", typeSeries, in)
}

// maxHostSeries caps the colours of the version chart; rarer hosts are
// drawn as "other".
const maxHostSeries = 7

func versionChart(v versions) chart {
	// Hosts, most managers first, become the series.
	perHost := map[string]int{}
	for _, r := range v.Rows {
		for _, h := range r.Hosts {
			perHost[h.Host] += h.Managers
		}
	}
	var hosts []string
	for h := range perHost {
		hosts = append(hosts, h)
	}
	sortByCount(hosts, perHost)
	other := len(hosts) > maxHostSeries
	if other {
		hosts = hosts[:maxHostSeries-1]
	}
	ser := make([]series, 0, len(hosts)+1)
	for i, h := range hosts {
		ser = append(ser, series{Name: h, Class: fmt.Sprintf("h-%d", i)})
	}
	if other {
		ser = append(ser, series{Name: "other hosts", Class: "h-other"})
	}
	in := make([]barInput, len(v.Rows))
	for i, r := range v.Rows {
		vals := make([]int, len(ser))
		for _, h := range r.Hosts {
			j := slices.Index(hosts, h.Host)
			if j < 0 {
				j = len(ser) - 1
			}
			vals[j] += h.Managers
		}
		note := plural(r.Runners, "runner")
		if r.MinorsBehind > 0 {
			note += fmt.Sprintf(" · %d behind", r.MinorsBehind)
		}
		in[i] = barInput{Label: r.Version, Values: vals, Note: note, Alert: r.Outdated}
	}
	return hbar("versions", "Runner managers (hosts) by version and platform", ser, in)
}

func contactChart(buckets []contactBucket) chart {
	labels := make([]string, len(buckets))
	values := make([]int, len(buckets))
	classes := make([]string, len(buckets))
	for i, b := range buckets {
		labels[i], values[i], classes[i] = b.Label, b.Runners, "s-"+strings.ReplaceAll(string(b.Kind), "_", "-")
	}
	return histogram("last-contact", "Time since each runner last contacted GitLab", "runners", labels, values, classes)
}

// staleChart draws the first maxBars groups; with other set, the rest are
// summed into one last bar (owners: each runner has one, so the sum is
// right; tags: a runner has several, so the rest are not summed).
func staleChart(id, title string, counts []staleCount, what string, other bool) chart {
	var in []barInput
	for _, c := range counts[:min(len(counts), maxBars)] {
		in = append(in, barInput{Label: c.Name, Values: []int{c.Stale, c.StaleNeverContacted, c.NeverContacted}})
	}
	if rest := counts[min(len(counts), maxBars):]; other && len(rest) > 0 {
		vals := make([]int, 3)
		for _, c := range rest {
			vals[0] += c.Stale
			vals[1] += c.StaleNeverContacted
			vals[2] += c.NeverContacted
		}
		in = append(in, barInput{Label: fmt.Sprintf("%d other %s", len(rest), what), Values: vals})
	}
	return hbar(id, title, staleSeries, in)
}

// sortByCount sorts keys by count, most first, then by name.
func sortByCount(keys []string, count map[string]int) {
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(count[b], count[a]), cmp.Compare(a, b))
	})
}
