package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedCorpusIsGenerated keeps corpus/ reproducible: regenerate with
// `go run ./classifiers/exposure/internal/corpusgen -out classifiers/exposure/corpus`.
func TestCommittedCorpusIsGenerated(t *testing.T) {
	dir := filepath.Join("..", "..", "corpus")
	hand, err := os.ReadFile(filepath.Join(dir, "handwritten.txt"))
	if err != nil {
		t.Fatal(err)
	}
	corpus, wl, err := generate(hand)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{"corpus.jsonl": corpus, "watchlist.yaml": wl} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not what the generator writes; regenerate it", name)
		}
	}
}

func TestParseHandRejectsBadMarkup(t *testing.T) {
	for _, in := range []string{"ru|1|0||unclosed [[phone:0555", "ru|1|0||empty [[phone:]]", "ru|1", "ru|1|0|nomember|x"} {
		if _, err := parseHand([]byte(in), 1); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestChecksumGenerators(t *testing.T) {
	if s := innDigit("123456789", []int{2, 4, 10, 3, 5, 9, 4, 6, 8}); s != '4' {
		t.Errorf("INN10 check digit of 123456789 = %c, want 4", s)
	}
}
