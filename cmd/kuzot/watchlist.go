package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
)

// runWatchlist implements `kuzot watchlist import|list|delete`: hashed protected-member
// watchlists under <data_dir>/watchlists (or classifiers.exposure.watchlist_dir).
func runWatchlist(ctx context.Context, args []string, s stdio) error {
	usage := func() {
		fmt.Fprintln(s.err, `Usage:
  kuzot watchlist import FILE --org ID [--data-dir DIR] [--config FILE]
      hash the members of org ID in the plaintext YAML FILE with the key in
      $KUZOT_WATCHLIST_KEY (or classifiers.exposure.watchlist_key_env) and store only the hashes
  kuzot watchlist list [--data-dir DIR] [--config FILE]
      print the stored orgs with member and token counts
  kuzot watchlist delete --org ID [--data-dir DIR] [--config FILE]
      remove an org's stored list`)
	}
	if len(args) == 0 {
		usage()
		return errors.New("missing subcommand (import, list, delete)")
	}
	sub, rest := args[0], args[1:]
	if sub == "-h" || sub == "--help" || sub == "help" {
		usage()
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("watchlist "+sub, flag.ContinueOnError)
	fs.SetOutput(s.err)
	fs.Usage = usage
	cfgPath := configFlag(fs)
	org := fs.String("org", "", "organisation id")
	dataDir := fs.String("data-dir", "", "data directory (default: data_dir of the config, $KUZOT_DATA_DIR or ./data)")
	// Accept flags before and after the positional FILE.
	var pos []string
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		rest = fs.Args()
		if len(rest) > 0 {
			pos = append(pos, rest[0])
			rest = rest[1:]
		}
	}
	cfg, err := app.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	dd := cfg.DataDir
	if *dataDir != "" {
		dd = *dataDir
	}
	var node = cfg.Classifiers[exposure.Name]
	ecfg, err := exposure.DecodeConfig(&node, dd)
	if err != nil {
		return err
	}
	if *dataDir != "" {
		// An explicit --data-dir wins over a configured watchlist_dir.
		ecfg.WatchlistDir = filepath.Join(dd, "watchlists")
	}
	store := watchlist.NewFileStore(ecfg.WatchlistDir)

	switch sub {
	case "import":
		if len(pos) != 1 {
			usage()
			return errors.New("import needs exactly one FILE")
		}
		if *org == "" {
			return errors.New("import needs --org ID")
		}
		key, err := watchlist.KeyFromEnv(os.Getenv, ecfg.WatchlistKeyEnv)
		if err != nil {
			return err
		}
		f, err := os.Open(pos[0])
		if err != nil {
			return fmt.Errorf("open watchlist: %w", err)
		}
		defer f.Close()
		rep, err := exposure.ImportWatchlist(ctx, store, f, *org, key)
		if err != nil {
			return err
		}
		fmt.Fprintf(s.out, "imported org %s: %d members, %d keyed tokens into %s\n", rep.Org, rep.Members, rep.Tokens, store.Dir())
		return nil
	case "list":
		lists, err := store.Load(ctx)
		if err != nil {
			return err
		}
		for _, l := range lists {
			fmt.Fprintf(s.out, "%s\t%d members\t%d tokens\tkey %s\n", l.Org, len(l.Members), len(l.Entries), l.KeyID)
		}
		return nil
	case "delete":
		if *org == "" {
			return errors.New("delete needs --org ID")
		}
		if err := store.Delete(ctx, *org); err != nil {
			return err
		}
		fmt.Fprintf(s.out, "deleted org %s from %s\n", *org, store.Dir())
		return nil
	}
	usage()
	return fmt.Errorf("unknown subcommand %q (import, list, delete)", sub)
}
