// Command imagegen writes the generated labelled image set (issue 16) as PNG files with
// a labels.jsonl, for looking at it. Evaluation renders the same set in memory
// (`kuzot eval exposure --images`); nothing reads these files back.
//
//	go run ./media/imagegen/cmd/imagegen -out /tmp/kuzot-images -per-kind 4
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"github.com/kuzot/kuzot/media/imagegen"
)

func main() {
	out := flag.String("out", "", "output directory (required)")
	perKind := flag.Int("per-kind", 4, "pictures per kind")
	seed := flag.Uint64("seed", imagegen.DefaultSeed, "generator seed")
	variants := flag.Bool("variants", false, "also write the re-upload variants")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "imagegen: -out is required")
		os.Exit(2)
	}
	if err := run(*out, *perKind, *seed, *variants); err != nil {
		fmt.Fprintln(os.Stderr, "imagegen:", err)
		os.Exit(1)
	}
}

func run(out string, perKind int, seed uint64, variants bool) error {
	fonts, err := imagegen.LoadFonts()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	g := &imagegen.Generator{Fonts: fonts, Seed: seed, Now: imagegen.DefaultNow}
	labels, err := os.Create(filepath.Join(out, "labels.jsonl"))
	if err != nil {
		return err
	}
	defer labels.Close()
	enc := json.NewEncoder(labels)
	for _, b := range g.Bases(perKind) {
		if err := writePNG(filepath.Join(out, b.ID+".png"), b.Image); err != nil {
			return err
		}
		if err := enc.Encode(map[string]any{"id": b.ID, "kind": b.Kind, "lang": b.Lang, "split": b.Split, "truth": b.Truth}); err != nil {
			return err
		}
		if variants {
			for _, v := range imagegen.Variants(b.Image, g.VariantRand(b.ID)) {
				if err := writePNG(filepath.Join(out, b.ID+"."+v.Name+".png"), v.Image); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
