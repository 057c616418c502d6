package collectors

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// StateKey is the key under which a source keeps its state: "collector/<source name>".
func StateKey(source string) string { return "collector/" + source }

// LoadJSON reads a source's JSON state into v. It reports false (and no error) when the
// source has never saved state, so a first poll starts from scratch.
func LoadJSON(ctx context.Context, st State, key string, v any) (bool, error) {
	b, err := st.Get(ctx, key)
	if errors.Is(err, ErrNoState) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("load state %s: %w", key, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("load state %s: corrupt: %w", key, err)
	}
	return true, nil
}

// SaveJSON writes v as a source's JSON state.
func SaveJSON(ctx context.Context, st State, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("save state %s: %w", key, err)
	}
	if err := st.Put(ctx, key, b); err != nil {
		return fmt.Errorf("save state %s: %w", key, err)
	}
	return nil
}

// Seen is a bounded, insertion-ordered set of ids, serialisable as a JSON array. It
// remembers the most recent Max ids, enough to recognise every item a feed or page can
// still show while keeping the state small.
type Seen struct {
	IDs []string `json:"ids"`
	set map[string]bool
}

// Has reports whether id was added.
func (s *Seen) Has(id string) bool {
	if s.set == nil {
		s.set = make(map[string]bool, len(s.IDs))
		for _, v := range s.IDs {
			s.set[v] = true
		}
	}
	return s.set[id]
}

// Add remembers id, forgetting the oldest ids beyond max.
func (s *Seen) Add(id string, max int) {
	if s.Has(id) {
		return
	}
	s.IDs = append(s.IDs, id)
	s.set[id] = true
	if over := len(s.IDs) - max; max > 0 && over > 0 {
		for _, old := range s.IDs[:over] {
			delete(s.set, old)
		}
		s.IDs = append([]string(nil), s.IDs[over:]...)
	}
}

// ShortHash is a 16-hex-digit SHA-256 prefix, used for ids built from URLs or guids.
func ShortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// NodeText returns the visible text of a selection with <br> and block ends as newlines,
// runs of spaces collapsed and lines trimmed: what a reader sees, not the raw markup.
func NodeText(sel *goquery.Selection) string {
	var b strings.Builder
	for _, n := range sel.Nodes {
		walkText(&b, n)
	}
	return CleanText(b.String())
}

var blockTags = map[string]bool{"p": true, "div": true, "li": true, "blockquote": true, "tr": true, "h1": true, "h2": true, "h3": true, "h4": true}

func walkText(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(n.Data)
		return
	case html.ElementNode:
		switch n.Data {
		case "br":
			b.WriteByte('\n')
			return
		case "script", "style", "template":
			return
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkText(b, c)
	}
	if n.Type == html.ElementNode && blockTags[n.Data] {
		b.WriteByte('\n')
	}
}

// CleanText collapses spaces (NBSP included) inside lines, trims lines and drops empty
// leading/trailing lines.
func CleanText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.Join(strings.FieldsFunc(l, func(r rune) bool {
			return r == ' ' || r == '\t' || r == '\u00a0' || r == '\r' || r == '\f' || r == '\v'
		}), " ")
		out = append(out, l)
	}
	return strings.Trim(strings.Join(out, "\n"), "\n")
}
