package auth

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fast keeps tests quick; the parameters are read back from the hash anyway.
var fast = Params{Time: 1, MemKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse battery", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("unexpected PHC string %q", h)
	}
	if err := Verify("correct horse battery", h); err != nil {
		t.Fatalf("right password rejected: %v", err)
	}
	if err := Verify("correct horse batterY", h); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: %v", err)
	}
	h2, _ := Hash("correct horse battery", fast)
	if h == h2 {
		t.Fatal("two hashes of one password share a salt")
	}
}

func TestDefaultParamsRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("slow hash")
	}
	h, err := Hash("Бишкек-пароль-2026", DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	p, _, _, err := ParseHash(h)
	if err != nil || p.MemKiB != DefaultParams.MemKiB || p.Time != DefaultParams.Time {
		t.Fatalf("parse %q: %+v %v", h, p, err)
	}
	if err := Verify("Бишкек-пароль-2026", h); err != nil {
		t.Fatal(err)
	}
}

func TestParseHashRejects(t *testing.T) {
	good, _ := Hash("x", fast)
	parts := strings.Split(good, "$")
	for _, tc := range []struct{ name, hash string }{
		{"empty", ""},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuv"},
		{"version", strings.Replace(good, "v=19", "v=16", 1)},
		{"huge memory", "$argon2id$v=19$m=99999999,t=1,p=1$" + parts[4] + "$" + parts[5]},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + parts[4] + "$" + parts[5]},
		{"bad salt", "$argon2id$v=19$m=64,t=1,p=1$!!!$" + parts[5]},
		{"short key", "$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$AAAA"},
		{"unknown param", "$argon2id$v=19$m=64,t=1,p=1,x=2$" + parts[4] + "$" + parts[5]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := Verify("x", tc.hash); !errors.Is(err, ErrBadHash) {
				t.Fatalf("Verify(%q) = %v, want ErrBadHash", tc.hash, err)
			}
		})
	}
}

func TestCheckPolicy(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"short", false},
		{"twelve chars", true},
		{"пароль-длинный", true},
		{string([]byte{0xff, 0xfe}) + "aaaaaaaaaaaaa", false},
		{strings.Repeat("a", MaxPasswordLen+1), false},
	} {
		if err := CheckPolicy(tc.pw); (err == nil) != tc.ok {
			t.Errorf("CheckPolicy(%.20q) = %v, want ok=%v", tc.pw, err, tc.ok)
		}
	}
}

func TestTokens(t *testing.T) {
	a, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewToken()
	if a == b || len(a) != 43 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if TokenHash(a) == a || len(TokenHash(a)) != 64 {
		t.Fatal("token hash")
	}
	if CSRFToken(a) == CSRFToken(b) || CSRFToken(a) != CSRFToken(a) {
		t.Fatal("csrf tokens must be per session and stable")
	}
	if !Equal(CSRFToken(a), CSRFToken(a)) || Equal("", "") || Equal(CSRFToken(a), CSRFToken(b)) {
		t.Fatal("Equal")
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, time.Minute)
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := range 3 {
		if ok, _ := l.Allow("1.2.3.4|ana", t0); !ok {
			t.Fatalf("attempt %d refused", i)
		}
		l.Fail("1.2.3.4|ana", t0.Add(time.Duration(i)*time.Second))
	}
	ok, wait := l.Allow("1.2.3.4|ana", t0.Add(3*time.Second))
	if ok || wait != 57*time.Second {
		t.Fatalf("4th attempt: ok=%v wait=%s", ok, wait)
	}
	if ok, _ := l.Allow("1.2.3.4|bek", t0); !ok {
		t.Fatal("other user locked out")
	}
	if ok, _ := l.Allow("1.2.3.4|ana", t0.Add(61*time.Second)); !ok {
		t.Fatal("not unlocked after the window")
	}
	l.Reset("1.2.3.4|ana")
	if len(l.hits) != 0 {
		t.Fatalf("reset left %v", l.hits)
	}
}

func TestLimiterBounded(t *testing.T) {
	l := NewLimiter(3, time.Minute)
	l.MaxKeys = 100
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := range 1000 {
		l.Fail(strings.Repeat("k", i%50)+string(rune('a'+i%26))+time.Duration(i).String(), t0.Add(time.Duration(i)*time.Millisecond))
	}
	if len(l.hits) > 100 {
		t.Fatalf("%d keys tracked, cap 100", len(l.hits))
	}
}

func FuzzParseHash(f *testing.F) {
	good, _ := Hash("seed", fast)
	for _, s := range []string{good, "", "$argon2id$", "$argon2id$v=19$m=1,t=1,p=0$AAAA$AAAA", "$$$$$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := ParseHash(s)
		if err != nil {
			return
		}
		if p.MemKiB > maxMemKiB || p.Time > maxTime || len(salt) == 0 || len(key) == 0 {
			t.Fatalf("accepted out-of-range hash %q: %+v", s, p)
		}
	})
}

// TestLimiterTakeCountsBeforeTheCheck: Take records the attempt as it allows it, so that
// concurrent attempts cannot all pass before the first failure is recorded; Untake gives
// one back.
func TestLimiterTakeCountsBeforeTheCheck(t *testing.T) {
	l := NewLimiter(3, time.Minute)
	t0 := time.Unix(1_700_000_000, 0)
	var wg sync.WaitGroup
	var allowed atomic.Int32
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := l.Take("ip|ana", t0); ok {
				allowed.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := allowed.Load(); n != 3 {
		t.Fatalf("%d of 100 concurrent attempts allowed, want 3", n)
	}
	l.Untake("ip|ana", t0)
	if ok, _ := l.Take("ip|ana", t0.Add(time.Second)); !ok {
		t.Fatal("an attempt given back with Untake is still counted")
	}
	if ok, wait := l.Take("ip|ana", t0.Add(2*time.Second)); ok || wait != 58*time.Second {
		t.Fatalf("fourth attempt: ok=%v wait=%s", ok, wait)
	}
}
