package lang

import "testing"

func TestDetect(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"russian", "Запретить пропаганду среди молодёжи, это нужно сделать сейчас", Russian},
		{"kyrgyz letters", "Биздин салтыбызга туура келбеген нерселер көп", Kyrgyz},
		{"kyrgyz words only", "Бул жана башка маселелер боюнча жаштар менен сүйлөштүк", Kyrgyz},
		{"kyrgyz without special letters", "бул жана ал эмес деп биз", Kyrgyz},
		{"english", "The community centre will be open for all people this week", English},
		{"uzbek latin", "Bu yoshlar uchun juda muhim va kerak", Uzbek},
		{"uzbek apostrophe", "Oʻzbekiston boʻylab", Uzbek},
		{"uzbek cyrillic", "Бу ўзбек тилида ёзилган ҳикоя", Uzbek},
		{"kazakh", "Бұл қазақ тілінде және әдемі", Kazakh},
		{"too short", "ok", Unknown},
		{"digits only", "+996 700 000 000", Unknown},
		{"empty", "", Unknown},
		{"invalid utf8", "\xff\xfe\xfd", Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect(tt.text); got != tt.want {
				t.Errorf("Detect(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{"Привет мир", "Салам, кандайсың? Жакшы", "hello world", "\xff", "Oʻzbek"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		switch Detect(s) {
		case Russian, Kyrgyz, English, Uzbek, Kazakh, Unknown:
		default:
			t.Fatalf("unexpected code for %q", s)
		}
	})
}

func BenchmarkDetect(b *testing.B) {
	text := "Биздин салтыбызга туура келбеген нерселер көп, жаштарды коргоо керек"
	for b.Loop() {
		Detect(text)
	}
}
