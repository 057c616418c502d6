package collectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// Why not colly's own fetch loop: colly v2.3.0 ignores robots.txt by default, truncates
// bodies over MaxBodySize silently, marks URLs visited before fetching (a failed poll can
// never be retried), retries without counter or backoff, reports 304 as an error and
// holds one semaphore per LimitRule across hosts. Every collector therefore fetches
// through this Fetcher and parses with goquery (the HTML layer colly itself uses).

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
	// Transport replaces http.DefaultTransport (tests, proxies).
	Transport http.RoundTripper
	Logger    *slog.Logger
	// Now and Sleep replace the clock in tests. Sleep must return early with ctx.Err().
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Fetcher is the shared polite HTTP layer: robots.txt obeyed, per-host pacing, retries
// with exponential backoff honouring Retry-After, timeouts, a body cap, bounded
// redirects. One Fetcher serves every source of the process so that two sources on the
// same host share that host's pace.
type Fetcher struct {
	opt    FetcherOptions
	client *http.Client

	mu     sync.Mutex
	gates  map[string]*hostGate
	robots map[string]*robotsEntry
}

type hostGate struct {
	sem  chan struct{}
	next time.Time
	rule HostRule
}

type robotsEntry struct {
	data    *robotstxt.RobotsData
	expires time.Time
	mu      sync.Mutex // held while fetching, so one robots.txt request per host
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
		opt.Transport = http.DefaultTransport
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sleep == nil {
		opt.Sleep = sleepCtx
	}
	f := &Fetcher{opt: opt, gates: map[string]*hostGate{}, robots: map[string]*robotsEntry{}}
	f.client = &http.Client{
		Transport: opt.Transport,
		Timeout:   opt.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= opt.MaxRedirects {
				return fmt.Errorf("%w (%d, last %s)", ErrTooManyRedirects, len(via), req.URL)
			}
			if err := f.checkRobots(req.Context(), req.URL, nil, true); err != nil {
				return err
			}
			return nil
		},
	}
	return f, nil
}

// UserAgent returns the user agent the fetcher sends.
func (f *Fetcher) UserAgent() string { return f.opt.UserAgent }

// Client binds the fetcher to one source's metrics.
func (f *Fetcher) Client(m *SourceMetrics) *Client { return &Client{f: f, m: m} }

// Client is a Fetcher bound to one source's metrics; it is what collectors receive.
type Client struct {
	f *Fetcher
	m *SourceMetrics
}

// Request is one GET.
type Request struct {
	URL string
	// Header holds extra request headers (Accept, If-None-Match, If-Modified-Since...).
	Header http.Header
}

// Response is a fetched answer: 2xx or 304.
type Response struct {
	// URL is the final URL after redirects.
	URL    *url.URL
	Status int
	Header http.Header
	// Body is the raw body, at most MaxBodyBytes.
	Body []byte
}

// NotModified reports a 304 answer to a conditional GET.
func (r *Response) NotModified() bool { return r.Status == http.StatusNotModified }

// Get fetches u with default headers.
func (c *Client) Get(ctx context.Context, u string) (*Response, error) {
	return c.Do(ctx, Request{URL: u})
}

// Do performs a polite GET: robots.txt check, per-host pacing, retries with backoff on
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
	if err := c.f.checkRobots(ctx, u, c.m, false); err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt < c.f.opt.MaxTries; attempt++ {
		if attempt > 0 {
			wait := c.f.backoff(attempt)
			var ra time.Duration
			var se *retryable
			if errors.As(lastErr, &se) && se.retryAfter > 0 {
				ra = se.retryAfter
			}
			if ra > c.f.opt.MaxBackoff {
				return nil, fmt.Errorf("fetch %s: Retry-After %s exceeds the %s cap: %w", u, ra, c.f.opt.MaxBackoff, lastErr)
			}
			wait = max(wait, ra)
			c.f.opt.Logger.Debug("retrying", "url", u.String(), "attempt", attempt+1, "wait", wait, "err", lastErr)
			if err := c.f.opt.Sleep(ctx, wait); err != nil {
				return nil, fmt.Errorf("fetch %s: %w", u, err)
			}
		}
		resp, err := c.once(ctx, u, r.Header)
		if err == nil {
			return resp, nil
		}
		var re *retryable
		if !errors.As(err, &re) {
			return nil, err
		}
		lastErr = err
	}
	return nil, fmt.Errorf("fetch %s: %w after %d tries: %w", u, ErrGaveUp, c.f.opt.MaxTries, lastErr)
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

func (c *Client) once(ctx context.Context, u *url.URL, hdr http.Header) (*Response, error) {
	release, err := c.f.acquire(ctx, u.Host)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	defer release()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	for k, vs := range hdr {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("User-Agent", c.f.opt.UserAgent)
	if req.Header.Get("Accept-Language") == "" {
		req.Header.Set("Accept-Language", "ru,ky;q=0.9,en;q=0.8")
	}
	c.m.Request()
	resp, err := c.f.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("fetch %s: %w", u, ctx.Err())
		}
		if errors.Is(err, ErrTooManyRedirects) || errors.Is(err, ErrRobotsDisallowed) {
			return nil, fmt.Errorf("fetch %s: %w", u, err)
		}
		var ne net.Error
		if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, &retryable{err: fmt.Errorf("fetch %s: %w", u, err)}
		}
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	c.m.Response(resp.StatusCode)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &retryable{
			err:        &StatusError{URL: u.String(), Status: resp.StatusCode},
			retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), c.f.opt.Now()),
		}
	case resp.StatusCode == http.StatusNotModified:
		return &Response{URL: resp.Request.URL, Status: resp.StatusCode, Header: resp.Header}, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &StatusError{URL: u.String(), Status: resp.StatusCode}
	}
	if resp.ContentLength > c.f.opt.MaxBodyBytes {
		return nil, fmt.Errorf("fetch %s: %w (Content-Length %d > %d)", u, ErrBodyTooLarge, resp.ContentLength, c.f.opt.MaxBodyBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.f.opt.MaxBodyBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("fetch %s: reading body: %w", u, ctx.Err())
		}
		return nil, &retryable{err: fmt.Errorf("fetch %s: reading body: %w", u, err)}
	}
	if int64(len(body)) > c.f.opt.MaxBodyBytes {
		return nil, fmt.Errorf("fetch %s: %w (more than %d bytes)", u, ErrBodyTooLarge, c.f.opt.MaxBodyBytes)
	}
	return &Response{URL: resp.Request.URL, Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
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

// robotsAgent is the product token matched against robots.txt User-agent lines.
func (f *Fetcher) robotsAgent() string {
	ua := f.opt.UserAgent
	if i := strings.IndexAny(ua, "/ ("); i > 0 {
		ua = ua[:i]
	}
	return ua
}

// checkRobots fetches (once per host and TTL) and applies robots.txt. A missing
// robots.txt (4xx) allows everything; a 5xx disallows everything, as RFC 9309 says.
// During a redirect (staleOK) a cached copy is used even past its TTL: the host's gate
// may be held by the request being redirected, and refetching would wait on it.
func (f *Fetcher) checkRobots(ctx context.Context, u *url.URL, m *SourceMetrics, staleOK bool) error {
	if u.Path == "/robots.txt" {
		return nil
	}
	key := u.Scheme + "://" + u.Host
	f.mu.Lock()
	e, ok := f.robots[key]
	if !ok {
		e = &robotsEntry{}
		f.robots[key] = e
	}
	f.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.data == nil || (!staleOK && f.opt.Now().After(e.expires)) {
		data, err := f.fetchRobots(ctx, key, m)
		if err != nil {
			return fmt.Errorf("fetch %s: robots.txt: %w", u, err)
		}
		e.data, e.expires = data, f.opt.Now().Add(f.opt.RobotsTTL)
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	if !e.data.TestAgent(p, f.robotsAgent()) {
		return fmt.Errorf("fetch %s: %w", u, ErrRobotsDisallowed)
	}
	return nil
}

func (f *Fetcher) fetchRobots(ctx context.Context, origin string, m *SourceMetrics) (*robotstxt.RobotsData, error) {
	ru, err := url.Parse(origin + "/robots.txt")
	if err != nil {
		return nil, err
	}
	c := &Client{f: f, m: m}
	var resp *Response
	for attempt := 0; ; attempt++ {
		resp, err = c.once(ctx, ru, nil)
		var re *retryable
		if err == nil || !errors.As(err, &re) || attempt+1 >= f.opt.MaxTries {
			break
		}
		if serr := f.opt.Sleep(ctx, max(f.backoff(attempt+1), re.retryAfter)); serr != nil {
			return nil, serr
		}
	}
	var se *StatusError
	switch {
	case err == nil:
		return robotstxt.FromStatusAndBytes(resp.Status, resp.Body)
	case errors.As(err, &se):
		// 4xx: no rules (allow all); 5xx after retries: treat the site as off limits.
		return robotstxt.FromStatusAndBytes(se.Status, nil)
	case errors.Is(err, ErrBodyTooLarge):
		return nil, err
	default:
		return nil, err
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
