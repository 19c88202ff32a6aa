package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/glrunners/glrunners/glrunnerstest"
)

var chartIDs = []string{"status", "versions", "last-contact", "stale-owners", "stale-tags"}

// renderTestReport collects the test fleet and renders it as HTML.
func renderTestReport(t *testing.T) (*report, []byte, *node) {
	t.Helper()
	d := startTestFleet(t)
	rep := aggregate(collectFleet(t, d, d.adminToken, 4), 3)
	b, err := renderHTML(rep, "700 runners read with 900 requests in 1s")
	require.NoError(t, err)
	doc, err := parseDOM(b)
	require.NoError(t, err, "the report is well-formed markup")
	return rep, b, doc
}

func TestHTMLReport(t *testing.T) {
	t.Parallel()
	rep, raw, doc := renderTestReport(t)
	charts := map[string]*node{}
	for _, id := range chartIDs {
		found := doc.all(withAttr("svg", "data-chart", id))
		require.Len(t, found, 1, "chart %s", id)
		charts[id] = found[0]
	}
	assert.Len(t, doc.all(withAttr("svg", "data-chart", "")), len(chartIDs), "no chart the test does not know")

	t.Run("every number is labelled", func(t *testing.T) {
		for id, svg := range charts {
			assert.NotEmpty(t, svg.child("title").textAll(), id)
			for _, dim := range []string{"width", "height"} {
				v, err := strconv.Atoi(svg.attr[dim])
				assert.NoError(t, err)
				assert.Positive(t, v, "%s %s", id, dim)
			}
			rows := svg.all(withAttr("g", "data-total", ""))
			require.NotEmpty(t, rows, id)
			for _, row := range rows {
				total, err := strconv.Atoi(row.attr["data-total"])
				require.NoError(t, err)
				sum := 0
				for _, r := range row.all(withAttr("rect", "data-value", "")) {
					v, err := strconv.Atoi(r.attr["data-value"])
					require.NoError(t, err)
					assert.Positive(t, v, "zero segments are not drawn")
					sum += v
					require.NotNil(t, r.child("title"), "segment of %s/%s", id, row.attr["data-label"])
					assert.Contains(t, r.child("title").text, ": "+group(int64(v)), "tooltip of %s/%s", id, row.attr["data-label"])
					assert.NotEmpty(t, r.attr["data-series"])
				}
				assert.Equal(t, total, sum, "%s/%s: the segments add up to the total", id, row.attr["data-label"])
				totals := row.all(func(n *node) bool { return n.name == "text" && n.hasClass("total") })
				require.Len(t, totals, 1, "%s/%s", id, row.attr["data-label"])
				assert.Equal(t, group(int64(total)), totals[0].text, "%s/%s: the total is written on the bar", id, row.attr["data-label"])
				cats := row.all(func(n *node) bool { return n.name == "text" && n.hasClass("cat") })
				require.Len(t, cats, 1)
				assert.Equal(t, cut(row.attr["data-label"], labelChars), cats[0].text)
			}
			// The table under the chart has the same rows and totals.
			tables := doc.all(withAttr("table", "data-numbers", id))
			require.Len(t, tables, 1, id)
			trs := tables[0].child("tbody").byName("tr")
			require.Len(t, trs, len(rows), id)
			for i, tr := range trs {
				tds := tr.byName("td")
				assert.Equal(t, rows[i].attr["data-label"], tds[0].text, id)
				assert.Equal(t, group(int64(atoi(t, rows[i].attr["data-total"]))), tds[len(tds)-1].text, id)
			}
		}
	})

	t.Run("charts show the report's numbers", func(t *testing.T) {
		status := chartRows(t, charts["status"])
		require.Len(t, status, len(rep.ByStatus))
		for i, s := range rep.ByStatus {
			assert.Equal(t, statusNames[s.Status], status[i].label)
			assert.Equal(t, s.Total, status[i].total)
			assert.Equal(t, map[string]int{"instance": s.Instance, "group": s.Group, "project": s.Project}, status[i].withZeros("instance", "group", "project"))
		}

		versions := chartRows(t, charts["versions"])
		require.Len(t, versions, len(rep.Versions.Rows))
		for i, v := range rep.Versions.Rows {
			assert.Equal(t, v.Version, versions[i].label)
			assert.Equal(t, v.Managers, versions[i].total)
			assert.Equal(t, v.Outdated, versions[i].alert, v.Version)
		}

		contact := chartRows(t, charts["last-contact"])
		require.Len(t, contact, len(rep.LastContact))
		for i, b := range rep.LastContact {
			assert.Equal(t, b.Label, contact[i].label)
			assert.Equal(t, b.Runners, contact[i].total)
		}

		owners := chartRows(t, charts["stale-owners"])
		require.Greater(t, len(rep.StaleByOwner), maxBars, "the test fleet has more owners than bars")
		require.Len(t, owners, maxBars+1)
		rest := [3]int{}
		for i, c := range rep.StaleByOwner {
			if i < maxBars {
				assert.Equal(t, c.Name, owners[i].label)
				assert.Equal(t, map[string]int{"stale": c.Stale, "stale, never contacted": c.StaleNeverContacted,
					"new, not contacted yet": c.NeverContacted}, owners[i].withZeros("stale", "stale, never contacted", "new, not contacted yet"))
				continue
			}
			rest[0], rest[1], rest[2] = rest[0]+c.Stale, rest[1]+c.StaleNeverContacted, rest[2]+c.NeverContacted
		}
		other := owners[maxBars]
		assert.Equal(t, fmt.Sprintf("%d other owners", len(rep.StaleByOwner)-maxBars), other.label)
		assert.Equal(t, map[string]int{"stale": rest[0], "stale, never contacted": rest[1], "new, not contacted yet": rest[2]},
			other.withZeros("stale", "stale, never contacted", "new, not contacted yet"))

		tags := chartRows(t, charts["stale-tags"])
		require.Len(t, tags, min(maxBars, len(rep.StaleByTag)), "tags are not summed into an other bar")
		for i, row := range tags {
			assert.Equal(t, rep.StaleByTag[i].Name, row.label)
			assert.Equal(t, rep.StaleByTag[i].Total, row.total)
		}

		tiles := map[string]string{}
		for _, tile := range doc.all(func(n *node) bool { return n.name == "div" && n.hasClass("tile") }) {
			tiles[tile.child("div").text] = tile.children[1].text
		}
		tt := rep.Totals
		assert.Equal(t, map[string]string{
			"Runners": group(int64(tt.Runners)), "Online": group(int64(tt.Online)), "Offline": group(int64(tt.Offline)),
			"Stale": group(int64(tt.Stale)), "Never contacted": group(int64(tt.NeverContacted)), "Paused": group(int64(tt.Paused)),
			"Hosts (managers)": group(int64(tt.Managers)), "Outdated hosts": group(int64(tt.OutdatedManagers)),
		}, tiles)

		stalest := doc.all(withAttr("table", "class", "stalest"))
		require.Len(t, stalest, 1)
		trs := stalest[0].child("tbody").byName("tr")
		require.Len(t, trs, len(rep.Stalest))
		for i, s := range rep.Stalest {
			link := trs[i].byName("a")[0]
			assert.Equal(t, fmt.Sprintf("#%d", s.ID), link.text)
			assert.Equal(t, s.URL, link.attr["href"])
		}
	})

	t.Run("nothing external", func(t *testing.T) {
		for _, name := range []string{"script", "link", "img", "image", "iframe", "object", "embed", "use", "audio",
			"video", "source", "base", "form", "input", "foreignObject"} {
			assert.Empty(t, doc.byName(name), "no <%s>: the report loads nothing", name)
		}
		for _, attr := range []string{"src", "srcset", "action", "poster", "background", "style"} {
			assert.Empty(t, doc.all(withAttr("", attr, "")), "no %s attribute", attr)
		}
		hrefs := doc.all(withAttr("", "href", ""))
		assert.Greater(t, len(hrefs), len(rep.Stalest), "runner and owner links")
		for _, a := range hrefs {
			h := a.attr["href"]
			assert.True(t, h == rep.GitLab || strings.HasPrefix(h, rep.GitLab+"/"), "link outside GitLab: %s", h)
		}
		styles := doc.byName("style")
		require.Len(t, styles, 1)
		for _, bad := range []string{"url(", "@import", "@font-face", "http"} {
			assert.NotContains(t, styles[0].text, bad)
		}
		csp := doc.all(withAttr("meta", "http-equiv", "Content-Security-Policy"))
		require.Len(t, csp, 1)
		assert.Contains(t, csp[0].attr["content"], "default-src 'none'", "the browser refuses to load anything")
		assert.NotContains(t, string(raw), "//cdn", "no CDN")
	})
}

// drawnRow is one bar as the SVG shows it.
type drawnRow struct {
	label    string
	total    int
	alert    bool
	bySeries map[string]int
}

// withZeros returns the bar's values for every named series, 0 where no
// segment is drawn.
func (r drawnRow) withZeros(names ...string) map[string]int {
	out := map[string]int{}
	for _, n := range names {
		out[n] = r.bySeries[n]
	}
	return out
}

func chartRows(t *testing.T, svg *node) []drawnRow {
	t.Helper()
	var out []drawnRow
	for _, g := range svg.all(withAttr("g", "data-total", "")) {
		row := drawnRow{label: g.attr["data-label"], total: atoi(t, g.attr["data-total"]), bySeries: map[string]int{}}
		for _, r := range g.all(withAttr("rect", "data-value", "")) {
			row.bySeries[r.attr["data-series"]] += atoi(t, r.attr["data-value"])
		}
		for _, txt := range g.byName("text") {
			row.alert = row.alert || txt.hasClass("cat") && txt.hasClass("alert")
		}
		out = append(out, row)
	}
	return out
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

// A token that sees no runner still gets a well-formed page, and a warning.
func TestEmptyFleet(t *testing.T) {
	t.Parallel()
	srv := glrunnerstest.NewServer(glrunnerstest.WithNow(func() time.Time { return demoNow }))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "empty.html")
	res := runTool(t.Context(), []string{"-o", out}, map[string]string{"GITLAB_URL": srv.URL() + "/api/v4/", "GITLAB_TOKEN": srv.AdminToken()})
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Contains(t, res.stderr, "the token sees no runners")
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	doc, err := parseDOM(b)
	require.NoError(t, err)
	assert.Len(t, doc.all(withAttr("svg", "data-chart", "")), len(chartIDs))
	assert.Contains(t, string(b), "No stale runners.")
	links := doc.all(withAttr("a", "href", srv.URL()))
	assert.Len(t, links, 1, "the GitLab link, without /api/v4")
}
