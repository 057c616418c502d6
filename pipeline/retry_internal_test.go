package pipeline

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// TestRetryablePlacement: what a declaration waits out (a cluster forming, a server-side
// failure such as a full disk, a timeout) and what it returns at once (a client error).
func TestRetryablePlacement(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"no suitable peers", &jetstream.APIError{Code: 503, ErrorCode: 10005}, true},
		{"cluster unavailable", &jetstream.APIError{Code: 503, ErrorCode: 10008}, true},
		{"consumer store on a full disk", fmt.Errorf("consumer classify: %w", &jetstream.APIError{Code: 500, ErrorCode: 10012}), true},
		{"bad consumer config", &jetstream.APIError{Code: 400, ErrorCode: 10084}, false},
		{"stream name in use", &jetstream.APIError{Code: 400, ErrorCode: 10058}, false},
		{"timeout", context.DeadlineExceeded, true},
		{"other", errors.New("decode config"), false},
	} {
		if got := retryablePlacement(tc.err); got != tc.want {
			t.Errorf("%s: retryable %v, want %v", tc.name, got, tc.want)
		}
	}
}
