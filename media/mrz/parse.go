package mrz

import (
	"strings"
	"time"
)

// maxRepairs bounds the swaps tried inside one alphanumeric field: with a single check
// digit (one chance in ten of agreeing by accident) more would confirm noise.
const maxRepairs = 2

// numericFold maps the letters OCR returns for digits in a field that may only hold
// digits (dates, check digits).
var numericFold = map[byte]byte{
	'O': '0', 'Q': '0', 'D': '0', 'U': '0',
	'I': '1', 'L': '1', 'T': '1', 'J': '1',
	'Z': '2', 'S': '5', 'G': '6', 'B': '8',
}

// confusable pairs tried inside alphanumeric fields (document numbers).
var confusable = map[byte]byte{
	'0': 'O', 'O': '0', '1': 'I', 'I': '1', '5': 'S', 'S': '5',
	'8': 'B', 'B': '8', '2': 'Z', 'Z': '2',
}

// foldDigits maps a numeric field's letters to digits and counts the changes; ok is
// false when a character is neither a digit nor a known look-alike.
func foldDigits(s string) (string, int, bool) {
	b := []byte(s)
	n := 0
	for i, c := range b {
		if c >= '0' && c <= '9' {
			continue
		}
		d, ok := numericFold[c]
		if !ok {
			return s, 0, false
		}
		b[i] = d
		n++
	}
	return string(b), n, true
}

// foldCheck reads one check-digit character: a digit, a filler, or a look-alike.
func foldCheck(c byte) (byte, int) {
	if (c >= '0' && c <= '9') || c == '<' {
		return c, 0
	}
	if d, ok := numericFold[c]; ok {
		return d, 1
	}
	return c, 0
}

// alnumCandidates returns the readings of field that agree with check, with the fewest
// confusable swaps (0 when it agrees as read), up to maxRepairs swaps.
func alnumCandidates(field string, check byte) ([]string, int) {
	if checkOK(field, check) {
		return []string{field}, 0
	}
	var pos []int
	for i := 0; i < len(field); i++ {
		if _, ok := confusable[field[i]]; ok {
			pos = append(pos, i)
		}
	}
	for k := 1; k <= maxRepairs; k++ {
		var out []string
		combos(len(pos), k, func(idx []int) {
			b := []byte(field)
			for _, j := range idx {
				b[pos[j]] = confusable[b[pos[j]]]
			}
			if s := string(b); checkOK(s, check) {
				out = append(out, s)
			}
		})
		if len(out) > 0 {
			return out, k
		}
	}
	return nil, 0
}

// combos calls f with every k-subset of 0..n-1.
func combos(n, k int, f func([]int)) {
	idx := make([]int, k)
	var rec func(start, depth int)
	rec = func(start, depth int) {
		if depth == k {
			f(idx)
			return
		}
		for i := start; i < n; i++ {
			idx[depth] = i
			rec(i+1, depth+1)
		}
	}
	rec(0, 0)
}

// numericField folds a date or other digit-only field and reports whether its check
// digit agrees; repairs counts folded characters, kept only when the check agrees.
func numericField(field string, check byte) (string, bool, int) {
	if checkOK(field, check) {
		return field, true, 0
	}
	f, n, ok := foldDigits(field)
	c, m := foldCheck(check)
	if ok && checkOK(f, c) {
		return f, true, n + m
	}
	return field, false, 0
}

// resolveDate turns YYMMDD into a date; birth dates take the latest century not after
// now, expiry dates the 2000s.
func resolveDate(s string, birth bool, now time.Time) time.Time {
	if len(s) != 6 {
		return time.Time{}
	}
	for i := 0; i < 6; i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}
		}
	}
	yy := int(s[0]-'0')*10 + int(s[1]-'0')
	mm := int(s[2]-'0')*10 + int(s[3]-'0')
	dd := int(s[4]-'0')*10 + int(s[5]-'0')
	year := 2000 + yy
	if birth && year > now.Year() {
		year -= 100
	}
	t := time.Date(year, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if mm < 1 || mm > 12 || t.Day() != dd || int(t.Month()) != mm {
		return time.Time{}
	}
	return t
}

// parseName splits an ICAO name field: surname, "<<", given names, '<' between words.
// Trailing filler noise that OCR reads as K (a '<' with its tail) is dropped only inside
// the final filler run.
func parseName(field string) (surname, given string) {
	if i := strings.Index(field, "<<<"); i >= 0 {
		tail := field[i:]
		if strings.Trim(tail, "<KCEL") == "" {
			field = field[:i]
		}
	}
	field = strings.TrimRight(field, "<")
	parts := strings.SplitN(field, "<<", 2)
	surname = strings.ReplaceAll(strings.Trim(parts[0], "<"), "<", " ")
	if len(parts) == 2 {
		given = strings.ReplaceAll(strings.Trim(parts[1], "<"), "<", " ")
	}
	return surname, given
}

func trimFill(s string) string { return strings.Trim(s, "<") }

func sexOf(c byte) string {
	switch c {
	case 'M', 'F':
		return string(c)
	}
	return ""
}

// tryTD3 reads lines[i], lines[i+1] as a passport zone.
func tryTD3(lines []string, i int, now time.Time) (Zone, bool) {
	if i+1 >= len(lines) || len(lines[i]) < 10 || len(lines[i+1]) < td3Len-3 {
		return Zone{}, false
	}
	l1, ok1 := fitName(lines[i], td3Len, 5)
	l2, ok2 := fitInner(lines[i+1], td3Len)
	if !ok1 || !ok2 || l1[0] != 'P' {
		return Zone{}, false
	}
	l1 = foldLetters(l1[:5]) + l1[5:]
	z := Zone{Format: TD3, FirstLine: i, DocumentCode: trimFill(l1[0:2]), Issuer: trimFill(l1[2:5])}
	z.Surname, z.GivenNames = parseName(l1[5:])

	birth, okB, rB := numericField(l2[13:19], l2[19])
	expiry, okE, rE := numericField(l2[21:27], l2[27])
	optional := l2[28:42]
	okO := checkOK(optional, l2[42])
	rO := 0
	if !okO {
		if c, n := foldCheck(l2[42]); checkOK(optional, c) {
			okO, rO = true, n
		}
	}
	composite, rC := foldCheck(l2[43])
	cands, rD := alnumCandidates(l2[0:9], l2[9])
	docCheck, rDC := foldCheck(l2[9])
	if len(cands) == 0 && rDC > 0 {
		cands, rD = alnumCandidates(l2[0:9], docCheck)
		rD += rDC
	}
	bCheck, eCheck := foldedCheck(birth, l2[19]), expiryCheck(expiry, l2[27])
	optCheck := string(l2[42])
	if okO {
		c, _ := foldCheck(l2[42])
		optCheck = string(c)
	}
	doc, okD, okC := pickDocument(cands, l2[0:9], func(d string) bool {
		return checkOK(d+string(docCheckFor(d))+birth+bCheck+expiry+eCheck+optional+optCheck, composite)
	})
	z.DocumentNumber = trimFill(doc)
	z.Nationality = trimFill(foldLetters(l2[10:13]))
	z.BirthDate = resolveDate(birth, true, now)
	z.ExpiryDate = resolveDate(expiry, false, now)
	z.Sex = sexOf(l2[20])
	z.Optional1 = trimFill(optional)
	z.PersonalNumber = pinIn(z.Optional1, now)
	z.Checks = Checks{Document: okD, Birth: okB, Expiry: okE, Optional: okO, Composite: okC}
	if okD && doc != l2[0:9] {
		z.DocumentRepaired = true
		z.Repairs += rD
	} else if okD {
		z.Repairs += rDC
	}
	z.Repairs += rB + rE + rO
	if okC {
		z.Repairs += rC
	}
	nl2 := l2[0:10] + l2[10:13] + birth + bCheck + l2[20:21] + expiry + eCheck + optional + optCheck + string(composite)
	if okD {
		nl2 = doc + string(docCheckFor(doc)) + nl2[10:]
	}
	z.Lines = []string{l1, nl2}
	return z, plausible(z)
}

// docCheckFor returns the check digit character of a document number.
func docCheckFor(doc string) byte {
	d, ok := CheckDigit(doc)
	if !ok {
		return '?'
	}
	return byte('0' + d)
}

// foldedCheck returns the check digit of a numeric field as it agrees, or the raw
// character when it does not.
func foldedCheck(field string, raw byte) string {
	if c, _ := foldCheck(raw); checkOK(field, c) {
		return string(c)
	}
	return string(raw)
}

func expiryCheck(field string, raw byte) string { return foldedCheck(field, raw) }

// pickDocument chooses among document-number readings that agree with their check
// digit: the single one that also agrees with the composite check, or the single
// reading when there is one. Ambiguity leaves the field as read and unconfirmed.
func pickDocument(cands []string, asRead string, composite func(string) bool) (doc string, okDoc, okComposite bool) {
	var withComposite []string
	for _, c := range cands {
		if composite(c) {
			withComposite = append(withComposite, c)
		}
	}
	if len(withComposite) > 1 && !docShape(asRead) {
		// Two readings agree with both check digits (one chance in ten each). When the
		// number as read is not shaped as issued numbers are (letters, then digits:
		// "1D4566456"), OCR broke that shape: keep the single reading that restores it.
		// A number read in shape is never re-shaped (a tampered digit stays invalid).
		var shaped []string
		for _, c := range withComposite {
			if docShape(c) {
				shaped = append(shaped, c)
			}
		}
		if len(shaped) == 1 {
			return shaped[0], true, true
		}
	}
	switch {
	case len(withComposite) == 1:
		return withComposite[0], true, true
	case len(cands) == 1:
		return cands[0], true, false
	}
	return asRead, false, composite(asRead)
}

// docShape reports whether a document number is shaped as Central Asian documents
// are numbered: up to three letters, then digits, then fillers (ID1234567, AC1234567).
func docShape(d string) bool {
	i := 0
	for i < len(d) && i < 3 && d[i] >= 'A' && d[i] <= 'Z' {
		i++
	}
	j := i
	for j < len(d) && d[j] >= '0' && d[j] <= '9' {
		j++
	}
	return j > i && strings.Trim(d[j:], "<") == ""
}

// fitTD1Line2 brings the second TD1 line to 30 characters. Its layout is fixed up to
// the nationality (birth date, check, sex, expiry date, check: 15 characters), then
// three letters of nationality, eleven of optional data and the composite check digit.
// OCR inserts a letter next to a filler (KGLZ for KGZ) or loses fillers: when the line
// is off by up to three characters, the nationality is taken as the three letters after
// position 15 with look-alike noise L/K/C/E dropped, then the filler run is refitted.
func fitTD1Line2(s string) (string, bool) {
	if l, ok := fitInner(s, td1Len); ok && len(s) == td1Len {
		return l, true
	}
	if len(s) < 19 {
		return "", false
	}
	head, rest := s[:15], s[15:]
	nat := rest[:3]
	if len(s) > td1Len && len(rest) > 3 && strings.ContainsRune("LKCE", rune(rest[2])) && rest[3] != '<' {
		// KGLZ<<<: a noise letter inside the nationality.
		nat, rest = rest[:2]+rest[3:4], rest[4:]
	} else {
		rest = rest[3:]
	}
	if l, ok := fitInner(head+nat+rest, td1Len); ok {
		return l, true
	}
	return fitInner(s, td1Len)
}

// tryTD1 reads lines[i..i+2] as an identity-card zone.
func tryTD1(lines []string, i int, now time.Time) (Zone, bool) {
	if i+2 >= len(lines) {
		return Zone{}, false
	}
	for k := 0; k < 2; k++ {
		if len(lines[i+k]) < td1Len-3 || len(lines[i+k]) > td1Len+3 {
			return Zone{}, false
		}
	}
	if len(lines[i+2]) < 5 {
		return Zone{}, false
	}
	l1, ok1 := fitLength(lines[i], td1Len)
	l2, ok2 := fitTD1Line2(lines[i+1])
	l3, ok3 := fitName(lines[i+2], td1Len, 0)
	if ok1 {
		l1 = foldLetters(l1[:5]) + l1[5:]
	}
	if !ok1 || !ok2 || !ok3 || !strings.ContainsRune("ACI", rune(l1[0])) {
		return Zone{}, false
	}
	z := Zone{Format: TD1, FirstLine: i, DocumentCode: trimFill(l1[0:2]), Issuer: trimFill(l1[2:5])}
	birth, okB, rB := numericField(l2[0:6], l2[6])
	expiry, okE, rE := numericField(l2[8:14], l2[14])
	composite, rC := foldCheck(l2[29])
	cands, rD := alnumCandidates(l1[5:14], l1[14])
	docCheck, rDC := foldCheck(l1[14])
	if len(cands) == 0 && rDC > 0 {
		cands, rD = alnumCandidates(l1[5:14], docCheck)
		rD += rDC
	}
	bCheck, eCheck := foldedCheck(birth, l2[6]), expiryCheck(expiry, l2[14])
	doc, okD, okC := pickDocument(cands, l1[5:14], func(d string) bool {
		return checkOK(d+string(docCheckFor(d))+l1[15:30]+birth+bCheck+expiry+eCheck+l2[18:29], composite)
	})
	z.DocumentNumber = trimFill(doc)
	z.Optional1 = trimFill(l1[15:30])
	z.BirthDate = resolveDate(birth, true, now)
	z.Sex = sexOf(l2[7])
	z.ExpiryDate = resolveDate(expiry, false, now)
	z.Nationality = trimFill(foldLetters(l2[15:18]))
	z.Optional2 = trimFill(l2[18:29])
	z.PersonalNumber = pinIn(z.Optional1, now)
	if z.PersonalNumber == "" {
		z.PersonalNumber = pinIn(z.Optional2, now)
	}
	z.Surname, z.GivenNames = parseName(l3)
	z.Checks = Checks{Document: okD, Birth: okB, Expiry: okE, Optional: true, Composite: okC}
	if okD && doc != l1[5:14] {
		z.DocumentRepaired = true
		z.Repairs += rD
	}
	z.Repairs += rB + rE
	if okC {
		z.Repairs += rC
	}
	nl1 := l1
	if okD {
		nl1 = l1[:5] + doc + string(docCheckFor(doc)) + l1[15:]
	}
	nl2 := birth + bCheck + l2[7:8] + expiry + eCheck + l2[15:29] + string(composite)
	z.Lines = []string{nl1, nl2, l3}
	return z, plausible(z)
}

// plausible keeps a candidate that looks like a zone even when checks fail (an invalid
// or forged zone is still a document image): at least one date parses and at least one
// check digit agrees, or the sex field and both dates are well formed.
func plausible(z Zone) bool {
	checks := 0
	for _, ok := range []bool{z.Checks.Document, z.Checks.Birth, z.Checks.Expiry, z.Checks.Composite} {
		if ok {
			checks++
		}
	}
	dates := 0
	if !z.BirthDate.IsZero() {
		dates++
	}
	if !z.ExpiryDate.IsZero() {
		dates++
	}
	return (checks >= 1 && dates >= 1) || dates == 2
}
