package ocr

import (
	"context"
	"image"
	"math"
	"sort"

	"golang.org/x/image/draw"
	"golang.org/x/image/math/f64"
)

// mrzCapHeight is the height in pixels the zone's text lines are scaled to before OCR:
// Tesseract's LSTM models read best with capitals 30–40 px high.
const mrzCapHeight = 36

// mrzConfig are the Tesseract settings of every zone reading: the MRZ alphabet, and no
// dictionaries (a zone holds no words; the word lists turn BERMET into BERMEI).
var mrzConfig = []string{
	"-c", "tessedit_char_whitelist=" + MRZAlphabet,
	"-c", "load_system_dawg=0", "-c", "load_freq_dawg=0",
}

// MRZReadings reads the region r of img (where a machine-readable zone is expected)
// with the zone preprocessing: grey levels, deskew of small rotations (±4°), scaling so
// that text lines are about 36 px high, and Otsu binarisation; then Tesseract with the
// MRZ alphabet and no dictionaries. It tries the readings in order — binarised block,
// grey block, each text line alone — and stops as soon as done(text) reports that a
// reading is good enough (every check digit agrees). It returns the texts read.
func (t *Tesseract) MRZReadings(ctx context.Context, img image.Image, r image.Rectangle, done func(text string) bool) ([]string, error) {
	r = r.Intersect(img.Bounds())
	if r.Empty() {
		return nil, nil
	}
	gray := toGray(img, r)
	if a := skewAngle(gray); math.Abs(a) >= 0.2 {
		gray = rotateGray(gray, -a)
	}
	lines := textRows(gray)
	scale := 1.0
	if h := medianHeight(lines); h > 0 {
		scale = math.Max(1, math.Min(4, float64(mrzCapHeight)/float64(h)))
	}
	big := scaleGray(gray, scale)
	bin := binarize(big)
	var texts []string
	read := func(m image.Image, psm string) (bool, error) {
		res, err := t.runPrepared(ctx, m, psm)
		if err != nil {
			return false, err
		}
		texts = append(texts, res.Text)
		return done(res.Text), nil
	}
	for _, m := range []image.Image{pad(bin), pad(big)} {
		if ok, err := read(m, "6"); err != nil || ok {
			return texts, err
		}
	}
	// Line by line (page segmentation 7): a block reading sometimes merges or splits
	// lines of a slightly curved zone.
	rows := textRows(bin)
	if len(rows) < 2 || len(rows) > 6 {
		return texts, nil
	}
	var joined string
	for i, row := range rows {
		h := row[1] - row[0]
		y0, y1 := max(0, row[0]-h/3), min(bin.Bounds().Dy(), row[1]+h/3)
		sub := bin.SubImage(image.Rect(0, y0, bin.Bounds().Dx(), y1))
		res, err := t.runPrepared(ctx, pad(sub), "7")
		if err != nil {
			return texts, err
		}
		if i > 0 {
			joined += "\n"
		}
		joined += res.Text
	}
	texts = append(texts, joined)
	done(joined)
	return texts, nil
}

// runPrepared runs tesseract on an already preprocessed image (no upscaling).
func (t *Tesseract) runPrepared(ctx context.Context, img image.Image, psm string) (*Result, error) {
	c := *t
	c.MinHeight = -1
	return c.run(ctx, img, "eng", psm, mrzConfig)
}

func toGray(img image.Image, r image.Rectangle) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Copy(g, image.Point{}, img, r, draw.Src, nil)
	return g
}

// otsu returns the threshold that best separates the two grey-level classes of g.
func otsu(g *image.Gray) uint8 {
	var hist [256]int
	for _, v := range g.Pix {
		hist[v]++
	}
	total := len(g.Pix)
	sum := 0.0
	for i, n := range hist {
		sum += float64(i * n)
	}
	var sumB, wB float64
	best, thr := -1.0, 128
	for i := 0; i < 256; i++ {
		wB += float64(hist[i])
		if wB == 0 {
			continue
		}
		wF := float64(total) - wB
		if wF == 0 {
			break
		}
		sumB += float64(i * hist[i])
		mB, mF := sumB/wB, (sum-sumB)/wF
		if v := wB * wF * (mB - mF) * (mB - mF); v > best {
			best, thr = v, i
		}
	}
	return uint8(thr)
}

func binarize(g *image.Gray) *image.Gray {
	thr := otsu(g)
	out := image.NewGray(g.Bounds())
	for i, v := range g.Pix {
		if v > thr {
			out.Pix[i] = 255
		}
	}
	return out
}

// pad surrounds m with a white border (Tesseract reads text touching the edge poorly).
func pad(m image.Image) *image.Gray {
	b := m.Bounds()
	const p = 16
	out := image.NewGray(image.Rect(0, 0, b.Dx()+2*p, b.Dy()+2*p))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	draw.Copy(out, image.Pt(p, p), m, b, draw.Src, nil)
	return out
}

func scaleGray(g *image.Gray, s float64) *image.Gray {
	if s <= 1.01 {
		return g
	}
	b := g.Bounds()
	out := image.NewGray(image.Rect(0, 0, int(float64(b.Dx())*s), int(float64(b.Dy())*s)))
	draw.CatmullRom.Scale(out, out.Bounds(), g, b, draw.Src, nil)
	return out
}

// rotateGray turns g by deg degrees about its centre, filling with white.
func rotateGray(g *image.Gray, deg float64) *image.Gray {
	b := g.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	rad := deg * math.Pi / 180
	cx, cy := float64(b.Dx())/2, float64(b.Dy())/2
	sin, cos := math.Sin(rad), math.Cos(rad)
	aff := f64.Aff3{cos, -sin, cx - cos*cx + sin*cy, sin, cos, cy - sin*cx - cos*cy}
	draw.BiLinear.Transform(out, aff, g, b, draw.Over, nil)
	return out
}

// skewAngle estimates the rotation of text lines in g (degrees, within ±4, in the
// sense of rotateGray) as the shear that makes the row profile of dark pixels sharpest.
func skewAngle(g *image.Gray) float64 {
	b := g.Bounds()
	thr := otsu(g)
	type pt struct{ x, y int }
	var dark []pt
	step := max(1, b.Dx()/600)
	for y := 0; y < b.Dy(); y += step {
		for x := 0; x < b.Dx(); x += step {
			if g.Pix[y*g.Stride+x] <= thr {
				dark = append(dark, pt{x, y})
			}
		}
	}
	if len(dark) < 50 {
		return 0
	}
	best, bestA := -1.0, 0.0
	for a := -4.0; a <= 4.0001; a += 0.25 {
		t := math.Tan(a * math.Pi / 180)
		rows := map[int]int{}
		for _, p := range dark {
			rows[int(math.Round(float64(p.y)-float64(p.x)*t))/step]++
		}
		v := 0.0
		for _, n := range rows {
			v += float64(n) * float64(n)
		}
		if v > best+1e-9 {
			best, bestA = v, a
		}
	}
	// Rows y' = y - x·tan(a) are sharpest when a is the angle rotateGray turned level
	// lines by, so rotateGray(g, -a) levels them.
	return bestA
}

// textRows returns the [top, bottom) pixel rows of g's text lines: runs of rows with
// ink, split where the ink drops below a tenth of the busiest row.
func textRows(g *image.Gray) [][2]int {
	b := g.Bounds()
	thr := otsu(g)
	prof := make([]int, b.Dy())
	peak := 0
	for y := 0; y < b.Dy(); y++ {
		row := g.Pix[y*g.Stride : y*g.Stride+b.Dx()]
		for _, v := range row {
			if v <= thr {
				prof[y]++
			}
		}
		peak = max(peak, prof[y])
	}
	var out [][2]int
	start := -1
	for y := 0; y <= len(prof); y++ {
		ink := y < len(prof) && prof[y]*10 > peak && prof[y] > 0
		switch {
		case ink && start < 0:
			start = y
		case !ink && start >= 0:
			if y-start >= 4 {
				out = append(out, [2]int{start, y})
			}
			start = -1
		}
	}
	return out
}

func medianHeight(rows [][2]int) int {
	if len(rows) == 0 {
		return 0
	}
	h := make([]int, len(rows))
	for i, r := range rows {
		h[i] = r[1] - r[0]
	}
	sort.Ints(h)
	return h[len(h)/2]
}
