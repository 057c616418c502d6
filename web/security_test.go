package web

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/internal/testenv"
)

// TestSafeNextRefusesOffsiteRedirects feeds the login redirect target with the strings
// an attacker would put in /login?next=… to send a freshly logged-in user to another
// site (issue 19, item 6); every one must come back as "/".
func TestSafeNextRefusesOffsiteRedirects(t *testing.T) {
	for _, attack := range []string{
		"/\t/evil.example",
		"/\n/evil.example",
		"/\r/evil.example",
		"/\x00/evil.example",
		"/\x7f/evil.example",
		"/\u0085/evil.example",
		"//evil.example",
		"///evil.example",
		"/\\evil.example",
		"\\\\evil.example",
		"/\\/evil.example",
		"/%2F/evil.example",
		"/%2f%2fevil.example/",
		"/%5Cevil.example",
		"https://evil.example/",
		"http:/evil.example",
		"javascript:alert(1)",
		"evil.example",
		" /incidents",
		"\t//evil.example",
		"",
		"/" + string([]byte{0xff}) + "/evil.example",
		"/" + string(make([]byte, 600)),
	} {
		if got := safeNext(attack); got != "/" {
			t.Errorf("safeNext(%q) = %q, want /", attack, got)
		}
	}
	for _, ok := range []string{"/", "/incidents", "/incidents/inc-1?status=open", "/explorer?q=%D0%BD%D0%BA%D0%BE&frame=foreign_agent",
		"/posts/rss:https%3A%2F%2Fnews.example%2Fa", "/clusters/c1#top"} {
		if got := safeNext(ok); got != ok {
			t.Errorf("safeNext(%q) = %q, want it kept", ok, got)
		}
	}
}

// newUnitServer is a Server whose database is never reached (the tests below only use
// routes and helpers that do not query it).
func newUnitServer(t *testing.T, edit func(*Config)) *Server {
	t.Helper()
	cfg, err := LoadConfig(nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(Options{DB: &DB{}, Log: testenv.Logger(t), Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestClientIPTakesTheTrustedHop forges X-Forwarded-For entries to dodge the login
// limiter (issue 19, item 11): only the entry the outermost trusted proxy appended
// counts.
func TestClientIPTakesTheTrustedHop(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trust   bool
		proxies int
		xff     []string
		want    string
	}{
		{"no proxy trust ignores the header", false, 1, []string{"203.0.113.9"}, "10.0.0.2"},
		{"one proxy: client's forged left entry ignored", true, 1, []string{"198.51.100.66, 203.0.113.9"}, "203.0.113.9"},
		{"one proxy: only the proxy's entry", true, 1, []string{"203.0.113.9"}, "203.0.113.9"},
		{"two proxies: second from the right", true, 2, []string{"198.51.100.66, 203.0.113.9, 10.0.0.7"}, "203.0.113.9"},
		{"two proxies over two headers", true, 2, []string{"198.51.100.66", "203.0.113.9, 10.0.0.7"}, "203.0.113.9"},
		{"fewer hops than proxies", true, 3, []string{"203.0.113.9, 10.0.0.7"}, "203.0.113.9"},
		{"garbage in the trusted hop falls back to the peer", true, 1, []string{"198.51.100.66, unknown"}, "10.0.0.2"},
		{"IPv6 and v4-mapped", true, 1, []string{"1.2.3.4, ::ffff:203.0.113.9"}, "203.0.113.9"},
		{"no header", true, 1, nil, "10.0.0.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newUnitServer(t, func(c *Config) { c.TrustProxyHeaders, c.TrustedProxies = tc.trust, tc.proxies })
			r := httptest.NewRequest("GET", "/login", nil)
			r.RemoteAddr = "10.0.0.2:4711"
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := s.clientIP(r); got != tc.want {
				t.Fatalf("clientIP = %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := LoadConfig(yamlNode(t, "trusted_proxies: -1"), t.TempDir()); err == nil {
		t.Fatal("trusted_proxies -1 accepted")
	}
}

// TestHSTSWithSecureCookies: with secure cookies on, every answer tells the browser to
// stay on HTTPS (issue 19, item 17); on plain-http localhost it must not.
func TestHSTSWithSecureCookies(t *testing.T) {
	for _, secure := range []bool{true, false} {
		s := newUnitServer(t, func(c *Config) { c.SecureCookies = &secure })
		for _, path := range []string{"/login", "/static/app.css"} {
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			got := rec.Header().Get("Strict-Transport-Security")
			if secure && !strings.HasPrefix(got, "max-age=31536000") {
				t.Errorf("secure cookies, %s: Strict-Transport-Security %q", path, got)
			}
			if !secure && got != "" {
				t.Errorf("plain http, %s: Strict-Transport-Security %q", path, got)
			}
		}
	}
}

func yamlNode(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

// TestAnalystsAcknowledgeOption: the route table gives analysts the acknowledge
// endpoints only when web.analysts_acknowledge is set.
func TestAnalystsAcknowledgeOption(t *testing.T) {
	for _, allow := range []bool{false, true} {
		s := newUnitServer(t, func(c *Config) { c.AnalystsAcknowledge = allow })
		n := 0
		for _, ep := range s.Endpoints() {
			if !strings.HasSuffix(ep.Path, "/ack") {
				continue
			}
			n++
			if got := slices.Contains(ep.Roles, RoleAnalyst); got != allow {
				t.Errorf("analysts_acknowledge=%v: %s %s roles %v", allow, ep.Method, ep.Path, ep.Roles)
			}
			if !slices.Contains(ep.Roles, RoleAdmin) || !slices.Contains(ep.Roles, RoleOrg) {
				t.Errorf("%s roles %v lack admin or org", ep.Path, ep.Roles)
			}
		}
		if n != 2 {
			t.Fatalf("%d acknowledge endpoints", n)
		}
	}
}
