package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/kuzot/kuzot/media/imageeval"
	"github.com/kuzot/kuzot/media/imagegen"
	"github.com/kuzot/kuzot/media/ocr"
)

func main() {
	fonts, _ := imagegen.LoadFonts()
	t := &ocr.Tesseract{Path: "tesseract"}
	c := &imageeval.TextCache{Dir: "/tmp/img2/tcache", OCR: t}
	ctx := context.Background()
	g := &imagegen.Generator{Fonts: fonts, Seed: imagegen.DefaultSeed, Now: imagegen.DefaultNow}
	ug := &imagegen.Generator{Fonts: fonts, Seed: imagegen.DefaultSeed + 1_000_003, Now: imagegen.DefaultNow}
	for _, a := range os.Args[1:] {
		var b imagegen.Base
		if n, err := strconv.Atoi(a); err == nil {
			b = imageeval.UnrelatedBase(ug, n)
		} else {
			for _, x := range g.Bases(8) {
				if x.ID == a {
					b = x
				}
			}
		}
		txt, err := c.Text(ctx, b.Image)
		fmt.Printf("=== %s (%v)\n%s\n", b.ID, err, txt)
	}
}
