// Package atomicfile is kuzot's one atomic file writer: model files, watchlists and
// report files are written through it, so that a reader never sees half a file and a
// failed write never leaves one.
package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes b to path through a temporary file in the same directory, which is given
// mode perm before any byte is written (os.CreateTemp makes it 0600, so the content is
// never readable by more than perm allows), synced, and renamed over path; the directory
// is then synced (best effort: not every file system syncs directories). The directory
// must exist. Pass 0o600 for anything secret or personal.
func Write(path string, b []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	err = tmp.Chmod(perm)
	if err == nil {
		_, err = tmp.Write(b)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		_ = os.Remove(name)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
