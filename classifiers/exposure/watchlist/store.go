package watchlist

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kuzot/kuzot/internal/atomicfile"
)

// MarshalText encodes a hash as unpadded base64 so stored lists stay compact.
func (h Hash) MarshalText() ([]byte, error) {
	out := make([]byte, base64.RawStdEncoding.EncodedLen(HashSize))
	base64.RawStdEncoding.Encode(out, h[:])
	return out, nil
}

// UnmarshalText decodes MarshalText's form.
func (h *Hash) UnmarshalText(b []byte) error {
	if base64.RawStdEncoding.DecodedLen(len(b)) != HashSize {
		return fmt.Errorf("hash has %d characters, want %d", len(b), base64.RawStdEncoding.EncodedLen(HashSize))
	}
	_, err := base64.RawStdEncoding.Decode(h[:], b)
	return err
}

// MarshalText encodes a kind as its one-letter code.
func (k Kind) MarshalText() ([]byte, error) { return []byte{byte(k)}, nil }

// UnmarshalText decodes a one-letter kind code.
func (k *Kind) UnmarshalText(b []byte) error {
	if len(b) != 1 {
		return fmt.Errorf("kind %q is not one letter", b)
	}
	*k = Kind(b[0])
	return nil
}

func sortEntries(es []Entry) {
	sort.Slice(es, func(i, j int) bool {
		if c := bytes.Compare(es[i].Hash[:], es[j].Hash[:]); c != 0 {
			return c < 0
		}
		if es[i].Member != es[j].Member {
			return es[i].Member < es[j].Member
		}
		if es[i].Name != es[j].Name {
			return es[i].Name < es[j].Name
		}
		return es[i].Token < es[j].Token
	})
}

// Store keeps hashed watchlists, one per organisation. FileStore keeps them in a
// directory; the pipeline can put them in a JetStream KV bucket behind the same
// interface.
type Store interface {
	// Put stores (replaces) the list of l.Org atomically.
	Put(ctx context.Context, l *HashedList) error
	// Load returns every stored list, sorted by org.
	Load(ctx context.Context) ([]*HashedList, error)
	// Delete removes an org's list; deleting a missing org is not an error.
	Delete(ctx context.Context, org string) error
}

// FileStore is a Store in a directory: <dir>/<org>.json, written atomically (temporary
// file, fsync, rename, fsync of the directory) with mode 0600 in a 0700 directory.
type FileStore struct{ dir string }

// NewFileStore returns a store in dir; the directory is created on the first Put.
func NewFileStore(dir string) *FileStore { return &FileStore{dir: dir} }

// Dir is the directory of the store.
func (s *FileStore) Dir() string { return s.dir }

const storeSuffix = ".json"

// Put implements Store.
func (s *FileStore) Put(ctx context.Context, l *HashedList) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := l.Validate(); err != nil {
		return fmt.Errorf("store watchlist: %w", err)
	}
	data, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("store watchlist %s: %w", l.Org, err)
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("store watchlist %s: %w", l.Org, err)
	}
	// 0600: a watchlist holds the hashes of the members it protects.
	if err := atomicfile.Write(filepath.Join(s.dir, l.Org+storeSuffix), data, 0o600); err != nil {
		return fmt.Errorf("store watchlist %s: %w", l.Org, err)
	}
	return nil
}

// Load implements Store. A missing directory holds no lists.
func (s *FileStore) Load(ctx context.Context) ([]*HashedList, error) {
	ents, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load watchlists from %s: %w", s.dir, err)
	}
	var out []*HashedList
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, storeSuffix) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(s.dir, name))
		if err != nil {
			return nil, fmt.Errorf("load watchlist %s: %w", name, err)
		}
		var l HashedList
		if err := json.Unmarshal(data, &l); err != nil {
			return nil, fmt.Errorf("load watchlist %s: %w", name, err)
		}
		if err := l.Validate(); err != nil {
			return nil, fmt.Errorf("load watchlist %s: %w", name, err)
		}
		if l.Org+storeSuffix != name {
			return nil, fmt.Errorf("load watchlist %s: file holds org %s", name, l.Org)
		}
		out = append(out, &l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Org < out[j].Org })
	return out, nil
}

// Delete implements Store.
func (s *FileStore) Delete(ctx context.Context, org string) error {
	if !ValidID(org) {
		return errors.New("delete watchlist: invalid org id")
	}
	err := os.Remove(filepath.Join(s.dir, org+storeSuffix))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete watchlist %s: %w", org, err)
	}
	return nil
}
