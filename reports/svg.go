package reports

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"
)

// palette colours series in charts; chosen to stay distinguishable in greyscale print.
var palette = []string{"#1f4e79", "#c0504d", "#9bbb59", "#8064a2", "#f79646", "#4bacc6", "#7f6000", "#e377c2", "#7f7f7f"}

const (
	chartWidth = 720
	fontCSS    = `font-family="DejaVu Sans, Arial, sans-serif"`
)

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, for axis ticks.
func niceMax(v float64) float64 {
	if v <= 0 {
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

func esc(s string) string { return html.EscapeString(s) }

// barChart draws horizontal bars, the current period solid and the previous period as a
// thin pale bar under it, with the value at the end of each bar.
func barChart(title string, rows []Count, label func(string) string, curLabel, prevLabel string) template.HTML {
	if len(rows) == 0 {
		return ""
	}
	const rowH, labelW, top = 30, 200, 26
	h := top + rowH*len(rows) + 24
	var maxV float64
	for _, r := range rows {
		maxV = math.Max(maxV, math.Max(float64(r.Count), float64(r.Previous)))
	}
	maxV = niceMax(maxV)
	plotW := float64(chartWidth - labelW - 60)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" %s font-size="12">`,
		chartWidth, h, esc(title), fontCSS)
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	fmt.Fprintf(&b, `<rect x="%d" y="6" width="12" height="10" fill="%s"/><text x="%d" y="15">%s</text>`, labelW, palette[0], labelW+16, esc(curLabel))
	fmt.Fprintf(&b, `<rect x="%d" y="6" width="12" height="4" fill="#b7c9dd"/><text x="%d" y="15" fill="#555">%s</text>`,
		labelW+360, labelW+376, esc(prevLabel))
	for i, r := range rows {
		y := top + i*rowH
		w := plotW * float64(r.Count) / maxV
		pw := plotW * float64(r.Previous) / maxV
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, labelW-8, y+14, esc(truncateRunes(label(r.Key), 30)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="16" fill="%s"/>`, labelW, y, w, palette[0])
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="4" fill="#b7c9dd"/>`, labelW, y+19, pw)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%d</text>`, float64(labelW)+w+4, y+13, r.Count)
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>`, labelW, top-4, labelW, h-20)
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#555">0</text><text x="%.0f" y="%d" text-anchor="end" fill="#555">%s</text>`,
		labelW, h-6, float64(labelW)+plotW, h-6, formatNumber(maxV))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// stackedColumns draws the timeline: one column per bucket, stacked by frame, with a
// legend and the bucket dates on the axis.
// Events are drawn as numbered dashed lines at their position in the period.
func stackedColumns(title string, rows []TimelineRow, frames []string, label func(string) string, period Period, events []Event) template.HTML {
	if len(rows) == 0 || len(frames) == 0 {
		return ""
	}
	var bucketsOrder []string
	val := map[[2]string]uint64{}
	totals := map[string]uint64{}
	for _, r := range rows {
		if _, ok := totals[r.Bucket]; !ok {
			bucketsOrder = append(bucketsOrder, r.Bucket)
		}
		totals[r.Bucket] += r.Posts
		val[[2]string{r.Bucket, r.Frame}] = r.Posts
	}
	var maxV float64
	for _, t := range totals {
		maxV = math.Max(maxV, float64(t))
	}
	maxV = niceMax(maxV)
	legendRows := (len(frames) + 2) / 3
	const left, plotH = 50, 260
	top := 12 + legendRows*18
	h := top + plotH + 50
	plotW := float64(chartWidth - left - 10)
	colW := plotW / float64(len(bucketsOrder))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" %s font-size="11">`,
		chartWidth, h, esc(title), fontCSS)
	fmt.Fprintf(&b, `<title>%s</title>`, esc(title))
	for i, f := range frames {
		x := left + (i%3)*220
		y := 4 + (i/3)*18
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>`,
			x, y, palette[i%len(palette)], x+16, y+10, esc(label(f)))
	}
	for _, frac := range []float64{0, 0.5, 1} {
		y := float64(top+plotH) - frac*plotH
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end" fill="#555">%s</text>`,
			left, y, chartWidth-10, y, left-4, y+4, formatNumber(maxV*frac))
	}
	labelEvery := int(math.Ceil(float64(len(bucketsOrder)) / 12))
	for i, bk := range bucketsOrder {
		x := float64(left) + float64(i)*colW
		y := float64(top + plotH)
		for fi, f := range frames {
			v := val[[2]string{bk, f}]
			if v == 0 {
				continue
			}
			hh := plotH * float64(v) / maxV
			y -= hh
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %d</title></rect>`,
				x+colW*0.1, y, colW*0.8, hh, palette[fi%len(palette)], esc(bk), esc(label(f)), v)
		}
		if i%labelEvery == 0 {
			short := bk
			if len(bk) == 10 {
				short = bk[5:]
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#333">%s</text>`, x+colW/2, top+plotH+14, esc(short))
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>`, left, top+plotH, chartWidth-10, top+plotH)
	// Buckets start at their day, week or month: place events on the same scale.
	if span := period.To.Sub(period.From); span > 0 && len(bucketsOrder) > 0 {
		first, _ := time.Parse(time.DateOnly, bucketsOrder[0])
		last, _ := time.Parse(time.DateOnly, bucketsOrder[len(bucketsOrder)-1])
		end := nextBucket(last, len(bucketsOrder), first)
		for i, e := range events {
			// Mid-day, so that a dated event sits in the middle of its day's column.
			frac := float64(e.Date.Add(12*time.Hour).Sub(first)) / float64(end.Sub(first))
			if frac < 0 || frac > 1 {
				continue
			}
			x := float64(left) + frac*plotW
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#b02a2a" stroke-dasharray="4 3"><title>%s</title></line>`,
				x, top, x, top+plotH, esc(e.Date.Format(time.DateOnly)+" "+e.Label))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%d" r="8" fill="#b02a2a"/><text x="%.1f" y="%d" text-anchor="middle" fill="#fff" font-size="10">%d</text>`,
				x, top+8, x, top+12, i+1)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// nextBucket estimates where the last bucket ends from the spacing of the first n.
func nextBucket(last time.Time, n int, first time.Time) time.Time {
	if n < 2 {
		return last.AddDate(0, 0, 1)
	}
	return last.Add(last.Sub(first) / time.Duration(n-1))
}

// formatNumber prints integers without decimals and others with at most two.
func formatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return groupThousands(fmt.Sprintf("%.0f", v))
	}
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
	return s
}

// groupThousands inserts thin spaces between groups of three digits.
func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) <= 4 {
		if neg {
			return "-" + s
		}
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteString("\u202f")
		}
		b.WriteString(s[i : i+3])
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
