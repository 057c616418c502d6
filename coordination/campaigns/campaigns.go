// Package campaigns generates a month of social-media traffic with slow and fast
// coordinated campaigns and with organic look-alikes, plus the ground truth of which
// accounts belong to a network, its rhythm and its kind. It is written independently of
// the detector (it imports nothing of it) from a description of how real influence
// campaigns in Central Asia behave:
//
//   - Rhythm: networks strike in bursts. Hourly networks post a wave every one to three
//     hours for a day or two (a pile-on); daily networks post once a day for weeks;
//     weekly networks strike every three to nine days, around court dates, votes and
//     events, and are silent in between.
//   - Partial participation: in each burst only a share of the members posts, each after
//     a delay of minutes, and a burst has one to three messages (several target posts).
//   - Paraphrase: members reword the campaign text (synonyms, dropped and swapped words,
//     added interjections and emoji).
//   - Kinds: co-text (the same comment under the same target posts), co-link (the same
//     link with each member's own words), cross-platform (the same text posted by the
//     network's Telegram, VK and YouTube accounts), translated (Kyrgyz and Russian
//     versions of the message: a campaign phrase from a written ky/ru phrase list in
//     each member's wording, members who type in Latin letters by the ICAO passport,
//     GOST 7.79 B or Turkic-style schemes, and the campaign's hashtags on 80 % of
//     posts). See languages.go.
//
// Organic traffic of the same size: ordinary accounts with heavy-tailed activity writing
// their own texts, with popular links and hashtags, and three look-alikes that are not
// coordination: a news link shared by thousands within hours, a viral meme copied word
// for word by thousands over a day, and fans of channels who forward each channel post
// (a random subset, minutes to hours later).
//
// Everything is invented and generated from Seed: the same Config yields the same
// stream. Account and channel names are random strings, never real people.
package campaigns

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/kuzot/kuzot/post"
)

// Rhythms of a network.
const (
	RhythmHourly = "hourly"
	RhythmDaily  = "daily"
	RhythmWeekly = "weekly"
)

// Kinds of a network.
const (
	KindCoText        = "co_text"
	KindCoLink        = "co_link"
	KindCrossPlatform = "cross_platform"
	KindTranslated    = "translated"
)

// Rhythms and Kinds list the values in report order.
var (
	Rhythms = []string{RhythmHourly, RhythmDaily, RhythmWeekly}
	Kinds   = []string{KindCoText, KindCoLink, KindCrossPlatform, KindTranslated}
)

// Platforms are the sources posts come from.
var Platforms = []string{"telegram", "vk", "youtube"}

// Config describes the traffic.
type Config struct {
	// Seed makes the stream reproducible. The frozen evaluation uses FrozenSeed; tune
	// on any other seed (TuningSeed by convention).
	Seed  uint64
	Start time.Time
	// Days is the span of the stream.
	Days int
	// Posts is the total number of posts (organic, look-alikes and networks).
	Posts int
	// Accounts is the number of ordinary accounts.
	Accounts int
	// Networks is the number of coordinated networks (zero: organic traffic only);
	// their rhythms and kinds cycle through Rhythms × Kinds.
	Networks int
	// MinSize and MaxSize bound a network's accounts.
	MinSize, MaxSize int
	// Fans is the number of fan accounts forwarding channel posts; Channels the number
	// of channels they follow.
	Fans, Channels int
	// NewsShares, MemeShares are the posts of each news-link wave and each viral meme;
	// NewsWaves and Memes how many there are.
	NewsWaves, NewsShares int
	Memes, MemeShares     int
}

// The frozen evaluation seed and the tuning seed (see docs/coordination-eval.md).
const (
	FrozenSeed uint64 = 20261205
	TuningSeed uint64 = 1
)

// DefaultConfig is a month of posts posts with 60 networks, 150 ordinary accounts per
// 1,000 posts (150,000 at 1M) and the organic look-alikes in proportion: at 1M posts,
// 12 news links shared 3,000 times each, 6 memes copied 2,000 times each and 2,000 fans
// of 20 channels.
func DefaultConfig(seed uint64, posts int) Config {
	return Config{
		Seed: seed, Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Days: 30, Posts: posts,
		Accounts: max(posts*15/100, 1000), Networks: 60, MinSize: 8, MaxSize: 30,
		Fans: max(posts/500, 100), Channels: 20, NewsWaves: 12, NewsShares: max(posts*3/1000, 100),
		Memes: 6, MemeShares: max(posts/500, 100),
	}
}

// Validate reports a configuration that cannot be generated.
func (c Config) Validate() error {
	switch {
	case c.Days < 1 || c.Posts < 1 || c.Accounts < 10:
		return errors.New("campaigns: days, posts and accounts must be positive (accounts >= 10)")
	case c.Networks < 0 || (c.Networks > 0 && (c.MinSize < 3 || c.MaxSize < c.MinSize)):
		return errors.New("campaigns: networks need 3 <= min size <= max size")
	case c.Fans < 0 || c.Channels < 0 || (c.Fans > 0 && c.Channels == 0):
		return errors.New("campaigns: fans need channels")
	}
	return nil
}

// Network is the ground truth of one network.
type Network struct {
	ID       int
	Rhythm   string
	Kind     string
	Accounts []string
	Bursts   int
}

// Truth is the ground truth of a stream.
type Truth struct {
	Networks []Network
	// Member maps an account ("<source>:<author>") to its network index.
	Member map[string]int
}

// Item is one generated post.
type Item struct {
	Post post.Post
	// Network is the index of the post's network, or -1 for organic posts.
	Network int
}

// event is one planned post (campaign or look-alike), produced lazily.
type event struct {
	at      int64 // unix seconds
	who     string
	source  string
	text    string
	url     string
	forward string
	reply   string
	net     int
}

// Generator produces the stream in publication order.
type Generator struct {
	cfg    Config
	rng    *rand.Rand
	truth  Truth
	planed []event
	next   int
	// organic stream
	organic, emitted int
	start, span      int64
	t                float64
	seq              int
	vocab            []string
	zipf             *zipfDraw
	actZipf          *zipfDraw
	links, tags      []string
	targets          []string
}

// New plans the campaigns and look-alikes of cfg.
func New(cfg Config) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g := &Generator{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		truth: Truth{Member: map[string]int{}}, start: cfg.Start.Unix(), span: int64(cfg.Days) * 86400}
	g.vocab = makeWords(g.rng, 8000, 2, 4)
	g.zipf = newZipf(len(g.vocab), 1.05, 0)
	// Activity: Zipf with exponent 0.8 from rank 30 on, so the busiest ordinary account
	// writes about 0.15-0.2 % of the posts (some 50 a day at 1M posts a month), as heavy
	// commenters do; heavier sources are channels and bots, not ordinary accounts.
	g.actZipf = newZipf(cfg.Accounts, 0.8, 30)
	for i := 0; i < 400; i++ {
		g.links = append(g.links, fmt.Sprintf("https://%s.kg/%s/%d", pick(g.rng, newsSites), g.vocab[g.rng.IntN(len(g.vocab))], 10000+g.rng.IntN(90000)))
	}
	for i := 0; i < 300; i++ {
		g.tags = append(g.tags, "#"+g.vocab[g.rng.IntN(len(g.vocab))])
	}
	for i := 0; i < 2000; i++ {
		g.targets = append(g.targets, fmt.Sprintf("%s/%d", pick(g.rng, Platforms), 1000000+g.rng.IntN(9000000)))
	}
	for i := 0; i < cfg.Networks; i++ {
		g.planNetwork(i)
	}
	g.planNews()
	g.planMemes()
	g.planFans()
	slices.SortStableFunc(g.planed, func(a, b event) int { return cmp.Compare(a.at, b.at) })
	g.organic = max(cfg.Posts-len(g.planed), 0)
	if len(g.planed) > cfg.Posts {
		g.planed = g.planed[:cfg.Posts]
	}
	return g, nil
}

// Truth returns the ground truth (valid after New).
func (g *Generator) Truth() Truth { return g.truth }

// End is the end of the stream.
func (g *Generator) End() time.Time { return time.Unix(g.start+g.span, 0).UTC() }

// Planned is the number of campaign and look-alike posts; the rest is organic.
func (g *Generator) Planned() int { return len(g.planed) }

var newsSites = []string{"kaktus", "24", "akipress", "kloop", "azattyk", "kabar", "vesti", "economist"}

// planNetwork invents network i and schedules its bursts.
func (g *Generator) planNetwork(i int) {
	r := g.rng
	rhythm := Rhythms[i%len(Rhythms)]
	kind := Kinds[(i/len(Rhythms))%len(Kinds)]
	size := g.cfg.MinSize + r.IntN(g.cfg.MaxSize-g.cfg.MinSize+1)
	nw := Network{ID: i, Rhythm: rhythm, Kind: kind}
	// A member of a translated network writes Kyrgyz (every second member) or Russian,
	// and some always type in Latin letters, each by one transliteration scheme.
	type member struct {
		who, source string
		kyrgyz      bool
		latin       scheme
	}
	var members []member
	home := pick(r, Platforms)
	for j := 0; j < size; j++ {
		src := home
		if kind == KindCrossPlatform {
			src = Platforms[j%len(Platforms)]
		}
		m := member{who: handle(r), source: src, kyrgyz: j%2 == 1}
		if kind == KindTranslated && r.Float64() < 0.3 {
			if m.kyrgyz {
				m.latin = kyrgyzSchemes[r.IntN(len(kyrgyzSchemes))]
			} else {
				m.latin = russianSchemes[r.IntN(len(russianSchemes))]
			}
		}
		members = append(members, m)
		key := m.source + ":" + m.who
		nw.Accounts = append(nw.Accounts, key)
		g.truth.Member[key] = i
	}
	// Burst times.
	var bursts []int64
	span := g.span
	switch rhythm {
	case RhythmHourly:
		t := g.start + r.Int64N(span-3*86400)
		end := t + int64(24+r.IntN(25))*3600
		for ; t < end; t += int64(3600 + r.IntN(7200)) {
			bursts = append(bursts, t)
		}
	case RhythmDaily:
		t := g.start + r.Int64N(5*86400)
		end := t + int64(10+r.IntN(15))*86400
		for ; t < end && t < g.start+span; t += int64(86400 + r.IntN(4*3600) - 2*3600) {
			bursts = append(bursts, t)
		}
	default:
		t := g.start + r.Int64N(4*86400)
		for ; t < g.start+span-3600; t += int64(3+r.IntN(7)) * 86400 {
			bursts = append(bursts, t+int64(r.IntN(8*3600)))
		}
	}
	nw.Bursts = len(bursts)
	participation := 0.55 + 0.4*r.Float64()
	for b, at := range bursts {
		msgs := 1 + r.IntN(3)
		for m := 0; m < msgs; m++ {
			msg := g.message(r)
			link := g.links[r.IntN(len(g.links))]
			if kind == KindCoLink {
				link = fmt.Sprintf("https://%s.info/%s-%d-%d", g.vocab[r.IntN(200)], g.vocab[r.IntN(len(g.vocab))], i, b*3+m)
			}
			target := fmt.Sprintf("%s/%d", pick(r, Platforms), 20000000+r.IntN(70000000))
			tags := []string{"#" + g.vocab[r.IntN(len(g.vocab))], "#" + g.vocab[r.IntN(len(g.vocab))], fmt.Sprintf("#%s%d", g.vocab[r.IntN(len(g.vocab))], b)}
			ky := translate(msg)
			ph := campaignPhrase(r)
			for _, mem := range members {
				if r.Float64() > participation {
					continue
				}
				e := event{at: at + int64(m*600) + int64(r.ExpFloat64()*300), who: mem.who, source: mem.source, net: i}
				switch kind {
				case KindCoText:
					e.text = paraphrase(r, msg)
					e.reply = target
				case KindCoLink:
					e.text = g.sentence(r, 6+r.IntN(10)) + " " + link
				case KindCrossPlatform:
					e.text = paraphrase(r, msg)
				case KindTranslated:
					// The network's invented message with one campaign phrase in the
					// member's own wording; the campaign's hashtags are copied as they
					// are, but not by everyone.
					text := msg + " " + phraseText(r, ph, false)
					if mem.kyrgyz {
						text = ky + " " + phraseText(r, ph, true)
					}
					text = paraphrase(r, text)
					if mem.latin != nil {
						text = mem.latin.transliterate(text)
					}
					if r.Float64() < 0.8 {
						text += " " + strings.Join(tags, " ")
					}
					e.text = text
				}
				g.planed = append(g.planed, e)
			}
		}
	}
	g.truth.Networks = append(g.truth.Networks, nw)
}

// planNews schedules news links shared by thousands of ordinary accounts within hours.
func (g *Generator) planNews() {
	r := g.rng
	for w := 0; w < g.cfg.NewsWaves; w++ {
		at := g.start + r.Int64N(g.span-86400)
		link := fmt.Sprintf("https://%s.kg/news/%d", pick(r, newsSites), 500000+r.IntN(400000))
		for s := 0; s < g.cfg.NewsShares; s++ {
			src, who := g.account(g.rng)
			g.planed = append(g.planed, event{at: at + int64(r.ExpFloat64()*5400), who: who, source: src,
				text: g.sentence(r, 3+r.IntN(12)) + " " + link, net: -1})
		}
	}
}

// planMemes schedules viral texts copied word for word by thousands over a day.
func (g *Generator) planMemes() {
	r := g.rng
	for m := 0; m < g.cfg.Memes; m++ {
		at := g.start + r.Int64N(g.span-86400)
		text := g.sentence(r, 10+r.IntN(15))
		for s := 0; s < g.cfg.MemeShares; s++ {
			src, who := g.account(g.rng)
			g.planed = append(g.planed, event{at: at + int64(r.ExpFloat64()*6*3600), who: who, source: src, text: text, net: -1})
		}
	}
}

// planFans schedules fans forwarding channel posts: each channel posts a few times a
// day; each post is forwarded by a random 5-15 % of its fans, minutes to hours later.
func (g *Generator) planFans() {
	r := g.rng
	if g.cfg.Fans == 0 {
		return
	}
	fans := make([][]string, g.cfg.Channels)
	for f := 0; f < g.cfg.Fans; f++ {
		c := r.IntN(g.cfg.Channels)
		fans[c] = append(fans[c], "telegram:fan_"+handle(r))
	}
	for c := range fans {
		channel := "@" + handle(r)
		perDay := 1 + r.IntN(4)
		share := 0.05 + 0.1*r.Float64()
		for t := g.start + r.Int64N(3600); t < g.start+g.span; t += int64(86400 / perDay) {
			msg := fmt.Sprintf("%s/%d", channel, t)
			for _, f := range fans[c] {
				if r.Float64() > share {
					continue
				}
				g.planed = append(g.planed, event{at: t + int64(r.ExpFloat64()*7200), who: strings.TrimPrefix(f, "telegram:"),
					source: "telegram", forward: msg, text: g.sentence(r, 2+r.IntN(4)), net: -1})
			}
		}
	}
}

// account draws an ordinary account (heavy-tailed activity): its source and name.
func (g *Generator) account(r *rand.Rand) (source, name string) {
	i := g.actZipf.draw(r)
	return Platforms[i%len(Platforms)], fmt.Sprintf("user%06d", i)
}

// Next returns the next post in publication order; ok is false at the end.
func (g *Generator) Next() (Item, bool) {
	if g.emitted >= g.organic && g.next >= len(g.planed) {
		return Item{}, false
	}
	// Organic posts arrive evenly with a day/night cycle; planned ones at their time.
	var orgAt int64 = math.MaxInt64
	if g.emitted < g.organic {
		orgAt = g.organicTime()
	}
	if g.next < len(g.planed) && g.planed[g.next].at <= orgAt {
		e := g.planed[g.next]
		g.next++
		return g.item(e), true
	}
	g.emitted++
	g.t = 0
	return g.organicPost(orgAt), true
}

// organicTime is the time of the next organic post: uniform rank over the span, bent
// by a day/night cycle (fewer posts at night).
func (g *Generator) organicTime() int64 {
	frac := (float64(g.emitted) + 0.5) / float64(g.organic)
	s := frac * float64(g.span)
	day := math.Floor(s / 86400)
	in := s - day*86400
	// Warp the day: x + 0.12*sin(2πx)/(2π)·86400 keeps monotonicity.
	x := in / 86400
	in = (x - 0.15*math.Sin(2*math.Pi*x)/(2*math.Pi)) * 86400
	return g.start + int64(day*86400+in)
}

func (g *Generator) organicPost(at int64) Item {
	r := g.rng
	src, who := g.account(r)
	e := event{at: at, who: who, source: src, net: -1}
	text := g.sentence(r, 4+r.IntN(25))
	switch x := r.Float64(); {
	case x < 0.15:
		text += " " + g.links[g.zipfSmall(r, len(g.links))]
	case x < 0.25:
		text += " " + g.tags[g.zipfSmall(r, len(g.tags))] + " " + g.tags[g.zipfSmall(r, len(g.tags))]
	case x < 0.45:
		e.reply = g.targets[g.zipfSmall(r, len(g.targets))]
	}
	e.text = text
	return g.item(e)
}

// zipfSmall draws a popular index among n (rank-frequency exponent about 1).
func (g *Generator) zipfSmall(r *rand.Rand, n int) int {
	return min(int(math.Exp(r.Float64()*math.Log(float64(n+1))))-1, n-1)
}

func (g *Generator) item(e event) Item {
	g.seq++
	t := time.Unix(e.at, 0).UTC()
	p := post.Post{ID: fmt.Sprintf("%s-%08d", e.source, g.seq), Source: e.source, Author: e.who, Text: e.text,
		PublishedAt: t, CollectedAt: t.Add(2 * time.Minute), ForwardedFrom: e.forward, ReplyTo: e.reply}
	return Item{Post: p, Network: e.net}
}

// message invents a campaign message of 12-22 words, with a number (a date, an article
// of a law) that survives translation.
func (g *Generator) message(r *rand.Rand) string {
	return g.sentence(r, 12+r.IntN(10)) + fmt.Sprintf(" %d", 100+r.IntN(900))
}

func (g *Generator) sentence(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(g.vocab[g.zipf.draw(r)])
	}
	return b.String()
}
