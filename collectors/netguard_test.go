package collectors

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// fakeDNS serves a DNS server on loopback UDP that answers every A query with ip, and
// returns a resolver that uses it.
func fakeDNS(t *testing.T, ip netip.Addr) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			var p dnsmessage.Parser
			h, err := p.Start(buf[:n])
			if err != nil {
				continue
			}
			q, err := p.Question()
			if err != nil {
				continue
			}
			b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true})
			_ = b.StartQuestions()
			_ = b.Question(q)
			_ = b.StartAnswers()
			if q.Type == dnsmessage.TypeA {
				_ = b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 0}, dnsmessage.AResource{A: ip.As4()})
			}
			msg, err := b.Finish()
			if err == nil {
				_, _ = pc.WriteTo(msg, from)
			}
		}
	}()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
}

func TestForbiddenReason(t *testing.T) {
	for _, tc := range []struct {
		addr    string
		blocked bool
	}{
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"::1", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.0.10", true},
		{"100.64.0.1", true},
		{"100.100.100.200", true}, // a cloud metadata address inside CGNAT
		{"169.254.169.254", true},
		{"169.254.1.1", true},
		{"fe80::1", true},
		{"fc00::1", true},
		{"fd00:ec2::254", true}, // AWS IPv6 metadata (ULA)
		{"fec0::1", true},
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"::", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"64:ff9b::7f00:1", true},
		{"64:ff9b::a00:1", true},
		{"2002:7f00:1::1", true},
		{"2002:c0a8:101::1", true},
		{"192.0.0.192", true},
		{"198.18.0.1", true},
		{"224.0.0.1", true},
		{"255.255.255.255", true},
		{"ff02::1", true},
		{"8.8.8.8", false},
		{"172.32.0.1", false},
		{"100.128.0.1", false},
		{"192.169.0.1", false},
		{"2a00:1450:4001::1", false},
		{"64:ff9b::808:808", false},
		{"2002:808:808::1", false},
	} {
		why := forbiddenReason(netip.MustParseAddr(tc.addr))
		if (why != "") != tc.blocked {
			t.Errorf("%s: reason %q, want blocked=%v", tc.addr, why, tc.blocked)
		}
	}
}

// TestSSRFRedirectRefused is issue 19 item 2: a monitored page answers with a redirect to
// another loopback port (standing in for ClickHouse's HTTP interface). The source may
// reach its own configured endpoint, and nothing else internal: the redirect is refused
// before any byte reaches the target, whether it names the address literally or through
// a host name that only resolves to it (checked at dial time).
func TestSSRFRedirectRefused(t *testing.T) {
	var internalHits atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		internalHits.Add(1)
		_, _ = w.Write([]byte("Ok.\n")) // what ClickHouse's /?query= would answer
	}))
	t.Cleanup(internal.Close)
	iu, _ := url.Parse(internal.URL)
	_, internalPort, _ := strings.Cut(iu.Host, ":")
	target := map[string]string{
		"/literal":       internal.URL + "/?query=SELECT%201",
		"/localhost":     "http://localhost:" + internalPort + "/?query=SELECT%201",
		"/dns":           "http://rebind.test:" + internalPort + "/?query=SELECT%201", // not a literal: only the dial sees 127.0.0.1
		"/ipv6":          "http://[::1]:" + internalPort + "/",
		"/mapped":        "http://[::ffff:127.0.0.1]:" + internalPort + "/",
		"/metadata":      "http://169.254.169.254/latest/meta-data/",
		"/private":       "http://10.0.0.1:8123/",
		"/second-hop":    "/hop",
		"/hop":           internal.URL + "/?query=SELECT%202",
		"/same-endpoint": "/ok",
	}
	routes := map[string]http.HandlerFunc{"/ok": ok("fine")}
	for from, to := range target {
		if _, done := routes[from]; !done {
			routes[from] = func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusFound) }
		}
	}
	s := newSite(t, "", routes)
	// rebind.test resolves (through a real DNS exchange) to 127.0.0.1, as a hostile
	// domain's record would after a rebinding: only the dial-time check can see it.
	c := testFetcher(t, func(o *FetcherOptions) {
		o.Transport = guardedTransportWith(fakeDNS(t, netip.MustParseAddr("127.0.0.1")))
	}).Client(nil).WithEndpoints(s.URL + "/feed.xml")

	for _, path := range []string{"/literal", "/localhost", "/dns", "/ipv6", "/mapped", "/metadata", "/private", "/second-hop"} {
		t.Run(path[1:], func(t *testing.T) {
			_, err := c.Get(context.Background(), s.URL+path)
			if !errors.Is(err, ErrForbiddenAddress) {
				t.Fatalf("err = %v, want ErrForbiddenAddress", err)
			}
			if got := s.hits[path].Load(); got != 1 {
				t.Errorf("%d requests, want 1 (refusal is final)", got)
			}
		})
	}
	if n := internalHits.Load(); n != 0 {
		t.Fatalf("the internal service received %d requests", n)
	}

	// The source's own endpoint still works, redirects within it included.
	resp, err := c.Get(context.Background(), s.URL+"/same-endpoint")
	if err != nil || string(resp.Body) != "fine" {
		t.Fatalf("own endpoint: %v", err)
	}
	// A client without the exception may not even start there.
	if _, err := testFetcher(t, nil).Client(nil).Get(context.Background(), s.URL+"/ok"); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("no endpoints: err = %v, want ErrForbiddenAddress", err)
	}
	// Nor may it reach another internal port directly.
	if _, err := c.Get(context.Background(), internal.URL+"/"); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("direct: err = %v, want ErrForbiddenAddress", err)
	}
	if n := internalHits.Load(); n != 0 {
		t.Fatalf("the internal service received %d requests", n)
	}
}

// TestDialGuard checks the dial-time refusal itself: the transport refuses a connection
// to an internal address whatever URL led there, unless the request's context carries
// it as the source's endpoint.
func TestDialGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("x")) }))
	t.Cleanup(srv.Close)
	tr := guardedTransport()
	t.Cleanup(tr.CloseIdleConnections)
	get := func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := tr.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get(context.Background()); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("no endpoints: err = %v, want ErrForbiddenAddress", err)
	}
	other := context.WithValue(context.Background(), endpointsKey{}, sourceEndpoints([]string{"http://127.0.0.1:1/"}))
	if err := get(other); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("another endpoint: err = %v, want ErrForbiddenAddress", err)
	}
	own := context.WithValue(context.Background(), endpointsKey{}, sourceEndpoints([]string{srv.URL}))
	if err := get(own); err != nil {
		t.Fatalf("own endpoint: %v", err)
	}
}

func TestSourceEndpoints(t *testing.T) {
	eps := sourceEndpoints([]string{"http://127.0.0.1:8090/rss.xml", "http://localhost/x", "https://example.org/feed", "https://[::1]/", "::bad"})
	for _, tc := range []struct {
		ap string
		in bool
	}{
		{"127.0.0.1:8090", true},
		{"127.0.0.1:80", true},
		{"[::1]:80", true},
		{"[::1]:443", true},
		{"127.0.0.1:8091", false},
		{"127.0.0.1:443", false},
	} {
		if got := eps.allows(netip.MustParseAddrPort(tc.ap)); got != tc.in {
			t.Errorf("%s: allowed %v, want %v", tc.ap, got, tc.in)
		}
	}
	if len(sourceEndpoints([]string{"http://evil.example:8123/"})) != 0 {
		t.Error("a host name earned the internal-address exception")
	}
}
