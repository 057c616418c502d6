package ocr

import (
	"image"
	"image/color"
	"math"
	"testing"

	"golang.org/x/image/draw"
)

// stripes draws n dark text-like bars (with gaps, as characters) on white, each h
// pixels high, 2h apart.
func stripes(w, n, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, 2*h*n+2*h))
	draw.Draw(g, g.Bounds(), image.NewUniform(color.Gray{250}), image.Point{}, draw.Src)
	for i := 0; i < n; i++ {
		y := h + 2*h*i
		for x := 20; x < w-20; x += 14 {
			draw.Draw(g, image.Rect(x, y, x+9, y+h), image.NewUniform(color.Gray{20}), image.Point{}, draw.Src)
		}
	}
	return g
}

func TestSkewAngle(t *testing.T) {
	base := stripes(900, 3, 24)
	for _, deg := range []float64{0, 1.5, -2, 3} {
		got := skewAngle(rotateGray(base, deg))
		if math.Abs(got-deg) > 0.3 {
			t.Errorf("turned by %.1f°: estimated %.2f°", deg, got)
		}
		if back := skewAngle(rotateGray(rotateGray(base, deg), -got)); math.Abs(back) > 0.3 {
			t.Errorf("turned by %.1f° and back by %.2f°: still %.2f°", deg, got, back)
		}
	}
}

func TestTextRowsAndBinarize(t *testing.T) {
	g := stripes(600, 3, 20)
	rows := textRows(g)
	if len(rows) != 3 {
		t.Fatalf("rows = %v; want 3", rows)
	}
	if h := medianHeight(rows); h != 20 {
		t.Errorf("median height %d; want 20", h)
	}
	b := binarize(g)
	for _, v := range b.Pix {
		if v != 0 && v != 255 {
			t.Fatalf("binarised pixel %d", v)
		}
	}
	if thr := otsu(g); thr < 20 || thr >= 250 {
		t.Errorf("otsu threshold %d outside the two levels", thr)
	}
}
