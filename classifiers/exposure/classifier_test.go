package exposure

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
	"github.com/kuzot/kuzot/post"
)

const testKey = "test-key-0123456789abcdef0123456789"

const memberYAML = `orgs:
  - id: org-a
    members:
      - id: m-001
        names: ["Айбек Токтосунов", "Aibek Toktosunov"]
        phones: ["+996 555 123 456"]
`

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func testPost(text string) *post.Post {
	return &post.Post{ID: "test:1", Source: "test", Text: text, PublishedAt: testNow}
}

func TestResultJSONShape(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "wl.yaml")
	if err := os.WriteFile(file, []byte(memberYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := NewWithOptions(context.Background(), Options{
		Config: Config{WatchlistFile: file, WatchlistDir: filepath.Join(dir, "store")},
		Getenv: env(map[string]string{watchlist.DefaultKeyEnv: testKey}),
		Now:    func() time.Time { return testNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Classify(context.Background(), testPost("Айбек Токтосунов гей, тел 0555 123 456"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"exposed":true,"outing":true,"severity":"critical","entities":[{"type":"person","start":0,"end":31},{"type":"sogi","start":32,"end":38},{"type":"phone","start":47,"end":59}],"watchlist":[{"org":"org-a","member":"m-001"}],"mentions":[],"threat":false,"categories":["phone"]}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
	res := r.(*Result)
	if !res.Flagged() || res.Score() != 1 {
		t.Errorf("Flagged=%v Score=%v", res.Flagged(), res.Score())
	}
	if got := strings.Join(res.Labels(), ","); got != "phone,outing,severity:critical" {
		t.Errorf("Labels = %s", got)
	}
	if got := res.Redacted(); got != "[person] гей, тел **** *** 456" {
		t.Errorf("Redacted = %q", got)
	}
	for _, leak := range []string{"Айбек", "555 123"} {
		if strings.Contains(string(b), leak) || strings.Contains(res.Redacted(), leak) || strings.Contains(strings.Join(res.Trace(), " "), leak) {
			t.Errorf("result leaks %q", leak)
		}
	}
	// An empty result still marshals arrays, never null.
	r, _ = c.Classify(context.Background(), testPost("Хорошая погода сегодня."))
	b, _ = json.Marshal(r)
	if string(b) != `{"exposed":false,"outing":false,"severity":"none","entities":[],"watchlist":[],"mentions":[],"threat":false,"categories":[]}` {
		t.Errorf("empty result JSON %s", b)
	}
}

func TestRegisterAndDeps(t *testing.T) {
	r := classifiers.NewRegistry()
	Register(r)
	if got := r.Names(); len(got) != 1 || got[0] != Name {
		t.Fatalf("names = %v", got)
	}
	dir := t.TempDir()
	cs, err := r.Build(context.Background(), nil, func(string) classifiers.Deps {
		return classifiers.Deps{DataDir: dir, Registerer: prometheus.NewRegistry()}
	})
	if err != nil {
		t.Fatal(err)
	}
	if cs[0].Name() != Name || cs[0].Version() != Version {
		t.Errorf("classifier %s %s", cs[0].Name(), cs[0].Version())
	}
}

func TestDecodeConfig(t *testing.T) {
	var node yaml.Node
	if err := yaml.Unmarshal([]byte("watchlist_dir: /x/wl\nwatchlist_key_env: MY_KEY\n"), &node); err != nil {
		t.Fatal(err)
	}
	c, err := DecodeConfig(&node, "/data")
	if err != nil || c.WatchlistDir != "/x/wl" || c.WatchlistKeyEnv != "MY_KEY" {
		t.Errorf("config %+v, %v", c, err)
	}
	c, err = DecodeConfig(nil, "/data")
	if err != nil || c.WatchlistDir != filepath.Join("/data", "watchlists") || c.WatchlistKeyEnv != watchlist.DefaultKeyEnv {
		t.Errorf("defaults %+v, %v", c, err)
	}
	if err := yaml.Unmarshal([]byte("watchlist_fiel: x\n"), &node); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeConfig(&node, ""); err == nil {
		t.Error("unknown key accepted")
	}
}

func TestRefusesWatchlistWithoutKey(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "wl.yaml")
	if err := os.WriteFile(file, []byte(memberYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := NewWithOptions(context.Background(), Options{
		Config: Config{WatchlistFile: file, WatchlistDir: filepath.Join(dir, "store")},
		Getenv: env(nil),
	})
	if !errors.Is(err, watchlist.ErrNoKey) || !strings.Contains(err.Error(), watchlist.DefaultKeyEnv) {
		t.Errorf("err = %v, want a clear key error", err)
	}
	// Without any list, no key is needed.
	if _, err := NewWithOptions(context.Background(), Options{Config: Config{WatchlistDir: filepath.Join(dir, "empty")}, Getenv: env(nil)}); err != nil {
		t.Errorf("no lists: %v", err)
	}
}

func TestReloadSwapsIndexAndCountsMembers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store := watchlist.NewFileStore(dir)
	reg := prometheus.NewRegistry()
	c, err := NewWithOptions(ctx, Options{Store: store, Getenv: env(map[string]string{"K": testKey}),
		Config: Config{WatchlistKeyEnv: "K"}, Registerer: reg, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	text := "Айбека Токтосунова видели вчера"
	if a, _ := c.Analyze(text, ""); len(a.Watchlist) != 0 {
		t.Fatalf("match before import: %v", a.Watchlist)
	}
	if _, err := ImportWatchlist(ctx, store, strings.NewReader(memberYAML), "org-a", []byte(testKey)); err != nil {
		t.Fatal(err)
	}
	if err := c.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	// Named without data: a mention, not an exposure of the member.
	if a, _ := c.Analyze(text, ""); len(a.Mentions) != 1 || len(a.Watchlist) != 0 || a.Severity != SeverityLow {
		t.Errorf("after reload: watchlist %v mentions %v %s", a.Watchlist, a.Mentions, a.Severity)
	}
	if got := testutil.ToFloat64(c.memb); got != 1 {
		t.Errorf("member gauge = %v", got)
	}
	// A list made with another key is refused on reload; the old index stays.
	if _, err := ImportWatchlist(ctx, store, strings.NewReader(strings.Replace(memberYAML, "org-a", "org-b", 1)), "org-b", []byte("another-key-0123456789abcdef0123456789")); err != nil {
		t.Fatal(err)
	}
	if err := c.Reload(ctx); !errors.Is(err, watchlist.ErrKeyMismatch) {
		t.Errorf("reload with foreign list: %v", err)
	}
	if a, _ := c.Analyze(text, ""); len(a.Mentions) != 1 {
		t.Errorf("old index lost after failed reload: %v", a.Mentions)
	}
}

func TestImportWatchlistErrors(t *testing.T) {
	store := watchlist.NewFileStore(t.TempDir())
	ctx := context.Background()
	if _, err := ImportWatchlist(ctx, store, strings.NewReader(memberYAML), "org-x", []byte(testKey)); err == nil || !strings.Contains(err.Error(), "org-a") {
		t.Errorf("missing org: %v", err)
	}
	if _, err := ImportWatchlist(ctx, store, strings.NewReader(memberYAML), "../etc", []byte(testKey)); err == nil {
		t.Error("path-like org id accepted")
	}
	if _, err := ImportWatchlist(ctx, store, strings.NewReader(memberYAML), "org-a", []byte("short")); !errors.Is(err, watchlist.ErrNoKey) {
		t.Errorf("short key: %v", err)
	}
}

func TestClassifyBadInput(t *testing.T) {
	c, err := NewWithOptions(context.Background(), Options{Config: Config{WatchlistDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Classify(context.Background(), testPost("bad \xff utf8")); !errors.Is(err, ErrInvalidText) {
		t.Errorf("invalid UTF-8: %v", err)
	}
	if _, err := c.Classify(context.Background(), nil); err == nil {
		t.Error("nil post accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Classify(ctx, testPost("x")); err == nil {
		t.Error("cancelled context ignored")
	}
}

func TestRedact(t *testing.T) {
	text := "Айбек Токтосунов, +996 555 123 456, ПИН 21503199000123, гей"
	ents := []Entity{
		{TypePerson, 0, len("Айбек Токтосунов")},
		{TypePhone, strings.Index(text, "+996"), strings.Index(text, "+996") + len("+996 555 123 456")},
		{TypeNationalID, strings.Index(text, "2150"), strings.Index(text, "2150") + 14},
		{TypeSOGI, strings.Index(text, "гей"), len(text)},
	}
	want := "[person], +996 *** *** 456, ПИН [national_id], гей"
	if got, _ := Redact(text, ents, AudienceStored); got != want {
		t.Errorf("Redact = %q, want %q", got, want)
	}
	// Overlapping, out-of-range and mid-rune spans are skipped, never a panic.
	bad := []Entity{{TypePerson, 0, 4}, {TypePhone, 2, 6}, {TypeEmail, -1, 3}, {TypeEmail, 5, 500}, {TypeAddress, 1, 3}, {TypeAddress, 7, 7}}
	got, _ := Redact("Ай ок 12", bad, AudienceStored)
	if !utf8.ValidString(got) || got != "[person] ок 12" {
		t.Errorf("Redact with bad spans = %q", got)
	}
	if got := maskPhone("+7 912 345-67-89"); got != "+7 *** ***-*7-89" {
		t.Errorf("maskPhone = %q", got)
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"Айбек Токтосунов, 12.03.1995 г.р., тел. +996 555 123 456, ул. Манас 12, кв. 5. Он гей.",
		"ПИН 2 1503 1990 00123, паспорт АN 1234567, машина 01KG123ABC, aibek@example.org @aibek_t t.me/x",
		"Токтосун уулу Айбек, Менин номерим 0555-12-34-56", "((((+996", "@@@@", "ул. кв. д. мкр 1",
		"...... 1.2.3 31.02.1995 born", "\u200b\u200b", "", "Ё Ё. Ё", "1995-жылы туулган",
		"@a @b What the f*g", "[id1|Айбек], ты гей", "[id1|", "[club|]", "[id12|x] @c — is", "@x. Find the",
		"👭", "мы 👬", "Биз 🏳️‍🌈.", "Ак-Кайыңдагы", "Sardor moviy bo'lsa", "брат активистки", "X's brother",
	} {
		f.Add(s)
	}
	ix := fuzzIndex(f)
	a := NewAnalyzer(func() time.Time { return testNow })
	f.Fuzz(func(t *testing.T, text string) {
		res, err := a.Analyze(text, text, ix)
		if !utf8.ValidString(text) {
			if err == nil {
				t.Fatal("invalid UTF-8 accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range res.Entities {
			if e.Start < 0 || e.End > len(text) || e.Start >= e.End || !utf8.ValidString(text[e.Start:e.End]) {
				t.Fatalf("bad entity %+v in %q", e, text)
			}
		}
		if !utf8.ValidString(res.Redacted) {
			t.Fatalf("redacted text is not UTF-8: %q", res.Redacted)
		}
	})
}

func fuzzIndex(tb testing.TB) *watchlist.Index {
	h, err := watchlist.NewHasher([]byte(testKey))
	if err != nil {
		tb.Fatal(err)
	}
	f, err := watchlist.ParseFile(strings.NewReader(memberYAML))
	if err != nil {
		tb.Fatal(err)
	}
	l, err := watchlist.Build(&f.Orgs[0], h)
	if err != nil {
		tb.Fatal(err)
	}
	ix, err := watchlist.NewIndex(h, []*watchlist.HashedList{l})
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

func FuzzRedact(f *testing.F) {
	f.Add("Айбек +996 555 123 456", 0, 10, 11, 27)
	f.Add("", 0, 0, 0, 0)
	f.Add("abc", -5, 100, 2, 1)
	f.Fuzz(func(t *testing.T, text string, a, b, c, d int) {
		out, _ := Redact(text, []Entity{{TypePerson, a, b}, {TypePhone, c, d}}, AudienceStored)
		if utf8.ValidString(text) && !utf8.ValidString(out) {
			t.Fatalf("Redact(%q) = %q is not UTF-8", text, out)
		}
	})
}

func TestCorpusWatchlistIsFictionalFormat(t *testing.T) {
	// The embedded corpus watchlist parses strictly and every member has a name.
	f, err := watchlist.ParseFile(bytes.NewReader(embeddedWatchlist))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range f.Orgs {
		for _, m := range o.Members {
			if len(m.Names) == 0 {
				t.Errorf("member %s has no names", m.ID)
			}
			n++
		}
	}
	if n < 20 {
		t.Errorf("corpus watchlist has %d members", n)
	}
}

// TestConcurrentClassifyAndReload exercises the classifier from several goroutines while
// the watchlist is reloaded (run with -race).
func TestConcurrentClassifyAndReload(t *testing.T) {
	ctx := context.Background()
	store := watchlist.NewFileStore(t.TempDir())
	if _, err := ImportWatchlist(ctx, store, strings.NewReader(memberYAML), "org-a", []byte(testKey)); err != nil {
		t.Fatal(err)
	}
	c, err := NewWithOptions(ctx, Options{Store: store, Getenv: env(map[string]string{watchlist.DefaultKeyEnv: testKey})})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 50; i++ {
				r, err := c.Classify(ctx, testPost("Айбек Токтосунов, тел 0555 123 456"))
				if err != nil {
					done <- err
					return
				}
				if res := r.(*Result); len(res.Watchlist) != 1 {
					done <- errors.New("member not matched during reload")
					return
				}
			}
			done <- nil
		}()
	}
	for i := 0; i < 10; i++ {
		if err := c.Reload(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
