package mrz

import (
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// The ICAO Doc 9303 specimens (fictional holder "ANNA MARIA ERIKSSON" of Utopia).
const (
	specTD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
	specTD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)

func TestCheckDigit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"L898902C3", 6, true},
		{"740812", 2, true},
		{"120415", 9, true},
		{"D23145890", 7, true},
		{"<<<<<<", 0, true},
		{"L8989-02", 0, false},
		{"", 0, true},
	} {
		got, ok := CheckDigit(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("CheckDigit(%q) = %d,%v; want %d,%v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestFind(t *testing.T) {
	kgHolder := Holder{DocumentCode: "ID", Issuer: "KGZ", DocumentNumber: "ID0412345", Nationality: "KGZ",
		BirthDate: time.Date(1994, 3, 15, 0, 0, 0, 0, time.UTC), ExpiryDate: time.Date(2031, 6, 30, 0, 0, 0, 0, time.UTC),
		Sex: "M", Surname: "TOKTOSUNOV", GivenNames: "AIBEK", Optional1: "21503199400123"}
	kg := strings.Join(ComposeTD1(kgHolder), "\n")
	pp := strings.Join(ComposeTD3(Holder{DocumentCode: "P", Issuer: "KGZ", DocumentNumber: "AC1234567", Nationality: "KGZ",
		BirthDate: time.Date(2001, 11, 2, 0, 0, 0, 0, time.UTC), ExpiryDate: time.Date(2030, 1, 9, 0, 0, 0, 0, time.UTC),
		Sex: "F", Surname: "ASANOVA", GivenNames: "NURZAT KYZY", Optional1: "10211200100456"}), "\n")
	cases := []struct {
		name       string
		text       string
		format     Format
		doc        string
		surname    string
		given      string
		birth      string
		valid      bool
		repairsMin int
		pin        string
	}{
		{"ICAO TD3 specimen", specTD3, TD3, "L898902C3", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 0, ""},
		{"ICAO TD1 specimen", specTD1, TD1, "D23145890", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 0, ""},
		{"Kyrgyz ID card", kg, TD1, "ID0412345", "TOKTOSUNOV", "AIBEK", "1994-03-15", true, 0, "21503199400123"},
		{"Kyrgyz passport", pp, TD3, "AC1234567", "ASANOVA", "NURZAT KYZY", "2001-11-02", true, 0, "10211200100456"},
		{"surrounded by card text", "КЫРГЫЗ РЕСПУБЛИКАСЫ\nID-карта\n" + specTD1 + "\nподпись", TD1, "D23145890", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 0, ""},
		{"spaces inside lines", strings.ReplaceAll(specTD3, "<<<<<", "<< <<<"), TD3, "L898902C3", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 0, ""},
		{"O read for 0 in birth date", strings.Replace(specTD3, "7408122F", "74O8122F", 1), TD3, "L898902C3", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 1, ""},
		{"O read for 0 in document number", strings.Replace(specTD3, "L898902C3", "L8989O2C3", 1), TD3, "L898902C3", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 1, ""},
		{"0 read for O in KG document", strings.Replace(kg, "ID0412345", "1D0412345", 1), TD1, "ID0412345", "TOKTOSUNOV", "AIBEK", "1994-03-15", true, 1, "21503199400123"},
		// "1D…456" can be repaired to "ID…456" or "1D…4S6": both agree with the document
		// and the composite check digits; only the first has the letters-then-digits
		// shape that "1D" broke, so it is kept.
		{"ambiguous repair resolved by the number's shape", "IDKGZ1D4566456711908199772609<\n9708192F3506019KGZ<<<<<<<<<<<J\nTOKTOSUNOVA<<ZHYLDYZ<<<<<<<<<<", TD1, "ID4566456", "TOKTOSUNOVA", "ZHYLDYZ", "1997-08-19", true, 0, "11908199772609"},
		{"OCR noise in nationality", strings.Replace(specTD1, "UTO<<<<<<<<<<<6", "UTLO<<<<<<<<<<<6", 1), TD1, "D23145890", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 0, ""},
		{"long filler run of the name line lost", strings.Replace(specTD3, "ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "ANNA<MARIA<<<<", 1), TD3, "L898902C3", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 0, ""},
		{"filler tail read as C and E", strings.Replace(specTD3, "ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "ANNA<MARIA<<<<<<<<<<CECCECC<<", 1), TD3, "L898902C3", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 0, ""},
		{"digits in a name folded to letters", strings.Replace(specTD3, "ERIKSSON<<ANNA", "ERIK5SON<<ANNA", 1), TD3, "L898902C3", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 0, ""},
		{"guillemet fillers", strings.ReplaceAll(specTD1, "<<", "«"), TD1, "D23145890", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 0, ""},
		{"two fillers lost at end", strings.Replace(specTD3, "<<<<<<<<<<<<<<<<<<<\n", "<<<<<<<<<<<<<<<<<\n", 1), TD3, "L898902C3", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 0, ""},
		{"filler lost inside optional run", strings.Replace(specTD1, "UTO<<<<<<<<<<<6", "UTO<<<<<<<<<<6", 1), TD1, "D23145890", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 0, ""},
		{"K noise in name filler", strings.Replace(specTD1, "MARIA<<<<<<<<<<", "MARIA<<<<K<<<<<", 1), TD1, "D23145890", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 0, ""},
		{"Cyrillic homoglyphs", strings.NewReplacer("P<UTO", "Р<UТО", "ANNA", "АNNА").Replace(specTD3), TD3, "L898902C3", "ERIKSSON", "ANNA MARIA", "1974-08-12", true, 0, ""},
		{"wrong birth check digit (invalid zone)", strings.Replace(specTD3, "7408122F", "7408123F", 1), TD3, "L898902C3", "ERIKSSON", "ANNA MARIA", "1974-08-12", false, 0, ""},
		{"tampered document number (invalid zone)", strings.Replace(specTD1, "D23145890", "D23145891", 1), TD1, "D23145891", "ERIKSSON", "ANNA MARIA", "1974-08-12", false, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			zs := Find(c.text, now)
			if len(zs) != 1 {
				t.Fatalf("found %d zones; want 1", len(zs))
			}
			z := zs[0]
			if z.Format != c.format || z.DocumentNumber != c.doc || z.Surname != c.surname || z.GivenNames != c.given ||
				z.BirthDate.Format("2006-01-02") != c.birth || z.Valid() != c.valid || z.PersonalNumber != c.pin {
				t.Errorf("got %+v\nwant format %s doc %s name %s/%s birth %s valid %v pin %q", z, c.format, c.doc, c.surname, c.given, c.birth, c.valid, c.pin)
			}
			if z.Repairs < c.repairsMin {
				t.Errorf("repairs = %d; want >= %d", z.Repairs, c.repairsMin)
			}
		})
	}
}

func TestFindNothing(t *testing.T) {
	for _, text := range []string{
		"",
		"Чек №000123 ИТОГО 1250.00 сом\nКАССИР<<ИВАНОВА ОПЛАТА КАРТОЙ 4000<<<<<<<<<<<<<<<",
		strings.Repeat("<", 44) + "\n" + strings.Repeat("<", 44),
		"BILET<<BISHKEK<<OSH<<<<<<<<<<<<<<<<<<<<<<<<\nSEAT<12A<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<",
	} {
		if zs := Find(text, now); len(zs) != 0 {
			t.Errorf("Find(%q) = %+v; want none", text, zs)
		}
	}
}

func TestAmbiguousRepairIsNotConfirmed(t *testing.T) {
	// Many confusables and a wrong check digit: any repair would be a guess.
	text := strings.Replace(specTD3, "L898902C36", "O0O0O0O0O4", 1)
	zs := Find(text, now)
	if len(zs) != 1 {
		t.Fatalf("found %d zones", len(zs))
	}
	if zs[0].Valid() {
		t.Errorf("a zone with an unconfirmable document number was reported valid: %+v", zs[0])
	}
}

func TestComposeRoundTrip(t *testing.T) {
	h := Holder{DocumentCode: "ID", Issuer: "KGZ", DocumentNumber: "ID9876543", Nationality: "KGZ",
		BirthDate: time.Date(1988, 12, 31, 0, 0, 0, 0, time.UTC), ExpiryDate: time.Date(2029, 2, 28, 0, 0, 0, 0, time.UTC),
		Sex: "F", Surname: "BEISHENALIEVA", GivenNames: "GULNARA", Optional1: "13112198800077"}
	lines := ComposeTD1(h)
	for _, l := range lines {
		if len(l) != 30 {
			t.Fatalf("TD1 line %q has %d characters", l, len(l))
		}
	}
	if want := []string{"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"}; strings.Join(ComposeTD1(Holder{
		DocumentCode: "I", Issuer: "UTO", DocumentNumber: "D23145890", Nationality: "UTO", BirthDate: time.Date(1974, 8, 12, 0, 0, 0, 0, time.UTC),
		ExpiryDate: time.Date(2012, 4, 15, 0, 0, 0, 0, time.UTC), Sex: "F", Surname: "ERIKSSON", GivenNames: "ANNA MARIA"}), "\n") != strings.Join(want, "\n") {
		t.Errorf("ComposeTD1 does not reproduce the ICAO specimen")
	}
	zs := Find(strings.Join(lines, "\n"), now)
	if len(zs) != 1 || !zs[0].Valid() || zs[0].PersonalNumber != "13112198800077" || zs[0].Sex != "F" {
		t.Fatalf("round trip: %+v", zs)
	}
	tl := ComposeTD3(Holder{DocumentCode: "P", Issuer: "UTO", DocumentNumber: "L898902C3", Nationality: "UTO",
		BirthDate: time.Date(1974, 8, 12, 0, 0, 0, 0, time.UTC), ExpiryDate: time.Date(2012, 4, 15, 0, 0, 0, 0, time.UTC),
		Sex: "F", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", Optional1: "ZE184226B"})
	if strings.Join(tl, "\n") != specTD3 {
		t.Errorf("ComposeTD3 = %q; want the ICAO specimen", tl)
	}
}

func TestParsePIN(t *testing.T) {
	for _, c := range []struct {
		in    string
		ok    bool
		sex   string
		birth string
	}{
		{"21503199000123", true, "M", "1990-03-15"},
		{"10101200000001", true, "F", "2000-01-01"},
		{"33112199000123", false, "", ""},  // sex digit 3
		{"13102200000123", false, "", ""},  // 31 February
		{"13112189900123", false, "", ""},  // year 1899
		{"10101203000001", false, "", ""},  // future
		{"2150319900012", false, "", ""},   // 13 digits
		{"215031990001234", false, "", ""}, // 15 digits
	} {
		p, ok := ParsePIN(c.in, now)
		if ok != c.ok || (ok && (p.Sex != c.sex || p.BirthDate.Format("2006-01-02") != c.birth)) {
			t.Errorf("ParsePIN(%q) = %+v,%v; want ok %v sex %s birth %s", c.in, p, ok, c.ok, c.sex, c.birth)
		}
	}
}

func TestFindPINs(t *testing.T) {
	text := "КЫРГЫЗ РЕСПУБЛИКАСЫ\nЖеке номери / ПИН\n2 15031990 00123\nЧек 215031990001234 сумма\nтел 10101200000001"
	ps := FindPINs(text, now)
	if len(ps) != 2 {
		t.Fatalf("FindPINs = %+v; want 2", ps)
	}
	if ps[0].Number != "21503199000123" || !ps[0].Labelled || ps[0].Line != 2 {
		t.Errorf("first PIN = %+v", ps[0])
	}
	if ps[1].Number != "10101200000001" || ps[1].Labelled {
		t.Errorf("second PIN = %+v", ps[1])
	}
}

func FuzzFind(f *testing.F) {
	f.Add(specTD3)
	f.Add(specTD1)
	f.Add("2 15031990 00123\n«««««")
	f.Fuzz(func(t *testing.T, s string) {
		for _, z := range Find(s, now) {
			if z.Valid() && !z.Checks.Document {
				t.Fatalf("valid zone without document check: %+v", z)
			}
			for _, l := range z.Lines {
				if z.Format == TD1 && len(l) != td1Len || z.Format == TD3 && len(l) != td3Len {
					t.Fatalf("line %q of a %s zone has length %d", l, z.Format, len(l))
				}
			}
		}
		for _, p := range FindPINs(s, now) {
			if _, ok := ParsePIN(p.Number, now); !ok {
				t.Fatalf("FindPINs returned invalid %q", p.Number)
			}
		}
	})
}

func TestConfirmNames(t *testing.T) {
	for _, c := range []struct {
		name, surname, given, front string
		wantSurname, wantGiven      string
		repairs                     int
	}{
		{"one misread letter, Cyrillic front", "OSMONOVA", "BERMEI", "Фамилиясы\nОсмонова\nАты\nБермет", "OSMONOVA", "BERMET", 1},
		{"Latin front", "TOKTOSUNOV", "AIBFK", "Surname\nTOKTOSUNOV\nGiven names\nAIBEK", "TOKTOSUNOV", "AIBEK", 1},
		{"read right: unchanged", "KADYROVA", "ASEL", "Кадырова Асель", "KADYROVA", "ASEL", 0},
		{"two candidates: unchanged", "SAIDOV", "NODIRA", "Saidov NADIRA NODIRO", "SAIDOV", "NODIRA", 0},
		{"nothing printed: unchanged", "SAIDOV", "NODIRA", "12345", "SAIDOV", "NODIRA", 0},
		{"two letters apart: unchanged", "ASANOV", "NURLAN", "Асанов Нуржан", "ASANOV", "NURLAN", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			z := Zone{Surname: c.surname, GivenNames: c.given}
			n := ConfirmNames(&z, c.front)
			if z.Surname != c.wantSurname || z.GivenNames != c.wantGiven || n != c.repairs {
				t.Errorf("got %s / %s (%d repairs), want %s / %s (%d)", z.Surname, z.GivenNames, n, c.wantSurname, c.wantGiven, c.repairs)
			}
		})
	}
}

// TestNumberConfirmed: a document number tells two documents apart only when read as is,
// with its own and the composite check digit agreeing, and shaped as issued numbers are.
func TestNumberConfirmed(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	h := Holder{DocumentCode: "P", Issuer: "UZB", DocumentNumber: "FA3506083", Nationality: "UZB", Sex: "F",
		BirthDate: time.Date(2003, 8, 31, 0, 0, 0, 0, time.UTC), ExpiryDate: time.Date(2032, 11, 1, 0, 0, 0, 0, time.UTC),
		Surname: "QODIROVA", GivenNames: "DILSHOD"}
	zone := ComposeTD3(h)
	for _, c := range []struct {
		name, number string
		want         bool
	}{
		{"as issued", "FA3506083", true},
		{"repaired (O for 0, the swap back agrees)", "FA35O6083", false},
		{"two confusions cancel in the check digit", "FA35O6O83", false},
	} {
		zs := Find(zone[0]+"\n"+strings.Replace(zone[1], "FA3506083", c.number, 1), now)
		if len(zs) != 1 {
			t.Fatalf("%s: %d zones", c.name, len(zs))
		}
		if got := zs[0].NumberConfirmed(); got != c.want {
			t.Errorf("%s: NumberConfirmed %v, want %v (%+v)", c.name, got, c.want, zs[0])
		}
	}
	// A broken birth date fails the composite: the number is not confirmed.
	broken := []byte(zone[1])
	broken[14] = '9'
	if zs := Find(zone[0]+"\n"+string(broken), now); len(zs) != 1 || zs[0].NumberConfirmed() {
		t.Errorf("number confirmed with the composite failing: %+v", zs)
	}
}
