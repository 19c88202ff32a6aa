package main

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var pageTemplate string

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"n": func(v int) string { return group(int64(v)) },
}).Parse(pageTemplate))

// page is what the HTML template shows.
type page struct {
	R         *report
	Scope     string
	Generated string
	Stats     string // how the data was collected; "" to leave out
	Tiles     []tile
	MaxBars   int

	Status, Versions, Contact, Owners, Tags chart

	StaleRunners string // stale plus never contacted, formatted
	Stalest      []stalestRow
}

type tile struct{ Label, Value, Class, Hint string }

type stalestRow struct {
	staleRunner
	LastContact string
	Idle        string
	Versions    string
}

// renderHTML writes the report as one HTML page with inline SVG charts.
// stats says how the numbers were collected ("" for nothing).
func renderHTML(rep *report, stats string) ([]byte, error) {
	t := rep.Totals
	p := page{
		R: rep, Stats: stats, MaxBars: maxBars,
		Generated: rep.GeneratedAt.UTC().Format("2006-01-02 15:04 MST"),
		Scope:     "every runner of the instance",
		Status:    statusChart(rep.ByStatus),
		Versions:  versionChart(rep.Versions),
		Contact:   contactChart(rep.LastContact),
		Owners:    staleChart("stale-owners", "Stale and never-contacted runners by owner", rep.StaleByOwner, "owners", true),
		Tags:      staleChart("stale-tags", "Stale and never-contacted runners by tag", rep.StaleByTag, "tags", false),

		StaleRunners: group(int64(t.Stale + t.NeverContacted)),
	}
	if rep.Scope != "instance" {
		p.Scope = "the runners this token may administer"
	}
	p.Tiles = []tile{
		{Label: "Runners", Value: group(int64(t.Runners))},
		{Label: "Online", Value: group(int64(t.Online)), Class: "online", Hint: percent(t.Online, t.Runners)},
		{Label: "Offline", Value: group(int64(t.Offline)), Class: "offline", Hint: percent(t.Offline, t.Runners)},
		{Label: "Stale", Value: group(int64(t.Stale)), Class: "stale", Hint: percent(t.Stale, t.Runners)},
		{Label: "Never contacted", Value: group(int64(t.NeverContacted)), Class: "never", Hint: percent(t.NeverContacted, t.Runners)},
		{Label: "Paused", Value: group(int64(t.Paused)), Hint: percent(t.Paused, t.Runners)},
		{Label: "Hosts (managers)", Value: group(int64(t.Managers)), Hint: plural(len(rep.Versions.Rows), "version")},
		{Label: "Outdated hosts", Value: group(int64(t.OutdatedManagers)), Class: "alert",
			Hint: "on " + plural(t.OutdatedRunners, "runner")},
	}
	for _, s := range rep.Stalest {
		p.Stalest = append(p.Stalest, stalestRow{staleRunner: s, LastContact: lastContactText(s.LastContact),
			Idle: fmt.Sprintf("%d d", s.IdleDays), Versions: strings.Join(s.Versions, ", ")})
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// plural writes "1 runner", "2 runners".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return group(int64(n)) + " " + noun + "s"
}

func percent(n, of int) string {
	if of == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

func lastContactText(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format(time.DateOnly)
}

// renderJSON writes the report's numbers, every row of every chart.
func renderJSON(rep *report) ([]byte, error) {
	b, err := json.MarshalIndent(rep, "", "  ")
	return append(b, '\n'), err
}

var csvHeader = []string{"id", "type", "status", "paused", "description", "name", "created_at", "last_contact",
	"managers", "versions", "hosts", "owner", "tags", "url"}

// renderCSV writes one row per runner. Owner and tags are known for the
// stale and never-contacted runners only, whose details were read.
func renderCSV(f *fleet) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(csvHeader)
	for _, rec := range f.Runners {
		owner, _ := rec.owner()
		last := ""
		if t := rec.lastContact(); t != nil {
			last = t.UTC().Format(time.RFC3339)
		}
		var hosts []string
		for _, m := range rec.Managers {
			h := deref(m.Platform, "?") + "/" + deref(m.Architecture, "?")
			if !slices.Contains(hosts, h) {
				hosts = append(hosts, h)
			}
		}
		_ = w.Write([]string{
			strconv.FormatInt(rec.ID, 10), string(rec.RunnerType), string(statusOf(rec.Runner)),
			strconv.FormatBool(rec.Paused), csvSafe(deref(rec.Description, "")), csvSafe(deref(rec.Name, "")),
			rec.CreatedAt.UTC().Format(time.RFC3339), last, strconv.Itoa(len(rec.Managers)),
			strings.Join(rec.versions(), " "), strings.Join(hosts, " "), csvSafe(owner),
			csvSafe(strings.Join(rec.tags(), ",")), f.pageURL(rec), // GitLab tags hold no commas
		})
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// csvSafe keeps a spreadsheet from running a description as a formula
// (anyone who registers a runner chooses its description).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
