package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds one template set per page (layout + page), parsed once at start.
type pages struct {
	sets map[string]*template.Template
}

var funcs = template.FuncMap{
	"highlight": highlight,
	"day":       func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"when": func(t time.Time) string {
		if t.IsZero() || t.Unix() <= 0 {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04")
	},
	"join": strings.Join,
	"has":  func(xs []string, x string) bool { return slices.Contains(xs, x) },
	"frameName": func(f string) string {
		return strings.ReplaceAll(f, "_", " ")
	},
	"add": func(a, b int) int { return a + b },
	"pct": func(f float64) float64 { return 100 * f },
	"bytes": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%d B", n)
	},
	"snippet": func(s string, n int) string {
		if utf8.RuneCountInString(s) <= n {
			return s
		}
		return string([]rune(s)[:n]) + "…"
	},
}

func loadPages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web templates: %s: %w", n, err)
		}
		p.sets[base] = t
	}
	return p, nil
}

// view is what every page template receives.
type view struct {
	Title string
	Page  string
	User  *User
	CSRF  string
	Data  any
}

func (s *Server) render(w http.ResponseWriter, _ *http.Request, page string, rc *reqCtx, title string, data any) {
	t, ok := s.pages.sets[page]
	if !ok {
		http.Error(w, "no template "+page, http.StatusInternalServerError)
		return
	}
	v := view{Title: title, Page: page, Data: data}
	if rc != nil && rc.User.Name != "" {
		v.User, v.CSRF = &rc.User, rc.CSRF
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.log.Error("render page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// highlight renders text with each evidence span wrapped in <mark>. Spans are byte
// offsets; spans out of range, not on rune boundaries, or overlapping an earlier one
// are skipped, so a stale or malformed result can never break the page or inject markup.
func highlight(text string, ev []Evidence) template.HTML {
	ev = slices.Clone(ev)
	slices.SortFunc(ev, func(a, b Evidence) int { return a.Start - b.Start })
	var b strings.Builder
	pos := 0
	for _, e := range ev {
		if e.Start < pos || e.End <= e.Start || e.End > len(text) ||
			!utf8.RuneStart(text[e.Start]) || (e.End < len(text) && !utf8.RuneStart(text[e.End])) {
			continue
		}
		b.WriteString(template.HTMLEscapeString(text[pos:e.Start]))
		fmt.Fprintf(&b, `<mark class="ev" data-frame="%s" title="%s">%s</mark>`, template.HTMLEscapeString(e.Frame),
			template.HTMLEscapeString(strings.ReplaceAll(e.Frame, "_", " ")), template.HTMLEscapeString(text[e.Start:e.End]))
		pos = e.End
	}
	b.WriteString(template.HTMLEscapeString(text[pos:]))
	return template.HTML(b.String())
}
