package chart

import (
	"encoding/xml"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// wellFormed parses the SVG as XML, so a broken escape or tag fails the test.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, svg)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		t.Fatalf("%s differs from golden file:\n%s", name, got)
	}
}

func TestLineGolden(t *testing.T) {
	c := Line{Title: "Flagged posts per day <by frame>", Labels: []string{"05-01", "05-02", "05-03"},
		Series: []Series{{Name: "propaganda_ban", Values: []float64{1, 4, 2}}, {Name: "foreign & agent", Values: []float64{0, 7, 3}}}}
	svg := string(c.SVG())
	wellFormed(t, svg)
	if !strings.Contains(svg, `aria-label="Flagged posts per day &lt;by frame&gt;"`) || strings.Count(svg, "<polyline") != 2 {
		t.Fatalf("missing title or series:\n%s", svg)
	}
	golden(t, "line.svg", svg)
}

func TestBarsGolden(t *testing.T) {
	c := Bars{Title: "Top channels", Bars: []Bar{{"t.me/demo_kanal_1", 30}, {"очень длинное имя канала, которое режется", 12}, {"<script>", 0}}}
	svg := string(c.SVG())
	wellFormed(t, svg)
	if strings.Contains(svg, "<script>") || strings.Count(svg, "<rect") != 3 {
		t.Fatalf("bars:\n%s", svg)
	}
	golden(t, "bars.svg", svg)
}

func TestDegenerateInputs(t *testing.T) {
	for name, c := range map[string]Line{
		"empty":    {},
		"one day":  {Labels: []string{"d"}, Series: []Series{{Name: "s", Values: []float64{3}}}},
		"bad nums": {Labels: []string{"a", "b"}, Series: []Series{{Name: "s", Values: []float64{math.NaN(), math.Inf(1)}}}},
		"short":    {Labels: []string{"a", "b", "c"}, Series: []Series{{Name: "s", Values: []float64{-5}}}},
		"invalid":  {Title: string([]byte{0xff}), Labels: []string{"\x00"}},
	} {
		t.Run(name, func(t *testing.T) {
			svg := string(c.SVG())
			if strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
				t.Fatalf("non-finite coordinate:\n%s", svg)
			}
			wellFormed(t, svg)
		})
	}
	svg := string(Bars{Bars: []Bar{{"x", math.NaN()}}}.SVG())
	if strings.Contains(svg, "NaN") {
		t.Fatal(svg)
	}
}

func TestNiceMax(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 0.3: 0.5, 7: 10, 12: 20, 150: 200, 1000: 1000, 4001: 5000} {
		if got := niceMax(in); math.Abs(got-want) > 1e-9 {
			t.Errorf("niceMax(%v) = %v, want %v", in, got, want)
		}
	}
}
