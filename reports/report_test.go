package reports

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://t.me/chan/123":              "https://t.me/chan/123",
		"https://example.org/p?phone=996700": "https://example.org/",
		"https://example.org/u/996700000001": "https://example.org/",
		"javascript:alert(1)":                "",
		"ftp://example.org/x":                "",
		"https://user:pw@example.org/x":      "https://example.org/",
		"not a url":                          "",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBuckets(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	for _, tc := range []struct {
		bucket, from, to string
		want             []string
	}{
		{"day", "2026-03-02", "2026-03-05", []string{"2026-03-02", "2026-03-03", "2026-03-04"}},
		{"week", "2026-03-04", "2026-03-17", []string{"2026-03-02", "2026-03-09", "2026-03-16"}},
		{"month", "2026-01-15", "2026-03-01", []string{"2026-01-01", "2026-02-01"}},
	} {
		got := buckets(tc.bucket, d(tc.from), d(tc.to))
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("buckets(%s, %s, %s) = %v, want %v", tc.bucket, tc.from, tc.to, got, tc.want)
		}
	}
	for span, want := range map[time.Duration]string{7 * 24 * time.Hour: "day", 90 * 24 * time.Hour: "week", 730 * 24 * time.Hour: "month"} {
		if got := bucketFor(span); got != want {
			t.Errorf("bucketFor(%v) = %s, want %s", span, got, want)
		}
	}
}

func TestMedianAndQuantile(t *testing.T) {
	if median(nil) != nil || quantileNearest(nil, 0.9) != nil {
		t.Fatal("empty input must give nil")
	}
	for _, tc := range []struct {
		in       []float64
		med, p90 float64
	}{
		{[]float64{3}, 3, 3},
		{[]float64{90, 45}, 67.5, 90},
		{[]float64{12, 30, 45, 90}, 37.5, 90},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5.5, 9},
	} {
		if m := *median(tc.in); m != tc.med {
			t.Errorf("median(%v) = %v, want %v", tc.in, m, tc.med)
		}
		if q := *quantileNearest(tc.in, 0.9); q != tc.p90 {
			t.Errorf("p90(%v) = %v, want %v", tc.in, q, tc.p90)
		}
	}
}

func TestOptionsValidation(t *testing.T) {
	d := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for name, o := range map[string]Options{
		"missing":  {},
		"reversed": {From: d, To: d.AddDate(0, 0, -1)},
		"empty":    {From: d, To: d},
		"too long": {From: d.AddDate(-6, 0, 0), To: d},
		"language": {From: d, To: d.AddDate(0, 0, 7), Lang: "fr"},
		"pre-1970": {From: time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC), To: time.Date(1970, 1, 9, 0, 0, 0, 0, time.UTC)},
		"long org": {From: d, To: d.AddDate(0, 0, 7), Org: strings.Repeat("x", 201)},
	} {
		if err := o.normalize(); !errors.Is(err, ErrOptions) {
			t.Errorf("%s: err = %v, want ErrOptions", name, err)
		}
	}
	o := Options{From: d, To: d.AddDate(0, 0, 7)}
	if err := o.normalize(); err != nil || o.Lang != "en" || o.TopN != 5 || o.TermSample != 10000 {
		t.Fatalf("defaults: %+v %v", o, err)
	}
}

func TestTermCounterSkipsNamesAndStopWords(t *testing.T) {
	tc := newTermCounter()
	for _, s := range []string{
		"Запретить пропаганду, говорит Токтосунов.",
		"Снова пропаганда, снова Токтосунов.",
		"Эта пропаганда опасна, Токтосунов лжёт, потому что может.",
	} {
		tc.add(s, true)
	}
	tc.add("Обычный день без этого.", false)
	got := tc.emerging(3, 1, 1, 3, 10)
	if len(got) != 1 || got[0].Term != "пропаганда" || got[0].Posts != 3 || got[0].Previous != 0 {
		t.Fatalf("emerging = %+v, want only пропаганда in 3 posts", got)
	}
}

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "@SUM(A1)": "'@SUM(A1)", "-68.8": "-68.8", "+1": "+1",
		"-cmd": "'-cmd", "plain": "plain", "": "",
	} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHTMLEscapesHostileNames renders a report whose channel names and excerpts come from
// hostile sources: they must come out as text, never as markup.
func TestHTMLEscapesHostileNames(t *testing.T) {
	r := &Report{Title: "t", Lang: "ru", Bucket: "day",
		Period:      Period{From: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)},
		Frames:      []Count{{"propaganda_ban", 2, 1}, {"<b>new</b>", 1, 0}},
		Timeline:    []TimelineRow{{"2026-03-02", "propaganda_ban", 2}, {"2026-03-02", "<b>new</b>", 1}},
		TopChannels: []SourceRow{{"propaganda_ban", "telegram", `<script>alert(1)</script>`, 2}},
		Notable:     []NotablePost{{Platform: "vk", Channel: `"><img src=x>`, Excerpt: `<iframe src="https://evil.example">`}},
	}
	r.fillEmpty()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	for _, bad := range []string{"<script>alert", "<img src=x", "<iframe", "<b>new</b>"} {
		if strings.Contains(h, bad) {
			t.Errorf("HTML contains unescaped %q", bad)
		}
	}
	if !strings.Contains(h, "Запрет «пропаганды»") || !strings.Contains(h, "&lt;script&gt;") {
		t.Error("HTML misses the translated frame or the escaped channel")
	}
}

func TestWriteRejectsUnknownFormat(t *testing.T) {
	err := Write(context.Background(), &bytes.Buffer{}, &Report{Lang: "en"}, "docx", PDFOptions{})
	if !errors.Is(err, ErrOptions) {
		t.Fatalf("err = %v", err)
	}
}

func TestTranslationsComplete(t *testing.T) {
	for k := range translations["en"] {
		if _, ok := translations["ru"][k]; !ok {
			t.Errorf("ru lacks %q", k)
		}
	}
	for k := range translations["ru"] {
		if _, ok := translations["en"][k]; !ok {
			t.Errorf("en lacks %q (used in ru)", k)
		}
	}
}

// TestTemplateKeysTranslated checks that every {{t "key"}} of the template has an English
// text (a missing key would print as the bare key in a published report).
func TestTemplateKeysTranslated(t *testing.T) {
	re := regexp.MustCompile(`\{\{t "([a-z_]+)"\}\}|\(t "([a-z_]+)"\)`)
	for _, m := range re.FindAllStringSubmatch(templateHTML, -1) {
		k := m[1] + m[2]
		if _, ok := translations["en"][k]; !ok {
			t.Errorf("template key %q has no English text", k)
		}
	}
	for _, k := range append(append([]string{}, Frames...), Severities...) {
		if _, ok := translations["en"][k]; !ok {
			t.Errorf("label %q has no English text", k)
		}
	}
}

func FuzzEvidencePhrases(f *testing.F) {
	for _, s := range []string{`{"evidence":[{"text":"Запретить пропаганду"}]}`, `{"evidence":null}`, `{`, `[]`, `{"evidence":[{"text":1}]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ev := EvidencePhrases(s); len(ev) > 5 {
			t.Fatalf("%d phrases", len(ev))
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{"schedules: [{name: a, cron: '@daily', period: day}]", "smtp: {tls: x}", "{", "schedules: 3", "output_dir: [1]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(s), &n) != nil || len(n.Content) == 0 {
			return
		}
		c, err := ParseConfig(n.Content[0], "/data/reports")
		if err == nil && c.OutputDir == "" {
			t.Fatal("accepted config without output dir")
		}
	})
}

func TestMonthChunksAndParallel(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	got := monthChunks(d("2026-01-15"), d("2026-03-10"))
	want := []Period{{d("2026-01-15"), d("2026-02-01")}, {d("2026-02-01"), d("2026-03-01")}, {d("2026-03-01"), d("2026-03-10")}}
	if len(got) != len(want) {
		t.Fatalf("chunks %v", got)
	}
	for i := range want {
		if !got[i].From.Equal(want[i].From) || !got[i].To.Equal(want[i].To) {
			t.Fatalf("chunk %d = %v, want %v", i, got[i], want[i])
		}
	}
	var ran [10]bool
	if err := parallel(context.Background(), 3, 10, func(_ context.Context, i int) error { ran[i] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	for i, r := range ran {
		if !r {
			t.Fatalf("job %d did not run", i)
		}
	}
	boom := errors.New("boom")
	if err := parallel(context.Background(), 2, 10, func(_ context.Context, i int) error {
		if i == 3 {
			return boom
		}
		return nil
	}); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}
