// Package modeldir is the registry of narrative models on disk (issue 14): a models
// directory with one file per model version and a "current" pointer naming the promoted
// version, and Live, the classifier the classify role runs, which follows the pointer and
// swaps a newly promoted model in without a restart.
//
// Layout, under the configured models directory (models.dir, default <data_dir>/models):
//
//	narrative/<version>.model   a model written by Model.Save; <version> is its Version()
//	narrative/current           the promoted version, one line
//	narrative/promotions.log    one line per promotion: time, version, previous, who
//
// The pointer is replaced atomically (written to a temporary file in the same directory,
// synced, renamed over the old one), so a reader sees the old or the new version, never
// a partial one. Several classify processes share the directory (one host, or a shared
// volume) and each picks the promotion up at its next poll.
package modeldir

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/internal/atomicfile"
)

// ErrNoCurrent is returned by Current when no model has been promoted.
var ErrNoCurrent = errors.New("no narrative model has been promoted")

// Dir is a models directory.
type Dir struct {
	// Path is the models directory (models.dir); narrative models live in Path/narrative.
	Path string
}

const (
	sub         = narrative.Name
	pointerName = "current"
	logName     = "promotions.log"
	modelExt    = ".model"
)

// versionRe is what Model.Version returns (hex of a hash prefix); it also keeps version
// arguments from naming paths outside the directory.
var versionRe = regexp.MustCompile(`^[0-9a-f]{8,64}$`)

// ValidVersion reports whether v looks like a model version.
func ValidVersion(v string) bool { return versionRe.MatchString(v) }

func (d Dir) dir() string { return filepath.Join(d.Path, sub) }

// File is the path of a version's model file.
func (d Dir) File(version string) string { return filepath.Join(d.dir(), version+modelExt) }

// Install stores m in the directory under its version and returns the version. The
// version is the hash of the saved file's content (as LoadModel computes it), so
// installing the same weights twice gives the same file.
func (d Dir) Install(m *narrative.Model) (string, error) {
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		return "", fmt.Errorf("install model: %w", err)
	}
	return d.installBytes(buf.Bytes())
}

// InstallFile copies a model file into the directory and returns its version.
func (d Dir) InstallFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("install model: %w", err)
	}
	return d.installBytes(b)
}

func (d Dir) installBytes(b []byte) (string, error) {
	m, err := narrative.LoadModel(bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("install model: %w", err)
	}
	v := m.Version()
	if !ValidVersion(v) {
		return "", fmt.Errorf("install model: unexpected version %q", v)
	}
	if err := os.MkdirAll(d.dir(), 0o755); err != nil {
		return "", fmt.Errorf("install model: %w", err)
	}
	if err := writeAtomic(d.File(v), b); err != nil {
		return "", fmt.Errorf("install model: %w", err)
	}
	return v, nil
}

// Load reads an installed version.
func (d Dir) Load(version string) (*narrative.Model, error) {
	if !ValidVersion(version) {
		return nil, fmt.Errorf("model version %q: want the hex version printed by kuzot train or kuzot model list", version)
	}
	m, err := narrative.LoadModelFile(d.File(version))
	if err != nil {
		return nil, err
	}
	if m.Version() != version {
		return nil, fmt.Errorf("model file %s holds version %s (the file was changed)", d.File(version), m.Version())
	}
	return m, nil
}

// Current returns the promoted version (ErrNoCurrent when none is).
func (d Dir) Current() (string, error) {
	b, err := os.ReadFile(filepath.Join(d.dir(), pointerName))
	if errors.Is(err, fs.ErrNotExist) {
		return "", ErrNoCurrent
	}
	if err != nil {
		return "", fmt.Errorf("read current model pointer: %w", err)
	}
	v := strings.TrimSpace(string(b))
	if !ValidVersion(v) {
		return "", fmt.Errorf("current model pointer %s holds %q, not a version", filepath.Join(d.dir(), pointerName), v)
	}
	return v, nil
}

// Promote makes an installed version current: the file must load and hold that version.
// who is recorded in the promotions log. It returns the previous version ("" if none).
func (d Dir) Promote(version, who string, now time.Time) (string, error) {
	if _, err := d.Load(version); err != nil {
		return "", fmt.Errorf("promote %s: %w", version, err)
	}
	prev, err := d.Current()
	if err != nil && !errors.Is(err, ErrNoCurrent) {
		return "", err
	}
	if err := writeAtomic(filepath.Join(d.dir(), pointerName), []byte(version+"\n")); err != nil {
		return "", fmt.Errorf("promote %s: %w", version, err)
	}
	line := fmt.Sprintf("%s\t%s\tprevious=%s\tby=%s\n", now.UTC().Format(time.RFC3339), version, or(prev, "-"), or(who, "-"))
	f, err := os.OpenFile(filepath.Join(d.dir(), logName), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return prev, fmt.Errorf("promote %s: promotions log: %w", version, err)
	}
	defer f.Close()
	if _, err := f.WriteString(line); err != nil {
		return prev, fmt.Errorf("promote %s: promotions log: %w", version, err)
	}
	return prev, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Entry describes one installed model.
type Entry struct {
	Version   string
	Installed time.Time
	Current   bool
	Meta      narrative.ModelMeta
}

// List returns the installed models, newest first.
func (d Dir) List() ([]Entry, error) {
	des, err := os.ReadDir(d.dir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list models: %w", err)
	}
	cur, err := d.Current()
	if err != nil && !errors.Is(err, ErrNoCurrent) {
		return nil, err
	}
	var out []Entry
	for _, de := range des {
		v, ok := strings.CutSuffix(de.Name(), modelExt)
		if !ok || !ValidVersion(v) {
			continue
		}
		info, err := de.Info()
		if err != nil {
			return nil, fmt.Errorf("list models: %w", err)
		}
		m, err := d.Load(v)
		if err != nil {
			return nil, err
		}
		out = append(out, Entry{Version: v, Installed: info.ModTime(), Current: v == cur, Meta: m.Meta})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Installed.After(out[j].Installed) })
	return out, nil
}

// writeAtomic writes a model file atomically (internal/atomicfile); model files are
// 0644, as before: they hold no personal data.
func writeAtomic(path string, b []byte) error { return atomicfile.Write(path, b, 0o644) }
