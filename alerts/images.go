package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/media/imagepost"
	"github.com/kuzot/kuzot/media/phash"
	"github.com/kuzot/kuzot/pipeline"
)

// ImageName is the key of the ocr role's image result in pipeline.Classified.
const ImageName = imagepost.Name

// printKeyPrefix names the incidents-bucket keys of image prints: "p.<incident>.<hash>"
// holds an ImageRecord. Every alert worker watches them into its in-memory ImageIndex,
// so a re-upload is matched whichever worker handles it.
const printKeyPrefix = "p."

// ImagePrint identifies a picture across re-uploads: its perceptual hashes and the
// sketch of the words it shows (phash.Thresholds.Joins). It holds no pixel and no word.
type ImagePrint struct {
	Hash phash.Hash    `json:"hash"`
	Sig  phash.TextSig `json:"text_sig"`
}

// ImagePrints returns the print of an image result (none for a post's own text).
func ImagePrints(c *pipeline.Classified) []ImagePrint {
	r, err := imagepost.DecodeResult(c.Results[ImageName])
	if err != nil || (r.Hash.P == 0 && r.Hash.D == 0) {
		return nil
	}
	return []ImagePrint{{Hash: r.Hash, Sig: r.Sig}}
}

// ImageThresholds are the re-upload thresholds measured on the generated image set
// (docs/images.md): a re-upload within them joins the incident of the first upload.
func ImageThresholds() phash.Thresholds { return phash.DefaultThresholds() }

// ImageRecord is one exposing picture of an incident: what a re-upload is matched
// against.
type ImageRecord struct {
	Org      string     `json:"org"`
	Member   string     `json:"member"`
	Incident string     `json:"incident"`
	Severity Severity   `json:"severity"`
	Print    ImagePrint `json:"print"`
}

// ImageIndex holds the prints of every incident's exposing pictures. Safe for
// concurrent use.
type ImageIndex struct {
	t    phash.Thresholds
	mu   sync.RWMutex
	recs map[string]ImageRecord
}

// NewImageIndex returns an empty index matching within t.
func NewImageIndex(t phash.Thresholds) *ImageIndex {
	return &ImageIndex{t: t, recs: map[string]ImageRecord{}}
}

// Add records r under key (idempotent).
func (x *ImageIndex) Add(key string, r ImageRecord) {
	x.mu.Lock()
	x.recs[key] = r
	x.mu.Unlock()
}

// Remove forgets key.
func (x *ImageIndex) Remove(key string) {
	x.mu.Lock()
	delete(x.recs, key)
	x.mu.Unlock()
}

// Len is the number of prints held.
func (x *ImageIndex) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.recs)
}

// Match returns the records of the pictures p is a re-upload of, one per incident.
func (x *ImageIndex) Match(p ImagePrint) []ImageRecord {
	x.mu.RLock()
	defer x.mu.RUnlock()
	seen := map[string]bool{}
	var out []ImageRecord
	for _, r := range x.recs {
		if seen[r.Incident] || !x.t.Joins(p.Hash, p.Sig, r.Print.Hash, r.Print.Sig) {
			continue
		}
		seen[r.Incident] = true
		out = append(out, r)
	}
	return out
}

func printKey(incident string, p ImagePrint) string {
	return printKeyPrefix + incident + "." + p.Hash.String()
}

// recordPrints stores the prints of an incident's exposing pictures in the shared bucket
// and the local index.
func (s *Service) recordPrints(ctx context.Context, in *Incident, prints []ImagePrint) error {
	for _, p := range prints {
		rec := ImageRecord{Org: in.Org, Member: in.Member, Incident: in.ID, Severity: in.Severity, Print: p}
		data, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		key := printKey(in.ID, p)
		if _, err := s.inc.Put(ctx, key, data); err != nil {
			return fmt.Errorf("image print: %w", err)
		}
		s.images.Add(key, rec)
	}
	return nil
}

// watchPrints keeps the local index in step with the bucket (prints other workers
// recorded). ready is closed once the prints stored so far are loaded.
func (s *Service) watchPrints(ctx context.Context, ready chan<- struct{}) error {
	w, err := s.inc.Watch(ctx, printKeyPrefix+">")
	if err != nil {
		close(ready)
		return fmt.Errorf("alerts: watch image prints: %w", err)
	}
	defer func() { _ = w.Stop() }()
	loaded := false
	for {
		select {
		case <-ctx.Done():
			if !loaded {
				close(ready)
			}
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				if !loaded {
					close(ready)
				}
				return nil
			}
			if e == nil {
				if !loaded {
					loaded = true
					close(ready)
				}
				continue
			}
			if e.Operation() != jetstream.KeyValuePut {
				s.images.Remove(e.Key())
				continue
			}
			var rec ImageRecord
			if err := json.Unmarshal(e.Value(), &rec); err != nil {
				s.log.Warn("skipping a corrupt image print", "key", e.Key(), "err", err)
				continue
			}
			s.images.Add(e.Key(), rec)
		}
	}
}

// waitPrints waits (bounded) until the stored prints are loaded, so the first results
// handled after a start can join incidents recorded before it.
func waitPrints(ctx context.Context, ready <-chan struct{}, log interface{ Warn(string, ...any) }) {
	select {
	case <-ready:
	case <-ctx.Done():
	case <-time.After(30 * time.Second):
		log.Warn("image prints still loading; re-uploads of older incidents may be missed until they are")
	}
}

// reuploadTargets returns the members whose incidents hold a picture this result is a
// re-upload of, with the severity of that incident, except those already in members.
func (s *Service) reuploadTargets(prints []ImagePrint, members []MemberRef) []ImageRecord {
	var out []ImageRecord
	seen := map[MemberRef]bool{}
	for _, m := range members {
		seen[m] = true
	}
	for _, p := range prints {
		for _, r := range s.images.Match(p) {
			ref := MemberRef{Org: r.Org, Member: r.Member}
			if seen[ref] {
				continue
			}
			seen[ref] = true
			out = append(out, r)
		}
	}
	return out
}
