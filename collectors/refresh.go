package collectors

import "time"

// Posts grow after they are published: views, forwards and comments keep counting for
// days. A collector re-publishes a recent post whose counters changed as a refresh
// (post.Post.Refresh): the store keeps it as the latest version of the row, and the
// classify stage skips it, so a refresh is never a new post for classifiers or alerts.
//
// Refreshes back off with age: a post is refreshed at most every RefreshInterval(age),
// a tenth of its age between 5 minutes and a day (a 1-hour-old post every 6 minutes, a
// day-old one every 2.4 hours, a week-old one every 17 hours), and not at all past the
// source's refresh age (default 7 days).

// DefaultRefreshAge is how long posts are refreshed when a source sets no refresh_age.
const DefaultRefreshAge = 7 * 24 * time.Hour

// RefreshInterval is the least time between two refreshes of a post of the given age.
func RefreshInterval(age time.Duration) time.Duration {
	return min(max(age/10, 5*time.Minute), 24*time.Hour)
}

// Counters are the growing numbers of a post.
type Counters struct {
	Views    int64 `json:"v,omitempty"`
	Forwards int64 `json:"f,omitempty"`
	Comments int64 `json:"c,omitempty"`
}

// RefreshMark is what was last published of a recent post.
type RefreshMark struct {
	Published time.Time `json:"p"`
	At        time.Time `json:"at"`
	Counters
}

// Refreshes tracks the recent posts of a source by id; it is part of the source state.
type Refreshes map[string]RefreshMark

// Due reports whether post id, published at published, should be re-published now with
// counters n: it is younger than maxAge, it was published (Mark) before, its counters
// changed and its back-off interval has passed. A post never marked is not due (its
// first publication is not a refresh); Mark it when publishing it.
func (r Refreshes) Due(id string, published, now time.Time, maxAge time.Duration, n Counters) bool {
	m, ok := r[id]
	if !ok || maxAge <= 0 || now.Sub(published) > maxAge || m.Counters == n {
		return false
	}
	return now.Sub(m.At) >= RefreshInterval(now.Sub(published))
}

// Mark records that post id was published now with counters n, when it is young enough
// to be refreshed later.
func (r Refreshes) Mark(id string, published, now time.Time, maxAge time.Duration, n Counters) {
	if maxAge > 0 && now.Sub(published) <= maxAge {
		r[id] = RefreshMark{Published: published, At: now, Counters: n}
	}
}

// Prune forgets posts older than maxAge, keeping the state small.
func (r Refreshes) Prune(now time.Time, maxAge time.Duration) {
	for id, m := range r {
		if now.Sub(m.Published) > maxAge {
			delete(r, id)
		}
	}
}
