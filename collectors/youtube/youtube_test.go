package youtube

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/collectors/collectortest"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/demosite"
	"github.com/kuzot/kuzot/post"
)

const demoChannel = "UCdemo00000000000000kg01"

func newCollector(t *testing.T, env *collectortest.Env, mutate func(*Config)) *Collector {
	t.Helper()
	return collectortest.New(t, env, Config{ChannelID: demoChannel, BaseURL: env.Server.URL, APIBaseURL: env.Server.URL}, mutate, New)
}

func allowAPI(o *demosite.Options) { o.RobotsTxt = "User-agent: *\nDisallow: /private/\n" }

// TestDemoChannel: watch pages and the Data API give the same fixture videos; caption
// tracks become transcript posts only where robots.txt allows /api/.
func TestDemoChannel(t *testing.T) {
	for _, tc := range []struct {
		name        string
		key         string
		robots      func(*demosite.Options)
		transcripts bool
	}{
		{"watch pages, robots disallow captions", "", nil, false},
		{"watch pages, captions allowed", "", allowAPI, true},
		{"data api", "demo-key", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := collectortest.NewEnv(t, tc.robots)
			got, err := collectortest.Collect(t, newCollector(t, env, func(c *Config) { c.APIKey = config.Secret(tc.key) }))
			if err != nil {
				t.Fatal(err)
			}
			var videos, transcripts []post.Post
			for _, p := range got {
				if strings.HasSuffix(p.ID, ":transcript") {
					transcripts = append(transcripts, p)
				} else {
					videos = append(videos, p)
				}
			}
			want := env.Site.Visible("youtube", demoChannel)
			if len(videos) != len(want) {
				t.Fatalf("got %v, want %d videos", collectortest.IDs(got), len(want))
			}
			for i, w := range want {
				g := videos[i]
				if g.ID != "youtube:"+w.NativeID || g.Title != w.Title || g.Text != w.Text || g.Author != "Демо Ачык Сөз TV" || g.Channel != demoChannel {
					t.Errorf("video %d = %+v, want %s %q", i, g, w.NativeID, w.Title)
				}
				if !g.PublishedAt.Equal(env.Site.PublishedAt(w)) || g.Views != env.Site.Views(w) {
					t.Errorf("%s published %v views %d, want %v %d", w.Key, g.PublishedAt, g.Views, env.Site.PublishedAt(w), env.Site.Views(w))
				}
				if g.Lang != w.Lang {
					t.Errorf("%s lang %q want %q", w.Key, g.Lang, w.Lang)
				}
			}
			if !tc.transcripts {
				if len(transcripts) != 0 {
					t.Fatalf("transcripts fetched although robots.txt disallows /api/: %v", collectortest.IDs(transcripts))
				}
				return
			}
			if len(transcripts) != 1 || transcripts[0].ID != "youtube:dEmOvid0001:transcript" {
				t.Fatalf("transcripts %v", collectortest.IDs(transcripts))
			}
			tr := transcripts[0]
			if !strings.Contains(tr.Text, "Айбек Токтосунов") || tr.ReplyTo != "youtube:dEmOvid0001" || tr.Lang != "ru" {
				t.Errorf("transcript %+v", tr)
			}
			if strings.Count(tr.Text, "\n") != 2 {
				t.Errorf("transcript lines: %q", tr.Text)
			}
		})
	}
}

func TestIncremental(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, nil)
	if _, err := collectortest.Collect(t, c); err != nil {
		t.Fatal(err)
	}
	if again, err := collectortest.Collect(t, c); err != nil || len(again) != 0 {
		t.Fatalf("second poll %v %v", collectortest.IDs(again), err)
	}
	env.Clock.Advance(21 * time.Minute)
	got, err := collectortest.Collect(t, c)
	if err != nil || len(got) != 1 || got[0].ID != "youtube:dEmOvid0004" {
		t.Fatalf("new video: %v %v", collectortest.IDs(got), err)
	}
}

// TestListedVideosRevisited: a listed video is re-emitted when its views change; an
// unavailable one is skipped, not an error.
func TestListedVideosRevisited(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, func(c *Config) { c.ChannelID = ""; c.Videos = []string{"dEmOvid0002", "missingvid1"} })
	got, err := collectortest.Collect(t, c)
	if err != nil || len(got) != 1 {
		t.Fatalf("first poll %v %v", collectortest.IDs(got), err)
	}
	if again, err := collectortest.Collect(t, c); err != nil || len(again) != 0 {
		t.Fatalf("unchanged views re-emitted: %v %v", collectortest.IDs(again), err)
	}
	env.Clock.Advance(3 * time.Hour)
	again, err := collectortest.Collect(t, c)
	if err != nil || len(again) != 1 || again[0].Views <= got[0].Views {
		t.Fatalf("after 3h: %v %v", again, err)
	}
}

// TestReupload: a listed video deleted by the platform is searched for by title (Data
// API); its re-upload on another channel is published once, pointing at the original,
// and then re-visited like a listed video.
func TestReupload(t *testing.T) {
	for _, key := range []string{"demo-key", ""} {
		t.Run("key="+key, func(t *testing.T) {
			env := collectortest.NewEnv(t, nil)
			c := newCollector(t, env, func(c *Config) { c.ChannelID = ""; c.Videos = []string{"dEmOvid0001"}; c.APIKey = config.Secret(key) })
			if got, err := collectortest.Collect(t, c); err != nil || len(got) != 1 {
				t.Fatalf("first poll %v %v", collectortest.IDs(got), err)
			}
			env.Clock.Advance(56 * time.Minute) // deleted at +50m, re-uploaded at +55m
			got, err := collectortest.Collect(t, c)
			if err != nil {
				t.Fatal(err)
			}
			if key == "" {
				if len(got) != 0 {
					t.Fatalf("without a key nothing can be searched, got %v", collectortest.IDs(got))
				}
				return
			}
			if len(got) != 1 || got[0].ID != "youtube:dEmOvid0009" || got[0].ForwardedFrom != "youtube:dEmOvid0001" || got[0].Channel != "UCdemo00000000000000kg02" {
				t.Fatalf("re-upload: %+v", got)
			}
			if again, err := collectortest.Collect(t, c); err != nil || len(again) != 0 {
				t.Fatalf("re-upload published again: %v %v", collectortest.IDs(again), err)
			}
			env.Clock.Advance(2 * time.Hour)
			again, err := collectortest.Collect(t, c)
			if err != nil || len(again) != 1 || again[0].ID != "youtube:dEmOvid0009" || again[0].Views <= got[0].Views || again[0].ForwardedFrom != "youtube:dEmOvid0001" {
				t.Fatalf("tracked re-upload not re-visited: %v %v", again, err)
			}
		})
	}
}

func TestParseWatchPage(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	v, err := ParseWatchPage(read("watch.html"), "abcdefghijk")
	if err != nil {
		t.Fatal(err)
	}
	if v.Title != "Demo & test" || v.Views != 1234 || v.Duration != 95*time.Second ||
		!v.Published.Equal(time.Date(2026, 2, 2, 8, 0, 0, 0, time.UTC)) || len(v.Captions) != 1 ||
		!strings.Contains(v.Captions[0].BaseURL, "&lang=ky") {
		t.Errorf("parsed %+v", v)
	}
	for _, tc := range []struct {
		file, id string
		want     error
		contains string
	}{
		{"malformed.html", "abcdefghijk", nil, "malformed JSON"},
		{"consent.html", "abcdefghijk", ErrConsent, ""},
		{"watch.html", "zzzzzzzzzzz", nil, "not \"zzzzzzzzzzz\""},
		{"unavailable.html", "abcdefghijk", ErrUnavailable, "LOGIN_REQUIRED"},
		{"captcha.html", "abcdefghijk", ErrBlocked, ""},
	} {
		_, err := ParseWatchPage(read(tc.file), tc.id)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.contains) {
			t.Errorf("%s: err %v, want %v %q", tc.file, err, tc.want, tc.contains)
		}
	}
	ids, err := ParseChannelVideos(read("channel.html"))
	if err != nil || strings.Join(ids, ",") != "aaaaaaaaaaa,bbbbbbbbbbb" {
		t.Errorf("channel videos %v %v", ids, err)
	}
	if _, err := ParseChannelVideos(read("captcha.html")); err == nil {
		t.Error("page without ytInitialData accepted")
	}
	// Date-only publishDate (older pages) is midnight Pacific.
	if d := parsePublishDate("2018-08-02"); !d.Equal(time.Date(2018, 8, 2, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("date-only: %v", d)
	}
}

func TestParseTranscript(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty 200", "", ""},
		{"srv1", `<?xml version="1.0" encoding="utf-8" ?><transcript><text start="0" dur="1">Салам &amp;amp; ку</text><text start="1" dur="1">экинчи</text></transcript>`, "Салам & ку\nэкинчи"},
		{"srv3", `<timedtext format="3"><body><p t="0" d="100">one</p><p t="100" d="100">two</p></body></timedtext>`, "one\ntwo"},
		{"json3", `{"events":[{"tStartMs":0},{"segs":[{"utf8":"he"},{"utf8":"llo"}]},{"segs":[{"utf8":"\n"}]}]}`, "hello"},
	} {
		got, err := ParseTranscript([]byte(tc.in))
		if err != nil || got != tc.want {
			t.Errorf("%s: %q %v, want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := ParseTranscript([]byte(`{"events":[`)); err == nil {
		t.Error("broken json3 accepted")
	}
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "set channel_id or videos"},
		{Config{ChannelID: "UCshort"}, "not a UC"},
		{Config{Videos: []string{"bad id"}}, "11 characters"},
		{Config{Videos: []string{"abcdefghijk"}, BaseURL: "www.youtube.com"}, "absolute"},
	} {
		tc.cfg.Defaults()
		if err := tc.cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v want %q", tc.cfg, err, tc.want)
		}
	}
	if d := parseISODuration("PT1H2M3S"); d != time.Hour+2*time.Minute+3*time.Second {
		t.Errorf("duration %v", d)
	}
}

func TestAPIKeyNotLeaked(t *testing.T) {
	err := config.RedactError(errors.New("fetch https://x/youtube/v3/videos?key=s3cr%2Bt: HTTP 403"), "s3cr+t", "<key>")
	if strings.Contains(err.Error(), "s3cr") {
		t.Fatalf("key in error: %v", err)
	}
}

func FuzzParseWatchPage(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.html")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`var ytInitialPlayerResponse = {"videoDetails":{"videoId":1}};`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseWatchPage(b, "")
		if err == nil && (v.ID == "" || v.Published.IsZero()) {
			t.Fatalf("accepted incomplete video %+v", v)
		}
		_, _ = ParseChannelVideos(b)
		_, _ = ParseTranscript(b)
	})
}
