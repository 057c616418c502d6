package phash

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/media/imagegen"
	"github.com/kuzot/kuzot/media/mrz"
)

// picture draws a deterministic pseudo-random scene of rectangles.
func picture(seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 7))
	img := image.NewRGBA(image.Rect(0, 0, 480, 320))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for i := 0; i < 14; i++ {
		x, y := r.IntN(440), r.IntN(290)
		c := color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255}
		w, h := 20+r.IntN(200), 20+r.IntN(150)
		for yy := y; yy < min(320, y+h); yy++ {
			for xx := x; xx < min(480, x+w); xx++ {
				img.SetRGBA(xx, yy, c)
			}
		}
	}
	return img
}

func recompress(t *testing.T, img image.Image, q int) image.Image {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	out, err := jpeg.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReuploadsMatchUnrelatedDoNot(t *testing.T) {
	th := DefaultThresholds()
	for seed := uint64(1); seed <= 5; seed++ {
		orig := picture(seed)
		h0, err := Of(orig)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string]image.Image{
			"jpeg q40":   recompress(t, orig, 40),
			"scale 0.7":  imagegen.Scale(orig, 0.7),
			"scale 1.3":  imagegen.Scale(orig, 1.3),
			"crop 3%":    imagegen.Crop(orig, 0.03, 0.5),
			"rotate 1.5": imagegen.Rotate(orig, 1.5, color.White),
		} {
			h, _ := Of(v)
			if !th.Match(h0, h) {
				p, d := Distance(h0, h)
				t.Errorf("seed %d %s: distances %d/%d beyond %+v", seed, name, p, d, th)
			}
		}
		for other := seed + 100; other < seed+105; other++ {
			h, _ := Of(picture(other))
			if th.Match(h0, h) {
				t.Errorf("unrelated pictures %d and %d match", seed, other)
			}
		}
	}
}

func TestIndex(t *testing.T) {
	x := NewIndex(DefaultThresholds())
	a, _ := Of(picture(1))
	b, _ := Of(picture(2))
	x.Add(a, TextSig{}, "incident-a")
	x.Add(b, TextSig{}, "incident-b")
	h, _ := Of(recompress(t, picture(2), 50))
	if m, ok := x.Nearest(h, TextSig{}); !ok || m.ID != "incident-b" {
		t.Errorf("Nearest = %+v, %v; want incident-b", m, ok)
	}
	c, _ := Of(picture(3))
	if m, ok := x.Nearest(c, TextSig{}); ok {
		t.Errorf("unrelated picture matched %+v", m)
	}
	if x.Len() != 2 {
		t.Errorf("Len = %d", x.Len())
	}
	if s := a.String(); len(s) != 32 {
		t.Errorf("String = %q", s)
	}
}

func TestTextRule(t *testing.T) {
	x := NewIndex(DefaultThresholds())
	h, _ := Of(picture(4))
	card := "КЫРГЫЗ РЕСПУБЛИКАСЫ ИДЕНТИФИКАЦИЯЛЫК КАРТА Фамилиясы Токтосунов Аты Айбек Туулган 15.03.1994 ПИН 21503199400123"
	x.Add(h, SigOf(card), "card-a")
	for _, c := range []struct {
		name string
		text string
		want bool
	}{
		{"same text", card, true},
		{"same text, OCR noise", strings.Replace(card, "Туулган", "Туулгaн", 1), true},
		{"same template, another person", "КЫРГЫЗ РЕСПУБЛИКАСЫ ИДЕНТИФИКАЦИЯЛЫК КАРТА Фамилиясы Асанова Аты Бермет Туулган 02.11.2001 ПИН 10211200100456", false},
		{"no text", "", false},
		// Same labels and the same given name, only the numbers and surname differ: the
		// words alone agree at about 0.6, the numbers tell the documents apart.
		{"same template, same given name, other numbers", "КЫРГЫЗ РЕСПУБЛИКАСЫ ИДЕНТИФИКАЦИЯЛЫК КАРТА Фамилиясы Токтосунова Аты Айбек Туулган 21.07.1988 ПИН 22107198800777", false},
		{"same text, one number misread", strings.Replace(card, "21503199400123", "21503199400128", 1), true},
	} {
		_, ok := x.Nearest(h, SigOf(c.text))
		if ok != c.want {
			t.Errorf("%s: matched %v; want %v (jaccard %.2f)", c.name, ok, c.want, Jaccard(SigOf(card), SigOf(c.text)))
		}
	}
}

// TestTextBounds: a pair whose pHash moved 24 bits (beyond Max, as a rotated screenshot
// does) joins when both show the same text, and never when neither shows text.
func TestTextBounds(t *testing.T) {
	th := DefaultThresholds()
	h, _ := Of(picture(7))
	moved := Hash{P: h.P ^ (1<<24 - 1), D: h.D}
	if th.Match(h, moved) {
		t.Fatalf("24 bits of pHash within the plain bounds %+v", th)
	}
	text := "Список геев Бишкека 1. Асанов Улан 12.04.1990 гей 2. Мамытова Асель 03.09.1995 лесбиянка"
	withText := NewIndex(th)
	withText.Add(h, SigOf(text), "list")
	if _, ok := withText.Nearest(moved, SigOf(text)); !ok {
		t.Error("same text, pHash 24 bits away: not joined")
	}
	if c := withText.Candidates(moved); len(c) != 1 {
		t.Errorf("candidates %v; want the list", c)
	}
	noText := NewIndex(th)
	noText.Add(h, TextSig{}, "photo")
	if _, ok := noText.Nearest(moved, TextSig{}); ok {
		t.Error("no text, pHash 24 bits away: joined")
	}
	far := Hash{P: h.P ^ (1<<27 - 1), D: h.D}
	if _, ok := withText.Nearest(far, SigOf(text)); ok {
		t.Error("same text, pHash 27 bits away: joined")
	}
	// Joins (the alert role's pairwise check) applies the same rule as Nearest.
	for _, c := range []struct {
		name   string
		b      Hash
		as, bs TextSig
		want   bool
	}{
		{"same text, 24 bits", moved, SigOf(text), SigOf(text), true},
		{"no text, 24 bits", moved, TextSig{}, TextSig{}, false},
		{"one side without text, 24 bits", moved, SigOf(text), TextSig{}, false},
		{"same text, 27 bits", far, SigOf(text), SigOf(text), false},
		{"no text, same hash", h, TextSig{}, TextSig{}, true},
	} {
		if got := th.Joins(h, c.as, c.b, c.bs); got != c.want {
			t.Errorf("Joins, %s: %v; want %v", c.name, got, c.want)
		}
	}
}

// TestNumbersSkipMRZLines: the numbers of a machine-readable zone (lines with '<') do not
// count when the fields show enough numbers, so a re-upload whose zone OCR misread still shares the numbers printed in the
// fields, and another person's document of the same template shares none.
func TestNumbersSkipMRZLines(t *testing.T) {
	original := "ПИН\n21203199537217\nДокументтин номери\n123192379\n12.03.1995\nТ0Кб7103192379521203199537217<\n9503124M2905051KGZ<<<<<<6"
	reupload := "ПИН\n21203199537217\nДокументтин номери\n103192379\n12.03.1995\n[DKGZID31923795212031995372 17<\n)503124М290505 1Кб7<<<<<б6"
	other := "ПИН\n20205199412345\nДокументтин номери\n123456789\n02.05.1994\nIDKGZ1234567892020519941234<\n9405021M2905051KGZ<<<<<<6"
	if n, ok := NumberOverlap(SigOf(original), SigOf(reupload)); !ok || n < 0.5 {
		t.Errorf("re-upload number overlap %.2f (%v); want >= 0.5", n, ok)
	}
	if n, ok := NumberOverlap(SigOf(original), SigOf(other)); !ok || n != 0 {
		t.Errorf("another person's document: number overlap %.2f (%v); want 0", n, ok)
	}
	// A zone's numbers never count as raw runs (they count through DocSig, confirmed).
	if got := numberBits("PASSPORT\nAB1234567<<<<\n9503124M2905051<<<", nil); got != 0 {
		t.Errorf("zone-only text set number bits %x", got)
	}
	zone := strings.Join(mrz.ComposeTD3(uzHolder("QODIROVA", "DILSHOD", "FA3506083", "2003-08-31", "2032-11-01")), "\n")
	// The multilingual pass reads '<' as other characters: the zone's lines still do not count.
	garbled := strings.ReplaceAll(zone, "<<", "«")
	if got := numberBits("PASSPORT\n"+garbled, mrz.Find(garbled, zoneNow)); got != 0 {
		t.Errorf("zone read without fillers set number bits %x", got)
	}
}

// TestNumberFloor: two passports of one template whose holders share a full name agree
// in nearly every word; only their numbers differ. Word Jaccard + number overlap alone
// would join them; the number floor (MinNumbers) keeps them apart, while a re-upload
// that lost a few words and one number to OCR still joins.
func TestNumberFloor(t *testing.T) {
	labels := "ПАСПОРТ KGZ Фамилиясы Аты Туулган күнү Паспорттун номери Жынысы Улуту Берилген жери Бишкек " +
		"Мөөнөтү Колу Республика Кыргыз Документ Түрү Жарандыгы Уюм Берген Органы Датасы Мамлекеттик " +
		"Каттоо Кызматы Жеке Номери Мекен Дареги Шаары Району Көчөсү Үйү Батири Телефону Почтасы Белгиси " +
		"Турдубайов TURDUBAIOV Айбек AIBEK "
	a := SigOf(labels + "28.06.1982 AC6880959 AC68809599KGZ8206288M30010192280619828583354 22806198200123")
	other := SigOf(labels + "26.03.1982 AC4631926 AC46319267KGZ8203265M29080182260319829118828 22806198200123")
	reupload := SigOf(strings.Replace(labels, "Мекен Дареги", "", 1) + "28.06.1982 AC6880959 AC6880959XKGZ8206288M30010192280619828583354 22806198200123")
	n, ok := NumberOverlap(a, other)
	if !ok {
		t.Fatal("the numbers were not compared")
	}
	j := Jaccard(a, other)
	th := DefaultThresholds()
	if j+n < th.MinCombined {
		t.Fatalf("the case does not exercise the floor: jaccard %.2f + numbers %.2f < %.2f", j, n, th.MinCombined)
	}
	if th.textAgrees(a, other) {
		t.Errorf("same name, other numbers joined (jaccard %.2f, numbers %.2f)", j, n)
	}
	if !th.textAgrees(a, reupload) {
		rn, _ := NumberOverlap(a, reupload)
		t.Errorf("a re-upload with one number misread did not join (jaccard %.2f, numbers %.2f)", Jaccard(a, reupload), rn)
	}
	th.MinNumbers = 0
	if !th.textAgrees(a, other) {
		t.Error("without the floor the pair does not join: the test shows nothing")
	}
}

// uzHolder is an invented Uzbek passport holder (dates as YYYY-MM-DD).
func uzHolder(surname, given, number, birth, expiry string) mrz.Holder {
	b, _ := time.Parse(time.DateOnly, birth)
	e, _ := time.Parse(time.DateOnly, expiry)
	return mrz.Holder{DocumentCode: "P", Issuer: "UZB", DocumentNumber: number, Nationality: "UZB",
		BirthDate: b, ExpiryDate: e, Sex: "F", Surname: surname, GivenNames: given}
}

// uzPassport is the first-pass OCR text of a generated Uzbek passport (the layout of
// passport-uz-6 on the dev part), with its zone.
func uzPassport(h mrz.Holder, printedNumber string) string {
	name := func(s string) string { return strings.ToUpper(s[:1]) + strings.ToLower(s[1:]) }
	return "PASPORT / UZB\nFamiliyasi\n" + name(h.Surname) + " / " + h.Surname + "\nIsmi\n" + name(h.GivenNames) + " / " + h.GivenNames +
		"\nTug'ilgan sanasi\n" + h.BirthDate.Format("02.01.2006") + "\nPasport raqami\n" + printedNumber + "\n" +
		strings.Join(mrz.ComposeTD3(h), "\n")
}

// TestZoneFields: the check-digit-confirmed zone fields (document number, birth date,
// expiry date) decide a join of two documents. The namesake case is the dev false join
// unrelated-passport-uz-99 → passport-uz-6 (docs/images.md): same template, words that
// agree, printed numbers whose one-bit-per-number sketch collided; the re-upload cases
// are the dev variants and the ocr role's own JPEG-60 case, whose OCR loses words, misreads
// printed numbers or garbles one zone field.
func TestZoneFields(t *testing.T) {
	th := DefaultThresholds()
	holder := uzHolder("QODIROVA", "DILSHOD", "FA3506083", "2003-08-31", "2032-11-01")
	original := uzPassport(holder, "FA3506083")
	namesake := holder
	namesake.DocumentNumber, namesake.ExpiryDate = "FA2755529", holder.ExpiryDate.AddDate(1, 2, 0)
	twin := namesake // same name and birth date, another passport
	twin.ExpiryDate = holder.ExpiryDate
	zone := mrz.ComposeTD3(holder)
	tampered := []byte(zone[1])
	tampered[14] = '9' // a birth digit changed: its check digit fails
	for _, c := range []struct {
		name  string
		other string
		// fields is the number of confirmed fields both show.
		fields int
		want   bool
	}{
		{"namesake, other passport, same printed dates", uzPassport(namesake, "FA2755529"), 3, false},
		{"namesake, fields printed identically (sketch collision)", strings.Replace(uzPassport(namesake, "FA2755529"), "FA2755529\n", "FA3506083\n", 1), 3, false},
		{"same name and birth date, another passport", uzPassport(twin, "FA2755529"), 3, false},
		{"re-upload, same text", original, 3, true},
		{"re-upload, most words and the printed number lost (rotation)",
			"PASPORT\nFamiliyasi\nIsmi\nTug'ilgan sanasi 31.0B.2O03\nFA35O6O83\n" + strings.Join(zone, "\n"), 3, true},
		{"re-upload, name line garbled, filler pairs read as «",
			"PASPORT / UZB\nFamiliyasi\nQodirova / QODIROVA\nIsmi\nDilshod / DILSHOD\nTug'ilgan sanasi\n31.08.2003\nPasport raqami\nFA3506083\n" +
				"P<UZBQ0DlR0VA«DlLSH0D««««««««««<\n" + strings.ReplaceAll(zone[1], "<<", "«"), 3, true},
		// The composite check digit fails with the birth date, so the number does not
		// count either: the expiry date is compared, the words decide.
		{"re-upload, birth date misread in the zone: compared on the expiry date",
			strings.Replace(original, zone[1], string(tampered), 1), 1, true},
		// "FA3506083" read "FA35O6083": the swap back that restores the check digit makes
		// a repaired number, which does not count (the dates do).
		{"re-upload, document number repaired", strings.Replace(original, zone[1], strings.Replace(zone[1], "FA3506083", "FA35O6083", 1), 1), 2, true},
		// "FA35O6O83": two O for 0 cancel in the check digit (weights 3 and 7); the
		// number is not shaped as issued numbers are, so it does not count.
		{"re-upload, two confusions cancel in the number's check digit", strings.Replace(original, zone[1], strings.Replace(zone[1], "FA3506083", "FA35O6O83", 1), 1), 2, true},
	} {
		a, b := SigOf(original), SigOf(c.other)
		n, _, _ := CompareDocs(a, b)
		if n != c.fields {
			t.Errorf("%s: %d fields compared; want %d (doc %x / %x)", c.name, n, c.fields, uint64(a.Doc), uint64(b.Doc))
		}
		if got := th.textAgrees(a, b); got != c.want {
			j := Jaccard(a, b)
			num, _ := NumberOverlap(a, b)
			t.Errorf("%s: joined %v; want %v (jaccard %.2f, numbers %.2f)", c.name, got, c.want, j, num)
		}
	}
	// A field whose check digit fails does not count: a zone with every check broken
	// sketches nothing and leaves the decision to the words and printed numbers.
	broken := strings.NewReplacer("FA35060836", "FA35060831", "0308315", "0308310", "3211016", "3211010").Replace(zone[1])
	if s := SigOf(zone[0] + "\n" + broken); s.Doc != 0 {
		t.Errorf("a zone with broken check digits sketched %x", uint64(s.Doc))
	}
}

// TestSecondPassZoneFields: the dev ID card id_card-en-3, whose first (multilingual) pass
// garbled the zone's first line ("Т0Кб7…") so that no zone is found in its text, and an
// unrelated passport of another person (unrelated-passport-en-4278, the false join of the
// 10,000-picture run) agree in a third of their words and, by chance, in two of their
// printed numbers' bits: word Jaccard + number overlap pass. The scanner's second pass
// reads the card's zone; with its confirmed fields the two are told apart. The card's
// personal number is taken as misread here ("13801…": day 38, no personal number), so that
// its front confirms no birth date (TestFrontBirth) and the zone alone decides.
func TestSecondPassZoneFields(t *testing.T) {
	card := "KYRGYZ REPUBLIC\nIDENTITY CARD\nSurname\nКадырова\nGiven name\nАйгерим\nDate of birth\n30.01.1984\nSex\nF\n" +
		"Personal number (PIN)\n13801198426461\nDocument number\n129698041\nТ0Кб7109698041413001198426461<\n" +
		"8401304F3306013KGZ<<<<<<<<<<<Q\nKADYROVA<<AIGERIM<<<<<<<<<<<<<"
	passport := "PASSPORT / KGZ\nSumame\nЖумабекова / ZHUMABEKOVA\nGiven names\nАйгерим / AIGERIM\nDate of birth\n19.05.1976\n" +
		"Passport No.\nAC3946200\nP<KGZZHUMABEKOVA<<AIGERIM<<<<<<<<<<<<<<<<<<<\nAC39462004KGZ7605194F31040131190519762608900"
	a, b := SigOf(card), SigOf(passport)
	th := DefaultThresholds()
	if a.Doc != 0 || !th.textAgrees(a, b) {
		t.Fatalf("the case shows nothing: card fields %d, joined %v", a.Doc.Fields(), th.textAgrees(a, b))
	}
	second := mrz.Find(strings.Join(mrz.ComposeTD1(mrz.Holder{DocumentCode: "ID", Issuer: "KGZ", DocumentNumber: "ID9698041",
		Optional1: "13001198426461", Nationality: "KGZ", Sex: "F", BirthDate: time.Date(1984, 1, 30, 0, 0, 0, 0, time.UTC),
		ExpiryDate: time.Date(2033, 6, 1, 0, 0, 0, 0, time.UTC), Surname: "KADYROVA", GivenNames: "AIGERIM"}), "\n"), zoneNow)
	withZone := a.WithZones(second)
	if withZone.Doc.Fields() != 3 {
		t.Fatalf("second-pass zone: %d confirmed fields, want 3", withZone.Doc.Fields())
	}
	if th.textAgrees(withZone, b) {
		t.Error("the card with its second-pass zone joined another person's passport")
	}
	if !th.textAgrees(withZone, a.WithZones(second)) || !th.textAgrees(withZone, SigOf(card)) {
		t.Error("the card did not join its own re-upload")
	}
}

// kgCard is the first-pass OCR text of a generated Kyrgyz ID card (the Kyrgyz layout of
// the dev part) with zone as its last three lines.
func kgCard(family, given, birth, pin, printedNumber string, zone []string) string {
	return "КЫРГЫЗ РЕСПУБЛИКАСЫ\nИДЕНТИФИКАЦИЯЛЫК КАРТА\nФамилиясы\n" + family + "\nАты\n" + given + "\nТуулган куну\n" + birth +
		"\nЖынысы\nЖеке номери (ПИН)\n" + pin + "\nДокументтин номери\n" + printedNumber + "\n" + strings.Join(zone, "\n")
}

// kgHolder is an invented Kyrgyz ID-card holder (dates as YYYY-MM-DD).
func kgHolder(surname, given, number, pin, sex, birth, expiry string) mrz.Holder {
	b, _ := time.Parse(time.DateOnly, birth)
	e, _ := time.Parse(time.DateOnly, expiry)
	return mrz.Holder{DocumentCode: "ID", Issuer: "KGZ", DocumentNumber: number, Nationality: "KGZ", Optional1: pin,
		BirthDate: b, ExpiryDate: e, Sex: sex, Surname: surname, GivenNames: given}
}

// TestFrontBirth: a Kyrgyz personal number whose birth date is also printed on the card
// confirms that date, as a zone's check digit does. The two "other person" cases are the
// false joins of the 10,000-picture run on 91a81de (docs/images.md), as their first pass
// read them: unrelated-id_card-ky-6979 (a zone line read with a character too many, so no
// zone is found in its text) against id_card-ky-1 at hash distance 0/0, and
// unrelated-id_card-en-8533 (its zone's second line garbled) against id_card-en-7 at 2/1;
// both passed on their words (a shared template) and a chance overlap of their printed
// numbers' bits. The indexed cards carry the fields of their zone's second pass, as the
// ocr role has them.
func TestFrontBirth(t *testing.T) {
	th := DefaultThresholds()
	ky1 := kgHolder("TOKTOSUNOVA", "ZHYLDYZ", "ID4566456", "11908199772609", "F", "1997-08-19", "2035-06-01")
	ky1Read := kgCard("Токтосунова", "Жылдыз", "19.08.1997", "11908199772609", "124566456",
		[]string{"IDKGZ1ID4566456711908199772609<", "9708192Е3506019Кб7<<<<<<<<<<<1", "TOKTOSUNOVA<<ZHYLDYZ<<<<<<<<<<"})
	other := kgCard("Токтосунов", "Эрлан", "01.12.1978", "20112197890537", "124090690",
		[]string{"IDKGZ1ID4090690520112197890537<", "7812019M3010015KGZ<<<<<<<<<<<1", "TOKTOSUNOV<<ERLAN<<<<<<<<<<<<<"})
	en7 := kgHolder("BEISHENALYOVA", "AIGERIM", "ID9994156", "10609196854645", "F", "1968-09-06", "2033-05-01")
	enCard := func(family, given, birth, pin, number string, zone []string) string {
		return "KYRGYZ REPUBLIC\nIDENTITY CARD\nSurname\n" + family + "\nGiven name\n" + given + "\nDate of birth\n" + birth +
			"\nSex\nF\nPersonal number (PIN)\n" + pin + "\nDocument number\n" + number + "\n" + strings.Join(zone, "\n")
	}
	en7Read := enCard("Бейшеналыова", "Айгерим", "06.09.1968", "10609196854645", "129994156",
		[]string{"10Кб7109994156610609196854645<", "6809065F3305016KGZ<<<<<<<<<<<4", "BEISHENALYOVA<<AIGERIM<<<<<<<<"})
	enOther := enCard("Турдубайова", "Асель", "26.05.1982", "12605198204872", "129692160",
		[]string{"IDKGZ1ID9692160012605198204872<", "8205269F28030 LOKGZ<<<<<<<<<<<7", "TURDUBAIOVA<<ASEL<<<<<<<<<<<<<"})
	second := func(h mrz.Holder) []mrz.Zone { return mrz.Find(strings.Join(mrz.ComposeTD1(h), "\n"), zoneNow) }
	indexed := map[string]TextSig{
		"id_card-ky-1": SigOf(ky1Read).WithZones(second(ky1)),
		"id_card-en-7": SigOf(en7Read).WithZones(second(en7)),
	}
	for id, s := range indexed {
		if s.Doc.Fields() != 3 {
			t.Fatalf("%s: %d confirmed fields with its second-pass zone; want 3", id, s.Doc.Fields())
		}
	}
	for _, c := range []struct {
		name, indexed, text string
		// frontFields is the number of confirmed fields the text's sketch holds.
		frontFields int
		want        bool
	}{
		{"unrelated-id_card-ky-6979: another person, zone not found", "id_card-ky-1", other, 1, false},
		{"unrelated-id_card-en-8533: another person, zone not found", "id_card-en-7", enOther, 1, false},
		{"re-upload, zone not found: its front's birth date agrees, the words decide", "id_card-ky-1", ky1Read, 1, true},
		{"re-upload, zone not found, personal number misread (no front field)", "id_card-ky-1",
			strings.Replace(ky1Read, "11908199772609", "11908199772E09", 1), 0, true},
		// Its text still shows the zone's last two lines, which confirm the dates.
		{"re-upload, printed birth date misread (no front field)", "id_card-en-7",
			strings.Replace(en7Read, "06.09.1968", "06.09.1966", 1), 2, true},
		{"re-upload with its zone read", "id_card-en-7", strings.Replace(en7Read, "10Кб7109994156610609196854645<", mrz.ComposeTD1(en7)[0], 1), 3, true},
	} {
		s := SigOf(c.text)
		if s.Doc.Fields() != c.frontFields {
			t.Errorf("%s: %d confirmed fields; want %d", c.name, s.Doc.Fields(), c.frontFields)
		}
		x := indexed[c.indexed]
		if got := th.textAgrees(s, x); got != c.want {
			num, _ := NumberOverlap(s, x)
			t.Errorf("%s: joined %v; want %v (words %.2f, numbers %.2f)", c.name, got, c.want, Jaccard(s, x), num)
		}
	}
	// Without the front's birth date both unrelated cards join (the case shows something).
	for _, c := range [][2]string{{other, "id_card-ky-1"}, {enOther, "id_card-en-7"}} {
		s := SigOf(c[0])
		s.Doc = 0
		if !th.textAgrees(s, indexed[c[1]]) {
			t.Errorf("without the front's birth date the card does not join %s: the case shows nothing", c[1])
		}
	}
}

func TestFrontBirthDates(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       string // YYYY-MM-DD, or "" for none
	}{
		{"personal number and printed date agree", "Туулган куну\n19.08.1997\nПИН\n11908199772609", "1997-08-19"},
		{"slashes", "Date of birth 19/08/1997\nPIN 11908199772609", "1997-08-19"},
		{"born after 2000", "Date of birth\n03.02.2004\nPIN\n20302200412345", "2004-02-03"},
		{"date not printed", "ПИН\n11908199772609", ""},
		{"printed date differs", "19.08.1996\n11908199772609", ""},
		{"printed date inside a longer run", "119.08.19975\n11908199772609", ""},
		{"two people confirmed (a list)", "19.08.1997\n11908199772609\n01.12.1978\n20112197890537", ""},
		{"the same person twice", "19.08.1997\n11908199772609\n19.08.1997\n11908199772609", "1997-08-19"},
		{"sex digit not 1 or 2", "19.08.1997\n31908199772609", ""},
	} {
		got, ok := frontBirth(c.text)
		s := ""
		if ok {
			s = got.Format(time.DateOnly)
		}
		if s != c.want {
			t.Errorf("%s: %q; want %q", c.name, s, c.want)
		}
	}
}

// TestExplain: the explanation names each candidate with its figures and the verdict,
// and says when no entry is near.
func TestExplain(t *testing.T) {
	x := NewIndex(DefaultThresholds())
	text := "Фамилиясы Токтосунова Аты Жылдыз Туулган куну 19.08.1997 ПИН 11908199772609"
	x.Add(Hash{P: 0, D: 0}, SigOf(text), "card")
	if got := x.Explain(Hash{P: 0b111, D: 0}, SigOf(text)); !strings.Contains(got, "card at 3/0") || !strings.Contains(got, "joins true") {
		t.Errorf("explanation of a join: %s", got)
	}
	if got := x.Explain(Hash{P: ^uint64(0), D: ^uint64(0)}, SigOf(text)); !strings.Contains(got, "no candidate") {
		t.Errorf("explanation of a far picture: %s", got)
	}
}
