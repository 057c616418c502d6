package coordination

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Version names the detector algorithm. It is recorded in every cluster's params so that
// clusters produced by different code can be told apart in reports.
const Version = "coordination.v3"

// ErrParams marks invalid detector parameters.
var ErrParams = errors.New("invalid coordination parameters")

// Params are the knobs of the detector. Every cluster carries the Params that produced
// it, because published coordination defaults differ between tools (research notes §1)
// and a report must state window, threshold and detector.
type Params struct {
	// Window is the sliding co-action window for co_link and co_reply: two actions on
	// the same object are concerted when at most Window apart.
	Window time.Duration
	// TextWindow is the window for co_text (exact and near-duplicate). Copy-paste
	// campaigns run longer than link bursts; zero means Window.
	TextWindow time.Duration
	// Similarity is the minimum token-set Jaccard similarity for two texts to be near
	// duplicates (QUT uses 0.8 on tweets; reworded comments need less).
	Similarity float64
	// MinWeight is the minimum number of distinct concerted actions (objects) two
	// accounts must share for their edge to count ("minimum repetitions").
	MinWeight int
	// MinAffinity is the minimum Salton (cosine) index of a pair: weight divided by the
	// geometric mean of both accounts' co-actions (actions that paired with anyone,
	// decayed over Horizon). Heavy commenters meet under every popular post by chance
	// and so do their hangers-on; a farm's accounts act mostly with each other. Zero
	// disables the test.
	MinAffinity float64
	// MinClusterSize is the minimum number of accounts of a reported cluster.
	MinClusterSize int
	// MaxObjectActors caps the accounts one object pairs within a window. Above it the
	// object is hot (a viral link, a popular post) and produces no more pairs: bounded
	// memory instead of k(k-1)/2 pairs. Clusters count the hot objects they touched.
	MaxObjectActors int
	// MinTextTokens ignores texts with fewer tokens for co_text: short replies ("+",
	// "согласен") are identical by chance.
	MinTextTokens int
	// Lateness is how far behind the newest post (event time) a post may arrive and
	// still be paired; older ones are rejected with ErrTooLate. Collectors poll, so
	// comments arrive minutes to an hour late.
	Lateness time.Duration
	// Horizon is how long an edge and an account's signals live without new activity:
	// weights accumulate across windows during Horizon, then expire. Campaigns strike
	// days apart (court dates, votes, events), so the default is 30 days (issue 21).
	Horizon time.Duration
	// MaxPairs bounds the account pairs kept over the horizon. When a sweep finds more,
	// weak pairs (below MinWeight, not in a cluster) are pruned, lightest and least
	// recently active first, down to 7/8 of the bound: memory stays bounded however
	// long the horizon or busy the stream, and what is dropped is the pairs least likely
	// to reach MinWeight. Strong pairs are never pruned.
	MaxPairs int
	// LSHBands and LSHRows shape the MinHash-LSH index (bands × rows hashes); the
	// candidate probability is 1-(1-s^rows)^bands for similarity s.
	LSHBands, LSHRows int
}

// DefaultParams are the defaults used by `kuzot coordinate` and the pipeline. They are
// the values at which the synthetic acceptance test reaches precision and recall >= 0.90.
func DefaultParams() Params {
	return Params{
		Window:          10 * time.Minute,
		TextWindow:      time.Hour,
		Similarity:      0.7,
		MinWeight:       3,
		MinAffinity:     0.3,
		MinClusterSize:  3,
		MaxObjectActors: 100,
		MinTextTokens:   5,
		Lateness:        time.Hour,
		Horizon:         30 * 24 * time.Hour,
		MaxPairs:        2_000_000,
		LSHBands:        16,
		LSHRows:         4,
	}
}

// textWindow returns the effective co_text window.
func (p Params) textWindow() time.Duration {
	if p.TextWindow <= 0 {
		return p.Window
	}
	return p.TextWindow
}

// Validate reports the first parameter that cannot work, wrapping ErrParams.
func (p Params) Validate() error {
	tw := p.textWindow()
	switch {
	case p.Window < time.Second:
		return fmt.Errorf("%w: window %v is below 1s", ErrParams, p.Window)
	case p.TextWindow < 0:
		return fmt.Errorf("%w: text window %v is negative", ErrParams, p.TextWindow)
	case !(p.Similarity > 0 && p.Similarity <= 1):
		return fmt.Errorf("%w: similarity %v is not in (0,1]", ErrParams, p.Similarity)
	case p.MinWeight < 1:
		return fmt.Errorf("%w: min weight %d is below 1", ErrParams, p.MinWeight)
	case p.MinAffinity < 0 || p.MinAffinity > 1:
		return fmt.Errorf("%w: min affinity %v is not in [0,1]", ErrParams, p.MinAffinity)
	case p.MinClusterSize < 2:
		return fmt.Errorf("%w: min cluster size %d is below 2", ErrParams, p.MinClusterSize)
	case p.MaxObjectActors < 2 || p.MaxObjectActors > 10000:
		return fmt.Errorf("%w: max object actors %d is not in [2,10000]", ErrParams, p.MaxObjectActors)
	case p.MinTextTokens < 1:
		return fmt.Errorf("%w: min text tokens %d is below 1", ErrParams, p.MinTextTokens)
	case p.Lateness < 0:
		return fmt.Errorf("%w: lateness %v is negative", ErrParams, p.Lateness)
	case p.Horizon < max(p.Window, tw)+p.Lateness:
		return fmt.Errorf("%w: horizon %v is shorter than window+lateness %v", ErrParams, p.Horizon, max(p.Window, tw)+p.Lateness)
	case p.MaxPairs < 1000:
		return fmt.Errorf("%w: max pairs %d is below 1000", ErrParams, p.MaxPairs)
	case p.LSHBands < 1 || p.LSHRows < 1 || p.LSHBands*p.LSHRows > 512:
		return fmt.Errorf("%w: lsh %dx%d must be positive with at most 512 hashes", ErrParams, p.LSHBands, p.LSHRows)
	}
	return nil
}

// paramsJSON is the wire form of Params: durations as Go duration strings.
type paramsJSON struct {
	Detector        string  `json:"detector"`
	Window          string  `json:"window"`
	TextWindow      string  `json:"text_window"`
	Similarity      float64 `json:"similarity"`
	MinWeight       int     `json:"min_weight"`
	MinAffinity     float64 `json:"min_affinity"`
	MinClusterSize  int     `json:"min_cluster_size"`
	MaxObjectActors int     `json:"max_object_actors"`
	MinTextTokens   int     `json:"min_text_tokens"`
	Lateness        string  `json:"lateness"`
	Horizon         string  `json:"horizon"`
	MaxPairs        int     `json:"max_pairs,omitempty"`
	LSHBands        int     `json:"lsh_bands"`
	LSHRows         int     `json:"lsh_rows"`
}

// MarshalJSON writes durations as strings ("10m0s") and names the detector version, so
// a cluster's params are readable in reports.
func (p Params) MarshalJSON() ([]byte, error) {
	return json.Marshal(paramsJSON{
		Detector: Version, Window: p.Window.String(), TextWindow: p.textWindow().String(),
		Similarity: p.Similarity, MinWeight: p.MinWeight, MinAffinity: p.MinAffinity, MinClusterSize: p.MinClusterSize,
		MaxObjectActors: p.MaxObjectActors, MinTextTokens: p.MinTextTokens,
		Lateness: p.Lateness.String(), Horizon: p.Horizon.String(), MaxPairs: p.MaxPairs,
		LSHBands: p.LSHBands, LSHRows: p.LSHRows,
	})
}

// UnmarshalJSON reads the form written by MarshalJSON, so stored clusters can be
// re-run with the parameters that produced them.
func (p *Params) UnmarshalJSON(b []byte) error {
	var w paramsJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("coordination params: %w", err)
	}
	var out Params
	for _, d := range []struct {
		s   string
		dst *time.Duration
	}{{w.Window, &out.Window}, {w.TextWindow, &out.TextWindow}, {w.Lateness, &out.Lateness}, {w.Horizon, &out.Horizon}} {
		v, err := time.ParseDuration(d.s)
		if err != nil {
			return fmt.Errorf("coordination params: %w", err)
		}
		*d.dst = v
	}
	out.Similarity, out.MinWeight, out.MinAffinity, out.MinClusterSize = w.Similarity, w.MinWeight, w.MinAffinity, w.MinClusterSize
	out.MaxObjectActors, out.MinTextTokens, out.LSHBands, out.LSHRows = w.MaxObjectActors, w.MinTextTokens, w.LSHBands, w.LSHRows
	out.MaxPairs = w.MaxPairs
	if out.MaxPairs == 0 { // clusters stored before issue 21
		out.MaxPairs = DefaultParams().MaxPairs
	}
	*p = out
	return nil
}

// Digest is a short stable hash of the parameters; cluster ids include it so that runs
// with different parameters never overwrite each other's clusters in storage.
func (p Params) Digest() string {
	b, _ := p.MarshalJSON() // cannot fail: only strings and numbers
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:4])
}
