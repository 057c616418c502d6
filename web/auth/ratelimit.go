package auth

import (
	"sync"
	"time"
)

// Limiter limits failed logins per key (the server uses "ip|user" and "ip") with a
// sliding count of failures: after Max failures within Window the key is locked until
// the oldest failure leaves the window. A success clears the key. It is bounded: at most
// MaxKeys keys are tracked and the oldest are evicted first, so a flood of made-up user
// names cannot exhaust memory.
type Limiter struct {
	Max     int
	Window  time.Duration
	MaxKeys int

	mu   sync.Mutex
	hits map[string][]time.Time
}

// NewLimiter returns a limiter allowing max failures per window per key.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, Window: window, MaxKeys: 100_000, hits: map[string][]time.Time{}}
}

// Allow reports whether key may try now and, if not, how long until it may.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.prune(key, now)
	if len(h) < l.Max {
		return true, 0
	}
	return false, h[0].Add(l.Window).Sub(now)
}

// Take counts an attempt of key before it is checked, atomically with the check:
// it reports whether key may try now (and records the attempt if so) or how long until
// it may. Counting first closes the race of Allow-then-Fail, where any number of
// concurrent attempts all pass Allow before the first failure is recorded. A caller
// whose attempt succeeds calls Reset or Untake.
func (l *Limiter) Take(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.prune(key, now)
	if len(h) >= l.Max {
		return false, h[0].Add(l.Window).Sub(now)
	}
	if len(h) == 0 && len(l.hits) >= l.MaxKeys {
		l.evict(now)
	}
	l.hits[key] = append(h, now)
	return true, 0
}

// Untake removes one attempt of key recorded by Take at the time at (a successful
// login does not count against its client IP).
func (l *Limiter) Untake(key string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hits[key]
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].Equal(at) {
			h = append(h[:i:i], h[i+1:]...)
			break
		}
	}
	if len(h) == 0 {
		delete(l.hits, key)
		return
	}
	l.hits[key] = h
}

// Fail records a failed attempt of key.
func (l *Limiter) Fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.prune(key, now)
	if len(h) == 0 && len(l.hits) >= l.MaxKeys {
		l.evict(now)
	}
	l.hits[key] = append(h, now)
}

// Reset forgets key (after a successful login).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.hits, key)
}

func (l *Limiter) prune(key string, now time.Time) []time.Time {
	h := l.hits[key]
	i := 0
	for i < len(h) && now.Sub(h[i]) >= l.Window {
		i++
	}
	if i == len(h) {
		delete(l.hits, key)
		return nil
	}
	h = h[i:]
	l.hits[key] = h
	return h
}

// evict drops expired keys, and if none expired, the key with the oldest last failure.
func (l *Limiter) evict(now time.Time) {
	var oldestKey string
	var oldest time.Time
	for k, h := range l.hits {
		last := h[len(h)-1]
		if now.Sub(last) >= l.Window {
			delete(l.hits, k)
			continue
		}
		if oldestKey == "" || last.Before(oldest) {
			oldestKey, oldest = k, last
		}
	}
	if len(l.hits) >= l.MaxKeys && oldestKey != "" {
		delete(l.hits, oldestKey)
	}
}
