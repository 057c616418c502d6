package collectors

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// The collectors fetch pages written by the people kuzot watches, and follow their
// redirects. Without a guard, a 302 to http://127.0.0.1:8123/?query=... made the local
// ClickHouse run a query of the attacker's choosing (issue 19, item 2). So every
// connection the default transport opens is checked at dial time, on the address
// actually dialled (net.Dialer.ControlContext runs after DNS resolution, so a name that
// resolves, or re-resolves, to an internal address is refused just the same), and every
// redirect is checked again by the redirect handler before it is followed.
//
// Refused: loopback, RFC 1918 and other private/reserved IPv4 ranges (0/8, 100.64/10
// CGNAT, 169.254/16 link-local with the cloud metadata address, 192.0.0/24, 198.18/15,
// 240/4 and broadcast), multicast, and IPv6 unspecified, loopback, link-local, site-local,
// ULA fc00::/7, and IPv6 forms that embed a refused IPv4 address (IPv4-mapped, NAT64
// 64:ff9b::/96, 6to4 2002::/16).
//
// The one exception is a source's own endpoint: a source configured with a literal
// internal address (http://127.0.0.1:8090/rss.xml, the make run demo site and the tests'
// httptest servers) may dial exactly that ip:port, and nothing else internal. A host
// name never earns the exception, whatever it resolves to: otherwise the owner of a
// monitored domain could point it at 127.0.0.1 and reach whatever listens on its port.

// ErrForbiddenAddress means a request (or one of its redirects) would have connected to a
// loopback, private, link-local or otherwise internal address that is not the source's
// own configured endpoint. It is final.
var ErrForbiddenAddress = errors.New("internal address refused")

// forbiddenPrefixes are the ranges refused besides what netip's predicates cover.
var forbiddenPrefixes = []struct {
	prefix netip.Prefix
	why    string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this-network"},
	{netip.MustParsePrefix("100.64.0.0/10"), "CGNAT"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
}

// embeddedIPv4 are IPv6 ranges that carry an IPv4 address a gateway may forward to.
var embeddedIPv4 = []struct {
	prefix netip.Prefix
	offset int // byte offset of the IPv4 address in the IPv6 address
}{
	{netip.MustParsePrefix("64:ff9b::/96"), 12},
	{netip.MustParsePrefix("2002::/16"), 2},
}

// forbiddenReason says why ip must not be dialled, or "" when it is a public address.
func forbiddenReason(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return "invalid"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		if ip.Is4() {
			return "RFC 1918 private"
		}
		return "unique local (fc00::/7)"
	case ip.IsLinkLocalUnicast():
		if ip == netip.AddrFrom4([4]byte{169, 254, 169, 254}) {
			return "cloud metadata"
		}
		return "link-local"
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	}
	for _, p := range forbiddenPrefixes {
		if p.prefix.Contains(ip) {
			return p.why
		}
	}
	if ip.Is6() {
		b := ip.As16()
		for _, e := range embeddedIPv4 {
			if e.prefix.Contains(ip) {
				v4 := netip.AddrFrom4([4]byte(b[e.offset : e.offset+4]))
				if why := forbiddenReason(v4); why != "" {
					return why + " (embedded in " + e.prefix.String() + ")"
				}
			}
		}
	}
	return ""
}

// endpoints is the set of internal ip:ports a source may dial: the literal addresses of
// its configured URLs. The zero value allows none.
type endpoints map[netip.AddrPort]bool

// sourceEndpoints builds the exception list of a source from its configured URLs. Only
// literal IP hosts and localhost names count; host names are ignored (see the package note).
func sourceEndpoints(urls []string) endpoints {
	eps := endpoints{}
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			continue
		}
		aps, _ := literalAddrPorts(u)
		for _, ap := range aps {
			eps[ap] = true
		}
	}
	return eps
}

// literalAddrPorts returns the ip:ports a URL names without DNS: both loopback addresses
// for localhost and *.localhost, the address itself for a literal IP (unmapped), nothing
// for any other host name. The port defaults to the scheme's.
func literalAddrPorts(u *url.URL) ([]netip.AddrPort, error) {
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	var ips []netip.Addr
	if low := strings.ToLower(host); low == "localhost" || strings.HasSuffix(low, ".localhost") {
		ips = []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}
	} else if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip.Unmap()}
	}
	aps := make([]netip.AddrPort, 0, len(ips))
	for _, ip := range ips {
		ap, err := netip.ParseAddrPort(net.JoinHostPort(ip.String(), port))
		if err != nil {
			return nil, err
		}
		aps = append(aps, ap)
	}
	return aps, nil
}

// allows reports whether the internal ap is one of the source's own endpoints.
func (e endpoints) allows(ap netip.AddrPort) bool {
	return e[netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())]
}

// endpointsKey carries the endpoints of the source a connection is dialled for.
type endpointsKey struct{}

// checkAddr refuses an internal ip:port that is not one of eps.
func checkAddr(ap netip.AddrPort, eps endpoints) error {
	why := forbiddenReason(ap.Addr())
	if why == "" || eps.allows(ap) {
		return nil
	}
	return fmt.Errorf("%w: %s is %s and not the source's own endpoint", ErrForbiddenAddress, ap, why)
}

// checkURL refuses a URL whose host is a literal internal address (or localhost) outside
// eps. The dial-time check covers host names; this one also covers a kept-alive
// connection to an internal endpoint of another source, which is reused without a dial.
func checkURL(u *url.URL, eps endpoints) error {
	aps, err := literalAddrPorts(u)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrForbiddenAddress, u.Host, err)
	}
	var refused error
	for _, ap := range aps {
		if refused = checkAddr(ap, eps); refused == nil {
			return nil // localhost: either of its addresses may be the source's endpoint
		}
	}
	return refused
}

// guardedTransport is the default transport of a Fetcher: http.DefaultTransport's
// settings with a dialer that refuses internal addresses (except the endpoints of the
// source in the request's context, and the proxy named by the environment, if any).
func guardedTransport() *http.Transport { return guardedTransportWith(nil) }

// guardedTransportWith is guardedTransport resolving names with r (nil: the system's).
func guardedTransportWith(r *net.Resolver) *http.Transport {
	proxies := map[string]bool{}
	for _, scheme := range []string{"http", "https"} {
		req := &http.Request{URL: &url.URL{Scheme: scheme, Host: "example.com"}}
		if pu, err := http.ProxyFromEnvironment(req); err == nil && pu != nil {
			port := pu.Port()
			if port == "" {
				port = map[string]string{"http": "80", "https": "443", "socks5": "1080"}[pu.Scheme]
			}
			proxies[net.JoinHostPort(pu.Hostname(), port)] = true
		}
	}
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Resolver: r}
	d.ControlContext = func(ctx context.Context, network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: unparsable address %q", ErrForbiddenAddress, address)
		}
		eps, _ := ctx.Value(endpointsKey{}).(endpoints)
		return checkAddr(ap, eps)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if proxies[addr] {
			// The operator's proxy (HTTP_PROXY and friends) may live on loopback; what it
			// connects to is its business, and checkURL still refuses literal internal hosts.
			return (&net.Dialer{Timeout: d.Timeout, KeepAlive: d.KeepAlive}).DialContext(ctx, network, addr)
		}
		return d.DialContext(ctx, network, addr)
	}
	return t
}
