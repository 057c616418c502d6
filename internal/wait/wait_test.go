package wait

import (
	"context"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	if !Sleep(ctx, 20*time.Millisecond) || time.Since(start) < 20*time.Millisecond {
		t.Fatal("a full wait must last d and report true")
	}
	if !Sleep(ctx, 0) || !Sleep(ctx, -time.Second) {
		t.Fatal("no wait on a live context reports true")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	start = time.Now()
	if Sleep(cancelled, time.Hour) || Sleep(cancelled, 0) || time.Since(start) > time.Second {
		t.Fatal("an ended context stops the wait at once and reports false")
	}
	short, cancel2 := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel2()
	if Sleep(short, time.Hour) {
		t.Fatal("a context ending during the wait reports false")
	}
}
