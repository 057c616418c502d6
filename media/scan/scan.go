// Package scan turns one image into what kuzot may keep of it: a perceptual hash, the
// OCR text redacted as post text is, the entity types found with their bounding boxes,
// machine-readable zones and Kyrgyz personal numbers, and an exposure verdict. The
// pixels and the plain OCR text never leave Scan.
package scan

import (
	"context"
	"fmt"
	"image"
	"sort"
	"strings"
	"time"

	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
	"github.com/kuzot/kuzot/media/mrz"
	"github.com/kuzot/kuzot/media/ocr"
	"github.com/kuzot/kuzot/media/phash"
)

// Document kinds an image can be recognised as.
const (
	KindPassport = "passport" // a valid or plausible TD3 zone
	KindIDCard   = "id_card"  // a TD1 zone or a Kyrgyz personal number on a card front
	KindText     = "text"     // other readable text
	KindNone     = ""         // nothing readable
)

// Entity is one finding in an image: its type, where it is, and which recogniser found
// it (mrz, pin, text). It carries no value.
type Entity struct {
	Type   exposure.EntityType `json:"type"`
	Box    ocr.Box             `json:"box"`
	Source string              `json:"source"`
}

// Finding is the verdict on one image of a post.
type Finding struct {
	// MediaIndex is the image's index in the post's media list.
	MediaIndex int        `json:"media_index"`
	Hash       phash.Hash `json:"hash"`
	// Sig sketches the OCR words for the re-upload rule (phash.TextSig).
	Sig      phash.TextSig `json:"text_sig"`
	Width    int           `json:"width"`
	Height   int           `json:"height"`
	Kind     string        `json:"kind,omitempty"`
	Exposed  bool          `json:"exposed"`
	Outing   bool          `json:"outing"`
	Severity string        `json:"severity"`
	// Categories are the exposed identifier types, sorted.
	Categories []exposure.EntityType `json:"categories"`
	Entities   []Entity              `json:"entities"`
	// MRZValid: a zone whose every check digit agrees was read.
	MRZValid bool `json:"mrz_valid"`
	// Zones are the machine-readable zones as parsed. They hold the holder's data and
	// are for evaluation only: Redact clears them before anything is kept.
	Zones []mrz.Zone `json:"-"`
	// Redacted is the OCR text with identifiers, names, zones and personal numbers
	// masked.
	Redacted string `json:"redacted_text"`
	// Text is the plain OCR text, for the classifiers of the same process; it is never
	// marshalled.
	Text string `json:"-"`
	// Analysis is the exposure classifier's analysis of Text (nil without an Analyzer
	// or text); never marshalled.
	Analysis *exposure.Analysis `json:"-"`
	// TextEntities are the analysis's entities relocated onto Redacted (byte offsets),
	// so the redacted text and its entities can travel as a post's text and result.
	TextEntities []exposure.Entity `json:"-"`
	// Members are the watch-listed members the picture exposes: those the text
	// analysis found exposed and, on a document (a machine-readable zone or a personal
	// number), every member named on it, the zone's holder included. Never marshalled.
	Members []watchlist.Ref `json:"-"`
}

// Analyzer judges a text as a post (the exposure classifier's Analyze).
type Analyzer func(text, author string) (*exposure.Analysis, error)

// Scanner runs OCR, zone and number recognition and the text analysis on images.
type Scanner struct {
	OCR     *ocr.Tesseract
	Analyze Analyzer
	Now     func() time.Time
	// SkipOCR only hashes (for the re-upload index of images already judged).
	SkipOCR bool
}

// mrzLike reports whether an OCR line looks like a machine-readable zone line, so that
// the region is read again with the MRZ alphabet and masked in the redacted text.
func mrzLike(line string) bool {
	n, caps, fill := 0, 0, 0
	for _, r := range line {
		switch {
		case r == ' ':
			continue
		case r == '<' || r == '«' || r == '‹':
			fill++
		case (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || (r >= 'А' && r <= 'Я') || r == 'Ё':
			caps++
		}
		n++
	}
	return n >= 24 && float64(caps+fill) >= 0.85*float64(n) && (fill >= 1 || n >= 28)
}

// Scan judges img, the index-th image of a post by author.
func (s *Scanner) Scan(ctx context.Context, index int, img image.Image, author string) (*Finding, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	h, err := phash.Of(img)
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	f := &Finding{MediaIndex: index, Hash: h, Width: b.Dx(), Height: b.Dy(), Severity: string(exposure.SeverityNone),
		Categories: []exposure.EntityType{}, Entities: []Entity{}}
	if s.SkipOCR {
		return f, nil
	}
	res, err := s.OCR.Recognize(ctx, img)
	if err != nil {
		return nil, fmt.Errorf("scan image %d: %w", index, err)
	}
	f.Text = res.Text
	f.Sig = phash.SigOf(res.Text)

	zones, region, mrzLines, err := s.ReadZones(ctx, img, res)
	if err != nil {
		return nil, fmt.Errorf("scan image %d: %w", index, err)
	}
	// Names carry no check digit: confirm them with the name printed on the document.
	var front []string
	for _, l := range strings.Split(res.Text, "\n") {
		if !mrzLike(l) {
			front = append(front, l)
		}
	}
	for i := range zones {
		mrz.ConfirmNames(&zones[i], strings.Join(front, "\n"))
	}
	f.Zones = zones
	f.Sig = f.Sig.WithZones(zones)
	for _, z := range zones {
		if z.Valid() {
			f.MRZValid = true
		}
		t := exposure.TypeNationalID
		kind := KindIDCard
		if z.Format == mrz.TD3 {
			t, kind = exposure.TypePassport, KindPassport
		}
		f.Kind = kind
		box := region
		f.Entities = append(f.Entities, Entity{Type: t, Box: ocr.Box{X: box.Min.X, Y: box.Min.Y, W: box.Dx(), H: box.Dy()}, Source: "mrz"})
		if !z.BirthDate.IsZero() && z.Valid() {
			f.Entities = append(f.Entities, Entity{Type: exposure.TypeBirthDate, Box: ocr.Box{X: box.Min.X, Y: box.Min.Y, W: box.Dx(), H: box.Dy()}, Source: "mrz"})
		}
	}

	// Kyrgyz personal numbers on a card front.
	pins := mrz.FindPINs(res.Text, now())
	for _, p := range pins {
		if f.Kind == KindNone {
			f.Kind = KindIDCard
		}
		f.Entities = append(f.Entities, Entity{Type: exposure.TypeNationalID, Box: res.Lines[p.Line].Box, Source: "pin"})
	}

	// The text itself, judged as a post.
	var a *exposure.Analysis
	if s.Analyze != nil && strings.TrimSpace(res.Text) != "" {
		a, err = s.Analyze(res.Text, author)
		if err != nil {
			return nil, fmt.Errorf("scan image %d: %w", index, err)
		}
		for _, e := range a.Entities {
			f.Entities = append(f.Entities, Entity{Type: e.Type, Box: res.BoxOf(e.Start, e.End), Source: "text"})
		}
	}
	if f.Kind == KindNone && strings.TrimSpace(res.Text) != "" {
		f.Kind = KindText
	}
	f.decide(a, zones, pins)
	var ents []exposure.Entity
	if a != nil {
		ents = a.Entities
	}
	f.Analysis = a
	f.Redacted, f.TextEntities = redactSpans(res, ents, mrzLines)
	if err := f.members(s.Analyze, a, zones, pins); err != nil {
		return nil, fmt.Errorf("scan image %d: %w", index, err)
	}
	return f, nil
}

// ReadZones finds the machine-readable zones of img given its first OCR pass res: the
// lines that look like a zone (or, when the first pass read none but shows zone-like
// fragments, the lower part of the picture) are read again with the MRZ preprocessing
// and alphabet (ocr.Tesseract.MRZReadings), and the reading whose check digits agree
// best wins. It returns the zones, the region read again (empty when none) and the
// indices of the first pass's zone-like lines.
func (s *Scanner) ReadZones(ctx context.Context, img image.Image, res *ocr.Result) ([]mrz.Zone, image.Rectangle, map[int]bool, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	b := img.Bounds()
	var region image.Rectangle
	mrzLines := map[int]bool{}
	for i, l := range res.Lines {
		if mrzLike(l.Text) {
			mrzLines[i] = true
			r := image.Rect(l.Box.X, l.Box.Y, l.Box.X+l.Box.W, l.Box.Y+l.Box.H)
			region = region.Union(r)
		}
	}
	zones := mrz.Find(res.Text, now())
	if region.Empty() && (len(zones) > 0 || zoneHint(res)) {
		// The first pass garbled the zone (Cyrillic letters, punctuation for fillers):
		// read the lower part of the picture, where ICAO puts the zone.
		region = image.Rect(b.Min.X, b.Min.Y+b.Dy()*55/100, b.Max.X, b.Max.Y)
	} else if !region.Empty() {
		pad := max(8, region.Dy()/4)
		region = image.Rect(b.Min.X, region.Min.Y-pad, b.Max.X, region.Max.Y+pad)
	}
	if region.Empty() {
		return zones, region, mrzLines, nil
	}
	region = region.Intersect(b)
	// The first pass's own reading loses ties: the MRZ readings see the zone alone. A
	// reading whose name line held digits (folded to letters by the parser) is doubtful:
	// names carry no check digit, so another reading is tried.
	best, bestScore := zones, 4*validCount(zones)+2*cleanNames(zones, res.Text)-1
	_, err := s.OCR.MRZReadings(ctx, img, region, func(text string) bool {
		z := mrz.Find(text, now())
		if sc := 4*validCount(z) + 2*cleanNames(z, text); len(z) > 0 && sc > bestScore {
			best, bestScore = z, sc
		}
		return allValid(best) && bestScore%4 == 2
	})
	if err != nil {
		return nil, region, mrzLines, err
	}
	zones = best
	return zones, region, mrzLines, nil
}

// zoneHint reports whether a first OCR pass shows fragments of a machine-readable zone
// that it did not read as one: a run of three fillers (or two in a long line), or a
// run of 28 Latin capitals, digits and fillers.
func zoneHint(res *ocr.Result) bool {
	for _, l := range res.Lines {
		t := strings.ReplaceAll(l.Text, " ", "")
		if strings.Contains(t, "<<<") || strings.Contains(t, "««") || strings.Contains(t, "<<") && len(t) >= 20 {
			return true
		}
		run := 0
		for _, r := range t {
			if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '<' || r == '«' {
				run++
				if run >= 28 {
					return true
				}
			} else {
				run = 0
			}
		}
	}
	return false
}

// cleanNames is 1 when the name line of every zone in zs was read without digits in
// text (the reading the zones were parsed from), else 0.
func cleanNames(zs []mrz.Zone, text string) int {
	lines := strings.Split(text, "\n")
	for _, z := range zs {
		i, from := z.FirstLine, 5
		if z.Format == mrz.TD1 {
			i, from = z.FirstLine+2, 0
		}
		if i >= len(lines) {
			return 0
		}
		l := strings.ReplaceAll(lines[i], " ", "")
		if len(l) > from && strings.ContainsAny(l[from:], "0123456789") {
			return 0
		}
	}
	if len(zs) == 0 {
		return 0
	}
	return 1
}

// allValid reports whether zs holds zones and every one is valid.
func allValid(zs []mrz.Zone) bool {
	for _, z := range zs {
		if !z.Valid() {
			return false
		}
	}
	return len(zs) > 0
}

func validCount(zs []mrz.Zone) int {
	n := 0
	for _, z := range zs {
		if z.Valid() {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// decide sets the verdict. A valid zone is a document leak with near certainty (high); a
// zone that fails its checks, or a labelled personal number, is still a photographed
// document (medium); otherwise the text's own verdict stands.
func (f *Finding) decide(a *exposure.Analysis, zones []mrz.Zone, pins []mrz.PIN) {
	sev := exposure.SeverityNone
	cats := map[exposure.EntityType]bool{}
	raise := func(s exposure.Severity) {
		if s.Rank() > sev.Rank() {
			sev = s
		}
	}
	for _, z := range zones {
		t := exposure.TypeNationalID
		if z.Format == mrz.TD3 {
			t = exposure.TypePassport
		}
		cats[t] = true
		if z.Valid() {
			cats[exposure.TypeBirthDate] = true
			raise(exposure.SeverityHigh)
		} else {
			raise(exposure.SeverityMedium)
		}
	}
	for _, p := range pins {
		cats[exposure.TypeNationalID] = true
		if p.Labelled {
			raise(exposure.SeverityHigh)
		} else {
			raise(exposure.SeverityMedium)
		}
	}
	if a != nil {
		raise(a.Severity)
		if a.Exposed {
			for _, c := range a.Categories {
				cats[c] = true
			}
		}
		f.Outing = a.Outing
	}
	f.Severity = string(sev)
	f.Exposed = sev.Rank() >= exposure.SeverityMedium.Rank() || (a != nil && a.Exposed)
	if !f.Exposed {
		return
	}
	for c := range cats {
		f.Categories = append(f.Categories, c)
	}
	sort.Slice(f.Categories, func(i, j int) bool { return f.Categories[i] < f.Categories[j] })
}

// members sets Members. A name on a photographed document is its holder: every member
// the text names is exposed by it, and the zone's holder names (ICAO Latin) are looked
// up too, so a member listed under the Latin spelling of the name is found even when
// the card front's Cyrillic lines are misread.
func (f *Finding) members(analyze Analyzer, a *exposure.Analysis, zones []mrz.Zone, pins []mrz.PIN) error {
	seen := map[watchlist.Ref]bool{}
	add := func(rs []watchlist.Ref) {
		for _, r := range rs {
			if !seen[r] {
				seen[r] = true
				f.Members = append(f.Members, r)
			}
		}
	}
	if a != nil {
		add(a.Watchlist)
	}
	if len(zones) == 0 && len(pins) == 0 {
		return nil
	}
	if a != nil {
		add(a.Mentions)
	}
	if analyze == nil {
		return nil
	}
	for _, z := range zones {
		name := strings.TrimSpace(titleWords(z.GivenNames) + " " + titleWords(z.Surname))
		if strings.Count(name, " ") < 1 {
			continue
		}
		ha, err := analyze(name, "")
		if err != nil {
			return err
		}
		add(ha.Watchlist)
		add(ha.Mentions)
	}
	sort.Slice(f.Members, func(i, j int) bool {
		if f.Members[i].Org != f.Members[j].Org {
			return f.Members[i].Org < f.Members[j].Org
		}
		return f.Members[i].Member < f.Members[j].Member
	})
	return nil
}

// titleWords turns an ICAO name field ("TOKTOSUNOV" or "AIBEK<BEK") into "Toktosunov",
// "Aibek Bek".
func titleWords(s string) string {
	words := strings.Fields(strings.NewReplacer("<", " ").Replace(s))
	for i, w := range words {
		words[i] = w[:1] + strings.ToLower(w[1:])
	}
	return strings.Join(words, " ")
}
