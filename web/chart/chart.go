// Package chart draws the web UI's charts as inline SVG on the server, so that pages
// need no JavaScript charting library and no CDN and still work offline. Every chart
// carries a <title> and an aria-label, and the page shows the same numbers as a table
// for screen readers and for copying.
package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Series is one line of a line chart: one value per X label.
type Series struct {
	Name   string
	Values []float64
}

// Palette is colour-blind-safe (Okabe–Ito) with enough contrast on white.
var Palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C6D1F"}

// Line draws one or more series over shared X labels (days). Width and height are the
// viewBox size; the SVG scales to its container.
type Line struct {
	Title  string
	Labels []string
	Series []Series
	Width  int
	Height int
}

// esc makes any string safe inside SVG text and attributes: invalid UTF-8 becomes
// U+FFFD, control characters (not allowed in XML) are dropped, markup is escaped.
func esc(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return template.HTMLEscapeString(s)
}

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, for readable axes.
func niceMax(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func fmtNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}

// SVG renders the chart. Values that are NaN, infinite or negative are drawn as 0.
func (c Line) SVG() template.HTML {
	w, h := c.Width, c.Height
	if w <= 0 {
		w = 720
	}
	if h <= 0 {
		h = 260
	}
	const left, right, top, bottom = 44, 12, 12, 56
	pw, ph := float64(w-left-right), float64(h-top-bottom)
	max := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v > max && !math.IsInf(v, 0) {
				max = v
			}
		}
	}
	ymax := niceMax(max)
	n := len(c.Labels)
	x := func(i int) float64 {
		if n <= 1 {
			return float64(left) + pw/2
		}
		return float64(left) + pw*float64(i)/float64(n-1)
	}
	y := func(v float64) float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			v = 0
		}
		return float64(top) + ph*(1-v/ymax)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, esc(c.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(c.Title))
	for i := 0; i <= 4; i++ {
		v := ymax * float64(i) / 4
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, left, w-right, y(v), y(v))
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`, left-6, y(v)+4, fmtNum(v))
	}
	step := 1
	if n > 8 {
		step = (n + 7) / 8
	}
	for i := 0; i < n; i += step {
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x(i), h-bottom+16, esc(c.Labels[i]))
	}
	for si, s := range c.Series {
		col := Palette[si%len(Palette)]
		var pts []string
		for i := 0; i < n && i < len(s.Values); i++ {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(s.Values[i])))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"><title>%s</title></polyline>`, col, strings.Join(pts, " "), esc(s.Name))
	}
	// Legend under the axis labels, wrapping by slots.
	lx, ly := left, h-bottom+34
	for si, s := range c.Series {
		if lx+130 > w {
			lx, ly = left, ly+16
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text class="legend" x="%d" y="%d">%s</text>`,
			lx, ly-9, Palette[si%len(Palette)], lx+14, ly, esc(s.Name))
		lx += 130
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every interpolated string above is escaped
}

// Bar is one bar of a bar chart.
type Bar struct {
	Label string
	Value float64
}

// Bars draws a horizontal bar chart, one row per bar, largest first as given.
type Bars struct {
	Title string
	Bars  []Bar
	Width int
}

// SVG renders the bar chart.
func (c Bars) SVG() template.HTML {
	w := c.Width
	if w <= 0 {
		w = 380
	}
	const labelW, row, pad = 150, 22, 4
	h := len(c.Bars)*row + 2*pad
	max := 0.0
	for _, b := range c.Bars {
		if b.Value > max && !math.IsInf(b.Value, 0) {
			max = b.Value
		}
	}
	if max <= 0 {
		max = 1
	}
	plot := float64(w - labelW - 60)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, esc(c.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(c.Title))
	for i, bar := range c.Bars {
		v := bar.Value
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			v = 0
		}
		yy := pad + i*row
		bw := plot * v / max
		label := bar.Label
		if r := []rune(label); len(r) > 22 {
			label = string(r[:21]) + "…"
		}
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%d" text-anchor="end">%s</text>`, labelW-6, yy+15, esc(label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`,
			labelW, yy+3, bw, row-6, Palette[0], esc(bar.Label), fmtNum(v))
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d">%s</text>`, float64(labelW)+bw+4, yy+15, fmtNum(v))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
