package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// printer writes the tour's output: numbered sections, aligned tables and
// key/value blocks.
type printer struct {
	w       io.Writer
	now     func() time.Time
	section int
}

// heading starts a section; api names the SDK calls it shows.
func (p *printer) heading(title, api string) {
	p.section++
	fmt.Fprintf(p.w, "\n%d. %s\n", p.section, title)
	if api != "" {
		fmt.Fprintf(p.w, "   %s\n", api)
	}
}

// linef prints one indented line.
func (p *printer) linef(format string, a ...any) {
	fmt.Fprintf(p.w, "   "+format+"\n", a...)
}

// table starts an aligned, indented table; rows are added with row and the
// caller must Flush it.
func (p *printer) table(header ...string) *table {
	t := &table{out: p.w}
	t.tw = tabwriter.NewWriter(&t.buf, 0, 0, 2, ' ', 0)
	t.row(toAny(header)...)
	return t
}

// table buffers the tabwriter's output so Flush can trim the padding an
// empty last cell leaves at the end of a line.
type table struct {
	tw  *tabwriter.Writer
	buf bytes.Buffer
	out io.Writer
}

func (t *table) row(cells ...any) {
	s := make([]string, len(cells))
	for i, c := range cells {
		s[i] = fmt.Sprint(c)
	}
	fmt.Fprintf(t.tw, "   %s\n", strings.Join(s, "\t"))
}

// Flush writes the table.
func (t *table) Flush() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	for line := range strings.Lines(t.buf.String()) {
		if _, err := io.WriteString(t.out, strings.TrimRight(line, " \n")+"\n"); err != nil {
			return err
		}
	}
	return nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// since says how long ago t was, "never" for nil.
func (p *printer) since(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return ago(p.now().Sub(*t))
}

func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

// str dereferences a nullable string field, showing null as "-".
func str(s *string) string {
	if s == nil || *s == "" {
		return "-"
	}
	return *s
}

// seconds formats a duration in seconds, "-" when unknown.
func seconds(s *float64) string {
	if s == nil {
		return "-"
	}
	return (time.Duration(*s) * time.Second).String()
}

// list joins values for display, "-" when there are none.
func list(vals []string) string {
	if len(vals) == 0 {
		return "-"
	}
	return strings.Join(vals, ",")
}
