package ocr

import (
	"context"
	"image"
	"image/color"
	"os/exec"
	"strings"
	"testing"
)

// A TSV as tesseract 5 writes it: page, block, paragraph, line rows (levels 1–4) and
// word rows (level 5); two lines, the second with two words.
const sampleTSV = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n" +
	"1\t1\t0\t0\t0\t0\t0\t0\t2000\t1000\t-1\t\n" +
	"4\t1\t1\t1\t1\t0\t100\t100\t400\t40\t-1\t\n" +
	"5\t1\t1\t1\t1\t1\t100\t100\t400\t40\t95.5\tКЫРГЫЗ\n" +
	"4\t1\t1\t1\t2\t0\t100\t200\t600\t40\t-1\t\n" +
	"5\t1\t1\t1\t2\t1\t100\t200\t200\t40\t91\tПИН\n" +
	"5\t1\t1\t1\t2\t2\t340\t200\t360\t40\t88\t21503199000123\n" +
	"5\t1\t1\t1\t2\t3\t720\t200\t10\t40\t10\t \n"

func TestParseTSV(t *testing.T) {
	r, err := ParseTSV([]byte(sampleTSV), 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Text != "КЫРГЫЗ\nПИН 21503199000123" {
		t.Fatalf("Text = %q", r.Text)
	}
	if len(r.Words) != 3 || len(r.Lines) != 2 {
		t.Fatalf("%d words, %d lines", len(r.Words), len(r.Lines))
	}
	w := r.Words[2]
	if w.Text != "21503199000123" || w.Line != 1 || r.Text[w.Start:w.End] != w.Text {
		t.Errorf("word = %+v", w)
	}
	if w.Box != (Box{X: 170, Y: 100, W: 180, H: 20}) {
		t.Errorf("box not scaled back by 2: %+v", w.Box)
	}
	if got := r.BoxOf(w.Start, w.End); got != w.Box {
		t.Errorf("BoxOf = %+v", got)
	}
	if got := r.Lines[1].Box; got != (Box{X: 50, Y: 100, W: 300, H: 20}) {
		t.Errorf("line box = %+v", got)
	}
	if got := r.BoxOf(0, len(r.Text)); got != (Box{X: 50, Y: 50, W: 300, H: 70}) {
		t.Errorf("BoxOf(all) = %+v", got)
	}
}

func TestParseTSVGarbage(t *testing.T) {
	r, err := ParseTSV([]byte("not\ta\ttsv\nat all"), 1)
	if err != nil || r.Text != "" || len(r.Words) != 0 {
		t.Errorf("garbage: %+v, %v", r, err)
	}
}

func TestCheckMissingBinary(t *testing.T) {
	err := (&Tesseract{Path: "/nonexistent/tesseract"}).Check(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not installed") {
		t.Errorf("Check = %v", err)
	}
}

func TestRecognizeBlankImage(t *testing.T) {
	if _, err := exec.LookPath("tesseract"); err != nil {
		t.Skip("tesseract is not installed")
	}
	img := image.NewRGBA(image.Rect(0, 0, 200, 100))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	img.Set(0, 0, color.Black)
	tt := &Tesseract{}
	if err := tt.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	r, err := tt.Recognize(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(r.Text) != "" {
		t.Errorf("text on a blank image: %q", r.Text)
	}
}
