package exposure

import (
	"regexp"
	"testing"
	"unicode/utf8"
)

// TestRedactReport: the report rule masks names, numbers, e-mails, links and handles
// in a text without entity spans.
func TestRedactReport(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Айбек Токтосунов — гей.", "[name] — гей."},
		{"Оппозиция за ЛГБТ, Айбек Токтосунов ведёт митинг.", "Оппозиция за ЛГБТ, [name] ведёт митинг."},
		{"как учит Токтосунов.", "как учит [name]."},
		{"звоните +996 700 000 001 или +996700000001", "звоните [number] или [number]"},
		{"ПИН 21234199000012, паспорт AN1234567", "ПИН [number], паспорт AN[number]"},
		{"born 12.05.1990 in 2026", "born [number] in 2026"},
		{"write to jane.doe@example.org now", "write to [email] now"},
		{"see https://t.me/somechannel/123?x=1 and @troll_account", "see [link] and [account]"},
		{"The NGO and LGBT groups", "The NGO and LGBT groups"},
		{"Ban propaganda. Protect children!", "Ban propaganda. Protect children!"},
		{"Jane Roe is a lesbian, says John", "[name] is a lesbian, says [name]"},
		{"", ""},
		{"Токтосунов — извращенец.", "[name] — извращенец."},
		{"Айбек живёт тут. Пропаганда опасна.", "[name] живёт тут. Пропаганда опасна."},
		{"Бишкек сегодня. Потом Бишкек снова.", "[name] сегодня. [name] снова."}, // over-masks on purpose
		{"bad \xff utf8 Иван", "bad \uFFFD utf8 [name]"},
	} {
		if got, _ := Redact(tc.in, nil, AudienceReport); got != tc.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func FuzzRedactReport(f *testing.F) {
	for _, s := range []string{"Айбек Токтосунов +996 700 000 001", "[name] [", "a@b.cd", "x\xff\xfe", "https://", "@@@@", "Ы-Ы'Ы"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Redact(s, nil, AudienceReport)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		if regexp.MustCompile(`\d{5}`).MatchString(out) {
			t.Fatalf("Redact(%q) = %q keeps a run of 5 digits", s, out)
		}
	})
}
