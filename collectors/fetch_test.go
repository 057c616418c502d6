package collectors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gocolly/colly/v2"
	"golang.org/x/text/encoding/charmap"
)

const testUA = "kuzot-test/1.0 (+https://github.com/kuzot/kuzot)"

func testFetcher(t *testing.T, mutate func(*FetcherOptions)) *Fetcher {
	t.Helper()
	o := FetcherOptions{UserAgent: testUA, HostRules: []HostRule{{Pattern: "*"}}, BaseBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxTries: 3}
	if mutate != nil {
		mutate(&o)
	}
	f, err := NewFetcher(o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// site serves robots.txt plus the handlers given by path, counting hits per path.
type site struct {
	*httptest.Server
	hits map[string]*atomic.Int32
}

func newSite(t *testing.T, robots string, routes map[string]http.HandlerFunc) *site {
	t.Helper()
	s := &site{hits: map[string]*atomic.Int32{}}
	mux := http.NewServeMux()
	routes["/robots.txt"] = func(w http.ResponseWriter, r *http.Request) {
		if robots == "" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(robots))
	}
	for p, h := range routes {
		s.hits[p] = &atomic.Int32{}
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			s.hits[p].Add(1)
			if got := r.Header.Get("User-Agent"); got != testUA {
				t.Errorf("User-Agent %q", got)
			}
			h(w, r)
		})
	}
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func ok(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) }
}

func TestFetchOutcomes(t *testing.T) {
	var flaky atomic.Int32
	s := newSite(t, "User-agent: *\nDisallow: /private/\n\nUser-agent: kuzot-test\nDisallow: /private/\nDisallow: /kuzot-only/\n", map[string]http.HandlerFunc{
		"/ok":           ok("fine"),
		"/private/page": ok("secret"),
		"/kuzot-only/x": ok("x"),
		"/always500":    func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) },
		"/notfound":     func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(404) },
		"/loop":         func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop2", http.StatusFound) },
		"/loop2":        func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) },
		"/to-private":   func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/private/page", http.StatusFound) },
		"/huge-chunked": func(w http.ResponseWriter, _ *http.Request) { writeZeros(w, 50<<20) },
		"/huge-declared": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(50<<20))
			writeZeros(w, 50<<20)
		},
		"/flaky": func(w http.ResponseWriter, _ *http.Request) {
			if flaky.Add(1) == 1 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			_, _ = w.Write([]byte("second time lucky"))
		},
		"/slow-retry-after": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "600")
			w.WriteHeader(http.StatusServiceUnavailable)
		},
	})
	f := testFetcher(t, func(o *FetcherOptions) { o.MaxBodyBytes = 1 << 20 })
	c := f.Client(nil).WithEndpoints(s.URL)
	ctx := context.Background()
	tests := []struct {
		path     string
		body     string
		is       error
		status   int
		hits     int32
		contains string
	}{
		{path: "/ok", body: "fine", hits: 1},
		{path: "/private/page", is: ErrRobotsDisallowed, hits: 0},
		{path: "/kuzot-only/x", is: ErrRobotsDisallowed, hits: 0},
		{path: "/always500", is: ErrGaveUp, status: 500, hits: 3},
		{path: "/notfound", status: 404, hits: 1},
		{path: "/loop", is: ErrTooManyRedirects, hits: 3},
		{path: "/to-private", is: ErrRobotsDisallowed, hits: 1},
		{path: "/huge-chunked", is: ErrBodyTooLarge, hits: 1},
		{path: "/huge-declared", is: ErrBodyTooLarge, hits: 1},
		{path: "/flaky", body: "second time lucky", hits: 2},
		{path: "/slow-retry-after", contains: "exceeds", status: 503, hits: 1},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := c.Get(ctx, s.URL+tc.path)
			if tc.body != "" {
				if err != nil || string(resp.Body) != tc.body {
					t.Fatalf("got %v, %v", resp, err)
				}
			} else if err == nil {
				t.Fatalf("want an error, got %d bytes", len(resp.Body))
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err %v, want %v", err, tc.is)
			}
			var se *StatusError
			if tc.status != 0 && (!errors.As(err, &se) || se.Status != tc.status) {
				t.Errorf("err %v, want status %d", err, tc.status)
			}
			if tc.contains != "" && !strings.Contains(fmt.Sprint(err), tc.contains) {
				t.Errorf("err %v, want %q", err, tc.contains)
			}
			if got := s.hits[tc.path].Load(); got != tc.hits && tc.path != "/loop" {
				t.Errorf("%d hits, want %d", got, tc.hits)
			}
		})
	}
	if n := s.hits["/robots.txt"].Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times, want 1 (cached per host)", n)
	}
}

// TestHugeBodyBoundedMemory: a 50 MB page under a 1 MiB cap is refused without reading
// (or allocating) much more than the cap: reading it whole would allocate 50 MB or more.
func TestHugeBodyBoundedMemory(t *testing.T) {
	s := newSite(t, "", map[string]http.HandlerFunc{"/huge": func(w http.ResponseWriter, _ *http.Request) { writeZeros(w, 50<<20) }})
	c := testFetcher(t, func(o *FetcherOptions) { o.MaxBodyBytes = 1 << 20 }).Client(nil).WithEndpoints(s.URL)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.Get(context.Background(), s.URL+"/huge")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("err %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("allocated %d MiB for a refused 50 MB page", alloc>>20)
	}
}

func writeZeros(w http.ResponseWriter, n int) {
	chunk := make([]byte, 64<<10)
	for sent := 0; sent < n; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

func TestRobotsServerError(t *testing.T) {
	s := newSite(t, "", map[string]http.HandlerFunc{"/page": ok("x")})
	// Replace robots with a 503: RFC 9309 says treat the site as fully disallowed.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.WriteHeader(503)
			return
		}
		s.Config.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()
	_, err := testFetcher(t, nil).Client(nil).WithEndpoints(srv.URL).Get(context.Background(), srv.URL+"/page")
	if !errors.Is(err, ErrRobotsDisallowed) {
		t.Fatalf("err %v, want robots disallow", err)
	}
}

func TestHostPacing(t *testing.T) {
	s := newSite(t, "", map[string]http.HandlerFunc{"/a": ok("a")})
	const delay = 80 * time.Millisecond
	f := testFetcher(t, func(o *FetcherOptions) {
		o.HostRules = []HostRule{{Pattern: "127.0.0.1:*", Delay: delay}, {Pattern: "*"}}
	})
	c := f.Client(nil).WithEndpoints(s.URL)
	var times []time.Time
	for range 3 {
		if _, err := c.Get(context.Background(), s.URL+"/a"); err != nil {
			t.Fatal(err)
		}
		times = append(times, time.Now())
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < delay {
			t.Errorf("requests %d and %d only %v apart, want >= %v", i-1, i, gap, delay)
		}
	}
	// Another host (localhost vs 127.0.0.1 are distinct gates) is not held back. Its
	// gate is checked with a long delay on 127.0.0.1, so that waiting for that gate
	// stands out from a slow request on a loaded machine (it fetches robots.txt too).
	const long = 5 * time.Second
	slow := testFetcher(t, func(o *FetcherOptions) {
		o.HostRules = []HostRule{{Pattern: "127.0.0.1:*", Delay: long}, {Pattern: "*"}}
	}).Client(nil).WithEndpoints(s.URL)
	if _, err := slow.Get(context.Background(), s.URL+"/a"); err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(s.URL, "127.0.0.1", "localhost", 1)
	start := time.Now()
	if _, err := slow.Get(context.Background(), other+"/a"); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > long/2 {
		t.Errorf("a different host waited %v (the 127.0.0.1 gate holds for %v)", el, long)
	}
}

func TestContextCancelled(t *testing.T) {
	s := newSite(t, "", map[string]http.HandlerFunc{"/a": func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }})
	f := testFetcher(t, func(o *FetcherOptions) { o.BaseBackoff = time.Hour; o.MaxBackoff = 2 * time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := f.Client(nil).WithEndpoints(s.URL).Get(ctx, s.URL+"/a")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want deadline", err)
	}
}

func TestNewFetcherNeedsUserAgent(t *testing.T) {
	if _, err := NewFetcher(FetcherOptions{}); err == nil {
		t.Fatal("empty user agent accepted")
	}
	if _, err := NewFetcher(FetcherOptions{UserAgent: "x", HostRules: []HostRule{{Pattern: "["}}}); err == nil {
		t.Fatal("bad host pattern accepted")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"120", 2 * time.Minute}, {"-5", 0}, {"soon", 0},
		{"Sun, 01 Mar 2026 12:01:00 GMT", time.Minute},
		{"Sun, 01 Mar 2026 11:00:00 GMT", 0},
	} {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestDecodeUTF8(t *testing.T) {
	cp := func(s string) []byte {
		b, err := charmap.Windows1251.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name  string
		body  []byte
		ctype string
		want  string
		cs    string
	}{
		{"utf8 kyrgyz", []byte("Үй-бүлө ң"), "text/html; charset=utf-8", "Үй-бүлө ң", "utf-8"},
		{"cp1251 header", cp("Привет"), "text/html; charset=windows-1251", "Привет", "windows-1251"},
		{"cp1251 short, no declaration", cp("Привет"), "text/html", "Привет", "windows-1251"},
		{"cp1251 meta", append([]byte(`<html><head><meta charset="windows-1251"></head>`), cp("Новости")...), "text/html", `<html><head><meta charset="windows-1251"></head>Новости`, "windows-1251"},
		{"cp1251 prolog", append([]byte(`<?xml version="1.0" encoding="windows-1251"?><a>`), cp("Вести")...), "", `<?xml version="1.0" encoding="windows-1251"?><a>Вести`, "windows-1251"},
		{"header beats prolog", []byte(`<?xml version="1.0" encoding="windows-1251"?><a>Вести</a>`), "text/xml; charset=utf-8", `<?xml version="1.0" encoding="windows-1251"?><a>Вести</a>`, "utf-8"},
		{"mostly utf8, one stray byte, undeclared", []byte("Үй-бүлө жана салт \xff кыргыз"), "text/html", "Үй-бүлө жана салт \uFFFD кыргыз", "utf-8"},
		{"invalid utf8 declared", []byte("ok \xff\xfe end"), "text/html; charset=utf-8", "ok \uFFFD end", "utf-8"},
		{"bom", []byte("\xEF\xBB\xBFhi"), "", "hi", "utf-8"},
		{"unknown label falls through", []byte("plain"), "text/plain; charset=x-nonsense", "plain", "utf-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, cs, err := DecodeUTF8(tc.body, tc.ctype)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want || cs != tc.cs {
				t.Errorf("got %q (%s), want %q (%s)", got, cs, tc.want, tc.cs)
			}
		})
	}
}

func FuzzDecodeUTF8(f *testing.F) {
	f.Add([]byte("Привет"), "text/html; charset=windows-1251")
	f.Add([]byte("\xff\xfe\x00a"), "")
	f.Add([]byte(`<?xml encoding="koi8-r"?>`), "")
	f.Fuzz(func(t *testing.T, body []byte, ctype string) {
		out, _, err := DecodeUTF8(body, ctype)
		if err == nil && !bytes.Equal(out, bytes.ToValidUTF8(out, []byte("\uFFFD"))) {
			t.Fatalf("output is not valid UTF-8: %q", out)
		}
	})
}

// TestCollyEnvironmentIgnored: COLLY_* variables, which colly.NewCollector applies after
// its options, change nothing: robots.txt is still obeyed, our user agent, body cap,
// redirect policy and charset handling stay.
func TestCollyEnvironmentIgnored(t *testing.T) {
	for k, v := range map[string]string{
		"COLLY_IGNORE_ROBOTSTXT": "yes", "COLLY_USER_AGENT": "evil-bot/6.6", "COLLY_MAX_BODY_SIZE": "3",
		"COLLY_FOLLOW_REDIRECTS": "no", "COLLY_DETECT_CHARSET": "yes", "COLLY_CACHE_DIR": t.TempDir(),
		"COLLY_ALLOWED_DOMAINS": "example.invalid", "COLLY_MAX_REQUESTS": "1",
	} {
		t.Setenv(k, v)
	}
	s := newSite(t, "User-agent: *\nDisallow: /private/\n", map[string]http.HandlerFunc{
		"/ok":           ok("fine body"),
		"/private/page": ok("secret"),
		"/moved":        func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) },
	})
	c := testFetcher(t, nil).Client(nil).WithEndpoints(s.URL)
	for range 2 { // twice: COLLY_MAX_REQUESTS=1 must not stop the second
		resp, err := c.Get(context.Background(), s.URL+"/moved")
		if err != nil || string(resp.Body) != "fine body" || resp.URL.Path != "/ok" {
			t.Fatalf("got %v, %v", resp, err)
		}
	}
	if _, err := c.Get(context.Background(), s.URL+"/private/page"); !errors.Is(err, ErrRobotsDisallowed) {
		t.Fatalf("COLLY_IGNORE_ROBOTSTXT took effect: %v", err)
	}
	if n := s.hits["/private/page"].Load(); n != 0 {
		t.Errorf("disallowed page fetched %d times", n)
	}
}

// TestRawBodyCharsetDeclared: colly converts a body whose Content-Type names a charset;
// the fetcher must hand collectors the raw bytes and the header as sent, so that
// DecodeUTF8 decodes exactly once (and an unknown label is not read as windows-1252).
func TestRawBodyCharsetDeclared(t *testing.T) {
	cp, err := charmap.Windows1251.NewEncoder().Bytes([]byte("Новости Бишкека"))
	if err != nil {
		t.Fatal(err)
	}
	serve := func(ctype string, body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ctype)
			_, _ = w.Write(body)
		}
	}
	s := newSite(t, "", map[string]http.HandlerFunc{
		"/cp1251":  serve("text/html; charset=windows-1251", cp),
		"/unknown": serve("text/plain; charset=x-nonsense", []byte("Үй-бүлө")),
		"/bom16":   serve("text/plain; charset=utf-8", []byte("\xFF\xFEa\x00")),
	})
	c := testFetcher(t, nil).Client(nil).WithEndpoints(s.URL)
	for _, tc := range []struct{ path, ctype, want string }{
		{"/cp1251", "text/html; charset=windows-1251", "Новости Бишкека"},
		{"/unknown", "text/plain; charset=x-nonsense", "Үй-бүлө"},
	} {
		resp, err := c.Get(context.Background(), s.URL+tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Header.Get("Content-Type"); got != tc.ctype {
			t.Errorf("%s: Content-Type %q, want %q", tc.path, got, tc.ctype)
		}
		text, _, err := DecodeUTF8(resp.Body, resp.Header.Get("Content-Type"))
		if err != nil || string(text) != tc.want {
			t.Errorf("%s: decoded %q (%v), want %q", tc.path, text, err, tc.want)
		}
	}
	resp, err := c.Get(context.Background(), s.URL+"/bom16")
	if err != nil || !bytes.Equal(resp.Body, []byte("\xFF\xFEa\x00")) {
		t.Errorf("raw body changed: %q, %v", resp.Body, err)
	}
}

// TestRobotsUnavailable: a robots.txt answering 503 is retried MaxTries times, then the
// origin is off limits for the robots TTL without asking again; after the TTL it is
// fetched again and, now 200, obeyed.
func TestRobotsUnavailable(t *testing.T) {
	var robotsHits, pageHits atomic.Int32
	var healthy atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			robotsHits.Add(1)
			if !healthy.Load() {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			_, _ = w.Write([]byte("User-agent: *\nDisallow: /no/\n"))
			return
		}
		pageHits.Add(1)
		_, _ = w.Write([]byte("page"))
	}))
	defer srv.Close()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := testFetcher(t, func(o *FetcherOptions) { o.Now = func() time.Time { return now } })
	c := f.Client(nil).WithEndpoints(srv.URL)
	for i := range 2 {
		if _, err := c.Get(context.Background(), srv.URL+"/page"); !errors.Is(err, ErrRobotsDisallowed) || !strings.Contains(err.Error(), "503") {
			t.Fatalf("try %d: err %v, want a 503 robots disallow", i, err)
		}
	}
	if robotsHits.Load() != 3 || pageHits.Load() != 0 {
		t.Fatalf("robots.txt fetched %d times (want 3 = MaxTries, then cached), page %d times", robotsHits.Load(), pageHits.Load())
	}
	healthy.Store(true)
	now = now.Add(2 * time.Hour)
	if resp, err := c.Get(context.Background(), srv.URL+"/page"); err != nil || string(resp.Body) != "page" {
		t.Fatalf("after the TTL: %v, %v", resp, err)
	}
	if _, err := c.Get(context.Background(), srv.URL+"/no/x"); !errors.Is(err, ErrRobotsDisallowed) {
		t.Fatalf("refreshed robots.txt not obeyed: %v", err)
	}
	if robotsHits.Load() != 4 {
		t.Errorf("robots.txt fetched %d times, want 4", robotsHits.Load())
	}
}

// TestCollyReadsDisallowAllAsAllow pins the colly v2.3.0 behaviour that the robots.txt
// pre-check exists for: with IgnoreRobotsTxt=false, colly itself fetches a page whose
// robots.txt answered 503 (RFC 9309: disallow everything). If a colly upgrade fixes
// this, the test fails, and the pre-check in robots.go can go.
func TestCollyReadsDisallowAllAsAllow(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("page"))
	}))
	defer srv.Close()
	c := colly.NewCollector()
	c.IgnoreRobotsTxt = false
	var fetched bool
	c.OnResponse(func(*colly.Response) { fetched = true })
	if err := c.Visit(srv.URL + "/page"); err != nil || !fetched {
		t.Fatalf("colly now refuses a 503 robots.txt (err %v): drop the pre-check in robots.go", err)
	}
}

// TestRedirectTargetRobots: colly checks robots.txt of the first URL only; a redirect to
// another host whose robots.txt disallows the target is refused before fetching it.
func TestRedirectTargetRobots(t *testing.T) {
	other := newSite(t, "User-agent: kuzot-test\nDisallow: /\n", map[string]http.HandlerFunc{"/target": ok("x")})
	s := newSite(t, "", map[string]http.HandlerFunc{
		"/jump": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/target", http.StatusFound)
		},
	})
	_, err := testFetcher(t, nil).Client(nil).WithEndpoints(s.URL, other.URL).Get(context.Background(), s.URL+"/jump")
	if !errors.Is(err, ErrRobotsDisallowed) {
		t.Fatalf("err %v, want robots disallow of the redirect target", err)
	}
	if other.hits["/target"].Load() != 0 || other.hits["/robots.txt"].Load() != 1 {
		t.Errorf("target fetched %d times, its robots.txt %d times", other.hits["/target"].Load(), other.hits["/robots.txt"].Load())
	}
}

// TestRobotsFetchCancelled: colly sends its robots.txt request without a context; the
// fetcher still cancels it with the caller's ctx instead of waiting for the timeout.
func TestRobotsFetchCancelled(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := testFetcher(t, nil).Client(nil).WithEndpoints(srv.URL).Get(ctx, srv.URL+"/page")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the ctx deadline", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v: the robots.txt request was not cancelled", el)
	}
}

// TestRobotsNetworkFailure: a robots.txt whose connection breaks is tried MaxTries times
// in all (not once more per page retry) and the page is never fetched.
func TestRobotsNetworkFailure(t *testing.T) {
	var robotsHits, pageHits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			pageHits.Add(1)
			return
		}
		robotsHits.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}))
	defer srv.Close()
	_, err := testFetcher(t, nil).Client(nil).WithEndpoints(srv.URL).Get(context.Background(), srv.URL+"/page")
	if !errors.Is(err, ErrGaveUp) || !strings.Contains(err.Error(), "robots.txt") {
		t.Fatalf("err %v, want a robots.txt give-up", err)
	}
	if robotsHits.Load() != 3 || pageHits.Load() != 0 {
		t.Errorf("robots.txt tried %d times (want 3), page fetched %d times", robotsHits.Load(), pageHits.Load())
	}
}
