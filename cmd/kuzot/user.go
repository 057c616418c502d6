package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/storage"
	"github.com/kuzot/kuzot/web"
	"github.com/kuzot/kuzot/web/auth"
)

// passwordEnv names the environment variable `kuzot user add` reads the password from
// when it is set (scripts), instead of stdin.
const passwordEnv = "KUZOT_USER_PASSWORD"

func runUser(ctx context.Context, args []string, s stdio) error {
	usage := func() {
		fmt.Fprintln(s.err, `Usage:
  kuzot user add --name NAME --role admin|analyst|org [--org ORG] [--unredact] [--disabled] [--generate-password] [--config FILE]
      The password is read from $`+passwordEnv+` or from the first line of stdin (12+ characters);
      --generate-password makes a random one and prints it once. Re-adding a name updates it.
  kuzot user list [--config FILE]`)
	}
	if len(args) == 0 {
		usage()
		return flag.ErrHelp
	}
	switch args[0] {
	case "add":
		return runUserAdd(ctx, args[1:], s)
	case "list":
		return runUserList(ctx, args[1:], s)
	case "-h", "--help", "help":
		usage()
		return flag.ErrHelp
	}
	usage()
	return fmt.Errorf("unknown subcommand %q", args[0])
}

func userDB(ctx context.Context, cfgPath string) (*web.DB, func(), error) {
	cfg, err := app.LoadConfig(cfgPath)
	if err != nil {
		return nil, nil, err
	}
	log := app.NewLogger(cfg.Log, os.Stderr)
	conn, err := storage.Open(ctx, cfg.CH, log)
	if err != nil {
		return nil, nil, err
	}
	if _, err := storage.MigrateLayout(ctx, conn, storage.LayoutOf(cfg.CH)); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return &web.DB{Conn: conn}, func() { conn.Close() }, nil
}

func runUserAdd(ctx context.Context, args []string, s stdio) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := configFlag(fs)
	name := fs.String("name", "", "account name (a-z, A-Z, 0-9, - _ . @)")
	role := fs.String("role", "", "admin, analyst or org")
	org := fs.String("org", "", "organisation id (org users only)")
	unredact := fs.Bool("unredact", false, "may view unredacted evidence (always audited; admins always may)")
	disabled := fs.Bool("disabled", false, "disable the account (it can no longer log in)")
	generate := fs.Bool("generate-password", false, "generate a random password and print it once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r, err := web.ParseRole(*role)
	if err != nil {
		return err
	}
	var pw string
	switch {
	case *generate:
		tok, err := auth.NewToken()
		if err != nil {
			return err
		}
		pw = tok[:20]
	case os.Getenv(passwordEnv) != "":
		pw = os.Getenv(passwordEnv)
	default:
		pw, err = readPassword(s.in)
		if err != nil {
			return err
		}
	}
	db, closeDB, err := userDB(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer closeDB()
	u := web.User{Name: *name, Role: r, Org: *org, CanUnredact: *unredact, Disabled: *disabled}
	if err := web.CreateUser(ctx, db, u, pw, auth.DefaultParams, time.Now()); err != nil {
		return fmt.Errorf("user %s: %w", *name, err)
	}
	if *generate {
		fmt.Fprintf(s.out, "user %s (%s) saved; password: %s\n", u.Name, u.Role, pw)
	} else {
		fmt.Fprintf(s.out, "user %s (%s) saved\n", u.Name, u.Role)
	}
	return nil
}

// readPassword reads the first line of r (a pipe or a terminal; the input is not
// hidden, so prefer the environment variable or a pipe from a password manager).
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, auth.MaxPasswordLen+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("no password: set %s or pipe it on stdin", passwordEnv)
	}
	return line, nil
}

func runUserList(ctx context.Context, args []string, s stdio) error {
	fs := flag.NewFlagSet("user list", flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := configFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, closeDB, err := userDB(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer closeDB()
	us, err := db.ListUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tORG\tUNREDACT\tDISABLED\tUPDATED")
	for _, u := range us {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%v\t%s\n", u.Name, u.Role, u.Org, u.CanUnredact, u.Disabled, u.UpdatedAt.Format(time.RFC3339))
	}
	return tw.Flush()
}
