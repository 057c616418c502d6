// Package ocr runs Tesseract on an in-memory image and returns its words and lines with
// bounding boxes. The image goes to tesseract on stdin and the result comes back on
// stdout (TSV), so no picture is ever written to disk.
package ocr

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"golang.org/x/image/draw"
)

// DefaultLanguages are the Debian tesseract-ocr-* language data kuzot needs: Russian,
// Kyrgyz, Uzbek (Latin and Cyrillic) and English.
const DefaultLanguages = "rus+kir+uzb+uzb_cyrl+eng"

// Box is a bounding box in the pixels of the image as given (before any upscaling).
type Box struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// Union returns the smallest box holding b and o (an empty b takes o).
func (b Box) Union(o Box) Box {
	if b.W == 0 && b.H == 0 {
		return o
	}
	x0, y0 := min(b.X, o.X), min(b.Y, o.Y)
	x1, y1 := max(b.X+b.W, o.X+o.W), max(b.Y+b.H, o.Y+o.H)
	return Box{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}

// Word is one recognised word.
type Word struct {
	Text string  `json:"text"`
	Box  Box     `json:"box"`
	Conf float64 `json:"conf"`
	// Line is the index of the word's line in Result.Lines.
	Line int `json:"line"`
	// Start and End are the word's byte offsets in Result.Text.
	Start int `json:"start"`
	End   int `json:"end"`
}

// Line is one recognised text line.
type Line struct {
	Text string `json:"text"`
	Box  Box    `json:"box"`
}

// Result is the OCR of one image: its text (one line per recognised line), the words
// with boxes and offsets into Text, and the lines.
type Result struct {
	Text  string `json:"text"`
	Words []Word `json:"words"`
	Lines []Line `json:"lines"`
}

// BoxOf returns the union of the boxes of the words overlapping Text[start:end]: how an
// entity found in the text is located in the image.
func (r *Result) BoxOf(start, end int) Box {
	var b Box
	for _, w := range r.Words {
		if w.End > start && w.Start < end {
			b = b.Union(w.Box)
		}
	}
	return b
}

// Tesseract runs the tesseract command.
type Tesseract struct {
	// Path is the tesseract binary (default "tesseract" on PATH).
	Path string
	// Languages is the -l argument (default DefaultLanguages).
	Languages string
	// Timeout bounds one image (default 60 s).
	Timeout time.Duration
	// MinHeight upscales images shorter than this many pixels before OCR (default
	// 1000; 0 keeps the default, a negative value disables): Tesseract reads small
	// text poorly. Boxes are reported in the original image's pixels.
	MinHeight int
	// MaxScale bounds that upscaling (default 3).
	MaxScale float64
	// Nice raises each tesseract process's niceness by this much (1–19; 0 leaves it;
	// Linux only): the scheduler then gives the CPU to the text path first on a machine
	// with few cores, and OCR takes what is left.
	Nice int
}

// ErrNotInstalled means the tesseract binary or a language data file is missing.
var ErrNotInstalled = errors.New("tesseract or its language data is not installed")

func (t *Tesseract) defaults() (path, langs string, timeout time.Duration, minH int, maxScale float64) {
	path, langs, timeout, minH, maxScale = t.Path, t.Languages, t.Timeout, t.MinHeight, t.MaxScale
	if path == "" {
		path = "tesseract"
	}
	if langs == "" {
		langs = DefaultLanguages
	}
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	if minH == 0 {
		minH = 1000
	}
	if maxScale <= 0 {
		maxScale = 3
	}
	return
}

// Check verifies that tesseract runs and has every configured language.
func (t *Tesseract) Check(ctx context.Context) error {
	path, langs, _, _, _ := t.defaults()
	out, err := exec.CommandContext(ctx, path, "--list-langs").CombinedOutput()
	if err != nil {
		return fmt.Errorf("ocr: %s --list-langs: %w: %w", path, ErrNotInstalled, err)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	for _, l := range strings.Split(langs, "+") {
		if !have[l] {
			return fmt.Errorf("ocr: %w: language %q (install tesseract-ocr-%s)", ErrNotInstalled, l, strings.ReplaceAll(l, "_", "-"))
		}
	}
	return nil
}

// Recognize runs OCR on img. The image is encoded as PNG in memory and piped to
// tesseract's stdin.
func (t *Tesseract) Recognize(ctx context.Context, img image.Image) (*Result, error) {
	return t.run(ctx, img, "", "3", nil)
}

// MRZAlphabet is the character set of machine-readable zones.
const MRZAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"

// RecognizeMRZ re-reads the region r of img (the lines that look like a
// machine-readable zone in a first pass) with the English model restricted to the MRZ
// alphabet, one uniform text block: the multilingual pass reads "ID" as Cyrillic and '<'
// as punctuation. Boxes are in img's pixels.
func (t *Tesseract) RecognizeMRZ(ctx context.Context, img image.Image, r image.Rectangle) (*Result, error) {
	r = r.Intersect(img.Bounds())
	if r.Empty() {
		return &Result{}, nil
	}
	sub := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Copy(sub, image.Point{}, img, r, draw.Src, nil)
	res, err := t.run(ctx, sub, "eng", "6", []string{"-c", "tessedit_char_whitelist=" + MRZAlphabet})
	if err != nil {
		return nil, err
	}
	for i := range res.Words {
		res.Words[i].Box.X += r.Min.X
		res.Words[i].Box.Y += r.Min.Y
	}
	for i := range res.Lines {
		res.Lines[i].Box.X += r.Min.X
		res.Lines[i].Box.Y += r.Min.Y
	}
	return res, nil
}

func (t *Tesseract) run(ctx context.Context, img image.Image, langOverride, psm string, extra []string) (*Result, error) {
	path, langs, timeout, minH, maxScale := t.defaults()
	if langOverride != "" {
		langs = langOverride
	}
	scale := 1.0
	b := img.Bounds()
	if minH > 0 && b.Dy() < minH {
		scale = min(float64(minH)/float64(b.Dy()), maxScale)
	}
	src := img
	if scale > 1.01 {
		dst := image.NewRGBA(image.Rect(0, 0, int(float64(b.Dx())*scale), int(float64(b.Dy())*scale)))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
		src = dst
	} else {
		scale = 1
	}
	var in bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&in, src); err != nil {
		return nil, fmt.Errorf("ocr: encode: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := append([]string{"stdin", "stdout", "-l", langs, "--psm", psm}, extra...)
	cmd := exec.CommandContext(ctx, path, append(args, "tsv")...)
	cmd.Stdin = &in
	// One thread per process: the ocr role runs a pool of processes instead.
	cmd.Env = append(cmd.Environ(), "OMP_THREAD_LIMIT=1")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Start()
	if err == nil {
		if t.Nice > 0 {
			// Lowering one's own child's priority needs no privilege; a failure only
			// leaves the process at the default priority.
			_ = setNice(cmd.Process.Pid, t.Nice)
		}
		err = cmd.Wait()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ocr: tesseract: %w", ctx.Err())
		}
		var ee *exec.Error
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("ocr: %w: %w", ErrNotInstalled, err)
		}
		return nil, fmt.Errorf("ocr: tesseract: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return ParseTSV(out.Bytes(), scale)
}

// ParseTSV reads tesseract's TSV output (level, page, block, paragraph, line, word,
// left, top, width, height, conf, text) into a Result; boxes are divided by scale.
func ParseTSV(tsv []byte, scale float64) (*Result, error) {
	if scale <= 0 {
		scale = 1
	}
	res := &Result{}
	var text strings.Builder
	type lineKey struct{ page, block, par, line int }
	cur := lineKey{-1, -1, -1, -1}
	sc := bufio.NewScanner(bytes.NewReader(tsv))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	first := true
	for sc.Scan() {
		if first {
			first = false
			if strings.HasPrefix(sc.Text(), "level") {
				continue
			}
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 12 {
			continue
		}
		n := make([]int, 10)
		bad := false
		for i := 0; i < 10; i++ {
			v, err := strconv.Atoi(f[i])
			if err != nil {
				bad = true
				break
			}
			n[i] = v
		}
		if bad || n[0] != 5 {
			continue
		}
		word := strings.TrimSpace(strings.Join(f[11:], "\t"))
		if word == "" {
			continue
		}
		conf, _ := strconv.ParseFloat(f[10], 64)
		box := Box{X: int(float64(n[6]) / scale), Y: int(float64(n[7]) / scale), W: int(float64(n[8])/scale + 0.5), H: int(float64(n[9])/scale + 0.5)}
		k := lineKey{n[1], n[2], n[3], n[4]}
		if k != cur {
			if len(res.Lines) > 0 {
				text.WriteByte('\n')
			}
			res.Lines = append(res.Lines, Line{})
			cur = k
		} else {
			text.WriteByte(' ')
		}
		li := len(res.Lines) - 1
		start := text.Len()
		text.WriteString(word)
		res.Words = append(res.Words, Word{Text: word, Box: box, Conf: conf, Line: li, Start: start, End: text.Len()})
		l := &res.Lines[li]
		if l.Text != "" {
			l.Text += " "
		}
		l.Text += word
		l.Box = l.Box.Union(box)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("ocr: read tsv: %w", err)
	}
	res.Text = text.String()
	return res, nil
}
