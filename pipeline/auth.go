package pipeline

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/kuzot/kuzot/config"
)

// NATS carries every post, verdict and the collectors' state: without authentication
// anyone who reaches the port can read them, publish forged posts or results, or delete
// the streams (issue 19, item 9). So the embedded server accepts exactly one user,
// nats.user with nats.password, or, when no password is configured, a password of 32
// random bytes generated on first start into embedded.password_file (mode 0600, in the
// data directory). A process that connects to that server through nats.url with no
// credentials of its own (kuzot loadgen, a second kuzot on the same data directory)
// reads the same file. External servers take nats.user/nats.password or nats.creds,
// and nats.tls_ca (plus a client certificate) for TLS; see deploy/nats/nats.conf.

// ClientOptions returns the authentication and TLS options of a client of the bus cfg
// describes.
func ClientOptions(cfg config.NATS) ([]nats.Option, error) {
	var opts []nats.Option
	if cfg.Creds != "" {
		opts = append(opts, nats.UserCredentials(cfg.Creds))
	}
	pw := string(cfg.Password)
	if pw == "" && cfg.Creds == "" {
		b, err := os.ReadFile(cfg.EmbeddedPasswordFile())
		switch {
		case err == nil:
			pw = strings.TrimSpace(string(b))
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("nats: password file: %w", err)
		}
	}
	if pw != "" {
		opts = append(opts, nats.UserInfo(cfg.User, pw))
	}
	if cfg.TLSCA != "" {
		opts = append(opts, nats.RootCAs(cfg.TLSCA))
	}
	if cfg.TLSCert != "" {
		opts = append(opts, nats.ClientCert(cfg.TLSCert, cfg.TLSKey))
	}
	return opts, nil
}

// embeddedCredentials returns the user and password the embedded server accepts:
// nats.password, or the generated one of embedded.password_file (created when missing).
func embeddedCredentials(cfg config.NATS) (user, password string, err error) {
	if cfg.User == "" {
		return "", "", errors.New("nats: nats.user is empty")
	}
	if cfg.Password != "" {
		return cfg.User, string(cfg.Password), nil
	}
	pw, err := loadOrCreateSecret(cfg.EmbeddedPasswordFile())
	if err != nil {
		return "", "", fmt.Errorf("nats: embedded server password: %w", err)
	}
	return cfg.User, pw, nil
}

// loadOrCreateSecret returns the secret stored in path, first writing 32 random bytes as
// hex there (mode 0600, directory 0700) when the file is missing or empty. A file others
// can read is tightened to 0600.
func loadOrCreateSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) > 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return "", err
		}
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	secret := hex.EncodeToString(raw)
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(secret); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return "", err
	}
	// Link, not rename: of two processes starting at once, the first file wins and both
	// use it.
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", err
	}
	b, err = os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}
