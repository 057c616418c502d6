// Package loadgen drives kuzot's real pipeline with synthetic but realistic traffic and
// checks afterwards that nothing was lost or duplicated. It exists so that throughput,
// latency and the delivery guarantees are measured, not assumed: the load generator
// publishes posts (Russian, Kyrgyz, English and Uzbek; neutral news, homophobic
// narratives, exposures of FICTIONAL people, coordinated bursts of identical text) at a
// target rate or as fast as the server acknowledges them, records in a Ledger when each
// post was published, acknowledged and stored, and Check compares the ledger with
// ClickHouse in the style of a linearizability checker.
//
// Every person, phone number and ID in the generated text is invented; phone numbers
// use the obviously fictional +996 000 range.
package loadgen

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/kuzot/kuzot/post"
)

// Kind is what a synthetic post is meant to exercise.
type Kind uint8

// Kinds of synthetic posts. The zero value is never generated.
const (
	KindNeutral     Kind = iota + 1 // news, counter-speech, ordinary "family" talk: must not be flagged
	KindNarrative                   // one of the homophobic narrative frames
	KindExposure                    // personal data of a fictional person, often with an outing claim
	KindCoordinated                 // one of a burst of identical narrative posts by different accounts
)

// String names the kind for reports.
func (k Kind) String() string {
	switch k {
	case KindNeutral:
		return "neutral"
	case KindNarrative:
		return "narrative"
	case KindExposure:
		return "exposure"
	case KindCoordinated:
		return "coordinated"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Mix sets the share of each kind (per mille of posts). Coordinated posts come in
// bursts of BurstSize consecutive posts.
type Mix struct {
	NarrativePermille int
	ExposurePermille  int
	// BurstEvery starts a coordinated burst every BurstEvery posts (0 = no bursts).
	BurstEvery int
	BurstSize  int
	// WatchedPermille is the share (per mille) of exposure posts that also name the
	// handle of a protected member of ProtectedOrg (one member per post, see Watchlist),
	// so that the alert role must alert about each exactly once.
	WatchedPermille int
	// RealLengths pads every text with ordinary sentences of its language to a
	// log-normal length like that of real posts: median 300 characters, capped at 8,000
	// (bench/chcluster's distribution). Off, texts are one template sentence (~60-150
	// characters).
	RealLengths bool
}

// DefaultMix is roughly what a monitored set of channels looks like on a bad day:
// mostly ordinary posts, a fifth narratives, a few exposures, and one burst of 20
// identical posts every 1,000; one exposure in ten names a protected member (0.3% of
// posts, 15 alerts/s at 5,000 posts/s).
var DefaultMix = Mix{NarrativePermille: 200, ExposurePermille: 30, BurstEvery: 1000, BurstSize: 20, WatchedPermille: 100}

// Generator builds post number n of a run deterministically from the seed, so that a
// checker (or a rerun) can regenerate any post without storing it.
type Generator struct {
	run     string
	runHash uint64
	seed    uint64
	mix     Mix
	start   time.Time
}

// NewGenerator returns a generator for one run. run becomes part of every post id
// ("telegram:lg<run>-<n>"), so runs never collide in a shared database; start is the
// published_at of post 0 (later posts are a second apart).
func NewGenerator(run string, seed uint64, mix Mix, start time.Time) (*Generator, error) {
	if run == "" || strings.ContainsAny(run, ":-%_ \t\n") {
		return nil, fmt.Errorf("loadgen: run id %q must be non-empty and free of ':', '-', '%%', '_' and spaces", run)
	}
	if mix.NarrativePermille < 0 || mix.ExposurePermille < 0 || mix.NarrativePermille+mix.ExposurePermille > 1000 {
		return nil, fmt.Errorf("loadgen: mix %+v: shares must be >= 0 and add up to at most 1000 per mille", mix)
	}
	if mix.WatchedPermille < 0 || mix.WatchedPermille > 1000 {
		return nil, fmt.Errorf("loadgen: mix %+v: the watched share must be within 0..1000 per mille", mix)
	}
	if mix.BurstEvery < 0 || mix.BurstSize < 0 || (mix.BurstEvery > 0 && mix.BurstSize > mix.BurstEvery) {
		return nil, fmt.Errorf("loadgen: mix %+v: a burst must fit in its period", mix)
	}
	h := fnv.New64a()
	h.Write([]byte(run))
	return &Generator{run: run, runHash: h.Sum64(), seed: seed, mix: mix, start: start.UTC()}, nil
}

// Run is the run id.
func (g *Generator) Run() string { return g.run }

var sources = []string{"telegram", "telegram", "telegram", "vk", "youtube", "rss"}

// IDPrefix is the part of every post id of this run after "<source>:".
func (g *Generator) IDPrefix() string { return "lg" + g.run + "-" }

// ID returns the id of post n without building the post.
func (g *Generator) ID(n uint64) string {
	return sources[n%uint64(len(sources))] + ":" + g.IDPrefix() + strconv.FormatUint(n, 10)
}

// ParseID returns n for an id of this run, or false when the id belongs to no post of it.
func (g *Generator) ParseID(id string) (uint64, bool) {
	_, native, ok := strings.Cut(id, ":")
	if !ok {
		return 0, false
	}
	rest, ok := strings.CutPrefix(native, g.IDPrefix())
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(rest, 10, 64)
	if err != nil || g.ID(n) != id {
		return 0, false
	}
	return n, true
}

// KindOf returns the kind of post n.
func (g *Generator) KindOf(n uint64) Kind {
	if g.mix.BurstEvery > 0 && g.mix.BurstSize > 0 && n%uint64(g.mix.BurstEvery) < uint64(g.mix.BurstSize) {
		return KindCoordinated
	}
	r := g.rng(n, 1).IntN(1000)
	switch {
	case r < g.mix.ExposurePermille:
		return KindExposure
	case r < g.mix.ExposurePermille+g.mix.NarrativePermille:
		return KindNarrative
	}
	return KindNeutral
}

func (g *Generator) rng(n, stream uint64) *rand.Rand {
	s := splitmix(g.seed ^ g.runHash ^ splitmix(n) ^ splitmix(stream<<56|0xabcdef))
	return rand.New(rand.NewPCG(s, splitmix(s)))
}

// splitmix is the SplitMix64 finaliser: a stable, well-mixed hash of a 64-bit value,
// so post n of a run is the same in every process.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Post builds post n. The same (run, seed, mix, start, n) always gives the same post.
func (g *Generator) Post(n uint64) post.Post {
	kind := g.KindOf(n)
	r := g.rng(n, 2)
	lang := langs[r.IntN(len(langs))]
	var text string
	switch kind {
	case KindNarrative:
		f := frames[r.IntN(len(frames))]
		text = pick(r, f.texts[lang])
	case KindCoordinated:
		// Every post of a burst carries the same text: the troll-farm signature.
		burst := n / uint64(max(g.mix.BurstEvery, 1))
		br := g.rng(burst, 3)
		f := frames[br.IntN(len(frames))]
		lang = langs[br.IntN(len(langs))]
		text = pick(br, f.texts[lang])
	case KindExposure:
		handle := ""
		if g.Watched(n) {
			handle = g.handle(n)
		}
		text = exposureText(r, lang, handle)
	default:
		text = pick(r, neutral[lang])
	}
	if g.mix.RealLengths {
		text = realLength(g.rng(n, 7), lang, text)
	}
	src := sources[n%uint64(len(sources))]
	channel := fmt.Sprintf("%s-channel-%02d", src, r.IntN(40))
	author := fmt.Sprintf("account_%04d", r.IntN(5000))
	if kind == KindCoordinated {
		author = fmt.Sprintf("troll_%04d", n%uint64(max(g.mix.BurstEvery, 1)))
	}
	published := g.start.Add(time.Duration(n) * time.Second)
	return post.Post{
		ID:          g.ID(n),
		Source:      src,
		Channel:     channel,
		Author:      author,
		URL:         fmt.Sprintf("https://%s.example.invalid/%s/%d", src, channel, n),
		Text:        text,
		PublishedAt: published,
		CollectedAt: published.Add(time.Minute),
		Views:       int64(r.IntN(20000)),
		Media:       []post.Media{},
		Lang:        lang,
	}
}

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

// realLength pads text with neutral sentences of lang to a log-normal target length
// (median 300 characters, 20 to 8,000), cutting the last sentence at the target.
func realLength(r *rand.Rand, lang, text string) string {
	target := int(min(8000, max(20, 300*math.Exp(r.NormFloat64()))))
	runes := []rune(text)
	for len(runes) < target {
		runes = append(runes, ' ')
		runes = append(runes, []rune(pick(r, neutral[lang]))...)
	}
	if len(runes) > target && target > len([]rune(text)) {
		runes = runes[:target]
	}
	return string(runes)
}

var langs = []string{"ru", "ru", "ru", "ky", "ky", "en", "uz"}

// Invented people only: these names are combinations made up for tests.
var (
	firstNames = []string{"Айбек", "Нурлан", "Бакыт", "Эрмек", "Жылдыз", "Айгерим", "Мирлан", "Самара", "Тилек", "Гулзат"}
	lastNames  = []string{"Токтосунов", "Асанбеков", "Жумалиев", "Сатыбалдиев", "Орозбекова", "Мамытова", "Кадыркулов"}
)

// exposureText writes an invented doxxing post; a non-empty handle (a protected
// member's) is added as the person's Telegram account.
func exposureText(r *rand.Rand, lang, handle string) string {
	name := pick(r, firstNames) + " " + pick(r, lastNames)
	phone := fmt.Sprintf("+996 000 %03d %03d", r.IntN(1000), r.IntN(1000))
	dob := fmt.Sprintf("%02d.%02d.%d", 1+r.IntN(28), 1+r.IntN(12), 1980+r.IntN(25))
	if handle != "" {
		phone += ", telegram @" + handle
	}
	switch lang {
	case "en":
		return fmt.Sprintf("Everyone should know: %s, born %s, phone %s, works at the NGO office on Example street 12. He is gay, spread this.", name, dob, phone)
	case "ky":
		return fmt.Sprintf("Бул %s, туулган күнү %s, телефону %s. Ал гей, бардыгы билсин, таратып жибергиле.", name, dob, phone)
	case "uz":
		return fmt.Sprintf("Mana u: %s, tug'ilgan sana %s, telefon %s. U gey, hamma bilsin.", name, dob, phone)
	}
	return fmt.Sprintf("Вот он: %s, дата рождения %s, телефон %s, работает в НКО на улице Примерной 12. Он гей, распространите.", name, dob, phone)
}

type frame struct {
	name  string
	texts map[string][]string
}

var frames = []frame{
	{"propaganda_ban", map[string][]string{
		"ru": {"Нужно срочно запретить гей-пропаганду среди молодежи, депутаты должны принять закон.", "Пропаганда ЛГБТ в школах должна быть остановлена немедленно."},
		"ky": {"ЛГБТ пропагандасына тыюу салуу керек, жаштарды коргойлу.", "Гей пропагандасын токтотуу үчүн мыйзам кабыл алынсын."},
		"en": {"Ban gay propaganda now, LGBT propaganda among youth must be stopped."},
		"uz": {"Gey targ'ibotini taqiqlash kerak, yoshlarni himoya qilaylik."},
	}},
	{"foreign_agent", map[string][]string{
		"ru": {"Эти НКО — иностранные агенты и грантоеды, западные деньги стоят за ЛГБТ.", "Соросовские грантоеды продвигают ЛГБТ за иностранные деньги."},
		"ky": {"Бул уюмдар чет элдик агенттер, грант жегендер ЛГБТны жайылтып жатышат."},
		"en": {"These NGOs are foreign agents, grant-eaters paid by Western money to push LGBT."},
		"uz": {"Bu tashkilotlar xorijiy agentlar, LGBT uchun grant olishadi."},
	}},
	{"western_values", map[string][]string{
		"ru": {"ЛГБТ — это западная зараза, чуждая нашим традициям и нравственности.", "Нам навязывают западные ценности, чуждые кыргызскому народу."},
		"ky": {"ЛГБТ батыштын баалуулугу, биздин салтка жат нерсе."},
		"en": {"LGBT is a Western import alien to our national traditions and morals."},
		"uz": {"LGBT G'arb qadriyati, bizning an'analarimizga yot."},
	}},
	{"traditional_family", map[string][]string{
		"ru": {"Брак — только союз мужчины и женщины, защитим традиционную семью от ЛГБТ."},
		"ky": {"Нике эркек менен аялдын ортосунда гана, салттуу үй-бүлөнү ЛГБТдан коргойлу."},
		"en": {"Marriage is only between a man and a woman, defend the traditional family from LGBT."},
		"uz": {"Nikoh faqat erkak va ayol o'rtasida, an'anaviy oilani LGBTdan himoya qilaylik."},
	}},
	{"child_protection", map[string][]string{
		"ru": {"Защитим детей от ЛГБТ, это вредная информация, которая развращает молодежь."},
		"ky": {"Балдарды ЛГБТдан коргойлу, бул жаштарды бузуп жатат."},
		"en": {"Protect our children from LGBT, this malicious information corrupts the youth."},
		"uz": {"Bolalarni LGBTdan himoya qilaylik, bu yoshlarni buzadi."},
	}},
	{"political_smear", map[string][]string{
		"ru": {"Оппозиция поддерживает ЛГБТ, на митинге опять был радужный флаг — их спонсируют геи."},
		"ky": {"Оппозиция ЛГБТны колдойт, митингде кайра радуга желеги болду."},
		"en": {"The opposition candidate is backed by LGBT, the rally was organised by gays."},
		"uz": {"Muxolifat LGBTni qo'llab-quvvatlaydi, mitingda kamalak bayrog'i bor edi."},
	}},
	{"dehumanization", map[string][]string{
		"ru": {"Эти извращенцы больны, это противоестественно и заразно."},
		"ky": {"Алар оорулуу, бул табиятка каршы бузукулук."},
		"en": {"These perverts are sick, it is unnatural and a disease."},
		"uz": {"Ular kasal, bu g'ayritabiiy buzuqlik."},
	}},
	{"violence_threat", map[string][]string{
		"ru": {"Найдите их и выгоните из города, таких надо бить."},
		"ky": {"Аларды таап, шаардан кууп чыгуу керек."},
		"en": {"Find them and drive them out of the city, they should be beaten."},
		"uz": {"Ularni topib, shahardan haydab chiqarish kerak."},
	}},
}

var neutral = map[string][]string{
	"ru": {
		"В Бишкеке прошёл круглый стол о правах человека и свободе слова, участники обсудили новые поправки.",
		"Правозащитники осудили нападение на активистов и потребовали расследования.",
		"Выходные провели всей семьёй в горах, дети были в восторге от озера.",
		"Цены на хлеб в столице выросли на пять процентов за месяц.",
	},
	"ky": {
		"Депутаттар бүгүн жаңы мыйзам долбоорун талкуулашты, жарандык коом өкүлдөрү каршы чыгышты.",
		"Үй-бүлөбүз менен тоого бардык, балдар абдан кубанышты.",
	},
	"en": {
		"Local activists met journalists to discuss online harassment and how platforms respond to reports.",
		"Human rights groups condemned the attack and called for an independent investigation.",
	},
	"uz": {
		"Bugun poytaxtda inson huquqlari bo'yicha davra suhbati bo'lib o'tdi.",
		"Dam olish kunlari butun oila bilan tog'ga bordik.",
	},
}
