package collectors

import (
	"bytes"
	"context"
	"sync"
)

// MemoryState is a State kept in memory, for `kuzot collect --once --stdout` and tests.
type MemoryState struct {
	mu sync.Mutex
	m  map[string][]byte
}

// NewMemoryState returns an empty in-memory state.
func NewMemoryState() *MemoryState { return &MemoryState{m: map[string][]byte{}} }

// Get implements State.
func (s *MemoryState) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return nil, ErrNoState
	}
	return bytes.Clone(v), nil
}

// Put implements State.
func (s *MemoryState) Put(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = bytes.Clone(value)
	return nil
}
