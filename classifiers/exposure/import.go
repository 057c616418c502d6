package exposure

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
)

// ImportReport says what an import stored, in counts only.
type ImportReport struct {
	Org     string
	Members int
	Tokens  int
}

// ImportWatchlist reads a plaintext watchlist from r, hashes the list of org under key
// and stores only the hashes. The plaintext stays in memory; errors name orgs, members
// and fields by id, never by value.
func ImportWatchlist(ctx context.Context, store watchlist.Store, r io.Reader, org string, key []byte) (ImportReport, error) {
	return ImportWatchlistAt(ctx, store, r, org, key, time.Now())
}

// ImportWatchlistAt is ImportWatchlist with the registration time of new members given:
// members already in the org's stored list keep theirs (HashedList.CarrySince).
func ImportWatchlistAt(ctx context.Context, store watchlist.Store, r io.Reader, org string, key []byte, now time.Time) (ImportReport, error) {
	if !watchlist.ValidID(org) {
		return ImportReport{}, fmt.Errorf("import watchlist: invalid org id (want 1-64 of A-Z a-z 0-9 . _ -)")
	}
	h, err := watchlist.NewHasher(key)
	if err != nil {
		return ImportReport{}, fmt.Errorf("import watchlist: %w", err)
	}
	f, err := watchlist.ParseFile(r)
	if err != nil {
		return ImportReport{}, fmt.Errorf("import watchlist: %w", err)
	}
	o, ok := f.Org(org)
	if !ok {
		var ids []string
		for _, x := range f.Orgs {
			ids = append(ids, x.ID)
		}
		return ImportReport{}, fmt.Errorf("import watchlist: org %s is not in the file (it has %v)", org, ids)
	}
	l, err := watchlist.Build(o, h)
	if err != nil {
		return ImportReport{}, fmt.Errorf("import watchlist: %w", err)
	}
	stored, err := store.Load(ctx)
	if err != nil {
		return ImportReport{}, fmt.Errorf("import watchlist: read the stored lists: %w", err)
	}
	var prev *watchlist.HashedList
	for _, x := range stored {
		if x.Org == l.Org {
			prev = x
		}
	}
	l.CarrySince(prev, now)
	if err := store.Put(ctx, l); err != nil {
		return ImportReport{}, fmt.Errorf("import watchlist: %w", err)
	}
	return ImportReport{Org: l.Org, Members: len(l.Members), Tokens: len(l.Entries)}, nil
}
