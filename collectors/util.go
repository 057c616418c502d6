package collectors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"github.com/kuzot/kuzot/internal/atomicfile"
)

// MemoryState is a State kept in memory, for `kuzot collect --once --stdout` without
// --state, and tests.
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

// FileState is a State kept in a directory, one file per key, written atomically: it
// lets `kuzot collect --once --stdout --state DIR` runs follow on from each other
// (incremental pages, comment cursors, refreshes of grown counters) without JetStream.
type FileState struct {
	dir string
	mu  sync.Mutex
}

// NewFileState returns a state kept in dir, creating the directory if needed.
func NewFileState(dir string) (*FileState, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("collector state dir: %w", err)
	}
	return &FileState{dir: dir}, nil
}

// path maps a key (source names and ids may hold any character) to a file name.
func (s *FileState) path(key string) string {
	return filepath.Join(s.dir, url.PathEscape(key)+".state")
}

// Get implements State.
func (s *FileState) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := os.ReadFile(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoState
	}
	if err != nil {
		return nil, fmt.Errorf("collector state %q: %w", key, err)
	}
	return b, nil
}

// Put implements State.
func (s *FileState) Put(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := atomicfile.Write(s.path(key), value, 0o600); err != nil {
		return fmt.Errorf("collector state %q: %w", key, err)
	}
	return nil
}
