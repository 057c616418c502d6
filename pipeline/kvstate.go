package pipeline

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/collectors"
)

// KVState is collectors.State on a JetStream KV bucket.
type KVState struct{ KV jetstream.KeyValue }

// Get returns collectors.ErrNoState when the key was never written.
func (s *KVState) Get(ctx context.Context, key string) ([]byte, error) {
	e, err := s.KV.Get(ctx, stateKey(key))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, collectors.ErrNoState
	}
	if err != nil {
		return nil, fmt.Errorf("state get %s: %w", key, err)
	}
	return e.Value(), nil
}

// Put stores a value durably (the KV bucket is a file-backed stream).
func (s *KVState) Put(ctx context.Context, key string, value []byte) error {
	if _, err := s.KV.Put(ctx, stateKey(key), value); err != nil {
		return fmt.Errorf("state put %s: %w", key, err)
	}
	return nil
}

// stateKey maps an arbitrary state key (source names may hold '/', ':' or spaces) onto
// the KV key alphabet.
func stateKey(k string) string { return base64.RawURLEncoding.EncodeToString([]byte(k)) }
