package narrative

import (
	"math"
	"testing"
)

// TestFitPlattRecoversScale fits the calibration on synthetic scores whose true
// probability is sigmoid(2z - 1) and whose posts without a target are less likely
// (sigmoid(2z - 1 - 1.5)).
func TestFitPlattRecoversScale(t *testing.T) {
	var ss []scored
	exs := make([]Example, 0, 40000)
	s := uint64(1)
	next := func() float64 { // xorshift in [0,1)
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		return float64(s%1_000_000) / 1_000_000
	}
	for i := 0; i < 40000; i++ {
		z := next()*8 - 4
		target := i%2 == 0
		x := 2*z - 1
		if !target {
			x -= 1.5
		}
		exs = append(exs, Example{ID: "s", Dataset: "synthetic", Homophobic: next() < sigmoid(x)})
		ss = append(ss, scored{z: z, target: target})
	}
	for i := range ss {
		ss[i].ex = &exs[i]
	}
	w := fitPlatt(ss, true)
	if math.Abs(w[0]-2) > 0.15 || math.Abs(w[1]+1) > 0.15 || math.Abs(w[2]+1.5) > 0.2 {
		t.Errorf("calibration %v, want about [2 -1 -1.5 0 0]", w)
	}
	plain := fitPlatt(ss, false)
	if plain[2] != 0 || plain[3] != 0 {
		t.Errorf("plain Platt scaling used the extra terms: %v", plain)
	}
}

// TestCapScore pins the combination modes: a guard caps the model so that a guarded
// post flags only when the guarded rule layer alone would; the gate also caps posts
// without a target; union adds unguarded rule flags on a frame cue.
func TestCapScore(t *testing.T) {
	const thr = 0.4
	tests := []struct {
		name                 string
		mode                 string
		p, rule              float64
		target, guarded, cue bool
		flagged              bool
	}{
		{"guard-cap: guard and weak rules", CombineGuardCap, 0.9, 0.3, true, true, true, false},
		{"guard-cap: guard and strong rules", CombineGuardCap, 0.9, 0.8, true, true, true, true},
		{"guard-cap: no target, model sure", CombineGuardCap, 0.7, 0, false, false, false, true},
		{"gate: no target, model sure", CombineGate, 0.7, 0, false, false, false, false},
		{"union: rules flag, model unsure", CombineUnion, 0.1, 0.8, true, false, true, true},
		{"union: slur only is not a rule flag", CombineUnion, 0.1, 0.9, true, false, false, false},
		{"model: guard ignored", CombineModel, 0.9, 0.1, true, true, true, true},
		// topic-cap: the caller passes target || topicSignal(text).
		{"topic-cap: no target, no topic, model sure", CombineTopicCap, 0.7, 0, false, false, false, false},
		{"topic-cap: a topic signal, model sure", CombineTopicCap, 0.7, 0, true, false, false, true},
		{"topic-cap: guard and weak rules", CombineTopicCap, 0.9, 0.3, true, true, true, false},
	}
	for _, tc := range tests {
		got := capScore(tc.mode, tc.p, tc.rule, tc.target, tc.guarded, tc.cue, thr) >= thr
		if got != tc.flagged {
			t.Errorf("%s: flagged %v, want %v", tc.name, got, tc.flagged)
		}
	}
}

// TestTopicSignal: topic phrases and the rainbow and transgender flag emoji speak of
// LGBT topics; a hostile post about anyone else does not.
func TestTopicSignal(t *testing.T) {
	for text, want := range map[string]bool{
		"Отправить всех 🌈 на лесоповал":       true,
		"Таких надо гнать из страны":          false,
		"Опять прайд в ленте, тошнит":         true,
		"They should ban the pride parade":    true,
		"Мигрантов надо гнать из страны":      false,
		"🏳️‍⚧️ флаг на школе? позор":          true,
		"Kamalak bayrog'ini olib tashlanglar": true,
	} {
		if got := topicSignal(text); got != want {
			t.Errorf("topicSignal(%q) = %v, want %v", text, got, want)
		}
	}
}
