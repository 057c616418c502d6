package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/web/auth"
)

// heapPeak samples the live heap until stop is called and returns the peak growth over
// the heap at the start.
func heapPeak(t *testing.T) (stop func() uint64) {
	t.Helper()
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		if p := peak.Load(); p > base {
			return p - base
		}
		return 0
	}
}

// loginFloodServer is a Server on a fresh database with one account hashed at the
// production argon2id cost (19 MiB per check), whose password checks are counted.
func loginFloodServer(t *testing.T, slots int) (s *Server, calls, peakConc *atomic.Int64) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration: needs ClickHouse")
	}
	conn, _ := testenv.ClickHouse(t)
	cfg, err := LoadConfig(nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg.LoginConcurrentHashes = slots
	s, err = New(Options{DB: &DB{Conn: conn}, Log: testenv.Logger(t), Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(context.Background(), User{Name: "victim", Role: RoleAnalyst}, "the-right-password-1"); err != nil {
		t.Fatal(err)
	}
	calls, peakConc = new(atomic.Int64), new(atomic.Int64)
	var running atomic.Int64
	s.verify = func(pw, hash string) error {
		calls.Add(1)
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peakConc.Load()
			if n <= p || peakConc.CompareAndSwap(p, n) {
				break
			}
		}
		return auth.Verify(pw, hash)
	}
	return s, calls, peakConc
}

// floodSlots is login_concurrent_hashes in the flood tests.
const floodSlots = 2

// heapBound is the most the heap may grow during a flood: the slots' argon2id memory
// (19 MiB each) plus one more check finishing, doubled for garbage the collector has
// not reclaimed yet (GOGC=100), and 32 MiB for the database client and goroutines.
// Without the bounds, 200 concurrent checks would allocate 200 × 19 MiB = 3.7 GiB.
const heapBound = 2*(floodSlots+1)*19<<20 + 32<<20

func statusOf(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.code
	}
	if err == nil {
		return http.StatusOK
	}
	return -1
}

// TestIntegrationLoginFloodOneUser sends 200 concurrent wrong passwords for one account
// from one address (issue 19, item 3). Attempts are counted before the password check,
// so at most login_max_failures of them reach argon2id and the rest are answered 429;
// the heap stays far below the 200 × 19 MiB the flood would otherwise allocate.
func TestIntegrationLoginFloodOneUser(t *testing.T) {
	s, calls, peakConc := loginFloodServer(t, floodSlots)
	stop := heapPeak(t)
	codes := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := s.login(context.Background(), "victim", fmt.Sprintf("wrong-password-%03d", i), "203.0.113.9")
			mu.Lock()
			codes[statusOf(err)]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	peak := stop()
	t.Logf("answers %v, password checks %d (at most %d at once), peak heap growth %.1f MiB", codes, calls.Load(),
		peakConc.Load(), float64(peak)/(1<<20))
	if n := calls.Load(); n > int64(s.cfg.LoginMaxFailures) {
		t.Errorf("%d password checks for one user, want at most login_max_failures = %d", n, s.cfg.LoginMaxFailures)
	}
	if codes[http.StatusUnauthorized] > s.cfg.LoginMaxFailures || codes[http.StatusTooManyRequests] < 200-s.cfg.LoginMaxFailures {
		t.Errorf("answers %v: want at most %d × 401 and the rest 429", codes, s.cfg.LoginMaxFailures)
	}
	if codes[http.StatusOK] != 0 {
		t.Errorf("a wrong password logged in: %v", codes)
	}
	if peak > heapBound {
		t.Errorf("peak heap growth %.1f MiB, want under %d MiB", float64(peak)/(1<<20), heapBound>>20)
	}
	// A check turned away with 503 (every slot busy) is not counted as a failure, so the
	// flood may leave the pair just short of the limit: make up the difference with
	// sequential wrong passwords, each of which must still be checked and refused.
	for failed := codes[http.StatusUnauthorized]; failed < s.cfg.LoginMaxFailures; failed++ {
		if _, _, err := s.login(context.Background(), "victim", "wrong-password-top-up", "203.0.113.9"); statusOf(err) != http.StatusUnauthorized {
			t.Fatalf("wrong password %d of %d after the flood: %v, want 401", failed+1, s.cfg.LoginMaxFailures, err)
		}
	}
	// The right password is refused too while the pair is locked out.
	if _, _, err := s.login(context.Background(), "victim", "the-right-password-1", "203.0.113.9"); statusOf(err) != http.StatusTooManyRequests {
		t.Errorf("locked-out pair with the right password: %v", err)
	}
}

// TestIntegrationLoginFloodManyAddresses floods logins from 200 addresses (one attempt
// each, so the limiter lets them all through): no more than login_concurrent_hashes
// argon2id checks run at once, the rest wait briefly or are answered 503, and the heap
// stays bounded.
func TestIntegrationLoginFloodManyAddresses(t *testing.T) {
	const slots = floodSlots
	s, calls, peakConc := loginFloodServer(t, slots)
	stop := heapPeak(t)
	codes := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := s.login(context.Background(), "victim", "wrong-password", fmt.Sprintf("198.51.100.%d", i))
			mu.Lock()
			codes[statusOf(err)]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	peak := stop()
	t.Logf("answers %v, password checks %d (at most %d at once), peak heap growth %.1f MiB", codes, calls.Load(),
		peakConc.Load(), float64(peak)/(1<<20))
	if p := peakConc.Load(); p > slots {
		t.Errorf("%d password checks ran at once, want at most %d", p, slots)
	}
	if codes[http.StatusUnauthorized]+codes[http.StatusServiceUnavailable] != 200 {
		t.Errorf("answers %v: want only 401 and 503", codes)
	}
	if peak > heapBound {
		t.Errorf("peak heap growth %.1f MiB, want under %d MiB", float64(peak)/(1<<20), heapBound>>20)
	}
	// Once the flood is over a login goes through.
	if _, _, err := s.login(context.Background(), "victim", "the-right-password-1", "192.0.2.1"); err != nil {
		t.Errorf("login after the flood: %v", err)
	}
}
