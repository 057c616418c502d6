package phash

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kuzot/kuzot/media/imagegen"
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
	// A document whose fields show fewer than MinNumbers numbers is compared on its zone.
	zoneOnly := "PASSPORT\nAB1234567<<<<\n9503124M2905051<<<"
	if got, want := numberBits(zoneOnly), numberRuns(zoneOnly); got != want || got == 0 {
		t.Errorf("zone-only text: bits %x, want the zone's %x", got, want)
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
