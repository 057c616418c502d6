package collectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/kuzot/kuzot/internal/wait"
)

// Every HTTP request of every collector goes through a gocolly/colly v2.3.0 Collector
// (the project's fixed architecture), configured explicitly rather than left at colly's
// defaults, which do not suit polling (shared/research/collectors.md §4):
//
// What colly does for us:
//   - builds and sends each request (Collector.Request, one Clone per request whose
//     Context is the caller's ctx, so cancelling ctx aborts that request only);
//   - robots.txt: IgnoreRobotsTxt=false, so colly fetches, parses, caches (per origin:
//     one colly collector per scheme://host) and enforces robots.txt before every page;
//   - the timeout (SetRequestTimeout), the redirect policy (SetRedirectHandler: our limit
//     and a robots.txt check of each redirect target, which colly does not do itself);
//   - reads the body with MaxBodySize = cap+1, so a body over the cap is detected and
//     refused (colly alone truncates silently); OnResponseHeaders refuses a declared
//     Content-Length over the cap before reading anything;
//   - AllowURLRevisit (polling fetches the same URL again) and ParseHTTPErrorResponse (so
//     304, 429 and 5xx reach OnResponse and our retry logic instead of a bare error).
//
// What we add on top, and why:
//   - retries with a counter and exponential backoff honouring Retry-After (colly's
//     Request.Retry has neither);
//   - per-host pacing (hostGate): one request in flight per exact host plus a delay with
//     jitter. colly's LimitRule is one semaphore shared by every host its glob matches,
//     sleeps with time.Sleep (not cancellable) and is bypassed by colly's own robots.txt
//     request; one rule per host would need a rule per origin collector and still could
//     not be cancelled, so pacing stays ours;
//   - around colly's robots.txt request (robots.go): our RoundTripper counts it in the
//     source's metrics, makes it cancellable, caps its size, and turns 429/5xx into a
//     retryable error; after the retries the origin is treated as fully disallowed for
//     the robots TTL (RFC 9309), a thin pre-check in front of colly, because colly v2.3.0
//     reads robotstxt's "disallow all" as "allow all" (checkRobots ignores that flag). The
//     robots cache expires after RobotsTTL by replacing the origin's colly collector;
//   - charsets stay ours: DetectCharset=false, and because colly converts any body whose
//     Content-Type names a charset (even with DetectCharset off, with a BOM-first order and
//     a windows-1252 fallback), OnResponseHeaders hides the charset parameter from colly
//     and Response.Header gets it back; collectors decode the raw body with DecodeUTF8;
//   - no cookies (DisableCookies): a monitor has no session to keep;
//   - decompression (decode.go): colly gunzips without any limit, so originTransport
//     decodes every body itself through the cap and colly only ever sees decoded bytes.
//
// COLLY_* environment variables are ignored: colly.NewCollector applies them after its
// options, so newColly sets every field they can reach after NewCollector returns.

// Errors a fetch can end with. They are wrapped with the URL and can be tested with
// errors.Is.
var (
	// ErrRobotsDisallowed means robots.txt forbids our user agent that path.
	ErrRobotsDisallowed = errors.New("disallowed by robots.txt")
	// ErrBodyTooLarge means the response exceeded the body cap; nothing is parsed.
	ErrBodyTooLarge = errors.New("response body exceeds the size cap")
	// ErrTooManyRedirects means the redirect limit was hit (a loop, typically).
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrGaveUp means every retry of a 429/5xx or network failure failed.
	ErrGaveUp = errors.New("gave up after retries")
)

// StatusError is a final non-2xx, non-304 answer.
type StatusError struct {
	URL    string
	Status int
}

func (e *StatusError) Error() string { return fmt.Sprintf("GET %s: HTTP %d", e.URL, e.Status) }

// HostRule paces requests to the hosts matching Pattern (path.Match syntax against the
// host with its port, e.g. "t.me", "*.vk.com", "127.0.0.1:*" or "*"). Each matching host
// gets its own gate: one request in flight and Delay plus up to Jitter between requests.
type HostRule struct {
	Pattern string
	Delay   time.Duration
	Jitter  time.Duration
}

// DefaultHostRules are the per-host paces of collectors.md §4; the last rule is the
// fallback for every other host.
func DefaultHostRules() []HostRule {
	return []HostRule{
		{Pattern: "t.me", Delay: 2 * time.Second, Jitter: 2 * time.Second},
		{Pattern: "www.youtube.com", Delay: 5 * time.Second, Jitter: 5 * time.Second},
		{Pattern: "*vk.com", Delay: 3 * time.Second, Jitter: 2 * time.Second},
		{Pattern: "*", Delay: time.Second},
	}
}

// FetcherOptions configure a Fetcher. Zero values take the documented defaults.
type FetcherOptions struct {
	// UserAgent identifies kuzot (required: sites must be able to tell who visits).
	UserAgent string
	// Timeout bounds one attempt, headers and body (default 30 s).
	Timeout time.Duration
	// MaxBodyBytes caps a response body (default 8 MiB); larger bodies are an error.
	MaxBodyBytes int64
	// MaxTries is the number of attempts on 429, 5xx and network errors (default 4).
	MaxTries int
	// BaseBackoff is the first retry wait, doubled each retry (default 2 s) and capped
	// by MaxBackoff (default 2 min). A Retry-After longer than MaxBackoff ends the fetch.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// MaxRedirects bounds a redirect chain (default 5).
	MaxRedirects int
	// HostRules pace requests per host (default DefaultHostRules); first match wins.
	HostRules []HostRule
	// RobotsTTL is how long a robots.txt is cached (default 1 h).
	RobotsTTL time.Duration
	// Transport replaces the default transport (http.DefaultTransport's settings with a
	// dialer that refuses internal addresses, netguard.go). colly sends every request,
	// robots.txt included, through it. A replacement must guard its own dials: only the
	// literal-address check of URLs and redirects stays in force.
	Transport http.RoundTripper
	Logger    *slog.Logger
	// Now and Sleep replace the clock in tests. Sleep must return early with ctx.Err().
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Fetcher is the shared polite HTTP layer over colly: robots.txt obeyed, per-host
// pacing, retries with exponential backoff honouring Retry-After, timeouts, a body cap,
// bounded redirects. One Fetcher serves every source of the process so that two sources
// on the same host share that host's pace and robots.txt.
type Fetcher struct {
	opt FetcherOptions

	mu      sync.Mutex
	gates   map[string]*hostGate
	origins map[string]*origin
}

type hostGate struct {
	sem  chan struct{}
	next time.Time
	rule HostRule
}

// NewFetcher returns a Fetcher with opt's defaults applied.
func NewFetcher(opt FetcherOptions) (*Fetcher, error) {
	if strings.TrimSpace(opt.UserAgent) == "" {
		return nil, errors.New("fetcher: a descriptive user agent is required")
	}
	if opt.Timeout == 0 {
		opt.Timeout = 30 * time.Second
	}
	if opt.MaxBodyBytes == 0 {
		opt.MaxBodyBytes = 8 << 20
	}
	if opt.MaxBodyBytes < 0 || opt.MaxBodyBytes >= math.MaxInt {
		return nil, fmt.Errorf("fetcher: body cap %d out of range", opt.MaxBodyBytes)
	}
	if opt.MaxTries == 0 {
		opt.MaxTries = 4
	}
	if opt.BaseBackoff == 0 {
		opt.BaseBackoff = 2 * time.Second
	}
	if opt.MaxBackoff == 0 {
		opt.MaxBackoff = 2 * time.Minute
	}
	if opt.MaxRedirects == 0 {
		opt.MaxRedirects = 5
	}
	if opt.HostRules == nil {
		opt.HostRules = DefaultHostRules()
	}
	for _, r := range opt.HostRules {
		if _, err := path.Match(r.Pattern, ""); err != nil {
			return nil, fmt.Errorf("fetcher: host rule %q: %w", r.Pattern, err)
		}
	}
	if opt.RobotsTTL == 0 {
		opt.RobotsTTL = time.Hour
	}
	if opt.Transport == nil {
		opt.Transport = guardedTransport()
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sleep == nil {
		opt.Sleep = SleepCtx
	}
	return &Fetcher{opt: opt, gates: map[string]*hostGate{}, origins: map[string]*origin{}}, nil
}

// newColly builds the colly collector of one origin. Every field colly's COLLY_*
// environment variables can reach is set after NewCollector (which applies them last),
// so the environment cannot switch robots.txt off, change the user agent or the cap.
func (f *Fetcher) newColly(o *origin) *colly.Collector {
	c := colly.NewCollector()
	c.UserAgent = f.opt.UserAgent
	c.Headers = nil
	c.IgnoreRobotsTxt = false
	c.AllowURLRevisit = true
	c.ParseHTTPErrorResponse = true
	c.MaxBodySize = int(f.opt.MaxBodyBytes + 1) // one byte more than allowed: over-cap is seen, not truncated
	c.DetectCharset = false
	c.CacheDir = ""
	c.AllowedDomains, c.DisallowedDomains = nil, nil
	c.MaxDepth, c.MaxRequests = 0, 0
	c.TraceHTTP, c.Async, c.CheckHead = false, false, false
	c.DisableCookies()
	c.SetRequestTimeout(f.opt.Timeout)
	c.WithTransport(&originTransport{base: f.opt.Transport, o: o, f: f})
	c.SetRedirectHandler(f.checkRedirect)
	return c
}

// UserAgent returns the user agent the fetcher sends.
func (f *Fetcher) UserAgent() string { return f.opt.UserAgent }

// Client binds the fetcher to one source's metrics. The client may not connect to any
// internal address until WithEndpoints names the source's own.
func (f *Fetcher) Client(m *SourceMetrics) *Client { return &Client{f: f, m: m} }

// Client is a Fetcher bound to one source's metrics; it is what collectors receive.
type Client struct {
	f   *Fetcher
	m   *SourceMetrics
	eps endpoints
}

// WithEndpoints returns a copy of c that may also connect to the internal addresses
// among the source's configured URLs (literal IPs and localhost, with their ports): the
// demo site on 127.0.0.1, a test server. Every other loopback, private, link-local, CGNAT
// or ULA address stays refused, at dial time and on every redirect.
func (c *Client) WithEndpoints(urls ...string) *Client {
	cc := *c
	cc.eps = endpoints{}
	for ap := range c.eps {
		cc.eps[ap] = true
	}
	for ap := range sourceEndpoints(urls) {
		cc.eps[ap] = true
	}
	return &cc
}

// Request is one GET, or a form POST when Form is set.
type Request struct {
	URL string
	// Header holds extra request headers (Accept, If-None-Match, If-Modified-Since...).
	Header http.Header
	// Form, when not nil, makes the request a POST of these form-encoded values: the
	// read-only "load more" calls a page's own script makes (the Telegram discussion
	// widget's loadComments). It is paced, retried and robots-checked like a GET.
	Form url.Values
}

// Response is a fetched answer: 2xx or 304.
type Response struct {
	// URL is the final URL after redirects.
	URL    *url.URL
	Status int
	Header http.Header
	// Body is the raw body (no charset conversion), at most MaxBodyBytes.
	Body []byte
}

// NotModified reports a 304 answer to a conditional GET.
func (r *Response) NotModified() bool { return r.Status == http.StatusNotModified }

// Get fetches u with default headers.
func (c *Client) Get(ctx context.Context, u string) (*Response, error) {
	return c.Do(ctx, Request{URL: u})
}

// Do performs a polite GET (or form POST): robots.txt check, per-host pacing, retries with backoff on
// 429/5xx and network errors (honouring Retry-After), timeout, body cap. It returns a
// *StatusError for a final 4xx/5xx and wraps ErrGaveUp when retries ran out.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, fmt.Errorf("fetch %q: %w", r.URL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("fetch %q: unsupported scheme %q", r.URL, u.Scheme)
	}
	if err := checkURL(u, c.eps); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	var resp *Response
	err = c.f.retry(ctx, u, func() error {
		var err error
		resp, err = c.once(ctx, u, r.Header, r.Form)
		return err
	})
	return resp, err
}

// retry runs attempt up to MaxTries times while it returns a *retryable error,
// waiting an exponential backoff (or the Retry-After asked for, when longer) between
// tries. A Retry-After beyond MaxBackoff ends it at once: the caller stores it and comes
// back later instead of holding a poll for that long.
func (f *Fetcher) retry(ctx context.Context, u *url.URL, attempt func() error) error {
	var lastErr error
	for try := 0; try < f.opt.MaxTries; try++ {
		if try > 0 {
			wait := f.backoff(try)
			ra := RetryAfter(lastErr)
			if ra > f.opt.MaxBackoff {
				return fmt.Errorf("fetch %s: Retry-After %s exceeds the %s cap: %w", u, ra, f.opt.MaxBackoff, lastErr)
			}
			wait = max(wait, ra)
			f.opt.Logger.Debug("retrying", "url", u.String(), "attempt", try+1, "wait", wait, "err", lastErr)
			if err := f.opt.Sleep(ctx, wait); err != nil {
				return fmt.Errorf("fetch %s: %w", u, err)
			}
		}
		err := attempt()
		// Only an attempt's own verdict counts: an error that merely wraps a retryable one
		// (robots.txt that gave up after its own retries) is final.
		if _, again := err.(*retryable); !again {
			return err
		}
		lastErr = err
	}
	return fmt.Errorf("fetch %s: %w after %d tries: %w", u, ErrGaveUp, f.opt.MaxTries, lastErr)
}

// RetryAfter returns the Retry-After that the last failed attempt behind err asked for,
// or 0. Collectors store it so the next poll does not come back earlier than the site
// asked, even after the fetcher gave up within this poll.
func RetryAfter(err error) time.Duration {
	var re *retryable
	if errors.As(err, &re) {
		return re.retryAfter
	}
	return 0
}

// retryable marks an attempt worth repeating: 429, 5xx, network failure.
type retryable struct {
	err        error
	retryAfter time.Duration
}

func (e *retryable) Error() string { return e.err.Error() }
func (e *retryable) Unwrap() error { return e.err }

func (f *Fetcher) backoff(attempt int) time.Duration {
	d := f.opt.BaseBackoff << (attempt - 1)
	if d <= 0 || d > f.opt.MaxBackoff {
		d = f.opt.MaxBackoff
	}
	// Up to 25% jitter so that retries of many sources do not align.
	return d + time.Duration(rand.Int64N(int64(d)/4+1))
}

// callKey marks the context of our own page requests (as opposed to colly's internal
// robots.txt request) and carries the source's metrics to the redirect handler.
type callKey struct{}

type call struct {
	m   *SourceMetrics
	eps endpoints
}

// once is one attempt: it takes the host's gate, makes sure colly holds the origin's
// robots.txt (fetching it at most once per origin and TTL, inside the same gate slot),
// and has colly check robots.txt and fetch the page.
func (c *Client) once(ctx context.Context, u *url.URL, hdr http.Header, form url.Values) (*Response, error) {
	release, err := c.f.acquire(ctx, u.Host)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	defer release()
	o := c.f.origin(u)
	if err := o.allow(ctx, u, c, false); err != nil {
		return nil, err
	}

	req := o.col.Clone()
	req.Context = context.WithValue(context.WithValue(ctx, endpointsKey{}, c.eps), callKey{}, &call{m: c.m, eps: c.eps})
	var (
		got      *colly.Response
		ctype    []string // Content-Type as sent, restored after colly
		declared int64    // a Content-Length over the cap
	)
	req.OnRequest(func(*colly.Request) { c.m.Request() })
	req.OnResponseHeaders(func(r *colly.Response) {
		c.m.Response(r.StatusCode)
		if n, err := strconv.ParseInt(r.Headers.Get("Content-Length"), 10, 64); err == nil && n > c.f.opt.MaxBodyBytes {
			declared = n
			r.Request.Abort() // refuse before reading the body
			return
		}
		// colly would convert a body whose Content-Type names a charset; keep it raw.
		ctype = r.Headers.Values("Content-Type")
		if len(ctype) > 0 {
			media, _, _ := strings.Cut(ctype[0], ";")
			r.Headers.Set("Content-Type", strings.TrimSpace(media))
		}
	})
	req.OnResponse(func(r *colly.Response) { got = r })

	h := make(http.Header, len(hdr)+2)
	for k, vs := range hdr {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	h.Set("User-Agent", c.f.opt.UserAgent)
	if h.Get("Accept-Language") == "" {
		h.Set("Accept-Language", "ru,ky;q=0.9,en;q=0.8")
	}
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
		h.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	err = req.Request(method, u.String(), body, nil, h)
	switch {
	case declared > 0:
		return nil, fmt.Errorf("fetch %s: %w (Content-Length %d > %d)", u, ErrBodyTooLarge, declared, c.f.opt.MaxBodyBytes)
	case err != nil:
		return nil, c.f.classify(ctx, u, err)
	case got == nil:
		return nil, fmt.Errorf("fetch %s: colly returned no response", u)
	}
	header := http.Header{}
	if got.Headers != nil {
		header = *got.Headers
	}
	if ctype != nil {
		header["Content-Type"] = ctype
	}
	status := got.StatusCode
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		return nil, &retryable{
			err:        &StatusError{URL: u.String(), Status: status},
			retryAfter: parseRetryAfter(header.Get("Retry-After"), c.f.opt.Now()),
		}
	case status == http.StatusNotModified:
		return &Response{URL: got.Request.URL, Status: status, Header: header}, nil
	case status < 200 || status > 299:
		return nil, &StatusError{URL: u.String(), Status: status}
	}
	if int64(len(got.Body)) > c.f.opt.MaxBodyBytes {
		return nil, fmt.Errorf("fetch %s: %w (more than %d bytes)", u, ErrBodyTooLarge, c.f.opt.MaxBodyBytes)
	}
	return &Response{URL: got.Request.URL, Status: status, Header: header, Body: got.Body}, nil
}

// classify maps an error colly returned to ours: robots and redirect refusals stay
// final, network failures become retryable, a cancelled ctx wins over everything.
func (f *Fetcher) classify(ctx context.Context, u *url.URL, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("fetch %s: %w", u, ctx.Err())
	}
	switch {
	case errors.Is(err, colly.ErrRobotsTxtBlocked):
		return fmt.Errorf("fetch %s: %w", u, ErrRobotsDisallowed)
	case errors.Is(err, ErrTooManyRedirects), errors.Is(err, ErrRobotsDisallowed), errors.Is(err, ErrBodyTooLarge),
		errors.Is(err, ErrBadEncoding), errors.Is(err, ErrForbiddenAddress):
		return fmt.Errorf("fetch %s: %w", u, err)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &retryable{err: fmt.Errorf("fetch %s: %w", u, err)}
	}
	return fmt.Errorf("fetch %s: %w", u, err)
}

// parseRetryAfter reads seconds or an HTTP date; 0 when absent or unparsable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// acquire waits for the host's gate: one request in flight per host and the rule's delay
// (plus jitter) after the previous request to it ended.
func (f *Fetcher) acquire(ctx context.Context, host string) (func(), error) {
	f.mu.Lock()
	g, ok := f.gates[host]
	if !ok {
		g = &hostGate{sem: make(chan struct{}, 1), rule: f.ruleFor(host)}
		f.gates[host] = g
	}
	f.mu.Unlock()
	select {
	case g.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if wait := g.next.Sub(f.opt.Now()); wait > 0 {
		if err := f.opt.Sleep(ctx, wait); err != nil {
			<-g.sem
			return nil, err
		}
	}
	return func() {
		d := g.rule.Delay
		if g.rule.Jitter > 0 {
			d += time.Duration(rand.Int64N(int64(g.rule.Jitter) + 1))
		}
		g.next = f.opt.Now().Add(d)
		<-g.sem
	}, nil
}

func (f *Fetcher) ruleFor(host string) HostRule {
	bare := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		bare = h
	}
	for _, r := range f.opt.HostRules {
		if ok, _ := path.Match(r.Pattern, host); ok {
			return r
		}
		if ok, _ := path.Match(r.Pattern, bare); ok {
			return r
		}
	}
	return HostRule{Pattern: "*", Delay: time.Second}
}

// SleepCtx waits d or until ctx ends (the Fetcher's and Runner's default sleep;
// collectors with waits of their own use it too).
func SleepCtx(ctx context.Context, d time.Duration) error {
	if !wait.Sleep(ctx, d) {
		return ctx.Err()
	}
	return nil
}
