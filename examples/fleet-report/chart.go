package main

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// A chart is laid out here, in Go, down to each rectangle and label; the
// template only writes the SVG elements out. No script runs in the
// report, so it renders the same in any browser, offline, and in a mail.

// series is one colour of a stacked bar chart.
type series struct {
	Name  string
	Class string // CSS class giving its colour
}

// barInput is one bar before layout: a category and a value per series.
type barInput struct {
	Label  string
	Values []int // one per series
	Note   string
	Alert  bool // highlighted, e.g. an outdated version
}

// chart is an SVG chart laid out in user units.
type chart struct {
	ID, Title     string
	Width, Height int
	Series        []series // the legend; none for a single-series chart
	Rows          []chartRow
	Ticks         []tick
}

// chartRow is one bar: its segments and its labels.
type chartRow struct {
	Label  string
	Values []int // one per series, zeros included, for the table of numbers
	Total  int
	Alert  bool
	Band   *box // highlight behind the row; nil for none
	Segs   []seg
	Texts  []label
}

type seg struct {
	box
	Class, Series string
	Value         int
	Tip           string // tooltip: category, series and value
}

type box struct{ X, Y, W, H px }

type label struct {
	X, Y   px
	Anchor string // start, middle or end
	Class  string
	Text   string
}

type tick struct {
	X1, Y1, X2, Y2 px
	Label          label
}

// px is a coordinate, written with one decimal.
type px float64

func (p px) String() string { return strconv.FormatFloat(float64(p), 'f', 1, 64) }

// Horizontal bar chart geometry.
const (
	chartWidth = 1000
	labelWidth = 220 // category labels, right-aligned before the bars
	noteWidth  = 250 // totals and notes after the longest bar
	rowHeight  = 26
	barHeight  = 18
	axisHeight = 22
	labelChars = 30 // longer labels are cut, the tooltip keeps them whole
)

// hbar lays out a horizontal stacked bar chart, one row per input.
func hbar(id, title string, ser []series, rows []barInput) chart {
	c := chart{ID: id, Title: title, Width: chartWidth, Series: ser}
	barX := px(labelWidth + 10)
	barW := px(chartWidth-noteWidth) - barX
	top := px(axisHeight)
	c.Height = axisHeight + len(rows)*rowHeight + 6
	maxTotal := 0
	for _, r := range rows {
		maxTotal = max(maxTotal, sum(r.Values))
	}
	step, axisMax := niceAxis(maxTotal)
	scale := func(v int) px { return barW * px(v) / px(axisMax) }
	for v := 0; v <= axisMax; v += step {
		x := barX + scale(v)
		c.Ticks = append(c.Ticks, tick{X1: x, Y1: top - 4, X2: x, Y2: px(c.Height - 4),
			Label: label{X: x, Y: top - 8, Anchor: "middle", Class: "tick", Text: group(int64(v))}})
	}
	for i, in := range rows {
		y := top + px(i*rowHeight)
		r := chartRow{Label: in.Label, Values: in.Values, Total: sum(in.Values), Alert: in.Alert}
		if in.Alert {
			r.Band = &box{X: 0, Y: y + 1, W: chartWidth, H: rowHeight - 2}
		}
		x := barX
		for j, v := range in.Values {
			if v == 0 {
				continue
			}
			w := scale(v)
			r.Segs = append(r.Segs, seg{box: box{X: x, Y: y + (rowHeight-barHeight)/2, W: w, H: barHeight},
				Class: ser[j].Class, Series: ser[j].Name, Value: v,
				Tip: fmt.Sprintf("%s · %s: %s", in.Label, ser[j].Name, group(int64(v)))})
			x += w
		}
		mid := y + rowHeight/2 + 4
		labelClass := "cat"
		if in.Alert {
			labelClass = "cat alert"
		}
		r.Texts = append(r.Texts,
			label{X: barX - 8, Y: mid, Anchor: "end", Class: labelClass, Text: cut(in.Label, labelChars)},
			label{X: x + 6, Y: mid, Anchor: "start", Class: "total", Text: group(int64(r.Total))})
		if in.Note != "" {
			noteClass := "note"
			if in.Alert {
				noteClass = "note alert"
			}
			// After the total, whose width is about 8 units a character
			// in the chart's bold 12-unit font.
			r.Texts = append(r.Texts, label{X: x + 16 + px(8*len(group(int64(r.Total)))), Y: mid, Anchor: "start",
				Class: noteClass, Text: in.Note})
		}
		c.Rows = append(c.Rows, r)
	}
	return c
}

// Histogram geometry.
const (
	histHeight = 250
	histLeft   = 56 // value axis labels
	histBottom = 34 // bucket labels
	histTop    = 28 // room for the value above the tallest bar
)

// histogram lays out one vertical bar per bucket; classes colour each bar.
func histogram(id, title, unit string, labels []string, values []int, classes []string) chart {
	c := chart{ID: id, Title: title, Width: chartWidth, Height: histHeight, Series: []series{{Name: unit}}}
	plotH := px(histHeight - histTop - histBottom)
	base := px(histHeight - histBottom)
	slot := px(chartWidth-histLeft-10) / px(len(values))
	maxV := 0
	for _, v := range values {
		maxV = max(maxV, v)
	}
	step, axisMax := niceAxis(maxV)
	scale := func(v int) px { return plotH * px(v) / px(axisMax) }
	for v := 0; v <= axisMax; v += step {
		y := base - scale(v)
		c.Ticks = append(c.Ticks, tick{X1: histLeft - 4, Y1: y, X2: chartWidth - 10, Y2: y,
			Label: label{X: histLeft - 8, Y: y + 4, Anchor: "end", Class: "tick", Text: group(int64(v))}})
	}
	for i, v := range values {
		x := px(histLeft) + slot*px(i)
		h := scale(v)
		r := chartRow{Label: labels[i], Values: []int{v}, Total: v}
		if v > 0 {
			r.Segs = []seg{{box: box{X: x + slot*0.15, Y: base - h, W: slot * 0.7, H: h}, Class: classes[i],
				Series: unit, Value: v, Tip: fmt.Sprintf("%s: %s %s", labels[i], group(int64(v)), unit)}}
		}
		r.Texts = []label{
			{X: x + slot/2, Y: base - h - 6, Anchor: "middle", Class: "total", Text: group(int64(v))},
			{X: x + slot/2, Y: base + 18, Anchor: "middle", Class: "cat", Text: labels[i]},
		}
		c.Rows = append(c.Rows, r)
	}
	return c
}

// niceAxis picks a tick step of 1, 2 or 5 times a power of ten giving four
// to eight ticks, and the axis end: the first tick at or past maxV.
func niceAxis(maxV int) (step, end int) {
	if maxV <= 0 {
		return 1, 1
	}
	raw := float64(maxV) / 5
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	step = int(pow)
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			step = int(m * pow)
			break
		}
	}
	step = max(step, 1)
	end = (maxV + step - 1) / step * step
	return step, end
}

func sum(vs []int) int {
	n := 0
	for _, v := range vs {
		n += v
	}
	return n
}

// cut shortens s to n characters, marking the cut with an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
