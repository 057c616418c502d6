package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

func fp(v float64) *float64 { return &v }

func TestIntegrationFixtureFigures(t *testing.T) {
	conn := fixtureDB(t)
	r := generateFixture(t, conn, nil)

	wantSummary := []Figure{
		{Key: "posts_monitored", Value: 9, Previous: 5, Change: fp(80)},
		{Key: "narrative_posts", Value: 6, Previous: 2, Change: fp(200)},
		{Key: "narrative_share", Value: 66.67, Previous: 40, Change: fp(66.7), Unit: "%"},
		{Key: "narrative_channels", Value: 4, Previous: 2, Change: fp(100)},
		{Key: "narrative_accounts", Value: 4, Previous: 2, Change: fp(100)},
		{Key: "clusters", Value: 2, Previous: 2, Change: fp(0)},
		{Key: "exposure_posts", Value: 2, Previous: 1, Change: fp(100)},
		{Key: "outing_posts", Value: 1, Previous: 1, Change: fp(0)},
		{Key: "incidents", Value: 2, Previous: 1, Change: fp(100)},
		{Key: "incidents_severe", Value: 2, Previous: 0, Change: nil},
		{Key: "alerts_sent", Value: 4, Previous: 1, Change: fp(300)},
		{Key: "alert_median_latency", Value: 37.5, Previous: 120, Change: fp(-68.8), Unit: "s"},
	}
	// Clusters active in the period: c1 (newest version: 4 accounts) and c5 (confirmed,
	// also active in the previous period); c4 is dismissed, c3 merged, c2 earlier. In the
	// previous period: c2 and c5.
	eqJSON(t, "clusters", r.Coordination.Clusters, []ClusterRow{
		{ID: "c1", Accounts: 4, Posts: 4, Platforms: []string{"telegram", "vk"}, Behaviours: []string{"co_text", "co_link"},
			Frames: []string{"foreign_agent", "propaganda_ban"}, Score: 0.8, First: at(3, 3, 10), Last: at(3, 6, 10), Detector: "coordination.v1"},
		{ID: "c5", Accounts: 3, Posts: 3, Platforms: []string{"youtube"}, Behaviours: []string{"co_text", "co_link"},
			Frames: []string{"western_values"}, Score: 0.8, First: at(2, 28, 10), Last: at(3, 2, 10), Detector: "coordination.v1", Confirmed: true},
	})
	eqJSON(t, "coordination params", r.Methods.CoordinationParams,
		[]string{`{"detector":"coordination.v1","min_weight":3,"similarity":0.7,"text_window":"1h0m0s","window":"10m0s"}`})
	// Compare through JSON so that the expected values read like the --format json output.
	eqJSON(t, "summary", r.Summary, wantSummary)
	eqJSON(t, "frames", r.Frames, []Count{
		{"propaganda_ban", 3, 1}, {"foreign_agent", 1, 1}, {"western_values", 1, 0},
		{"child_protection", 1, 0}, {"political_smear", 1, 0}, {"dehumanization", 1, 0},
	})
	eqJSON(t, "events", r.Events, []Event{{Date: at(3, 5, 0), Label: `Draft law on "foreign representatives": first reading`}})
	eqJSON(t, "languages", r.Languages, []Count{{"ru", 5, 2}, {"ky", 1, 0}})
	eqJSON(t, "platforms", r.Platforms, []Count{{"telegram", 5, 2}, {"youtube", 1, 0}})
	if r.Bucket != "day" || len(r.Timeline) != 7*6 {
		t.Fatalf("timeline: bucket %s, %d rows, want day and 42", r.Bucket, len(r.Timeline))
	}
	nonZero := map[string]uint64{}
	for _, x := range r.Timeline {
		if x.Posts > 0 {
			nonZero[x.Bucket+" "+x.Frame] = x.Posts
		}
	}
	eqJSON(t, "timeline", nonZero, map[string]uint64{
		"2026-03-02 propaganda_ban": 1, "2026-03-02 child_protection": 1, "2026-03-03 propaganda_ban": 1,
		"2026-03-03 foreign_agent": 1, "2026-03-04 western_values": 1, "2026-03-06 propaganda_ban": 1,
		"2026-03-06 dehumanization": 1, "2026-03-08 political_smear": 1,
	})
	eqJSON(t, "top channels", r.TopChannels[:3], []SourceRow{
		{"propaganda_ban", "telegram", "ch_a", 2}, {"propaganda_ban", "telegram", "ch_b", 1}, {"foreign_agent", "telegram", "ch_b", 1},
	})
	eqJSON(t, "top accounts", r.TopAccounts[0], SourceRow{"propaganda_ban", "telegram", "troll_one", 2})
	// "пропаганда" is in 3 of 5 tokenised flagged posts of the period and in none of the 2
	// of the previous one: growth (3+1)/(5+1) / ((0+1)/(2+1)) = 2. "Токтосунов" is also in
	// 3 flagged posts but is a name (always capitalised) and must not be listed.
	eqJSON(t, "emerging terms", r.EmergingTerms, []TermRow{{"пропаганда", 3, 0, 2}})

	e := r.Exposure
	eqJSON(t, "exposure posts by severity", e.PostsBySeverity, []Count{{"critical", 1, 0}, {"high", 1, 0}, {"medium", 0, 1}})
	eqJSON(t, "exposure posts by platform", e.PostsByPlatform, []Count{{"telegram", 2, 0}, {"vk", 0, 1}})
	eqJSON(t, "incidents by severity", e.IncidentsBySeverity, []Count{{"critical", 1, 0}, {"high", 1, 0}, {"medium", 0, 1}})
	eqJSON(t, "incidents by platform", e.IncidentsByPlatform, []Count{{"telegram", 2, 0}, {"vk", 1, 1}})
	eqJSON(t, "incidents by category", e.IncidentsByCategory, []Count{{"address", 1, 0}, {"national_id", 1, 0}, {"phone", 1, 0}, {"sogi", 1, 1}})
	eqJSON(t, "incidents by status", e.IncidentsByStatus, []Count{{"open", 1, 0}, {"acknowledged", 1, 1}})
	eqJSON(t, "median ack", e.MedianAckSeconds, fp(600))
	// A general report leaves out per-channel deliveries, which span organisations
	// (issue 19, item 14); the totals above stay.
	if len(e.Alerts) != 0 {
		t.Errorf("general report lists alert deliveries per channel across organisations: %+v", e.Alerts)
	}

	if len(r.Notable) != 6 {
		t.Fatalf("notable posts: %d, want the 6 flagged posts of the period", len(r.Notable))
	}
	views := []uint64{}
	for _, n := range r.Notable {
		views = append(views, n.Views)
	}
	eqJSON(t, "notable views", views, []uint64{12000, 9000, 5000, 3000, 2500, 800})
	eqJSON(t, "notable excerpt (exposure-redacted text)", r.Notable[0].Excerpt,
		"Грантоеды из НКО снова получают деньги. [PERSON] из этой организации — иностранный агент, звоните [PHONE], ПИН [KG_PIN].")
	eqJSON(t, "notable excerpt (redacted here)", r.Notable[1].Excerpt, "Оппозиция за ЛГБТ, [name] ведёт митинг, его телефон [number].")
	eqJSON(t, "notable evidence", r.Notable[1].Evidence, []string{"Оппозиция за ЛГБТ", "[name] ведёт митинг"})

	// Versions as stored (no FINAL): the stale narrative/0 rows of posts 2 and 5 are
	// listed under their own version.
	eqJSON(t, "methods", r.Methods.Classifiers, []ClassifierRow{
		{"exposure", exposureVersion, 9, 2, fp(0.9)}, {"narrative", "narrative/0", 2, 1, fp(0)},
		{"narrative", narrativeVersion, 9, 6, fp(0.77)},
	})
}

func TestIntegrationOrgFilter(t *testing.T) {
	conn := fixtureDB(t)
	r := generateFixture(t, conn, func(o *Options) { o.Org = "org-rainbow" })
	want := map[string][2]float64{
		"narrative_posts": {6, 2}, // narratives are never per organisation
		"exposure_posts":  {1, 1}, "incidents": {1, 1}, "alerts_sent": {2, 1}, "alert_median_latency": {37.5, 120},
	}
	for k, v := range want {
		f, ok := r.Figure(k)
		if !ok || f.Value != v[0] || f.Previous != v[1] {
			t.Errorf("%s = %+v, want %v", k, f, v)
		}
	}
	eqJSON(t, "incidents by severity", r.Exposure.IncidentsBySeverity, []Count{{"high", 1, 0}, {"medium", 0, 1}})
	// Only org-rainbow's own channels and deliveries (org-other's webhook and failed
	// telegram delivery are not in it).
	eqJSON(t, "alerts", r.Exposure.Alerts, []AlertRow{{"email", 1, 1, 0, fp(45), fp(45)}, {"telegram", 1, 1, 0, fp(30), fp(30)}})
}

func TestIntegrationHTMLShowsFigures(t *testing.T) {
	conn := fixtureDB(t)
	r := generateFixture(t, conn, nil)
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	for _, want := range []string{
		`<strong id="period">2026-03-02 – 2026-03-08</strong>`,
		`<tr id="fig-posts_monitored"><td>Posts monitored</td><td class="n">9</td><td class="n">5</td><td class="n up">&#43;80 %</td></tr>`,
		`<tr id="fig-narrative_posts"><td>Posts with anti-LGBT narratives</td><td class="n">6</td><td class="n">2</td><td class="n up">&#43;200 %</td></tr>`,
		`<tr id="fig-narrative_share"><td>Share of posts with narratives</td><td class="n">66.67 %</td><td class="n">40 %</td><td class="n up">&#43;66.7 %</td></tr>`,
		`<tr id="fig-incidents_severe"><td>Critical and high incidents</td><td class="n">2</td><td class="n">0</td><td class="n flat">—</td></tr>`,
		`<tr id="fig-alert_median_latency"><td>Median time to alert (s)</td><td class="n">37.5</td><td class="n">120</td><td class="n down">-68.8 %</td></tr>`,
		`<tr id="frame-propaganda_ban"><td>&#34;Propaganda&#34; bans</td><td class="n">3</td><td class="n">1</td></tr>`,
		`<tr id="lang-ru"><td>ru</td><td class="n">5</td><td class="n">2</td></tr>`,
		`<tr id="platform-youtube"><td>youtube</td><td class="n">1</td><td class="n">0</td></tr>`,
		`<tr id="inc-sev-critical"><td>critical</td><td class="n">1</td><td class="n">0</td></tr>`,
		`<p id="alerts-org-only">Alert deliveries per channel appear only in each organisation&#39;s own report.</p>`,
		`<strong id="median-ack">600</strong>`,
		`<tr class="term"><td>пропаганда</td><td class="n">3</td><td class="n">0</td><td class="n">×2</td></tr>`,
		`Оппозиция за ЛГБТ, [name] ведёт митинг, его телефон [number].`,
		`narrative/1 lexicon/test model/test`,
		`<li><strong>2026-03-05</strong> — Draft law on &#34;foreign representatives&#34;: first reading</li>`,
		`stroke-dasharray="4 3"`,
		`<svg xmlns="http://www.w3.org/2000/svg"`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	// Self-contained: no external resources of any kind.
	for _, bad := range []string{"<script", "<link", "<img", "@import", "url(", `src="http`, `href="http`} {
		if strings.Contains(h, bad) {
			t.Errorf("HTML is not self-contained: contains %q", bad)
		}
	}
}

// TestIntegrationNoPersonalDataInAnyFormat scans every format, in both languages and
// with and without an organisation filter, for the watch-listed member's name, phone,
// personal number and member ids planted in the fixture posts.
func TestIntegrationNoPersonalDataInAnyFormat(t *testing.T) {
	conn := fixtureDB(t)
	pdfOK := haveTool(t, "pdftotext") && chromiumOK(t)
	for _, lang := range []string{"en", "ru"} {
		for _, org := range []string{"", "org-rainbow"} {
			r := generateFixture(t, conn, func(o *Options) { o.Lang, o.Org = lang, org })
			for _, format := range Formats {
				if format == "pdf" && (!pdfOK || org != "") {
					continue // one PDF per language is enough (Chromium is slow)
				}
				var b bytes.Buffer
				if err := Write(context.Background(), &b, r, format, PDFOptions{}); err != nil {
					t.Fatalf("%s/%s/%s: %v", lang, org, format, err)
				}
				text := extractText(t, format, b.Bytes())
				if len(text) < 500 {
					t.Fatalf("%s %s: only %d bytes of text extracted", lang, format, len(text))
				}
				for _, leak := range leaks {
					if strings.Contains(text, leak) {
						t.Errorf("%s report (lang %s, org %q) contains %q", format, lang, org, leak)
					}
				}
			}
		}
	}
}

// extractText returns the searchable text of a report file: the HTML or JSON itself,
// every CSV of the zip, the PDF's text layer.
func extractText(t *testing.T, format string, b []byte) string {
	t.Helper()
	switch format {
	case "csv":
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		var all strings.Builder
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(rc).ReadAll()
			rc.Close()
			if err != nil {
				t.Fatalf("%s is not valid CSV: %v", f.Name, err)
			}
			for _, row := range rows {
				all.WriteString(strings.Join(row, "\t") + "\n")
			}
		}
		return all.String()
	case "pdf":
		dir := t.TempDir()
		in := filepath.Join(dir, "r.pdf")
		if err := os.WriteFile(in, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", in, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		// Text extraction may break lines inside a phrase; join them.
		return strings.Join(strings.Fields(string(out)), " ") + "\n" + string(out)
	}
	return string(b)
}

func TestIntegrationJSONRoundTrip(t *testing.T) {
	conn := fixtureDB(t)
	r := generateFixture(t, conn, nil)
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Summary, r.Summary) || back.Coordination.Clusters == nil || back.Methods.CoordinationParams == nil {
		t.Fatalf("JSON does not round-trip or has null tables:\n%s", b.String())
	}
}

func TestIntegrationCSVHasEveryTable(t *testing.T) {
	conn := fixtureDB(t)
	r := generateFixture(t, conn, nil)
	var b bytes.Buffer
	if err := WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][][]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		rows, err := csv.NewReader(rc).ReadAll()
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = rows
	}
	if len(files) != len(r.Tables()) {
		t.Fatalf("%d CSV files, want %d", len(files), len(r.Tables()))
	}
	eqJSON(t, "frames.csv", files["02_frames.csv"][:2], [][]string{{"frame", "count", "previous"}, {"propaganda_ban", "3", "1"}})
	eqJSON(t, "summary.csv", files["01_summary.csv"][2], []string{"narrative_posts", "6", "2", "200", ""})
	if n := len(files["03_timeline.csv"]); n != 43 {
		t.Fatalf("timeline.csv has %d lines, want header + 42", n)
	}
}

// TestIntegrationPDFPages prints the fixture report and checks the pages: their number,
// that pdftoppm turns each into a non-blank PNG, and which section starts on which page.
func TestIntegrationPDFPages(t *testing.T) {
	if !haveTool(t, "pdftoppm") || !haveTool(t, "pdftotext") || !chromiumOK(t) {
		return
	}
	conn := fixtureDB(t)
	r := generateFixture(t, conn, nil)
	var b bytes.Buffer
	if err := WritePDF(context.Background(), &b, r, PDFOptions{}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if d := os.Getenv("KUZOT_REPORT_PNG_DIR"); d != "" {
		dir = d // keep the pages to look at them
	}
	in := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(in, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "40", "-png", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	const wantPages = 9
	if len(pngs) != wantPages {
		t.Fatalf("PDF has %d pages, want %d", len(pngs), wantPages)
	}
	for _, p := range pngs {
		st, err := os.Stat(p)
		if err != nil || st.Size() < 2000 {
			t.Errorf("page %s looks blank (%v bytes)", p, st.Size())
		}
	}
	// Each section starts on its own page: check the headings page by page.
	wantOn := map[int]string{1: "Summary", 2: "Narratives", 3: "By language", 4: "Top sources", 5: "Emerging terms",
		6: "Exposure of personal data", 8: "Notable posts", 9: "Methods"}
	for page, heading := range wantOn {
		out, err := exec.Command("pdftotext", "-f", strconv.Itoa(page), "-l", strconv.Itoa(page), "-enc", "UTF-8", in, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), heading) {
			t.Errorf("page %d lacks %q:\n%s", page, heading, out)
		}
	}
}

func haveTool(t *testing.T, name string) bool {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv(testenv.RequireEnv) != "" {
			t.Fatalf("%s not installed (make test installs poppler-utils)", name)
		}
		t.Logf("%s not installed; skipping the PDF checks", name)
		return false
	}
	return true
}

func chromiumOK(t *testing.T) bool {
	t.Helper()
	if _, err := (PDFOptions{}).FindChromium(); err != nil {
		if os.Getenv(testenv.RequireEnv) != "" {
			t.Fatal(err)
		}
		t.Log(err, "; skipping the PDF checks")
		return false
	}
	return true
}

// eqJSON compares two values through their JSON form and prints both on mismatch.
func eqJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// TestIntegrationNotableThresholdFallback buries the flagged posts under more than
// notableCandidates×NotableN more viewed, unflagged posts: the views threshold then
// admits no flagged post and the query must fall back to ranking every flagged post.
func TestIntegrationNotableThresholdFallback(t *testing.T) {
	conn := fixtureDB(t)
	var many []post.Post
	for i := range notableCandidates*2 + 50 {
		many = append(many, post.Post{ID: "rss:viral/" + strconv.Itoa(i), Source: "rss", Channel: "viral", Text: "Погода.",
			PublishedAt: at(3, 4, 12), CollectedAt: at(3, 4, 13), Views: int64(1_000_000 + i), Media: []post.Media{}})
	}
	if err := storage.InsertPosts(context.Background(), conn, many); err != nil {
		t.Fatal(err)
	}
	r := generateFixture(t, conn, func(o *Options) { o.NotableN = 2 })
	if len(r.Notable) != 2 || r.Notable[0].Views != 12000 || r.Notable[1].Views != 9000 {
		t.Fatalf("notable = %+v", r.Notable)
	}
}
