package exposure

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Every person, number and address below is invented.

var testNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func TestChecksums(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) bool
		in   string
		want bool
	}{
		{"INN12 worked example", ValidRUINN12, "123456789047", true},
		{"INN12 one digit off", ValidRUINN12, "123456789048", false},
		{"INN12 wrong length", ValidRUINN12, "12345678904", false},
		{"INN10 worked example", ValidRUINN10, "1234567894", true},
		{"INN10 one digit off", ValidRUINN10, "1234567895", false},
		{"SNILS worked example", ValidSNILS, "11223344595", true},
		{"SNILS one digit off", ValidSNILS, "11223344596", false},
		{"SNILS below checked range", ValidSNILS, "00100199800", false},
		{"IIN worked example", ValidKZIIN, "900101300017", true},
		{"IIN one digit off", ValidKZIIN, "900101300018", false},
		{"IIN bad month", ValidKZIIN, "901301300017", false},
		{"IIN century digit 0", ValidKZIIN, "900101000017", false},
		{"letters", ValidRUINN12, "12345678904a", false},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("%s: %s(%q) = %v, want %v", tt.name, "valid", tt.in, got, tt.want)
		}
	}
	// An IIN whose first pass gives 10 and second pass gives 10 is never issued.
	found := false
	for n := 0; n < 200000 && !found; n++ {
		s := "8001013" + strings.Repeat("0", 4-len(itoa(n%10000))) + itoa(n%10000)
		w1, w2 := 0, 0
		for i := 0; i < 11; i++ {
			w1 += int(s[i]-'0') * (i + 1)
			w2 += int(s[i]-'0') * []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2}[i]
		}
		if w1%11 == 10 && w2%11 == 10 {
			found = true
			for d := 0; d <= 9; d++ {
				if ValidKZIIN(s + itoa(d)) {
					t.Errorf("IIN %s%d with both passes 10 accepted", s, d)
				}
			}
		}
	}
	if !found {
		t.Error("no both-passes-10 IIN prefix found to test")
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestValidKGPIN(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"21503199000123", true},  // male, 15.03.1990
		{"12902200000123", true},  // female, 29.02.2000 (leap year)
		{"33112199000123", false}, // sex digit 3
		{"23102200000123", false}, // 31 February
		{"22902200100123", false}, // 29.02.2001 not a leap year
		{"20101203000123", false}, // 2030: in the future
		{"20101189900123", false}, // 1899
		{"2150319900012", false},  // 13 digits
		{"215031990001234", false},
	}
	for _, tt := range tests {
		if got := ValidKGPIN(tt.in, testNow); got != tt.want {
			t.Errorf("ValidKGPIN(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMRZCheckDigit(t *testing.T) {
	if d, ok := MRZCheckDigit("L898902C3"); !ok || d != 6 {
		t.Errorf("MRZ check digit of the ICAO specimen = %d, %v; want 6", d, ok)
	}
	if _, ok := MRZCheckDigit("L8989-02"); ok {
		t.Error("invalid MRZ character accepted")
	}
}

// found returns the entity texts of one type.
func found(t *testing.T, text string, typ EntityType) []string {
	t.Helper()
	a := NewAnalyzer(func() time.Time { return testNow })
	res, err := a.Analyze(text, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range res.Entities {
		if e.Type == typ {
			out = append(out, text[e.Start:e.End])
		}
	}
	return out
}

func TestRecognisers(t *testing.T) {
	tests := []struct {
		name string
		typ  EntityType
		text string
		want []string // nil: nothing of typ
	}{
		// phones
		{"phone intl", TypePhone, "тел. +996 555 123 456", []string{"+996 555 123 456"}},
		{"phone trunk dashes", TypePhone, "звоните 0555-12-34-56", []string{"0555-12-34-56"}},
		{"phone brackets", TypePhone, "номер (0555) 12 34 56", []string{"(0555) 12 34 56"}},
		{"phone 00 prefix", TypePhone, "00996555123456", []string{"00996555123456"}},
		{"phone bare NSN with context", TypePhone, "номер 555 123 456", []string{"555 123 456"}},
		{"phone bare NSN no context", TypePhone, "в зале 555 123 456 мест", nil},
		{"phone KZ trunk 8", TypePhone, "8 701 234 56 78", []string{"8 701 234 56 78"}},
		{"phone RU +7", TypePhone, "+7 912 345-67-89", []string{"+7 912 345-67-89"}},
		{"phone invalid prefix", TypePhone, "+996 111 123 456", nil},
		{"phone price look-alike", TypePhone, "цена 0555 123 456 сом", nil},
		{"phone two side by side", TypePhone, "0555 123 456 0700 111 222", []string{"0555 123 456", "0700 111 222"}},
		{"phone zero-width", TypePhone, "0555\u200b123\u200b456", []string{"0555\u200b123\u200b456"}},
		// national ids
		{"KG PIN", TypeNationalID, "ПИН 21503199000123", []string{"21503199000123"}},
		{"KG PIN spaced", TypeNationalID, "ПИН 2 1503 1990 00123", []string{"2 1503 1990 00123"}},
		{"KG PIN bad date", TypeNationalID, "ПИН 23102199000123", nil},
		{"KG PIN bad sex digit", TypeNationalID, "33112199000123", nil},
		{"14 digits order", TypeNationalID, "заказ 21503199000123", nil},
		{"PIN inside longer run", TypeNationalID, "2150319900012345", nil},
		{"KZ IIN", TypeNationalID, "ИИН 900101300017", []string{"900101300017"}},
		{"KZ IIN bad check", TypeNationalID, "ИИН 900101300018", nil},
		{"RU INN", TypeNationalID, "ИНН 123456789047", []string{"123456789047"}},
		{"RU INN no context", TypeNationalID, "код 123456789047", nil},
		{"RU company INN is not personal", TypeNationalID, "ИНН 1234567894", nil},
		{"SNILS", TypeNationalID, "СНИЛС 112-233-445 95", []string{"112-233-445 95"}},
		{"SNILS bad check", TypeNationalID, "СНИЛС 112-233-445 96", nil},
		// passports
		{"KG ID card", TypePassport, "паспорт ID1234567", []string{"ID1234567"}},
		{"KG ID card spaced", TypePassport, "ID-карта ID 1234567", []string{"ID 1234567"}},
		{"KG passport Cyrillic А", TypePassport, "паспорт АN 1234567", []string{"АN 1234567"}},
		{"ID without context", TypePassport, "order ID 1234567", nil},
		{"RU passport", TypePassport, "паспорт серия 45 12 345678", []string{"45 12 345678"}},
		{"RU passport no context", TypePassport, "артикул 45 12 345678", nil},
		// birth dates
		{"dob numeric", TypeBirthDate, "12.03.1995 г.р.", []string{"12.03.1995"}},
		{"dob text", TypeBirthDate, "родился 12 марта 1995", []string{"12 марта 1995"}},
		{"dob kyrgyz year", TypeBirthDate, "1995-жылы туулган", []string{"1995"}},
		{"dob iso", TypeBirthDate, "дата рождения: 1995-03-12", []string{"1995-03-12"}},
		{"dob english", TypeBirthDate, "born March 12, 1995", []string{"March 12, 1995"}},
		{"news date", TypeBirthDate, "12.03.2024 прошел митинг", nil},
		{"invalid date", TypeBirthDate, "родился 31.02.1995", nil},
		{"year only no context", TypeBirthDate, "в 1995 году", nil},
		// addresses
		{"street ru", TypeAddress, "живет: ул. Манас 12, кв. 5", []string{"ул. Манас 12, кв. 5"}},
		{"microdistrict", TypeAddress, "мкр Джал 23, дом 5, кв 12", []string{"мкр Джал 23, дом 5, кв 12"}},
		{"number before мкр", TypeAddress, "живет в 7 мкр, д. 14, кв. 88", []string{"7 мкр, д. 14, кв. 88"}},
		{"street ky", TypeAddress, "Манас көчөсү 12 жашайт", []string{"Манас көчөсү 12"}},
		{"street en", TypeAddress, "lives at 14 Chui Street, apt 7", []string{"14 Chui Street, apt 7"}},
		{"street without number", TypeAddress, "живет на улице Манас", nil},
		{"number-first street after 'address'", TypeAddress, "address: 14 Chui Street — everyone welcome.", []string{"14 Chui Street"}},
		// plates
		{"plate current", TypeVehiclePlate, "машина 01 123 ABC", []string{"01 123 ABC"}},
		{"plate KG glued", TypeVehiclePlate, "госномер 01KG123ABC", []string{"01KG123ABC"}},
		{"plate Cyrillic letters", TypeVehiclePlate, "авто 08 345 КТХ", []string{"08 345 КТХ"}},
		{"plate old", TypeVehiclePlate, "машина B 1234 AB", []string{"B 1234 AB"}},
		{"plate no vehicle word", TypeVehiclePlate, "код 01 123 ABC", nil},
		// e-mails, handles, links
		{"email", TypeEmail, "почта aibek.t@example.org.", []string{"aibek.t@example.org"}},
		{"not email", TypeEmail, "встреча @ 18:00", nil},
		{"handle", TypeSocialHandle, "пишите @aibek_t", []string{"@aibek_t"}},
		{"handle too short", TypeSocialHandle, "@ab", nil},
		{"link", TypeSocialHandle, "https://t.me/aibek_t", []string{"https://t.me/aibek_t"}},
		{"link instagram", TypeSocialHandle, "instagram.com/aibek.t/", []string{"instagram.com/aibek.t"}},
		{"other host", TypeSocialHandle, "fox.com/news", nil},
		// SOGI words
		{"sogi ru", TypeSOGI, "он гей", []string{"гей"}},
		{"sogi slur", TypeSOGI, "этот пидор", []string{"пидор"}},
		{"sogi ky first person", TypeSOGI, "мен геймин", []string{"геймин"}},
		{"sogi en", TypeSOGI, "she is a lesbian", []string{"lesbian"}},
		{"not sogi: game", TypeSOGI, "новая игра гейм", nil},
		{"not sogi: geyser", TypeSOGI, "гейзер", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := found(t, tt.text, tt.typ)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("%s in %q = %q, want %q", tt.typ, tt.text, got, tt.want)
			}
		})
	}
}

func TestPersons(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Вчера Айбек Токтосунов пришел", []string{"Айбек Токтосунов"}},
		{"видели Айбека Токтосунова", []string{"Айбека Токтосунова"}},
		{"это Токтосунов А. из Оша", []string{"Токтосунов А."}},
		{"Токтосун уулу Айбек келди", []string{"Токтосун уулу Айбек"}},
		{"Гульнара Касюмова кызы", []string{"Гульнара Касюмова"}},
		{"Aibek Toktosunov was there", []string{"Aibek Toktosunov"}},
		{"Депутат Асанов заявил", []string{"Асанов"}},
		{"квартира в Нарыне", nil},
		{"Жогорку Кеңештин депутаты", nil},
		{"живет на ул. Ахунбаева 12", nil},
	}
	for _, tt := range tests {
		got := found(t, tt.text, TypePerson)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("persons in %q = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestVerdicts(t *testing.T) {
	tests := []struct {
		name            string
		text, author    string
		exposed, outing bool
		severity        Severity
	}{
		{"full doxx", "Айбек Токтосунов, 12.03.1995 г.р., тел. +996 555 123 456", "", true, false, SeverityHigh},
		{"one identifier", "Номер Айбека Токтосунова: 0555 123 456", "", true, false, SeverityMedium},
		{"handle only", "Айбек Токтосунов: @aibek_t", "", true, false, SeverityLow},
		{"outing with phone", "Айбек Токтосунов — гей, звоните 0555 123 456", "", true, true, SeverityCritical},
		{"outing name only", "Все знают, что Айбек Токтосунов гей.", "", true, true, SeverityHigh},
		{"outing by pronoun", "Это Айбек Токтосунов. Он гей.", "", true, true, SeverityHigh},
		{"outing unnamed with phone", "Вот номер этого гея: 0700 111 222", "", true, true, SeverityCritical},
		{"PIN alone", "ПИН 21503199000123 слили", "", true, false, SeverityHigh},
		{"self phone", "Меня зовут Айбек Токтосунов, мой номер 0555 123 456", "", false, false, SeverityNone},
		{"self by author", "Айбек Токтосунов, 0555 123 456, пишите", "Aibek Toktosunov", false, false, SeverityNone},
		{"self sogi", "Я гей и горжусь этим", "", false, false, SeverityNone},
		{"self sogi ky", "Мен геймин", "", false, false, SeverityNone},
		{"hotline", "Горячая линия: 0800 123 456", "", false, false, SeverityNone},
		{"official email", "Пресс-служба: press@mvd.example.kg", "", false, false, SeverityNone},
		{"public official", "Депутат Асанов заявил, что ЛГБТ-пропаганда опасна.", "", false, false, SeverityNone},
		{"generic rights", "Айбек Токтосунов выступил за права ЛГБТ.", "", false, false, SeverityNone},
		{"ad without person", "Такси, звоните 0555 123 456", "", false, false, SeverityNone},
		{"ad with 'вот'", "Такси по городу, вот номер 0555 123 456", "", false, false, SeverityNone},
		{"pointed at", "Вот её номер: 0555 123 456", "", true, false, SeverityMedium},
		{"price", "Цена 1 200 000 сом", "", false, false, SeverityNone},
	}
	a := NewAnalyzer(func() time.Time { return testNow })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := a.Analyze(tt.text, tt.author, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Exposed != tt.exposed || res.Outing != tt.outing || res.Severity != tt.severity {
				t.Errorf("%q: exposed=%v outing=%v severity=%s, want %v %v %s (trace %v)", tt.text,
					res.Exposed, res.Outing, res.Severity, tt.exposed, tt.outing, tt.severity, res.Trace)
			}
		})
	}
}

func TestAnalyzeRejectsBadInput(t *testing.T) {
	a := NewAnalyzer(nil)
	if _, err := a.Analyze("abc\xff", "", nil); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
	if _, err := a.Analyze(strings.Repeat("a", MaxTextBytes+1), "", nil); err == nil {
		t.Error("oversized text accepted")
	}
	// Big but legal input is analysed without trouble.
	big := strings.Repeat("Айбек Токтосунов 0555 123 456. ", 2000)
	res, err := a.Analyze(big, "", nil)
	if err != nil || !res.Exposed {
		t.Errorf("big input: exposed=%v err=%v", res != nil && res.Exposed, err)
	}
}

func TestEntitiesAreOnRuneBoundaries(t *testing.T) {
	a := NewAnalyzer(func() time.Time { return testNow })
	text := "Айбек\u200bТоктосунов — гей!! тел:+996 555 123 456; ул. Манас 12, кв. 5 «@aibek_t»"
	res, err := a.Analyze(text, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Entities {
		if e.Start < 0 || e.End > len(text) || e.Start >= e.End || !utf8.ValidString(text[e.Start:e.End]) {
			t.Errorf("entity %+v is not a valid span", e)
		}
	}
}

// TestPathologicalInputsTerminate guards against quadratic or looping scans: dense
// repetitions of every recogniser's trigger, 64 KiB each, must finish (a hang here was
// a real bug: the address scan stepped backwards).
func TestPathologicalInputsTerminate(t *testing.T) {
	a := NewAnalyzer(func() time.Time { return testNow })
	for _, unit := range []string{
		"Айбек Токтосунов 0555 123 456 ул. Манас 1, кв. 2 гей, ", "1 ", "a@b.cd ", "t.me/x ", "12.03.1995 ",
		"Айбек Токтосунов, ", "address: 14 Chui Street — ", "@aaa ", "Токтосун уулу ", "((((", "ПИН 21503199000123 ",
	} {
		text := strings.Repeat(unit, (64<<10)/len(unit))
		start := time.Now()
		if _, err := a.Analyze(text, "Айбек Токтосунов", nil); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%q repeated: %v", unit, d)
		}
	}
}
