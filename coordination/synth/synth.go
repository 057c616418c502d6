// Package synth generates synthetic social-media traffic with injected coordinated
// networks ("troll factories") and the ground truth of who belongs to which network. It
// feeds the coordination detector's acceptance tests and scaling benchmarks: real
// labelled troll-network data is rare and full of real people, so it is invented here.
//
// Organic traffic is made hard on purpose: word frequencies follow Zipf's law (so
// unrelated texts share common words), organic accounts share viral links and greeting
// phrases, and a core of heavy commenters ("regulars") comments on the same popular
// posts. Networks run campaigns: most members post the same text, reworded with
// probability ParaphraseRate, often with the same link, forwarded source or reply target,
// each after an exponential delay of mean Jitter. Everything is fictional and generated
// from Seed; the same Config always yields the same stream.
package synth

import (
	"container/heap"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kuzot/kuzot/post"
)

// Frames are the narrative frames attached to campaign posts (see docs/context.md), as
// the narrative classifier would label them.
var Frames = []string{"propaganda_ban", "foreign_agent", "western_values", "traditional_family",
	"child_protection", "political_smear", "dehumanization", "violence_threat"}

// Config describes the traffic to generate.
type Config struct {
	Seed  uint64
	Start time.Time
	// Posts is the approximate total number of posts (organic plus coordinated).
	Posts int
	// PostsPerDay sets the traffic rate; the stream spans Posts/PostsPerDay days.
	PostsPerDay int
	// OrganicAccounts is the number of ordinary accounts.
	OrganicAccounts int
	// RegularShare is the share of organic accounts that comment heavily on the same
	// popular posts (organic co-reply).
	RegularShare float64
	// Networks is the number of coordinated networks; sizes are uniform in
	// [MinNetworkSize, MaxNetworkSize].
	Networks                       int
	MinNetworkSize, MaxNetworkSize int
	// CampaignsPerDay is each network's campaign rate.
	CampaignsPerDay float64
	// Participation is the probability that a member joins a campaign.
	Participation float64
	// Jitter is the mean delay of a member's post after the campaign start.
	Jitter time.Duration
	// ParaphraseRate is the probability that a member rewords the campaign text.
	ParaphraseRate float64
	// ViralLinks is the number of popular links; ViralShare the share of organic posts
	// carrying one of them (Zipf-distributed popularity).
	ViralLinks int
	ViralShare float64
	// ReplyShare is the share of organic posts that are comments on a popular post.
	ReplyShare float64
	// PhraseShare is the share of organic posts that are a common phrase (greetings,
	// congratulations) repeated word for word by unrelated people.
	PhraseShare float64
	// HotLinkAccounts, when positive, adds that many extra organic accounts that all
	// share one link within HotLinkSpan of the middle of the stream: the "10,000 accounts
	// share a viral link" case.
	HotLinkAccounts int
	HotLinkSpan     time.Duration
}

// DefaultConfig returns a realistic mix for about posts posts at 100k posts per day:
// up to 50,000 organic accounts and 20 networks of 5 to 80 accounts, each running six
// campaigns a day. The number of networks does not grow with posts: more posts mean
// more days of the same farms, as on a live stream.
func DefaultConfig(posts int) Config {
	return Config{
		Seed: 7, Start: time.Date(2026, 1, 12, 6, 0, 0, 0, time.UTC),
		Posts: posts, PostsPerDay: 100_000,
		OrganicAccounts: min(max(posts/5, 2000), 50_000), RegularShare: 0.05,
		Networks: 20, MinNetworkSize: 5, MaxNetworkSize: 80,
		CampaignsPerDay: 6, Participation: 0.8, Jitter: 90 * time.Second, ParaphraseRate: 0.5,
		ViralLinks: 30, ViralShare: 0.08, ReplyShare: 0.35, PhraseShare: 0.03,
		HotLinkSpan: 30 * time.Minute,
	}
}

// Validate reports a configuration that cannot generate traffic.
func (c Config) Validate() error {
	switch {
	case c.Posts < 1 || c.PostsPerDay < 1:
		return errors.New("synth: posts and posts per day must be positive")
	case c.OrganicAccounts < 1:
		return errors.New("synth: need at least one organic account")
	case c.Networks < 0 || (c.Networks > 0 && (c.MinNetworkSize < 2 || c.MaxNetworkSize < c.MinNetworkSize)):
		return errors.New("synth: network sizes must satisfy 2 <= min <= max")
	case c.Participation < 0 || c.Participation > 1 || c.ParaphraseRate < 0 || c.ParaphraseRate > 1:
		return errors.New("synth: participation and paraphrase rate must be in [0,1]")
	case c.ViralShare+c.ReplyShare+c.PhraseShare > 1:
		return errors.New("synth: viral, reply and phrase shares add up to more than 1")
	}
	return nil
}

// Item is one generated post with what the pipeline would know about it.
type Item struct {
	Post             post.Post
	Frames           []string
	AccountCreatedAt time.Time
}

// Truth is the ground truth of a generated stream.
type Truth struct {
	// Network maps an account key ("<source>:<author>", as the detector names accounts)
	// to its network number (1-based); organic accounts are absent.
	Network map[string]int
	// Members lists each network's accounts (index = network number - 1).
	Members [][]string
	// HotLink is the link of the HotLinkAccounts event ("" when none).
	HotLink string
}

// Quality is membership recovery measured against the truth.
type Quality struct {
	Precision, Recall float64
	// TP counts clustered network members whose cluster's majority network is theirs;
	// FP counts other clustered accounts; Members is the number of network members.
	TP, FP, Members int
	// OrganicClustered counts organic accounts placed in any cluster.
	OrganicClustered int
}

// String formats the figures for test logs and the benchmark report.
func (q Quality) String() string {
	return fmt.Sprintf("precision %.3f recall %.3f (tp %d fp %d members %d organic clustered %d)",
		q.Precision, q.Recall, q.TP, q.FP, q.Members, q.OrganicClustered)
}

// Evaluate scores detected clusters (each a list of account keys) against the truth.
// A cluster is assigned the network most of its accounts belong to; its accounts from
// that network are true positives, every other account a false positive.
func Evaluate(clusters [][]string, t Truth) Quality {
	var q Quality
	for _, m := range t.Members {
		q.Members += len(m)
	}
	counted := map[string]bool{}
	for _, c := range clusters {
		votes := map[int]int{}
		for _, a := range c {
			if n := t.Network[a]; n > 0 {
				votes[n]++
			}
		}
		best, bestN := 0, 0
		for n, v := range votes {
			if v > bestN || (v == bestN && n < best) {
				best, bestN = n, v
			}
		}
		for _, a := range c {
			n := t.Network[a]
			switch {
			case n == 0:
				q.FP++
				q.OrganicClustered++
			case n == best && !counted[a]:
				counted[a] = true
				q.TP++
			default:
				q.FP++
			}
		}
	}
	if q.TP+q.FP > 0 {
		q.Precision = float64(q.TP) / float64(q.TP+q.FP)
	} else {
		q.Precision = 1
	}
	if q.Members > 0 {
		q.Recall = float64(q.TP) / float64(q.Members)
	} else {
		q.Recall = 1
	}
	return q
}

// acct is one generated account.
type acct struct {
	source, name string
	created      time.Time
	regular      bool
}

// key is the detector's account key.
func (a *acct) key() string { return a.source + ":" + a.name }

// pending is a scheduled post.
type pending struct {
	at   time.Time
	item Item
	seq  int
}

// pendingHeap orders scheduled campaign posts by time (container/heap methods below).
type pendingHeap []pending

func (h pendingHeap) Len() int { return len(h) }
func (h pendingHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h pendingHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pendingHeap) Push(x any)   { *h = append(*h, x.(pending)) }
func (h *pendingHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// campaign is one coordinated action of a network.
type campaign struct {
	at      time.Time
	network int
}

// Generator streams posts in publication order.
type Generator struct {
	cfg      Config
	rng      *rand.Rand
	vocab    []string
	zipfW    *zipf // word ranks
	phrases  []string
	viral    []string
	organic  []*acct
	cum      []float64 // cumulative activity weights of organic (and network) accounts
	posters  []*acct   // accounts in cum order
	regulars []*acct
	networks [][]*acct
	truth    Truth

	end       time.Time
	nextOrg   time.Time
	orgRate   float64 // posts per second
	campaigns []campaign
	ci        int
	pend      pendingHeap
	seq       int
	emitted   int
	hotDone   bool
	hotAt     time.Time
	hotAccts  []*acct
}

// New builds a generator; the stream is fully determined by cfg.
func New(cfg Config) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Start.IsZero() {
		cfg.Start = DefaultConfig(1).Start
	}
	g := &Generator{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5eed))}
	days := float64(cfg.Posts) / float64(cfg.PostsPerDay)
	span := time.Duration(days * 24 * float64(time.Hour))
	g.end = cfg.Start.Add(span)
	g.buildVocab(5000)
	g.zipfW = newZipf(len(g.vocab), 1.0)
	for i := range 40 {
		g.phrases = append(g.phrases, g.sentence(5+i%4))
	}
	for i := range cfg.ViralLinks {
		g.viral = append(g.viral, fmt.Sprintf("https://news.example.kg/%d/article-%d?utm_source=share&utm_medium=social", 2026, 1000+i))
	}

	sources := []string{"youtube", "vk", "telegram"}
	used := map[string]bool{}
	newAcct := func(src string) *acct {
		for {
			name := fmt.Sprintf("u%07d", g.rng.IntN(10_000_000))
			if src == "" {
				src = sources[g.rng.IntN(len(sources))]
			}
			if used[src+":"+name] {
				continue
			}
			used[src+":"+name] = true
			age := time.Duration(g.rng.IntN(3*365)+1) * 24 * time.Hour
			return &acct{source: src, name: name, created: cfg.Start.Add(-age)}
		}
	}
	for range cfg.OrganicAccounts {
		a := newAcct("")
		a.regular = g.rng.Float64() < cfg.RegularShare
		g.organic = append(g.organic, a)
	}
	g.truth.Network = map[string]int{}
	for n := range cfg.Networks {
		size := cfg.MinNetworkSize + g.rng.IntN(cfg.MaxNetworkSize-cfg.MinNetworkSize+1)
		src := sources[g.rng.IntN(len(sources))]
		created := cfg.Start.Add(-time.Duration(g.rng.IntN(60)+1) * 24 * time.Hour)
		var members []*acct
		var keys []string
		for range size {
			a := newAcct(src) // a farm works one platform
			// Farms register accounts in batches: creation within a few hours.
			a.created = created.Add(time.Duration(g.rng.IntN(6*3600)) * time.Second)
			members = append(members, a)
			keys = append(keys, a.key())
			g.truth.Network[a.key()] = n + 1
		}
		g.networks = append(g.networks, members)
		g.truth.Members = append(g.truth.Members, keys)
		perNet := int(math.Round(cfg.CampaignsPerDay * days))
		for range max(perNet, 1) {
			at := cfg.Start.Add(time.Duration(g.rng.Float64() * float64(span)))
			g.campaigns = append(g.campaigns, campaign{at: at, network: n})
		}
	}
	slices.SortFunc(g.campaigns, func(a, b campaign) int { return a.at.Compare(b.at) })

	// Activity weights: lognormal for organic accounts; network members also post
	// ordinary filler at an average rate.
	total := 0.0
	add := func(a *acct, w float64) {
		total += w
		g.cum = append(g.cum, total)
		g.posters = append(g.posters, a)
	}
	for _, a := range g.organic {
		w := math.Exp(g.rng.NormFloat64())
		if a.regular {
			w *= 4
			g.regulars = append(g.regulars, a)
		}
		add(a, w)
	}
	for _, net := range g.networks {
		for _, a := range net {
			add(a, 1)
		}
	}
	expectedCampaignPosts := 0.0
	for _, net := range g.networks {
		expectedCampaignPosts += float64(len(net)) * cfg.Participation * math.Max(math.Round(cfg.CampaignsPerDay*days), 1)
	}
	orgPosts := math.Max(float64(cfg.Posts)-expectedCampaignPosts-float64(cfg.HotLinkAccounts), float64(cfg.Posts)/10)
	g.orgRate = orgPosts / span.Seconds()
	g.nextOrg = cfg.Start.Add(g.expDelay())
	if cfg.HotLinkAccounts > 0 {
		g.hotAt = cfg.Start.Add(span / 2)
		g.truth.HotLink = "https://video.example.kg/watch/viral-clip-1"
		for range cfg.HotLinkAccounts {
			g.hotAccts = append(g.hotAccts, newAcct(""))
		}
	}
	return g, nil
}

// Truth returns the ground truth of the stream.
func (g *Generator) Truth() Truth { return g.truth }

// End is the publication time after which the stream stops.
func (g *Generator) End() time.Time { return g.end }

func (g *Generator) expDelay() time.Duration {
	return time.Duration(g.rng.ExpFloat64() / g.orgRate * float64(time.Second))
}

// Next returns the next post in publication order; ok is false at the end.
func (g *Generator) Next() (Item, bool) {
	for {
		nextCampaign := g.end
		if g.ci < len(g.campaigns) {
			nextCampaign = g.campaigns[g.ci].at
		}
		if g.cfg.HotLinkAccounts > 0 && !g.hotDone && !g.hotAt.After(g.nextOrg) && !g.hotAt.After(nextCampaign) {
			g.hotDone = true
			g.scheduleHot()
			continue
		}
		if g.ci < len(g.campaigns) && !nextCampaign.After(g.nextOrg) {
			g.schedule(g.campaigns[g.ci])
			g.ci++
			continue
		}
		if len(g.pend) > 0 && !g.pend[0].at.After(g.nextOrg) {
			p := heap.Pop(&g.pend).(pending)
			return g.finish(p.item), true
		}
		if !g.nextOrg.Before(g.end) {
			if len(g.pend) > 0 {
				p := heap.Pop(&g.pend).(pending)
				return g.finish(p.item), true
			}
			return Item{}, false
		}
		at := g.nextOrg
		g.nextOrg = at.Add(g.expDelay())
		return g.finish(g.organicPost(at)), true
	}
}

func (g *Generator) finish(it Item) Item {
	g.emitted++
	it.Post.ID = fmt.Sprintf("%s:%d", it.Post.Source, 1_000_000+g.emitted)
	it.Post.CollectedAt = it.Post.PublishedAt.Add(2 * time.Minute)
	it.Post.Media = []post.Media{}
	return it
}

func (g *Generator) pick() *acct {
	x := g.rng.Float64() * g.cum[len(g.cum)-1]
	return g.posters[sort.SearchFloat64s(g.cum, x)%len(g.posters)]
}

// popularTarget returns a reply target: a popular post of the current six-hour slot,
// Zipf-distributed so a few posts draw most comments.
func (g *Generator) popularTarget(at time.Time) string {
	slot := at.Sub(g.cfg.Start) / (6 * time.Hour)
	rank := int(math.Floor(math.Pow(g.rng.Float64(), 2) * 200))
	return fmt.Sprintf("youtube:video-%d-%d", slot, rank)
}

func (g *Generator) organicPost(at time.Time) Item {
	a := g.pick()
	if a.regular && g.rng.Float64() < 0.6 {
		it := g.base(a, at, g.sentence(4+g.rng.IntN(20)))
		it.Post.ReplyTo = g.popularTarget(at)
		return it
	}
	var it Item
	switch x := g.rng.Float64(); {
	case x < g.cfg.ViralShare && len(g.viral) > 0:
		l := g.viral[int(math.Floor(math.Pow(g.rng.Float64(), 2)*float64(len(g.viral))))]
		it = g.base(a, at, g.sentence(3+g.rng.IntN(15))+" "+l)
	case x < g.cfg.ViralShare+g.cfg.ReplyShare:
		it = g.base(a, at, g.sentence(2+g.rng.IntN(25)))
		it.Post.ReplyTo = g.popularTarget(at)
	case x < g.cfg.ViralShare+g.cfg.ReplyShare+g.cfg.PhraseShare:
		it = g.base(a, at, g.phrases[int(math.Floor(math.Pow(g.rng.Float64(), 2)*float64(len(g.phrases))))]+"!")
	default:
		text := g.sentence(5 + g.rng.IntN(35))
		if g.rng.Float64() < 0.1 {
			text += fmt.Sprintf(" https://blog.example.org/p/%d", g.rng.IntN(1_000_000))
		}
		it = g.base(a, at, text)
	}
	if g.rng.Float64() < 0.04 {
		it.Frames = []string{Frames[g.rng.IntN(len(Frames))]}
	}
	return it
}

func (g *Generator) base(a *acct, at time.Time, text string) Item {
	return Item{
		Post: post.Post{Source: a.source, Channel: a.source + "-channel-" + a.name[len(a.name)-1:],
			Author: a.name, Text: text, PublishedAt: at.UTC().Truncate(time.Second), Lang: "ru"},
		AccountCreatedAt: a.created,
	}
}

// schedule expands one campaign into its members' posts.
func (g *Generator) schedule(c campaign) {
	members := g.networks[c.network]
	text := g.sentence(12 + g.rng.IntN(18))
	frames := []string{Frames[g.rng.IntN(len(Frames))]}
	if g.rng.Float64() < 0.4 {
		frames = append(frames, Frames[g.rng.IntN(len(Frames))])
	}
	slices.Sort(frames)
	frames = slices.Compact(frames)
	var link, fwd, target string
	switch k := g.rng.IntN(10); {
	case k < 5: // comment farm: same (reworded) comment under the same post
		target = fmt.Sprintf("youtube:video-attack-%d", g.rng.IntN(1_000_000))
		if g.rng.Float64() < 0.5 {
			target = g.popularTarget(c.at)
		}
	case k < 7: // link push with a comment
		link = fmt.Sprintf("https://portal.example.kg/news/%d", g.rng.IntN(1_000_000))
	case k < 9: // forward of the same source, often without own text
		fwd = fmt.Sprintf("t.me/source%d/%d", c.network, g.rng.IntN(100_000))
		if g.rng.Float64() < 0.5 {
			text = ""
		}
	default: // pure copypasta
	}
	for _, a := range members {
		if g.rng.Float64() >= g.cfg.Participation {
			continue
		}
		at := c.at.Add(time.Duration(g.rng.ExpFloat64() * float64(g.cfg.Jitter)))
		body := text
		if body != "" && g.rng.Float64() < g.cfg.ParaphraseRate {
			body = g.paraphrase(body)
		}
		if link != "" {
			body += " " + link
			if g.rng.Float64() < 0.5 {
				body += "?utm_source=tg&utm_campaign=" + a.name
			}
		}
		it := g.base(a, at, body)
		it.Post.ReplyTo, it.Post.ForwardedFrom = target, fwd
		if g.rng.Float64() < 0.85 { // the narrative classifier misses some
			it.Frames = frames
		}
		g.seq++
		heap.Push(&g.pend, pending{at: it.Post.PublishedAt, item: it, seq: g.seq})
	}
}

// scheduleHot adds the hot-link event: many unrelated accounts share one link.
func (g *Generator) scheduleHot() {
	for _, a := range g.hotAccts {
		at := g.hotAt.Add(time.Duration(g.rng.Float64() * float64(g.cfg.HotLinkSpan)))
		it := g.base(a, at, g.sentence(3+g.rng.IntN(10))+" "+g.truth.HotLink)
		g.seq++
		heap.Push(&g.pend, pending{at: it.Post.PublishedAt, item: it, seq: g.seq})
	}
}

// paraphrase rewords a text the way farm operators do: some words replaced, some
// dropped, a filler added, neighbours swapped, punctuation and case changed.
func (g *Generator) paraphrase(s string) string {
	words := strings.Fields(s)
	out := make([]string, 0, len(words)+2)
	for _, w := range words {
		switch x := g.rng.Float64(); {
		case x < 0.08:
			out = append(out, g.word())
		case x < 0.11:
		default:
			out = append(out, w)
		}
	}
	if len(out) > 3 && g.rng.Float64() < 0.5 {
		i := g.rng.IntN(len(out) - 1)
		out[i], out[i+1] = out[i+1], out[i]
	}
	if g.rng.Float64() < 0.5 {
		out = append(out, []string{"!!!", "согласен", "позор", "👍", "правда"}[g.rng.IntN(5)])
	}
	if len(out) > 0 && g.rng.Float64() < 0.5 {
		out[0] = strings.ToUpper(out[0])
	}
	return strings.Join(out, " ")
}

func (g *Generator) word() string { return g.vocab[g.zipfW.draw(g.rng)] }

func (g *Generator) sentence(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(g.word())
	}
	return b.String()
}

// buildVocab invents n distinct Cyrillic pseudo-words from syllables.
func (g *Generator) buildVocab(n int) {
	cons := []rune("бвгдзклмнпрстчшж")
	vows := []rune("аеиоуыэюя")
	seen := map[string]bool{}
	for len(g.vocab) < n {
		var b strings.Builder
		syl := 1 + g.rng.IntN(4)
		for range syl {
			b.WriteRune(cons[g.rng.IntN(len(cons))])
			b.WriteRune(vows[g.rng.IntN(len(vows))])
		}
		if g.rng.IntN(3) == 0 {
			b.WriteRune(cons[g.rng.IntN(len(cons))])
		}
		w := b.String()
		if !seen[w] {
			seen[w] = true
			g.vocab = append(g.vocab, w)
		}
	}
}

// zipf draws ranks in [0,n) with probability proportional to 1/(rank+1)^s.
type zipf struct{ cum []float64 }

func newZipf(n int, s float64) *zipf {
	z := &zipf{cum: make([]float64, n)}
	t := 0.0
	for i := range n {
		t += 1 / math.Pow(float64(i+1), s)
		z.cum[i] = t
	}
	return z
}

func (z *zipf) draw(r *rand.Rand) int {
	return min(sort.SearchFloat64s(z.cum, r.Float64()*z.cum[len(z.cum)-1]), len(z.cum)-1)
}
