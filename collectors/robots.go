package collectors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"

	"github.com/gocolly/colly/v2"
)

// origin is one scheme://host with its own colly collector. colly caches robots.txt in
// its collector for good, so the cache expires (RobotsTTL) by replacing the origin, and
// a fresh collector fetches robots.txt again. Page requests run on Clones of col, which
// share its robots.txt cache and http.Client.
type origin struct {
	col *colly.Collector
	// expires (Unix ns) is set once robots.txt is known; 0 while it is not.
	expires atomic.Int64
	// cached reports that colly holds this origin's robots.txt, so a page request can
	// leave the decision to colly's own check without a probe.
	cached atomic.Bool

	// mu is held while asking colly about robots.txt, so that one origin fetches it once
	// and a fetch is attributed to exactly one caller (fetching below).
	mu sync.Mutex
	// unavailable is the status of a robots.txt that kept answering 429/5xx: the whole
	// origin is off limits until expires (RFC 9309 §2.3.1.4). This is the pre-check colly
	// cannot express: it reads robotstxt's "disallow all" as "allow all".
	unavailable int
	// fetching is the caller (ctx, metrics) on whose behalf colly may be fetching
	// robots.txt right now; originTransport reads it. Only set with mu held.
	fetching atomic.Pointer[robotsFetch]
}

type robotsFetch struct {
	ctx context.Context
	m   *SourceMetrics
	eps endpoints
}

// origin returns the live origin of u, replacing one whose robots.txt has expired.
func (f *Fetcher) origin(u *url.URL) *origin {
	key := u.Scheme + "://" + u.Host
	now := f.opt.Now().UnixNano()
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.origins[key]
	if o == nil || (o.expires.Load() != 0 && now > o.expires.Load()) {
		o = &origin{}
		o.col = f.newColly(o)
		f.origins[key] = o
	}
	return o
}

// allow asks colly whether robots.txt lets our user agent fetch u. The first call per
// origin and TTL makes colly fetch robots.txt (retried on 429/5xx and network errors
// like any request); later calls are answered from colly's cache without a request.
// With decide false (a page colly is about to request, and so check itself) it only
// makes sure robots.txt is cached or the origin is known to be off limits.
func (o *origin) allow(ctx context.Context, u *url.URL, c *Client, decide bool) error {
	f := c.f
	if !decide && o.cached.Load() {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.unavailable != 0 {
		return fmt.Errorf("fetch %s: robots.txt answered HTTP %d: %w", u, o.unavailable, ErrRobotsDisallowed)
	}
	err := f.retry(ctx, u, func() error {
		err := o.probe(ctx, u, c)
		switch {
		case err == nil:
		case errors.Is(err, colly.ErrRobotsTxtBlocked):
			err = fmt.Errorf("fetch %s: %w", u, ErrRobotsDisallowed)
		default:
			// Keep the Retry-After of a 429/5xx robots.txt (url.Error would otherwise be
			// classified as a plain network error).
			var re *retryable
			if errors.As(err, &re) && ctx.Err() == nil {
				return &retryable{err: fmt.Errorf("fetch %s: robots.txt: %w", u, err), retryAfter: re.retryAfter}
			}
			return f.classify(ctx, u, fmt.Errorf("robots.txt: %w", err))
		}
		if o.expires.Load() == 0 {
			o.expires.Store(f.opt.Now().Add(f.opt.RobotsTTL).UnixNano())
		}
		o.cached.Store(true)
		return err
	})
	var ru *robotsUnavailable
	if errors.Is(err, ErrGaveUp) && errors.As(err, &ru) {
		o.unavailable = ru.status
		o.expires.Store(f.opt.Now().Add(f.opt.RobotsTTL).UnixNano())
		return fmt.Errorf("fetch %s: robots.txt answered HTTP %d: %w", u, ru.status, ErrRobotsDisallowed)
	}
	return err
}

// probe runs colly's robots.txt check for u without fetching u: the request is aborted
// in OnRequest, which colly calls only after its robots.txt check passed.
func (o *origin) probe(ctx context.Context, u *url.URL, c *Client) error {
	o.fetching.Store(&robotsFetch{ctx: ctx, m: c.m, eps: c.eps})
	defer o.fetching.Store(nil)
	p := o.col.Clone()
	p.Context = ctx
	p.OnRequest(func(r *colly.Request) { r.Abort() })
	return p.Visit(u.String())
}

// robotsUnavailable is a robots.txt answer of 429 or 5xx: retried, then a full disallow.
type robotsUnavailable struct {
	status int
}

func (e *robotsUnavailable) Error() string {
	return fmt.Sprintf("robots.txt unavailable: HTTP %d", e.status)
}

// originTransport is the RoundTripper of an origin's colly collector. Our page requests
// (marked with callKey) pass straight through. Anything else is colly's own robots.txt
// request (or a redirect of it), which colly sends without a context, metrics or size
// limit: here it is counted for the source that triggered it, cancelled with that
// source's ctx, capped at MaxBodyBytes, and a 429/5xx becomes a retryable error so that
// colly caches nothing for it.
type originTransport struct {
	base http.RoundTripper
	o    *origin
	f    *Fetcher
}

func (t *originTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Accept-Encoding", acceptEncoding)
	if _, ours := req.Context().Value(callKey{}).(*call); ours {
		resp, err := t.base.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		if err := decodeBody(resp, t.f.opt.MaxBodyBytes); err != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("%s: %w", req.URL, err)
		}
		return resp, nil
	}
	rf := t.o.fetching.Load()
	if rf == nil {
		return nil, errors.New("robots.txt request outside a robots check")
	}
	ctx, cancel := context.WithCancel(context.WithValue(req.Context(), endpointsKey{}, rf.eps))
	defer cancel()
	stop := context.AfterFunc(rf.ctx, cancel)
	defer stop()
	rf.m.Request()
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		if rf.ctx.Err() != nil {
			return nil, rf.ctx.Err()
		}
		return nil, err
	}
	defer resp.Body.Close()
	rf.m.Response(resp.StatusCode)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return nil, &retryable{
			err:        &robotsUnavailable{status: resp.StatusCode},
			retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), t.f.opt.Now()),
		}
	}
	if err := decodeBody(resp, t.f.opt.MaxBodyBytes); err != nil {
		return nil, fmt.Errorf("%s: %w", req.URL, err)
	}
	// decodeBody bounds what ReadAll can read (ErrBodyTooLarge past MaxBodyBytes).
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", req.URL, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// checkRedirect is every origin collector's redirect handler: it bounds the chain and,
// for our page requests, checks robots.txt of each target (colly checks only the first
// URL). It never waits for a host gate: the gate of the redirecting host is held, and
// the target may be on the same host.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= f.opt.MaxRedirects {
		return fmt.Errorf("%w (%d, last %s)", ErrTooManyRedirects, len(via), req.URL)
	}
	c, ours := req.Context().Value(callKey{}).(*call)
	if !ours {
		return nil // colly's robots.txt request: RFC 9309 lets it follow redirects
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect to unsupported scheme %q", req.URL.Scheme)
	}
	if err := checkURL(req.URL, c.eps); err != nil {
		return fmt.Errorf("redirect to %s: %w", req.URL, err)
	}
	return f.origin(req.URL).allow(req.Context(), req.URL, &Client{f: f, m: c.m, eps: c.eps}, true)
}
