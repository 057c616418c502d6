package mrz

import (
	"fmt"
	"strings"
	"time"
)

// Holder is what a zone encodes, for composing one (test data, mock-ups).
type Holder struct {
	DocumentCode   string // "P" (passport), "ID" or "I" (identity card)
	Issuer         string // ICAO three-letter code, e.g. KGZ
	DocumentNumber string // up to 9 characters
	Nationality    string
	BirthDate      time.Time
	ExpiryDate     time.Time
	Sex            string // M, F or ""
	Surname        string // ICAO Latin, words separated by spaces
	GivenNames     string
	Optional1      string // personal number (TD3) or TD1 line-1 optional data
	Optional2      string // TD1 line-2 optional data
}

func pad(s string, n int) string {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", "<"))
	if len(s) > n {
		return s[:n]
	}
	return s + strings.Repeat("<", n-len(s))
}

func withCheck(s string) string {
	d, ok := CheckDigit(s)
	if !ok {
		return s + "<"
	}
	return s + fmt.Sprint(d)
}

func yymmdd(t time.Time) string { return t.Format("060102") }

func sexChar(s string) string {
	if s == "M" || s == "F" {
		return s
	}
	return "<"
}

func nameField(h Holder, n int) string {
	return pad(h.Surname+"<<"+h.GivenNames, n)
}

// ComposeTD3 returns the two lines of a passport zone with correct check digits.
func ComposeTD3(h Holder) []string {
	l1 := pad(h.DocumentCode, 2) + pad(h.Issuer, 3) + nameField(h, 39)
	doc := withCheck(pad(h.DocumentNumber, 9))
	birth := withCheck(yymmdd(h.BirthDate))
	expiry := withCheck(yymmdd(h.ExpiryDate))
	opt := pad(h.Optional1, 14)
	optC := withCheck(opt)
	if strings.Trim(opt, "<") == "" {
		optC = opt + "<"
	}
	l2 := doc + pad(h.Nationality, 3) + birth + sexChar(h.Sex) + expiry + optC
	comp := withCheck(doc + birth + expiry + optC)
	l2 += comp[len(comp)-1:]
	return []string{l1, l2}
}

// ComposeTD1 returns the three lines of an identity-card zone with correct check digits.
func ComposeTD1(h Holder) []string {
	l1 := pad(h.DocumentCode, 2) + pad(h.Issuer, 3) + withCheck(pad(h.DocumentNumber, 9)) + pad(h.Optional1, 15)
	l2 := withCheck(yymmdd(h.BirthDate)) + sexChar(h.Sex) + withCheck(yymmdd(h.ExpiryDate)) + pad(h.Nationality, 3) + pad(h.Optional2, 11)
	comp := withCheck(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
	l2 += comp[len(comp)-1:]
	return []string{l1, l2, nameField(h, 30)}
}
