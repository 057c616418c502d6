package imagegen

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/kuzot/kuzot/media/mrz"
	"golang.org/x/image/font"
)

// Kinds of picture in the set.
const (
	KindIDCard   = "id_card"
	KindPassport = "passport"
	KindList     = "list"
	KindMeme     = "meme"
	KindPhoto    = "photo"
	KindReceipt  = "receipt"
	KindTicket   = "ticket"
)

// Kinds lists every kind in report order.
var Kinds = []string{KindIDCard, KindPassport, KindList, KindMeme, KindPhoto, KindReceipt, KindTicket}

// Langs are the languages pictures are rendered in.
var Langs = []string{"ru", "ky", "uz", "en"}

// Truth is what a picture shows, for scoring.
type Truth struct {
	// Exposed: the picture publishes a private person's document or data (ID cards,
	// passports, lists of named people with their orientation).
	Exposed bool `json:"exposed"`
	// MRZValid: the picture carries a machine-readable zone whose check digits agree
	// (HasMRZ with Valid false is a mock-up with a broken zone).
	HasMRZ   bool       `json:"has_mrz"`
	MRZValid bool       `json:"mrz_valid"`
	Holder   mrz.Holder `json:"-"`
	PIN      string     `json:"-"`
}

// Base is one original picture of the set.
type Base struct {
	ID    string
	Kind  string
	Lang  string
	Split string // dev or test (SplitOf)
	Truth Truth
	Image *image.RGBA
}

// SplitOf is the frozen split rule: the FNV-1a 32-bit hash of the base id modulo 5 is
// 0 for the test part (20%), anything else is dev. Ids are "<kind>-<lang>-<n>".
func SplitOf(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	if h.Sum32()%5 == 0 {
		return "test"
	}
	return "dev"
}

// Variant is a re-upload of a base: rescaled, recompressed, cropped or rotated.
type Variant struct {
	Name  string
	Image image.Image
}

// Generator renders the set deterministically from a seed.
type Generator struct {
	Fonts *Fonts
	Seed  uint64
	// Now anchors dates (birth dates are before it, expiry dates after).
	Now time.Time
}

func (g *Generator) rng(id string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(id))
	return rand.New(rand.NewPCG(g.Seed, h.Sum64()))
}

// Bases renders perKind pictures of every kind, languages in rotation.
func (g *Generator) Bases(perKind int) []Base {
	var out []Base
	for _, k := range Kinds {
		for i := 0; i < perKind; i++ {
			lang := Langs[i%len(Langs)]
			id := fmt.Sprintf("%s-%s-%d", k, lang, i)
			out = append(out, g.Base(id, k, lang))
		}
	}
	return out
}

// Base renders one picture.
func (g *Generator) Base(id, kind, lang string) Base {
	r := g.rng(id)
	b := Base{ID: id, Kind: kind, Lang: lang, Split: SplitOf(id)}
	switch kind {
	case KindIDCard:
		b.Image, b.Truth = g.idCard(r, lang, r.IntN(4) != 0)
	case KindPassport:
		b.Image, b.Truth = g.passport(r, lang, r.IntN(4) != 0)
	case KindList:
		b.Image, b.Truth = g.list(r, lang)
	case KindMeme:
		b.Image, b.Truth = g.meme(r, lang)
	case KindPhoto:
		b.Image, b.Truth = g.photo(r, 800, 600)
	case KindReceipt:
		b.Image, b.Truth = g.receipt(r, lang)
	case KindTicket:
		b.Image, b.Truth = g.ticket(r, lang)
	}
	return b
}

// Variants returns the re-uploads of img: 60% and 140% scale, JPEG quality 35, a crop
// of 3% per side, and rotations of ±2°.
func Variants(img image.Image, r *rand.Rand) []Variant {
	return []Variant{
		{"scale60", Scale(img, 0.6)},
		{"scale140", Scale(img, 1.4)},
		{"jpeg35", Recompress(img, 35)},
		{"crop3", Crop(img, 0.03, r.Float64()*2-1)},
		{"rot+2", Rotate(img, 2, color.White)},
		{"rot-1.5", Rotate(Recompress(img, 60), -1.5, color.White)},
	}
}

// VariantRand returns the generator of a base's variants.
func (g *Generator) VariantRand(id string) *rand.Rand { return g.rng("variants/" + id) }

// Recompress encodes img as JPEG at quality q and decodes it again.
func Recompress(img image.Image, q int) image.Image {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		return img
	}
	out, err := jpeg.Decode(&b)
	if err != nil {
		return img
	}
	return out
}

// Invented people: given names and family names combined at random; no combination
// stands for a real person.
var (
	maleGiven   = []string{"Айбек", "Нурлан", "Тимур", "Бакыт", "Эрлан", "Данияр", "Жоомарт", "Азамат", "Улан", "Санжар"}
	femaleGiven = []string{"Айгерим", "Нургуль", "Жылдыз", "Бермет", "Асель", "Гулнара", "Айпери", "Динара", "Нуриза", "Мээрим"}
	families    = []string{"Токтосун", "Асан", "Бейшеналы", "Сатыбалды", "Жумабек", "Мамыт", "Осмон", "Турдубай", "Кадыр", "Абдыкалык"}
	uzGiven     = []string{"Dilshod", "Jasur", "Sardor", "Malika", "Nodira", "Gulnoza", "Shohruh", "Zarina"}
	uzFamily    = []string{"Karimov", "Yusupov", "Rahimov", "Saidov", "Nazarov", "Tursunov", "Aliyev", "Qodirov"}
)

type person struct {
	given, family string // Cyrillic (ru/ky) or Latin (uz)
	male          bool
	birth         time.Time
}

func (g *Generator) person(r *rand.Rand, lang string) person {
	male := r.IntN(2) == 0
	p := person{male: male, birth: g.Now.AddDate(-18-r.IntN(40), -r.IntN(12), -r.IntN(28))}
	p.birth = time.Date(p.birth.Year(), p.birth.Month(), p.birth.Day(), 0, 0, 0, 0, time.UTC)
	if lang == "uz" {
		p.given, p.family = uzGiven[r.IntN(len(uzGiven))], uzFamily[r.IntN(len(uzFamily))]
		if !male && !strings.HasSuffix(p.family, "a") {
			p.family += "a"
		}
		return p
	}
	if male {
		p.given, p.family = maleGiven[r.IntN(len(maleGiven))], families[r.IntN(len(families))]+"ов"
	} else {
		p.given, p.family = femaleGiven[r.IntN(len(femaleGiven))], families[r.IntN(len(families))]+"ова"
	}
	return p
}

var icaoTranslit = map[rune]string{
	'А': "A", 'Б': "B", 'В': "V", 'Г': "G", 'Д': "D", 'Е': "E", 'Ё': "E", 'Ж': "ZH", 'З': "Z", 'И': "I", 'Й': "I",
	'К': "K", 'Л': "L", 'М': "M", 'Н': "N", 'О': "O", 'П': "P", 'Р': "R", 'С': "S", 'Т': "T", 'У': "U", 'Ф': "F",
	'Х': "KH", 'Ц': "TS", 'Ч': "CH", 'Ш': "SH", 'Щ': "SHCH", 'Ы': "Y", 'Ъ': "IE", 'Э': "E", 'Ю': "IU", 'Я': "IA",
	'Ң': "N", 'Ү': "U", 'Ө': "O", 'Ь': "",
}

// ICAO transliterates a name to MRZ Latin (ICAO 9303 table for Cyrillic).
func ICAO(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if t, ok := icaoTranslit[r]; ok {
			b.WriteString(t)
		} else if (r >= 'A' && r <= 'Z') || r == ' ' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func pinFor(p person, r *rand.Rand) string {
	s := "1"
	if p.male {
		s = "2"
	}
	return s + p.birth.Format("02012006") + fmt.Sprintf("%05d", r.IntN(100000))
}

// breakZone changes one check digit of a zone (an invalid or forged MRZ).
func breakZone(lines []string, r *rand.Rand) []string {
	out := append([]string(nil), lines...)
	last := len(out) - 1
	if len(out) == 3 {
		last = 1
	}
	l := []byte(out[last])
	pos := []int{6, 14} // TD1 line 2 birth/expiry checks
	if len(out) == 2 {
		pos = []int{19, 27}
	}
	i := pos[r.IntN(len(pos))]
	if l[i] >= '0' && l[i] <= '9' {
		l[i] = byte('0' + (int(l[i]-'0')+1+r.IntN(8))%10)
	}
	out[last] = string(l)
	return out
}

var cardLabels = map[string][]string{
	"ru": {"КЫРГЫЗСКАЯ РЕСПУБЛИКА", "ИДЕНТИФИКАЦИОННАЯ КАРТА", "Фамилия", "Имя", "Дата рождения", "Пол", "Персональный номер (ПИН)", "Номер документа"},
	"ky": {"КЫРГЫЗ РЕСПУБЛИКАСЫ", "ИДЕНТИФИКАЦИЯЛЫК КАРТА", "Фамилиясы", "Аты", "Туулган күнү", "Жынысы", "Жеке номери (ПИН)", "Документтин номери"},
	"uz": {"O'ZBEKISTON RESPUBLIKASI", "ID KARTA", "Familiyasi", "Ismi", "Tug'ilgan sanasi", "Jinsi", "Shaxsiy raqami (PIN)", "Hujjat raqami"},
	"en": {"KYRGYZ REPUBLIC", "IDENTITY CARD", "Surname", "Given name", "Date of birth", "Sex", "Personal number (PIN)", "Document number"},
}

func (g *Generator) idCard(r *rand.Rand, lang string, valid bool) (*image.RGBA, Truth) {
	return g.idCardOf(r, g.person(r, lang), lang, valid)
}

// Person is an invented person to render on a document or a list (demos and tests).
type Person struct {
	// Given and Family are the names as written on the card front (Cyrillic for
	// ru/ky).
	Given, Family string
	Male          bool
	Birth         time.Time
}

// IDCardOf renders a Kyrgyz ID-card mock-up of p with a valid TD1 zone; id seeds the
// document and personal numbers.
func (g *Generator) IDCardOf(id string, p Person, lang string) (*image.RGBA, Truth) {
	pp := person{given: p.Given, family: p.Family, male: p.Male,
		birth: time.Date(p.Birth.Year(), p.Birth.Month(), p.Birth.Day(), 0, 0, 0, 0, time.UTC)}
	return g.idCardOf(g.rng(id), pp, lang, true)
}

// ListOf renders a screenshot of a list of people with their birth dates and the
// orientation words of lang, under one of the list titles; id seeds the choices.
func (g *Generator) ListOf(id string, people []Person, lang string) (*image.RGBA, Truth) {
	r := g.rng(id)
	c := NewCanvas(g.Fonts, 900, 140+len(people)*52, color.RGBA{255, 255, 255, 255})
	c.Rect(image.Rect(0, 0, 900, 80), color.RGBA{uint8(40 + r.IntN(60)), 120, 200, 255})
	titles := listTitles[lang]
	c.Text(24, 52, 26, false, color.White, titles[r.IntN(len(titles))])
	for i, p := range people {
		y := 130 + i*52
		o := orientations[lang][r.IntN(4)]
		c.Text(24, y, 24, false, color.Black, fmt.Sprintf("%d. %s %s — %s — %s", i+1, p.Family, p.Given, p.Birth.Format("02.01.2006"), o))
		c.Rect(image.Rect(24, y+14, 876, y+15), color.RGBA{220, 220, 220, 255})
	}
	return c.RGBA, Truth{Exposed: true}
}

func (g *Generator) idCardOf(r *rand.Rand, p person, lang string, valid bool) (*image.RGBA, Truth) {
	c := NewCanvas(g.Fonts, 1000, 640, color.RGBA{uint8(215 + r.IntN(30)), uint8(228 + r.IntN(20)), 245, 255})
	L := cardLabels[lang]
	c.Text(40, 58, 30, false, color.RGBA{20, 40, 110, 255}, L[0])
	c.Text(40, 98, 24, false, color.RGBA{20, 40, 110, 255}, L[1])
	c.Rect(image.Rect(40, 130, 250, 390), color.RGBA{170, 175, 185, 255})
	docNo := fmt.Sprintf("ID%07d", r.IntN(10_000_000))
	pin := pinFor(p, r)
	sex := map[bool]string{true: "M", false: "F"}[p.male]
	issuer := "KGZ"
	if lang == "uz" {
		issuer = "UZB"
	}
	rows := [][2]string{{L[2], p.family}, {L[3], p.given}, {L[4], p.birth.Format("02.01.2006")}, {L[5], sex}, {L[6], pin}, {L[7], docNo}}
	for i, row := range rows {
		y := 150 + i*42
		c.Text(280, y, 16, false, color.RGBA{80, 80, 90, 255}, row[0])
		c.Text(280, y+24, 22, false, color.Black, row[1])
	}
	h := mrz.Holder{DocumentCode: "ID", Issuer: issuer, DocumentNumber: docNo, Nationality: issuer, BirthDate: p.birth,
		ExpiryDate: g.Now.AddDate(1+r.IntN(9), r.IntN(12), 0), Sex: sex, Surname: ICAO(p.family), GivenNames: ICAO(p.given), Optional1: pin}
	lines := mrz.ComposeTD1(h)
	if !valid {
		lines = breakZone(lines, r)
	}
	c.Rect(image.Rect(20, 470, 980, 630), color.RGBA{250, 250, 250, 255})
	for i, l := range lines {
		c.Text(40, 510+i*42, 30, true, color.Black, l)
	}
	return c.RGBA, Truth{Exposed: true, HasMRZ: true, MRZValid: valid, Holder: h, PIN: pin}
}

var passportLabels = map[string][]string{
	"ru": {"ПАСПОРТ", "Фамилия", "Имя", "Дата рождения", "Номер паспорта"},
	"ky": {"ПАСПОРТ", "Фамилиясы", "Аты", "Туулган күнү", "Паспорттун номери"},
	"uz": {"PASPORT", "Familiyasi", "Ismi", "Tug'ilgan sanasi", "Pasport raqami"},
	"en": {"PASSPORT", "Surname", "Given names", "Date of birth", "Passport No."},
}

func (g *Generator) passport(r *rand.Rand, lang string, valid bool) (*image.RGBA, Truth) {
	p := g.person(r, lang)
	c := NewCanvas(g.Fonts, 1250, 880, color.RGBA{240, 236, uint8(220 + r.IntN(30)), 255})
	L := passportLabels[lang]
	issuer := "KGZ"
	docNo := fmt.Sprintf("AC%07d", r.IntN(10_000_000))
	if lang == "uz" {
		issuer, docNo = "UZB", fmt.Sprintf("FA%07d", r.IntN(10_000_000))
	}
	c.Text(50, 70, 36, false, color.RGBA{120, 30, 30, 255}, L[0]+" / "+issuer)
	c.Rect(image.Rect(50, 110, 330, 470), color.RGBA{165, 170, 180, 255})
	sex := map[bool]string{true: "M", false: "F"}[p.male]
	rows := [][2]string{{L[1], p.family + " / " + ICAO(p.family)}, {L[2], p.given + " / " + ICAO(p.given)}, {L[3], p.birth.Format("02.01.2006")}, {L[4], docNo}}
	for i, row := range rows {
		y := 140 + i*62
		c.Text(370, y, 18, false, color.RGBA{80, 80, 90, 255}, row[0])
		c.Text(370, y+30, 26, false, color.Black, row[1])
	}
	pin := ""
	if issuer == "KGZ" {
		pin = pinFor(p, r)
	}
	h := mrz.Holder{DocumentCode: "P", Issuer: issuer, DocumentNumber: docNo, Nationality: issuer, BirthDate: p.birth,
		ExpiryDate: g.Now.AddDate(1+r.IntN(9), r.IntN(12), 0), Sex: sex, Surname: ICAO(p.family), GivenNames: ICAO(p.given), Optional1: pin}
	lines := mrz.ComposeTD3(h)
	if !valid {
		lines = breakZone(lines, r)
	}
	c.Rect(image.Rect(20, 700, 1230, 860), color.RGBA{252, 252, 252, 255})
	for i, l := range lines {
		c.Text(40, 755+i*50, 32, true, color.Black, l)
	}
	return c.RGBA, Truth{Exposed: true, HasMRZ: true, MRZValid: valid, Holder: h, PIN: pin}
}

var listTitles = map[string][]string{
	"ru": {"Список геев Бишкека, распространите", "Вот они, лесбиянки из Оша", "Кто из них трансгендер — все данные"},
	"ky": {"Бишкектеги гейлердин тизмеси, таратыңыз", "Оштогу лесбиянкалар, даректери менен", "Булар ЛГБТ, баарын тааныгыла"},
	"uz": {"Toshkentdagi geylar ro'yxati, tarqating", "Bular lesbiyankalar, manzillari bilan", "LGBT a'zolari ro'yxati"},
	"en": {"List of gays in Bishkek, share it", "These are the lesbians from Osh", "LGBT people of Naryn, names and dates"},
}

var orientations = map[string][]string{
	"ru": {"гей", "лесбиянка", "трансгендер", "бисексуал"},
	"ky": {"гей", "лесбиянка", "трансгендер", "бисексуал"},
	"uz": {"gey", "lesbiyanka", "transgender", "biseksual"},
	"en": {"gay", "lesbian", "transgender", "bisexual"},
}

func (g *Generator) list(r *rand.Rand, lang string) (*image.RGBA, Truth) {
	rows := 5 + r.IntN(5)
	c := NewCanvas(g.Fonts, 900, 140+rows*52, color.RGBA{255, 255, 255, 255})
	c.Rect(image.Rect(0, 0, 900, 80), color.RGBA{uint8(40 + r.IntN(60)), 120, 200, 255})
	titles := listTitles[lang]
	c.Text(24, 52, 26, false, color.White, titles[r.IntN(len(titles))])
	for i := 0; i < rows; i++ {
		p := g.person(r, lang)
		y := 130 + i*52
		o := orientations[lang][r.IntN(4)]
		c.Text(24, y, 24, false, color.Black, fmt.Sprintf("%d. %s %s — %s — %s", i+1, p.family, p.given, p.birth.Format("02.01.2006"), o))
		c.Rect(image.Rect(24, y+14, 876, y+15), color.RGBA{220, 220, 220, 255})
	}
	return c.RGBA, Truth{Exposed: true}
}

var memeCaptions = map[string][][2]string{
	"ru": {{"КОГДА УВИДЕЛ ПИДОРА", "НА УЛИЦЕ"}, {"ГЕИ — БОЛЕЗНЬ", "ЛЕЧИТЬ ИХ НАДО"}, {"ЛГБТ ПРОПАГАНДА", "ЗАПРЕТИТЬ"}},
	"ky": {{"БУЛ ГЕЙЛЕР", "БИЗДИН САЛТКА ЖАТ"}, {"ЛГБТ ЖОК БОЛСУН", "КЫРГЫЗСТАНДАН"}},
	"uz": {{"GEYLAR KASAL", "DAVOLASH KERAK"}, {"LGBT TARG'IBOTI", "TAQIQLANSIN"}},
	"en": {{"WHEN YOU SEE A FAGGOT", "ON THE STREET"}, {"GAYS ARE A DISEASE", "CURE THEM"}},
}

func (g *Generator) meme(r *rand.Rand, lang string) (*image.RGBA, Truth) {
	img, _ := g.photo(r, 800, 600)
	c := &Canvas{RGBA: img, fonts: g.Fonts, faces: map[faceKey]font.Face{}}
	caps := memeCaptions[lang][r.IntN(len(memeCaptions[lang]))]
	for i, s := range caps {
		size := 44.0
		for c.TextWidth(size, false, s) > 760 && size > 20 {
			size -= 2
		}
		x := (800 - c.TextWidth(size, false, s)) / 2
		y := 70 + i*480
		c.Rect(image.Rect(x-8, y-int(size), x+c.TextWidth(size, false, s)+8, y+12), color.RGBA{0, 0, 0, 255})
		c.Text(x, y, size, false, color.White, s)
	}
	return c.RGBA, Truth{}
}

func (g *Generator) photo(r *rand.Rand, w, h int) (*image.RGBA, Truth) {
	c := NewCanvas(g.Fonts, w, h, color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255})
	// sky and ground, then objects: a scene with large low-frequency structure.
	horizon := h/3 + r.IntN(h/3)
	c.Rect(image.Rect(0, horizon, w, h), color.RGBA{uint8(r.IntN(120)), uint8(80 + r.IntN(120)), uint8(r.IntN(100)), 255})
	for i := 0; i < 6+r.IntN(10); i++ {
		x, y := r.IntN(w), r.IntN(h)
		rw, rh := 20+r.IntN(w/3), 20+r.IntN(h/3)
		c.Rect(image.Rect(x, y, x+rw, y+rh), color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255})
	}
	return c.RGBA, Truth{}
}

var receiptLabels = map[string][]string{
	"ru": {"ТОВАРНЫЙ ЧЕК", "Хлеб", "Молоко", "Чай", "ИТОГО", "ИНН", "Чек №", "Спасибо за покупку!"},
	"ky": {"САТУУ ЧЕГИ", "Нан", "Сүт", "Чай", "БАРДЫГЫ", "СТН", "Чек №", "Сатып алганыңыз үчүн рахмат!"},
	"uz": {"SAVDO CHEKI", "Non", "Sut", "Choy", "JAMI", "STIR", "Chek №", "Xaridingiz uchun rahmat!"},
	"en": {"SALES RECEIPT", "Bread", "Milk", "Tea", "TOTAL", "TIN", "Receipt No.", "Thank you for shopping!"},
}

func (g *Generator) receipt(r *rand.Rand, lang string) (*image.RGBA, Truth) {
	L := receiptLabels[lang]
	c := NewCanvas(g.Fonts, 620, 900, color.RGBA{252, 252, 246, 255})
	c.Text(160, 60, 28, false, color.Black, L[0])
	// A company tax number: 14 digits starting with 0 (not a personal number).
	c.Text(40, 110, 20, true, color.Black, fmt.Sprintf("%s 0%013d", L[5], r.Int64N(1e13)))
	c.Text(40, 145, 20, true, color.Black, fmt.Sprintf("%s %010d", L[6], r.Int64N(1e10)))
	c.Text(40, 180, 20, true, color.Black, g.Now.AddDate(0, 0, -r.IntN(300)).Format("02.01.2006 15:04"))
	total := 0
	for i, item := range L[1:4] {
		price := 20 + r.IntN(400)
		total += price
		c.Text(40, 250+i*40, 22, true, color.Black, fmt.Sprintf("%-20s %6d.00", item, price))
	}
	c.Text(40, 420, 24, true, color.Black, fmt.Sprintf("%-18s %6d.00", L[4], total))
	c.Text(40, 480, 18, true, color.Black, fmt.Sprintf("ФН %016d ФД %08d", r.Int64N(1e16), r.IntN(1e8)))
	c.Text(100, 560, 20, false, color.Black, L[7])
	return c.RGBA, Truth{}
}

var ticketLabels = map[string][]string{
	"ru": {"БИЛЕТ", "Бишкек — Ош", "Рейс", "Дата", "Место", "Номер билета"},
	"ky": {"БИЛЕТ", "Бишкек — Нарын", "Каттам", "Күнү", "Орун", "Билеттин номери"},
	"uz": {"CHIPTA", "Toshkent — Samarqand", "Reys", "Sana", "O'rin", "Chipta raqami"},
	"en": {"TICKET", "Bishkek — Karakol", "Trip", "Date", "Seat", "Ticket number"},
}

func (g *Generator) ticket(r *rand.Rand, lang string) (*image.RGBA, Truth) {
	L := ticketLabels[lang]
	c := NewCanvas(g.Fonts, 1000, 420, color.RGBA{uint8(230 + r.IntN(25)), 245, uint8(200 + r.IntN(50)), 255})
	c.Text(40, 70, 40, false, color.RGBA{30, 60, 30, 255}, L[0])
	c.Text(40, 130, 28, false, color.Black, L[1])
	d := g.Now.AddDate(0, 0, r.IntN(60))
	rows := [][2]string{{L[2], fmt.Sprintf("%03d", r.IntN(1000))}, {L[3], d.Format("02.01.2006 15:04")}, {L[4], fmt.Sprintf("%d%c", 1+r.IntN(40), 'A'+rune(r.IntN(4)))},
		{L[5], fmt.Sprintf("%013d", r.Int64N(1e13))}}
	for i, row := range rows {
		c.Text(40+(i%2)*460, 200+(i/2)*80, 18, false, color.RGBA{70, 70, 70, 255}, row[0])
		c.Text(40+(i%2)*460, 232+(i/2)*80, 26, false, color.Black, row[1])
	}
	for x := 40; x < 960; x += 3 + r.IntN(5) {
		c.Rect(image.Rect(x, 360, x+1+r.IntN(3), 405), color.Black)
	}
	return c.RGBA, Truth{}
}

// DefaultSeed is the seed of the evaluated set.
const DefaultSeed uint64 = 16

// DefaultNow anchors the evaluated set's dates (fixed, so the set never changes).
var DefaultNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
