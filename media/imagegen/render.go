// Package imagegen renders the labelled synthetic image set of issue 16: ID-card and
// passport mock-ups (valid and invalid machine-readable zones), screenshots of lists of
// names, memes, ordinary pictures, receipts and tickets, in ru/ky/uz/en, at several
// scales, recompressed, cropped and rotated. Every person is invented from fixed name
// lists and a seeded generator, so the set is the same on every machine.
//
// It is written apart from the recogniser: nothing here reads media/mrz's parser or the
// exposure classifier's tuning, only the ICAO composition rules (mrz.Compose*).
package imagegen

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"os"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/f64"
	"golang.org/x/image/math/fixed"
)

// Font files of the Debian package fonts-dejavu-core (installed by scripts/test.sh);
// the Go fonts are the fallback (they lack Kyrgyz ң/ө/ү, so ky text renders worse).
const (
	dejavuSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	dejavuMono = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
)

// Fonts holds the parsed faces' sources.
type Fonts struct {
	Sans, Mono *opentype.Font
	// DejaVu is false when the Go fonts were used.
	DejaVu bool
}

// LoadFonts parses DejaVu Sans and Sans Mono, or the Go fonts when they are missing.
func LoadFonts() (*Fonts, error) {
	sb, err1 := os.ReadFile(dejavuSans)
	mb, err2 := os.ReadFile(dejavuMono)
	dejavu := err1 == nil && err2 == nil
	if !dejavu {
		sb, mb = goregular.TTF, gomono.TTF
	}
	sans, err := opentype.Parse(sb)
	if err != nil {
		return nil, fmt.Errorf("imagegen: parse sans font: %w", err)
	}
	mono, err := opentype.Parse(mb)
	if err != nil {
		return nil, fmt.Errorf("imagegen: parse mono font: %w", err)
	}
	return &Fonts{Sans: sans, Mono: mono, DejaVu: dejavu}, nil
}

// Canvas is an RGBA picture with text drawing.
type Canvas struct {
	*image.RGBA
	fonts *Fonts
	faces map[faceKey]font.Face
}

type faceKey struct {
	mono bool
	size float64
}

// NewCanvas returns a w×h canvas filled with bg.
func NewCanvas(f *Fonts, w, h int, bg color.Color) *Canvas {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	return &Canvas{RGBA: img, fonts: f, faces: map[faceKey]font.Face{}}
}

func (c *Canvas) face(mono bool, size float64) font.Face {
	k := faceKey{mono, size}
	if f, ok := c.faces[k]; ok {
		return f
	}
	src := c.fonts.Sans
	if mono {
		src = c.fonts.Mono
	}
	f, err := opentype.NewFace(src, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic(fmt.Sprintf("imagegen: font face %v: %v", k, err)) // parsed fonts always give faces
	}
	c.faces[k] = f
	return f
}

// Text draws s with its baseline at (x, y) and returns the text's box.
func (c *Canvas) Text(x, y int, size float64, mono bool, col color.Color, s string) image.Rectangle {
	f := c.face(mono, size)
	d := &font.Drawer{Dst: c.RGBA, Src: image.NewUniform(col), Face: f, Dot: fixed.P(x, y)}
	bounds, _ := d.BoundString(s)
	d.DrawString(s)
	return image.Rect(bounds.Min.X.Floor(), bounds.Min.Y.Floor(), bounds.Max.X.Ceil(), bounds.Max.Y.Ceil())
}

// TextWidth returns the advance of s.
func (c *Canvas) TextWidth(size float64, mono bool, s string) int {
	return font.MeasureString(c.face(mono, size), s).Ceil()
}

// Rect fills r with col.
func (c *Canvas) Rect(r image.Rectangle, col color.Color) {
	draw.Draw(c.RGBA, r, image.NewUniform(col), image.Point{}, draw.Over)
}

// Scale resizes img by factor with Catmull-Rom.
func Scale(img image.Image, factor float64) *image.RGBA {
	b := img.Bounds()
	w, h := max(1, int(float64(b.Dx())*factor+0.5)), max(1, int(float64(b.Dy())*factor+0.5))
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// Crop keeps the centre of img minus frac of each side (frac 0.05 = 5% off every edge
// proportion, split unevenly by shift in [-1,1]).
func Crop(img image.Image, frac, shift float64) *image.RGBA {
	b := img.Bounds()
	dx, dy := int(float64(b.Dx())*frac), int(float64(b.Dy())*frac)
	ox, oy := int(float64(dx)*(1+shift)), int(float64(dy)*(1-shift))
	r := image.Rect(b.Min.X+ox, b.Min.Y+oy, b.Max.X-2*dx+ox, b.Max.Y-2*dy+oy)
	dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(dst, dst.Bounds(), img, r.Min, draw.Src)
	return dst
}

// Rotate turns img by deg degrees about its centre (bilinear), filling with bg.
func Rotate(img image.Image, deg float64, bg color.Color) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	rad := deg * math.Pi / 180
	cx, cy := float64(b.Dx())/2, float64(b.Dy())/2
	sin, cos := math.Sin(rad), math.Cos(rad)
	aff := f64.Aff3{cos, -sin, cx - cos*cx + sin*cy, sin, cos, cy - sin*cx - cos*cy}
	xdraw.BiLinear.Transform(dst, aff, img, b, draw.Over, nil)
	return dst
}
