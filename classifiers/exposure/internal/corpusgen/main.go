// Command corpusgen writes the exposure classifier's labelled evaluation corpus
// (corpus/corpus.jsonl) and its watchlist (corpus/watchlist.yaml). Every person, phone,
// number, address, plate, handle and e-mail in it is invented: names are random
// combinations of common given names and invented surnames, numbers are random digits
// that satisfy the format's validator. The output is deterministic (fixed seed), so
// the committed files can be checked against the generator.
//
//	go run ./classifiers/exposure/internal/corpusgen -out classifiers/exposure/corpus
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
)

func main() {
	out := flag.String("out", "classifiers/exposure/corpus", "output directory")
	flag.Parse()
	hand, err := os.ReadFile(filepath.Join(*out, "handwritten.txt"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	corpus, wl, err := generate(hand)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for name, data := range map[string][]byte{"corpus.jsonl": corpus, "watchlist.yaml": wl} {
		if err := os.WriteFile(filepath.Join(*out, name), data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// Entity is one gold span; Entity, Ref and Record mirror the corpus format read by
// exposure's evaluator.
type Entity struct {
	Type  string `json:"type"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// Ref is a watch-listed member a post mentions.
type Ref struct {
	Org    string `json:"org"`
	Member string `json:"member"`
}

// Record is one labelled post.
type Record struct {
	ID        string   `json:"id"`
	Lang      string   `json:"lang"`
	Split     string   `json:"split"`
	Kind      string   `json:"kind"`
	Author    string   `json:"author,omitempty"`
	Text      string   `json:"text"`
	Exposed   bool     `json:"exposed"`
	Outing    bool     `json:"outing"`
	Watchlist []Ref    `json:"watchlist"`
	Entities  []Entity `json:"entities"`
}

// person is an invented person.
type person struct {
	given, surname, father string // father: the surname stem for "X уулу Y" forms
	female                 bool
}

type member struct {
	person
	org, id       string
	phone, pin    string
	handle, email string
}

var (
	maleGiven   = []string{"Айбек", "Бакыт", "Нурлан", "Эрлан", "Улан", "Данияр", "Бекзат", "Мирлан", "Азамат", "Кубаныч", "Эрмек", "Самат", "Алишер", "Фарход", "Дмитрий", "Сергей", "Тимур", "Руслан"}
	femaleGiven = []string{"Айгуль", "Асель", "Бермет", "Жылдыз", "Назгуль", "Чолпон", "Айпери", "Динара", "Мээрим", "Гульнара", "Дильноза", "Нигора", "Ольга", "Елена", "Алина", "Камила"}
	// Invented surname stems (father's names); -ов/-ев is added.
	stems = []string{"Токтосун", "Асанкул", "Мамыт", "Жумабай", "Сыдык", "Орозбек", "Турдубай", "Эшим", "Калысбек",
		"Бейшенали", "Кенжебай", "Абылкасым", "Шаршен", "Мукаш", "Рахим", "Юсуп", "Турсун", "Холмат", "Эргаш",
		"Касюм", "Кулюм", "Темирбек", "Осмонкул", "Дуйшен", "Бектур", "Садыр", "Асылкул", "Чоткар", "Нурдин", "Бообек"}
	cities = []string{"Бишкеке", "Оше", "Караколе", "Токмоке", "Нарыне"}
	// Invented street names (not real people).
	streets   = []string{"Тоголок", "Жаштык", "Ала-Тоо", "Чуй", "Курманжан", "Байтик", "Манас", "Боконбай", "Исанов", "Тыныстан"}
	streetsEN = []string{"Jashtyk", "Ala-Too", "Chui", "Manas", "Baitik"}
)

func surnameOf(stem string, female bool) string {
	suf := "ов"
	last := []rune(stem)[len([]rune(stem))-1]
	if strings.ContainsRune("ийь", last) || strings.HasSuffix(stem, "ай") || strings.HasSuffix(stem, "ей") {
		suf = "ев"
		if last == 'й' {
			stem = string([]rune(stem)[:len([]rune(stem))-1])
			suf = "ев"
		}
	}
	if female {
		return stem + suf + "а"
	}
	return stem + suf
}

// Russian genitive of a name token (enough for the invented names used here).
func genitive(tok string, female bool) string {
	r := []rune(tok)
	last := r[len(r)-1]
	switch {
	case female && strings.HasSuffix(tok, "ова"), female && strings.HasSuffix(tok, "ева"):
		return string(r[:len(r)-1]) + "ой"
	case female && last == 'а':
		if strings.ContainsRune("гкхжшчщ", r[len(r)-2]) {
			return string(r[:len(r)-1]) + "и"
		}
		return string(r[:len(r)-1]) + "ы"
	case female && last == 'ь':
		return string(r[:len(r)-1]) + "и"
	case female:
		return tok // Асель, Бермет, Чолпон, Жылдыз: indeclinable in many texts
	case last == 'й':
		return string(r[:len(r)-1]) + "я"
	default:
		return tok + "а"
	}
}

// Kyrgyz genitive (vowel harmony simplified to the last vowel).
func kyGenitive(tok string) string {
	r := []rune(tok)
	last := r[len(r)-1]
	var vowel rune = 'ы'
	for i := len(r) - 1; i >= 0; i-- {
		switch r[i] {
		case 'а', 'ы':
			vowel = 'ы'
		case 'е', 'и':
			vowel = 'и'
		case 'о', 'у':
			vowel = 'у'
		case 'ө', 'ү':
			vowel = 'ү'
		default:
			continue
		}
		break
	}
	cons := "д"
	switch {
	case strings.ContainsRune("аеёиоуыэюяөү", last):
		cons = "н"
	case strings.ContainsRune("кптсшчфхцщ", last):
		cons = "т"
	}
	return tok + cons + string(vowel) + "н"
}

var latin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i", 'й': "i",
	'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f",
	'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ы': "y", 'ь': "", 'ъ': "ie", 'э': "e", 'ю': "iu",
	'я': "ia", 'ң': "n", 'ө': "o", 'ү': "u",
}

// informal Latin: й→y, ю→yu, я→ya, ж→j, х→h, ө→ö, ү→ü.
var latinInformal = map[rune]string{'й': "y", 'ю': "yu", 'я': "ya", 'ж': "j", 'х': "h", 'ө': "ö", 'ү': "ü"}

func translit(s string, informal bool) string {
	var b strings.Builder
	first := true
	for _, r := range s {
		lr := unicode.ToLower(r)
		out, ok := latin[lr]
		if informal {
			if o, ok2 := latinInformal[lr]; ok2 {
				out, ok = o, true
			}
		}
		if !ok {
			b.WriteRune(r)
			first = r == ' ' || r == '-'
			continue
		}
		if (unicode.IsUpper(r) || first) && out != "" {
			out = strings.ToUpper(out[:1]) + out[1:]
		}
		b.WriteString(out)
		first = false
	}
	return b.String()
}

// gen is the generator state.
type gen struct {
	rnd     *rand.Rand
	members []member
	used    map[string]bool // given+surname pairs taken by members
}

func (g *gen) pick(xs []string) string { return xs[g.rnd.Intn(len(xs))] }

func (g *gen) digits(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(byte('0' + g.rnd.Intn(10)))
	}
	return b.String()
}

// phoneNSN returns a random Kyrgyz mobile national number (9 digits) with a valid prefix.
func (g *gen) phoneNSN() string {
	prefixes := []string{"555", "700", "770", "500", "550", "705", "220", "777", "999", "559"}
	return g.pick(prefixes) + g.digits(6)
}

func formatPhone(nsn string, style int) string {
	a, b, c := nsn[:3], nsn[3:6], nsn[6:]
	switch style % 6 {
	case 0:
		return "+996 " + a + " " + b + " " + c
	case 1:
		return "+996" + nsn
	case 2:
		return "0" + a + " " + b + " " + c
	case 3:
		return "0" + a + "-" + b[:2] + "-" + b[2:] + c[:1] + "-" + c[1:]
	case 4:
		return "(0" + a + ") " + b + " " + c
	default:
		return "+996 (" + a + ") " + b + "-" + c
	}
}

func (g *gen) phone() string { return formatPhone(g.phoneNSN(), g.rnd.Intn(6)) }

func (g *gen) date() (d, m, y int) {
	y = 1965 + g.rnd.Intn(40)
	m = 1 + g.rnd.Intn(12)
	d = 1 + g.rnd.Intn(28)
	return
}

func (g *gen) pin(female bool) string {
	d, m, y := g.date()
	s := "2"
	if female {
		s = "1"
	}
	return fmt.Sprintf("%s%02d%02d%04d%s", s, d, m, y, g.digits(5))
}

func (g *gen) pinSpaced(female bool) string {
	p := g.pin(female)
	if g.rnd.Intn(2) == 0 {
		return p
	}
	return p[:1] + " " + p[1:5] + " " + p[5:9] + " " + p[9:]
}

// invalid 14-digit look-alike (month 13-19 or sex digit 3-9).
func (g *gen) pinBad() string {
	if g.rnd.Intn(2) == 0 {
		return fmt.Sprintf("%d%s", 3+g.rnd.Intn(7), g.digits(13))
	}
	return fmt.Sprintf("2%02d1%d%04d%s", 1+g.rnd.Intn(28), 3+g.rnd.Intn(7), 1970+g.rnd.Intn(30), g.digits(5))
}

func (g *gen) iin() string {
	for {
		d, m, y := g.date()
		s := fmt.Sprintf("%02d%02d%02d%d%s", y%100, m, d, 3+g.rnd.Intn(2), g.digits(4))
		sum := 0
		for i := 0; i < 11; i++ {
			sum += int(s[i]-'0') * (i + 1)
		}
		k := sum % 11
		if k == 10 {
			continue
		}
		return s + string(rune('0'+k))
	}
}

func innDigit(s string, w []int) byte {
	sum := 0
	for i, x := range w {
		sum += int(s[i]-'0') * x
	}
	return byte('0' + sum%11%10)
}

func (g *gen) inn12() string {
	s := g.digits(10)
	s += string(innDigit(s, []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}))
	s += string(innDigit(s, []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}))
	return s
}

func (g *gen) inn10() string {
	s := g.digits(9)
	return s + string(innDigit(s, []int{2, 4, 10, 3, 5, 9, 4, 6, 8}))
}

func (g *gen) snils() string {
	for {
		s := g.digits(9)
		if s <= "001001998" {
			continue
		}
		sum := 0
		for i := 0; i < 9; i++ {
			sum += int(s[i]-'0') * (9 - i)
		}
		c := sum
		if sum >= 100 {
			c = sum % 101
			if c == 100 {
				c = 0
			}
		}
		return fmt.Sprintf("%s-%s-%s %02d", s[:3], s[3:6], s[6:9], c)
	}
}

func (g *gen) passport() string {
	switch g.rnd.Intn(3) {
	case 0:
		return "ID" + g.digits(7)
	case 1:
		return "AN " + g.digits(7)
	default:
		return g.digits(2) + " " + g.digits(2) + " " + g.digits(6)
	}
}

var monthsRU = []string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}
var monthsEN = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

func (g *gen) dobNumeric() string {
	d, m, y := g.date()
	switch g.rnd.Intn(3) {
	case 0:
		return fmt.Sprintf("%02d.%02d.%d", d, m, y)
	case 1:
		return fmt.Sprintf("%02d/%02d/%d", d, m, y)
	default:
		return fmt.Sprintf("%d-%02d-%02d", y, m, d)
	}
}

func (g *gen) dobText() string {
	d, m, y := g.date()
	return fmt.Sprintf("%d %s %d", d, monthsRU[m-1], y)
}

func (g *gen) dobEN() string {
	d, m, y := g.date()
	if g.rnd.Intn(2) == 0 {
		return fmt.Sprintf("%s %d, %d", monthsEN[m-1], d, y)
	}
	return fmt.Sprintf("%d %s %d", d, monthsEN[m-1], y)
}

func (g *gen) addrRU() string {
	switch g.rnd.Intn(3) {
	case 0:
		return fmt.Sprintf("ул. %s %d, кв. %d", g.pick(streets), 1+g.rnd.Intn(150), 1+g.rnd.Intn(90))
	case 1:
		return fmt.Sprintf("мкр %s %d, дом %d, кв %d", g.pick([]string{"Джал", "Аламедин", "Восток-5", "Асанбай", "Тунгуч"}), 1+g.rnd.Intn(30), 1+g.rnd.Intn(60), 1+g.rnd.Intn(120))
	default:
		return fmt.Sprintf("%d мкр, д. %d, кв. %d", 1+g.rnd.Intn(12), 1+g.rnd.Intn(60), 1+g.rnd.Intn(120))
	}
}

func (g *gen) addrKY() string {
	return fmt.Sprintf("%s көчөсү %d", g.pick(streets), 1+g.rnd.Intn(150))
}

func (g *gen) addrEN() string {
	return fmt.Sprintf("%d %s Street, apt %d", 1+g.rnd.Intn(150), g.pick(streetsEN), 1+g.rnd.Intn(90))
}

func (g *gen) plate() string {
	letters := "ABCEHKMOPTX"
	l := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteByte(letters[g.rnd.Intn(len(letters))])
		}
		return b.String()
	}
	switch g.rnd.Intn(3) {
	case 0:
		return fmt.Sprintf("0%d %s %s", 1+g.rnd.Intn(9), g.digits(3), l(3))
	case 1:
		return fmt.Sprintf("0%dKG%s%s", 1+g.rnd.Intn(9), g.digits(3), l(3))
	default:
		return fmt.Sprintf("%c %s %s", "BCEIOST"[g.rnd.Intn(7)], g.digits(4), l(2))
	}
}

func handleOf(p person, n int) string {
	base := strings.ToLower(translit(p.given, true))
	sur := strings.ToLower(translit(p.surname, true))
	switch n % 3 {
	case 0:
		return base + "_" + sur[:1]
	case 1:
		return base + "." + sur
	default:
		return sur + fmt.Sprint(80+n%20)
	}
}

func (g *gen) email(p person) string {
	return handleOf(p, g.rnd.Intn(3)) + "@" + g.pick([]string{"example.org", "example.com", "mail.example.kg"})
}

func (g *gen) person(female bool) person {
	for {
		stem := g.pick(stems)
		given := g.pick(maleGiven)
		if female {
			given = g.pick(femaleGiven)
		}
		p := person{given: given, surname: surnameOf(stem, female), father: stem, female: female}
		if !g.used[p.given+" "+p.surname] && !g.used[p.surname] {
			return p
		}
	}
}

// similarSurname changes one vowel of a member's surname so that the result is a
// different surname (different skeleton): Касюмова → Касимова.
func (g *gen) similarSurname(s string) string {
	r := []rune(s)
	swaps := map[rune][]rune{'ю': {'и', 'у'}, 'у': {'ы', 'а'}, 'ы': {'у', 'а'}, 'а': {'ы', 'о'}, 'о': {'а', 'у'}, 'е': {'и', 'а'}, 'и': {'е', 'ы'}}
	for tries := 0; tries < 50; tries++ {
		i := 1 + g.rnd.Intn(len(r)-3)
		alts, ok := swaps[r[i]]
		if !ok {
			continue
		}
		c := append([]rune(nil), r...)
		c[i] = alts[g.rnd.Intn(len(alts))]
		out := string(c)
		if string(watchlist.Skeleton(nil, out)) != string(watchlist.Skeleton(nil, s)) {
			return out
		}
	}
	return s + "ев"
}

// --- templates -------------------------------------------------------------------------

// builder assembles a text and its gold entities.
type builder struct {
	b   strings.Builder
	ent []Entity
}

func (b *builder) lit(s string) { b.b.WriteString(s) }
func (b *builder) ent_(typ, s string) {
	start := b.b.Len()
	b.b.WriteString(s)
	b.ent = append(b.ent, Entity{Type: typ, Start: start, End: b.b.Len()})
}

type tmpl struct {
	lang, kind      string
	exposed, outing bool
	female          int // 0 male, 1 female, 2 random
	text            string
}

// sogi words by language and gender.
func (g *gen) sogiWord(lang string, female bool) string {
	switch lang {
	case "en":
		if female {
			return g.pick([]string{"a lesbian", "bisexual", "trans", "queer"})
		}
		return g.pick([]string{"gay", "bisexual", "trans", "a faggot", "queer"})
	case "ky":
		if female {
			return g.pick([]string{"лесбиянка", "бисексуал", "трансгендер"})
		}
		return g.pick([]string{"гей", "бисексуал", "трансгендер"})
	}
	if female {
		return g.pick([]string{"лесбиянка", "бисексуалка", "трансгендер", "лесбуха"})
	}
	return g.pick([]string{"гей", "гомосексуалист", "трансгендер", "пидор", "бисексуал"})
}

// the SOGI word inside a slot like "a lesbian": only the word itself is the entity.
func (b *builder) sogi(w string) {
	for _, art := range []string{"a ", "an "} {
		if strings.HasPrefix(w, art) {
			b.lit(art)
			w = w[len(art):]
		}
	}
	b.ent_("sogi", w)
}

func (g *gen) memberName(m member, lang string) string {
	if lang == "en" {
		if g.rnd.Intn(2) == 0 {
			return translit(m.given, false) + " " + translit(m.surname, false)
		}
		return translit(m.given, true) + " " + translit(m.surname, true)
	}
	switch g.rnd.Intn(7) {
	case 0:
		return m.surname + " " + m.given
	case 1:
		return strings.ToUpper(m.given + " " + m.surname)
	case 2:
		if !m.female {
			return m.father + " уулу " + m.given
		}
		return m.father + " кызы " + m.given
	case 3:
		return translit(m.given, true) + " " + translit(m.surname, true)
	case 4:
		return strings.ToLower(m.given + " " + m.surname)
	default:
		return m.given + " " + m.surname
	}
}

func render(g *gen, t tmpl, rec *Record) {
	female := t.female == 1 || (t.female == 2 && g.rnd.Intn(2) == 0)
	p := g.person(female)
	p2 := g.person(g.rnd.Intn(2) == 0)
	m := g.members[g.rnd.Intn(len(g.members))]
	if t.female == 1 || t.female == 0 {
		// pick a member of the template's gender
		for i := 0; i < 50 && m.female != female; i++ {
			m = g.members[g.rnd.Intn(len(g.members))]
		}
	}
	if strings.Contains(t.text, "{M") {
		female = m.female // the SOGI word and pronouns agree with the member
	}
	var b builder
	refs := map[Ref]bool{}
	pron := map[string][2]string{"ru": {"он", "она"}, "ky": {"ал", "ал"}, "en": {"he", "she"}}
	poss := map[string][2]string{"ru": {"его", "её"}, "ky": {"анын", "анын"}, "en": {"his", "her"}}
	gi := 0
	if female {
		gi = 1
	}
	text := t.text
	for len(text) > 0 {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			b.lit(text)
			break
		}
		b.lit(text[:i])
		j := strings.IndexByte(text[i:], '}')
		slot := text[i+1 : i+j]
		text = text[i+j+1:]
		switch slot {
		case "P":
			b.ent_("person", p.given+" "+p.surname)
		case "PR": // reversed order with initial
			b.ent_("person", p.surname+" "+string([]rune(p.given)[:1])+".")
		case "PG":
			b.ent_("person", genitive(p.given, p.female)+" "+genitive(p.surname, p.female))
		case "PL":
			b.ent_("person", translit(p.given, g.rnd.Intn(2) == 0)+" "+translit(p.surname, false))
		case "P2":
			b.ent_("person", p2.given+" "+p2.surname)
		case "PKY":
			if p.female {
				b.ent_("person", p.father+" кызы "+p.given)
			} else {
				b.ent_("person", p.father+" уулу "+p.given)
			}
		case "M":
			b.ent_("person", g.memberName(m, rec.Lang))
			refs[Ref{m.org, m.id}] = true
		case "MG":
			b.ent_("person", genitive(m.given, m.female)+" "+genitive(m.surname, m.female))
			refs[Ref{m.org, m.id}] = true
		case "MKYG":
			b.ent_("person", m.given+" "+kyGenitive(m.surname))
			refs[Ref{m.org, m.id}] = true
		case "MPHONE":
			b.ent_("phone", formatPhone(m.phone, g.rnd.Intn(6)))
			refs[Ref{m.org, m.id}] = true
		case "MPIN":
			p := m.pin
			if g.rnd.Intn(2) == 0 {
				p = p[:1] + " " + p[1:5] + " " + p[5:9] + " " + p[9:]
			}
			b.ent_("national_id", p)
			refs[Ref{m.org, m.id}] = true
		case "MHANDLE":
			if g.rnd.Intn(2) == 0 {
				b.ent_("social_handle", "@"+m.handle)
			} else {
				b.ent_("social_handle", "https://t.me/"+m.handle)
			}
			refs[Ref{m.org, m.id}] = true
		case "MEMAIL":
			b.ent_("email", m.email)
			refs[Ref{m.org, m.id}] = true
		case "SIM":
			b.ent_("person", m.given+" "+g.similarSurname(m.surname))
		case "SIMG": // member's given name with another surname
			b.ent_("person", m.given+" "+surnameOf(g.pick(stems), m.female))
		case "OFF":
			b.ent_("person", p2.given+" "+p2.surname)
		case "PHONE":
			b.ent_("phone", g.phone())
		case "HOT":
			b.ent_("phone", "0"+g.pick([]string{"312", "800", "312"})+" "+g.digits(3)+" "+g.digits(3))
		case "PIN":
			b.ent_("national_id", g.pinSpaced(female))
		case "PINBAD":
			b.lit(g.pinBad())
		case "IIN":
			b.ent_("national_id", g.iin())
		case "INN":
			b.ent_("national_id", g.inn12())
		case "INNORG":
			b.lit(g.inn10())
		case "SNILS":
			b.ent_("national_id", g.snils())
		case "PASS":
			b.ent_("passport", g.passport())
		case "DOB":
			b.ent_("birth_date", g.dobNumeric())
		case "DOBT":
			b.ent_("birth_date", g.dobText())
		case "DOBEN":
			b.ent_("birth_date", g.dobEN())
		case "YEAR":
			b.ent_("birth_date", fmt.Sprint(1965+g.rnd.Intn(40)))
		case "ADDR":
			b.ent_("address", g.addrRU())
		case "ADDRKY":
			b.ent_("address", g.addrKY())
		case "ADDREN":
			b.ent_("address", g.addrEN())
		case "PLATE":
			b.ent_("vehicle_plate", g.plate())
		case "EMAIL":
			b.ent_("email", g.email(p))
		case "OFFEMAIL":
			b.ent_("email", g.pick([]string{"info", "press", "priemnaya"})+"@"+g.pick([]string{"minzdrav.example.kg", "mvd.example.kg", "ombudsman.example.kg"}))
		case "HANDLE":
			b.ent_("social_handle", "@"+handleOf(p, g.rnd.Intn(3)))
		case "LINK":
			b.ent_("social_handle", g.pick([]string{"https://instagram.com/", "https://t.me/", "vk.com/", "https://www.facebook.com/"})+handleOf(p, g.rnd.Intn(3)))
		case "SOGI":
			b.sogi(g.sogiWord(rec.Lang, female))
		case "SOGISELF":
			b.sogi(g.sogiWord(rec.Lang, g.rnd.Intn(2) == 0))
		case "LGBT":
			b.ent_("sogi", g.pick([]string{"ЛГБТ", "лгбт", "ЛГБТК"}))
		case "LGBTEN":
			b.ent_("sogi", g.pick([]string{"LGBT", "LGBTQ"}))
		case "GAYS":
			b.ent_("sogi", g.pick([]string{"геи", "гейлер"}))
		case "GAYPARADE":
			b.ent_("sogi", "гей")
		case "PRON":
			b.lit(pron[rec.Lang][gi])
		case "PRONC":
			r := []rune(pron[rec.Lang][gi])
			b.lit(string(unicode.ToUpper(r[0])) + string(r[1:]))
		case "POSSC":
			r := []rune(poss[rec.Lang][gi])
			b.lit(string(unicode.ToUpper(r[0])) + string(r[1:]))
		case "SOGIGEN":
			b.ent_("sogi", g.pick([]string{"гея", "пидора", "гомосексуалиста", "трансгендера"}))
		case "POSS":
			b.lit(poss[rec.Lang][gi])
		case "BORN":
			if female {
				b.lit("родилась")
			} else {
				b.lit("родился")
			}
		case "CITY":
			b.lit(g.pick(cities))
		case "PRICE":
			b.lit(fmt.Sprintf("%d %03d %03d", 1+g.rnd.Intn(9), g.rnd.Intn(1000), g.rnd.Intn(1000)))
		case "ORDER":
			b.lit(g.digits(14))
		case "TRACK":
			b.lit("RR" + g.digits(9) + "KG")
		case "BANKREF":
			b.lit("1" + g.digits(15))
		case "BIK":
			b.lit("1" + g.digits(5))
		case "DATE":
			d, m, _ := g.date()
			b.lit(fmt.Sprintf("%02d.%02d.%d", d, m, 2019+g.rnd.Intn(6)))
		case "N":
			b.lit(fmt.Sprint(5 + g.rnd.Intn(20)))
		default:
			panic("unknown slot " + slot)
		}
	}
	rec.Text = b.b.String()
	rec.Entities = b.ent
	if rec.Entities == nil {
		rec.Entities = []Entity{}
	}
	rec.Watchlist = []Ref{}
	for r := range refs {
		rec.Watchlist = append(rec.Watchlist, r)
	}
	rec.Exposed, rec.Outing, rec.Kind = t.exposed, t.outing, t.kind
}

func (g *gen) makeMembers() {
	orgs := []string{"org-a", "org-b"}
	for i := 0; i < 20; i++ {
		female := i%2 == 1
		var p person
		for {
			p = g.person(female)
			if !g.used[p.surname] {
				break
			}
		}
		g.used[p.given+" "+p.surname] = true
		// Surnames of members are reserved: the corpus's other people never share one,
		// so that a name match in the corpus is a true member match.
		g.used[p.surname] = true
		g.used[surnameOf(p.father, !female)] = true
		m := member{person: p, org: orgs[i%2], id: fmt.Sprintf("m-%03d", i+1), phone: g.phoneNSN(), pin: g.pin(female)}
		m.handle = handleOf(p, i)
		m.email = handleOf(p, i+1) + "@example.org"
		g.members = append(g.members, m)
	}
}

func (g *gen) watchlistYAML() []byte {
	var b bytes.Buffer
	b.WriteString("# Invented members for the exposure corpus. Every name, number, handle and e-mail is fictional.\norgs:\n")
	for _, org := range []string{"org-a", "org-b"} {
		fmt.Fprintf(&b, "  - id: %s\n    name: Example %s\n    members:\n", org, strings.ToUpper(org[4:]))
		for _, m := range g.members {
			if m.org != org {
				continue
			}
			names := []string{m.given + " " + m.surname, translit(m.given, false) + " " + translit(m.surname, false)}
			fmt.Fprintf(&b, "      - id: %s\n        names: [%q, %q]\n", m.id, names[0], names[1])
			fmt.Fprintf(&b, "        phones: [%q]\n        ids: [%q]\n        handles: [%q]\n        emails: [%q]\n",
				formatPhone(m.phone, 0), m.pin, "@"+m.handle, m.email)
		}
	}
	return b.Bytes()
}

// parseHand reads the hand-written posts (see corpus/handwritten.txt for the format).
func parseHand(data []byte, firstID int) ([]Record, error) {
	var out []Record
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, "|", 5)
		if len(f) != 5 {
			return nil, fmt.Errorf("handwritten.txt:%d: want 5 fields", n+1)
		}
		rec := Record{ID: fmt.Sprintf("exp-%04d", firstID+len(out)), Lang: f[0], Split: "heldout", Kind: "hand",
			Exposed: f[1] == "1", Outing: f[2] == "1", Watchlist: []Ref{}, Entities: []Entity{}}
		if f[3] != "" {
			for _, r := range strings.Split(f[3], ",") {
				org, mem, ok := strings.Cut(r, "/")
				if !ok {
					return nil, fmt.Errorf("handwritten.txt:%d: member %q is not org/member", n+1, r)
				}
				rec.Watchlist = append(rec.Watchlist, Ref{org, mem})
			}
		}
		var b strings.Builder
		text := strings.ReplaceAll(f[4], `\n`, "\n") // a literal \n in the file is a line break
		for {
			i := strings.Index(text, "[[")
			if i < 0 {
				b.WriteString(text)
				break
			}
			b.WriteString(text[:i])
			j := strings.Index(text[i:], "]]")
			if j < 0 {
				return nil, fmt.Errorf("handwritten.txt:%d: unclosed [[", n+1)
			}
			typ, surface, ok := strings.Cut(text[i+2:i+j], ":")
			if !ok || surface == "" {
				return nil, fmt.Errorf("handwritten.txt:%d: bad entity %q", n+1, text[i:i+j+2])
			}
			start := b.Len()
			b.WriteString(surface)
			rec.Entities = append(rec.Entities, Entity{Type: typ, Start: start, End: b.Len()})
			text = text[i+j+2:]
		}
		rec.Text = b.String()
		out = append(out, rec)
	}
	return out, nil
}

func generate(hand []byte) (corpus, wl []byte, err error) {
	g := &gen{rnd: rand.New(rand.NewSource(20261127)), used: map[string]bool{}}
	g.makeMembers()
	var recs []Record
	n := 0
	for _, t := range templates {
		for k := 0; k < t.count(); k++ {
			n++
			rec := Record{ID: fmt.Sprintf("exp-%04d", n), Lang: t.lang}
			render(g, t, &rec)
			rec.Split = "dev"
			if g.rnd.Intn(100) < 35 {
				rec.Split = "heldout"
			}
			recs = append(recs, rec)
		}
	}
	handRecs, err := parseHand(hand, n+1)
	if err != nil {
		return nil, nil, err
	}
	recs = append(recs, handRecs...)
	var b bytes.Buffer
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			panic(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes(), g.watchlistYAML(), nil
}

func (t tmpl) count() int { return 7 }
