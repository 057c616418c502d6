package coordination

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"
)

// Cluster statuses.
const (
	// StatusActive is a cluster as currently detected.
	StatusActive = "active"
	// StatusMerged is a tombstone: the cluster grew into another one (MergedInto) and
	// its id is retired. Storage keeps it so dashboards can follow the merge.
	StatusMerged = "merged"
)

// Evidence output caps: a cluster is a report, not a dump.
const (
	maxClusterPosts = 1000
	maxEvidence     = 100
	maxShared       = 20
)

// Cluster is one group of accounts acting in concert, with its evidence. The first
// eight JSON fields are the `kuzot coordinate` output contract of issue 7; the rest is
// evidence for analysts and storage. Posts and shared objects are those of the last
// Horizon (at most 32 coordinated posts per account); First and Last span the whole
// life of the cluster's strong pairs.
type Cluster struct {
	ID         string    `json:"id"`
	Accounts   []string  `json:"accounts"`
	Posts      []string  `json:"posts"`
	Behaviours []string  `json:"behaviours"`
	Score      float64   `json:"score"`
	First      time.Time `json:"first"`
	Last       time.Time `json:"last"`
	Params     Params    `json:"params"`

	// Status is StatusActive or StatusMerged (then only ID, MergedInto, Params,
	// DetectedAt and Version are set).
	Status     string `json:"status"`
	MergedInto string `json:"merged_into,omitempty"`
	// Texts, Links and ReplyTargets are the shared objects, most shared first.
	Texts        []string `json:"texts,omitempty"`
	Links        []string `json:"links,omitempty"`
	ReplyTargets []string `json:"reply_targets,omitempty"`
	// Hashtags are shared hashtag sets (hashtag synchrony).
	Hashtags []string `json:"hashtags,omitempty"`
	// Rhythm is the cluster's burst timeline over the horizon (issue 21); Platforms the
	// sources of its accounts.
	Rhythm    *Rhythm  `json:"rhythm,omitempty"`
	Platforms []string `json:"platforms,omitempty"`
	// Frames counts the narrative frames of the cluster's posts, most frequent first.
	Frames []FrameCount `json:"frames,omitempty"`
	// CappedObjects counts shared objects that went hot (more than MaxObjectActors
	// accounts in one window) and stopped producing pairs; CappedActions counts the
	// members' actions that were not paired because of the cap. Non-zero values mean
	// the cluster may be larger than shown.
	CappedObjects  int  `json:"capped_objects"`
	CappedActions  int  `json:"capped_actions"`
	PostsTruncated bool `json:"posts_truncated,omitempty"`
	// Members are per-account signals; Edges the strongest account pairs.
	Members []Member   `json:"members,omitempty"`
	Edges   []Evidence `json:"edges,omitempty"`
	// DetectedAt is the Flush time of this version; Version orders versions of one id
	// (ReplacingMergeTree version column).
	DetectedAt time.Time `json:"detected_at"`
	Version    uint64    `json:"version"`
}

// FrameCount is how many of a cluster's posts carry one narrative frame.
type FrameCount struct {
	Frame string `json:"frame"`
	Posts int    `json:"posts"`
}

// Member holds the signals of one account of a cluster. They are indicators for an
// analyst, never a verdict on their own.
type Member struct {
	Account string `json:"account"`
	// CoActions is the summed weight of the account's strong edges inside the cluster
	// (0 for a periphery member, which joined through many weaker ties; see periphery).
	CoActions int `json:"co_actions"`
	// Posts is the number of posts seen from the account within the horizon.
	Posts int `json:"posts"`
	// PostsPerDay is Posts over the observed activity span (at least one day).
	PostsPerDay float64 `json:"posts_per_day"`
	// DuplicateShare is the share of its texts that copy a text seen in the window.
	DuplicateShare float64 `json:"duplicate_share"`
	// Burstiness is (σ-μ)/(σ+μ) of the gaps between its posts (Goh & Barabási): -1
	// regular, 0 random, towards 1 bursty. Zero with fewer than two gaps.
	Burstiness float64 `json:"burstiness"`
	// AccountAgeDays is the account's age at its last post, when the source gives it.
	AccountAgeDays *float64  `json:"account_age_days,omitempty"`
	CappedActions  int       `json:"capped_actions"`
	FirstSeen      time.Time `json:"first_seen"`
	LastSeen       time.Time `json:"last_seen"`
}

// Evidence is one strong account pair of a cluster.
type Evidence struct {
	Accounts   [2]string `json:"accounts"`
	Weight     int       `json:"weight"`
	Behaviours []string  `json:"behaviours"`
	// Objects are up to four recent shared objects (links, texts, reply targets).
	Objects []string  `json:"objects"`
	First   time.Time `json:"first"`
	Last    time.Time `json:"last"`
}

// Flush recomputes the clusters touched since the last Flush and returns them: new and
// grown clusters (StatusActive), and tombstones of clusters merged into others. now is
// stamped as DetectedAt; expiry follows event time, not now, so a replay of old posts
// behaves like the live stream. Call it on a ticker (for example every 30 s) and after
// the last post.
func (d *Detector) Flush(now time.Time) []Cluster {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.dirty) == 0 {
		return nil
	}
	// Versions strictly increase, even when two flushes share a timestamp (the CLI
	// flushes at event time), so the newest row always wins in storage.
	version := max(uint64(max(now.UnixNano(), 0)), d.lastVersion+1)
	d.lastVersion = version
	seeds := make([]uint32, 0, len(d.dirty))
	for id := range d.dirty {
		seeds = append(seeds, id)
	}
	slices.Sort(seeds)
	clear(d.dirty)

	visited := map[uint32]bool{}
	var comps [][]uint32
	for _, s := range seeds {
		if visited[s] || d.acct[s] == nil {
			continue
		}
		comp := []uint32{s}
		visited[s] = true
		for i := 0; i < len(comp); i++ {
			for _, n := range d.strong[comp[i]] {
				if !visited[n] {
					visited[n] = true
					comp = append(comp, n)
				}
			}
		}
		comps = append(comps, comp)
	}
	// Larger components claim existing ids first, so a split keeps the id on its
	// larger part.
	slices.SortStableFunc(comps, func(a, b []uint32) int { return cmp.Compare(len(b), len(a)) })

	claimed := map[string]bool{}
	retired := map[string]string{} // old id -> id it merged into
	attached := map[uint32]bool{}
	var out []Cluster
	for _, comp := range comps {
		if len(comp) < d.p.MinClusterSize {
			continue
		}
		comp = append(comp, d.periphery(comp, attached)...)
		c := d.build(comp)
		votes := map[string]int{}
		for _, m := range comp {
			if id, ok := d.cluster[m]; ok {
				votes[id]++
			}
		}
		olds := make([]string, 0, len(votes))
		for id := range votes {
			olds = append(olds, id)
		}
		sort.Slice(olds, func(i, j int) bool {
			if votes[olds[i]] != votes[olds[j]] {
				return votes[olds[i]] > votes[olds[j]]
			}
			return olds[i] < olds[j]
		})
		c.ID = ""
		for _, id := range olds {
			if !claimed[id] {
				c.ID = id
				break
			}
		}
		if c.ID == "" {
			c.ID = fmt.Sprintf("co_%s_%016x", d.digest, mix64(fnv1a64(c.Accounts[0])^uint64(c.First.Unix())))
			for claimed[c.ID] {
				c.ID += "x"
			}
		}
		claimed[c.ID] = true
		for _, id := range olds {
			if id != c.ID {
				retired[id] = c.ID
			}
		}
		for _, m := range comp {
			d.cluster[m] = c.ID
		}
		c.DetectedAt, c.Version = now.UTC().Truncate(time.Second), version
		out = append(out, c)
	}
	for old, into := range retired {
		if claimed[old] {
			continue
		}
		out = append(out, Cluster{ID: old, Status: StatusMerged, MergedInto: into, Params: d.p,
			Accounts: []string{}, Posts: []string{}, Behaviours: []string{},
			DetectedAt: now.UTC().Truncate(time.Second), Version: version})
	}
	slices.SortFunc(out, func(a, b Cluster) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Periphery of a cluster: an account with no strong pair that co-acted with many of a
// cluster's accounts, a few times with each, is one of its members who joined only
// some bursts (a weekly network's member who took part in two of four strikes meets
// each other member once or twice, never MinWeight times). It joins the cluster when
// it is tied to at least peripheryMinPartners of its accounts (and a quarter of them),
// its ties span MinWeight distinct objects and two or more of its posts, and the
// cluster holds at least peripheryMinShare of its partners, of its co-actions and of
// its posts, so a busy account that meets everyone (or posts much else) does not join.
const (
	peripheryMinPartners = 3
	peripheryMinShare    = 0.5
)

// periphery returns the accounts that join the component comp as its periphery, and
// marks them in attached (an account joins one cluster per Flush).
func (d *Detector) periphery(comp []uint32, attached map[uint32]bool) []uint32 {
	in := make(map[uint32]bool, len(comp))
	for _, m := range comp {
		in[m] = true
	}
	type cand struct {
		partners int
		objs     []uint64
	}
	cands := map[uint32]*cand{}
	for _, m := range comp {
		for _, y := range d.ties[m] {
			if in[y] || attached[y] || len(d.strong[y]) > 0 {
				continue
			}
			x, z := min(m, y), max(m, y)
			e, ok := d.edges[uint64(x)<<32|uint64(z)]
			if !ok {
				continue
			}
			c := cands[y]
			if c == nil {
				c = &cand{}
				cands[y] = c
			}
			c.partners++
			for i := 0; i < min(int(e.n), len(e.objs)); i++ {
				if !slices.Contains(c.objs, e.objs[i]) && len(c.objs) < 64 {
					c.objs = append(c.objs, e.objs[i])
				}
			}
		}
	}
	need := max(peripheryMinPartners, (len(comp)+3)/4)
	var out []uint32
	for y, c := range cands {
		if c.partners < need || len(c.objs) < d.p.MinWeight || float64(c.partners) < peripheryMinShare*float64(len(d.ties[y])) {
			continue
		}
		a := d.acct[y]
		if a == nil || float64(len(c.objs)) < peripheryMinShare*d.decayed(a, d.watermark) {
			continue
		}
		posts := 0
		var seen []string
		for _, p := range a.ring {
			if slices.Contains(c.objs, p.obj) && !slices.Contains(seen, p.id) {
				seen = append(seen, p.id)
				posts++
			}
		}
		if posts < 2 || float64(posts) < peripheryMinShare*float64(a.posts) {
			continue
		}
		out = append(out, y)
	}
	slices.Sort(out)
	for _, y := range out {
		attached[y] = true
	}
	return out
}

// build assembles the cluster of one connected component of strong edges.
func (d *Detector) build(comp []uint32) Cluster {
	in := make(map[uint32]bool, len(comp))
	for _, m := range comp {
		in[m] = true
	}
	c := Cluster{Params: d.p, Status: StatusActive, Posts: []string{}}
	var bits uint8
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	coActions := map[uint32]int{}
	nEdges, sumW := 0, 0
	type strongEdge struct {
		x, y uint32
		e    edge
	}
	var se []strongEdge
	for _, x := range comp {
		for _, y := range d.strong[x] {
			if !in[y] || y < x {
				continue
			}
			e := d.edges[uint64(x)<<32|uint64(y)]
			nEdges++
			sumW += int(e.weight)
			coActions[x] += int(e.weight)
			coActions[y] += int(e.weight)
			bits |= e.bits
			first, last = min(first, e.first), max(last, e.last)
			se = append(se, strongEdge{x, y, e})
		}
	}
	// Only the strongest pairs become evidence: sort cheap records, then build.
	slices.SortFunc(se, func(a, b strongEdge) int {
		return cmp.Or(cmp.Compare(b.e.weight, a.e.weight), cmp.Compare(a.e.first, b.e.first),
			cmp.Compare(a.x, b.x), cmp.Compare(a.y, b.y))
	})
	if len(se) > maxEvidence {
		se = se[:maxEvidence]
	}
	ev := make([]Evidence, 0, len(se))
	for _, s := range se {
		objs := []string{}
		for i := 0; i < min(int(s.e.n), len(s.e.objs)); i++ {
			if oi := d.objs[s.e.objs[i]]; oi != nil {
				objs = append(objs, oi.display)
			}
		}
		a, b := d.acct[s.x].name, d.acct[s.y].name
		if b < a {
			a, b = b, a
		}
		ev = append(ev, Evidence{Accounts: [2]string{a, b}, Weight: int(s.e.weight),
			Behaviours: behaviourNames(s.e.bits), Objects: objs,
			First: time.Unix(s.e.first, 0).UTC(), Last: time.Unix(s.e.last, 0).UTC()})
	}
	c.Edges = ev
	c.Behaviours = behaviourNames(bits)
	c.First, c.Last = time.Unix(first, 0).UTC(), time.Unix(last, 0).UTC()

	// Shared objects: those in the evidence rings of at least two members.
	sharers := map[uint64]int{}
	var distinct []uint64
	for _, m := range comp {
		distinct = distinct[:0]
		for _, p := range d.acct[m].ring {
			if !slices.Contains(distinct, p.obj) {
				distinct = append(distinct, p.obj)
				sharers[p.obj]++
			}
		}
	}
	type shared struct {
		key uint64
		n   int
	}
	var objs []shared
	for k, n := range sharers {
		if n >= 2 {
			objs = append(objs, shared{k, n})
		}
	}
	slices.SortFunc(objs, func(a, b shared) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.key, b.key)) })
	for _, o := range objs {
		oi := d.objs[o.key]
		if oi == nil {
			continue
		}
		if oi.hot {
			c.CappedObjects++
		}
		switch oi.kind {
		case kindText:
			if len(c.Texts) < maxShared {
				c.Texts = append(c.Texts, oi.display)
			}
		case kindTag:
			if len(c.Hashtags) < maxShared {
				c.Hashtags = append(c.Hashtags, oi.display)
			}
		case kindReply:
			if len(c.ReplyTargets) < maxShared {
				c.ReplyTargets = append(c.ReplyTargets, oi.display)
			}
		default:
			if len(c.Links) < maxShared {
				c.Links = append(c.Links, oi.display)
			}
		}
	}

	// Accounts, posts, frames and member signals.
	seenPost := map[string]bool{}
	frames := map[string]int{}
	for _, m := range comp {
		a := d.acct[m]
		c.Accounts = append(c.Accounts, a.name)
		c.CappedActions += a.capped
		for _, p := range a.ring {
			if sharers[p.obj] < 2 || seenPost[p.id] {
				continue
			}
			seenPost[p.id] = true
			c.Posts = append(c.Posts, p.id)
			for _, f := range p.frames {
				frames[f]++
			}
		}
		c.Members = append(c.Members, d.member(a, coActions[m]))
	}
	sort.Strings(c.Accounts)
	c.Platforms = platformsOf(c.Accounts)
	c.Rhythm = d.rhythmOf(comp)
	sort.Strings(c.Posts)
	if len(c.Posts) > maxClusterPosts {
		c.Posts, c.PostsTruncated = c.Posts[:maxClusterPosts], true
	}
	slices.SortFunc(c.Members, func(a, b Member) int { return cmp.Compare(a.Account, b.Account) })
	for f, n := range frames {
		c.Frames = append(c.Frames, FrameCount{Frame: f, Posts: n})
	}
	slices.SortFunc(c.Frames, func(a, b FrameCount) int { return cmp.Or(cmp.Compare(b.Posts, a.Posts), cmp.Compare(a.Frame, b.Frame)) })
	c.Score = score(len(comp), nEdges, sumW, d.p.MinWeight)
	return c
}

// score rates a cluster in [0,1): the square root of its strong-edge density (how
// completely the accounts are tied to each other) times 1-exp(-w/MinWeight) for the mean
// strong-edge weight w (how often they act together). A clique of accounts that acted
// together 3×MinWeight times scores 0.95; a chain of pairs at the threshold scores less.
func score(n, edges, sumW, minWeight int) float64 {
	if n < 2 || edges == 0 {
		return 0
	}
	density := float64(edges) / (float64(n) * float64(n-1) / 2)
	mean := float64(sumW) / float64(edges)
	s := math.Sqrt(math.Min(density, 1)) * (1 - math.Exp(-mean/float64(minWeight)))
	return math.Round(s*1e4) / 1e4
}

// member computes the signals of one account.
func (d *Detector) member(a *account, coActions int) Member {
	m := Member{Account: a.name, CoActions: coActions, Posts: a.posts, CappedActions: a.capped,
		FirstSeen: time.Unix(a.first, 0).UTC(), LastSeen: time.Unix(a.last, 0).UTC()}
	days := math.Max(float64(a.last-a.first)/86400, 1)
	m.PostsPerDay = round4(float64(a.posts) / days)
	if a.posts > 0 {
		m.DuplicateShare = round4(float64(a.dupPosts) / float64(a.posts))
	}
	if a.gapN >= 2 {
		sd := math.Sqrt(a.gapM2 / float64(a.gapN))
		if sd+a.gapMean > 0 {
			m.Burstiness = round4((sd - a.gapMean) / (sd + a.gapMean))
		}
	}
	if a.created != 0 {
		age := round4(math.Max(float64(a.last-a.created)/86400, 0))
		m.AccountAgeDays = &age
	}
	return m
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
