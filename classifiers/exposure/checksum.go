package exposure

import "time"

// The validators below take ASCII digit strings (or, for MRZ, ICAO characters) and
// never panic on other input: anything malformed is simply invalid. They are what
// separates a personal number from a price, an order number or a bank reference of
// the same length.

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func digit(s string, i int) int { return int(s[i] - '0') }

// validDate reports whether day/month/year is a real calendar date not after now and
// not before 1900.
func validDate(day, month, year int, now time.Time) bool {
	if year < 1900 || month < 1 || month > 12 || day < 1 || day > 31 {
		return false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day || int(t.Month()) != month {
		return false // 31 February and the like
	}
	return !t.After(now)
}

// ValidKGPIN validates a Kyrgyz 14-digit personal identification number
// `S DDMMYYYY NNNNN`: S is 1 (female) or 2 (male) and DDMMYYYY a real date of birth
// between 1900 and now. No checksum is published, so the date is the validator.
func ValidKGPIN(s string, now time.Time) bool {
	if len(s) != 14 || !allDigits(s) || (s[0] != '1' && s[0] != '2') {
		return false
	}
	day := digit(s, 1)*10 + digit(s, 2)
	month := digit(s, 3)*10 + digit(s, 4)
	year := digit(s, 5)*1000 + digit(s, 6)*100 + digit(s, 7)*10 + digit(s, 8)
	return validDate(day, month, year, now)
}

// ValidUZPINFL validates an Uzbek 14-digit ПИНФЛ/JShShIR `S DDMMYY RRR NNN C`: S is 3–6
// (century and sex: odd male, even female), DDMMYY a real date, C the check digit
// (Σ d_i·w_i over the first 13 digits with weights 7,3,1 repeating, mod 10).
func ValidUZPINFL(s string) bool {
	if len(s) != 14 || !allDigits(s) || s[0] < '3' || s[0] > '6' {
		return false
	}
	day := digit(s, 1)*10 + digit(s, 2)
	month := digit(s, 3)*10 + digit(s, 4)
	if day < 1 || day > 31 || month < 1 || month > 12 {
		return false
	}
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < 13; i++ {
		sum += digit(s, i) * weights[i%3]
	}
	return sum%10 == digit(s, 13)
}

// ValidKZIIN validates a Kazakh 12-digit IIN `YYMMDD C NNNN K`: C is 1–6 (century and
// sex) and K the check digit (Σ d_i·i mod 11; if 10, weights 3..11,1,2; if 10 again the
// number is never issued). Since 2013 the date part need not be a birth date, so only
// month and day ranges are checked.
func ValidKZIIN(s string) bool {
	if len(s) != 12 || !allDigits(s) {
		return false
	}
	month := digit(s, 2)*10 + digit(s, 3)
	day := digit(s, 4)*10 + digit(s, 5)
	if month < 1 || month > 12 || day < 1 || day > 31 || s[6] < '1' || s[6] > '6' {
		return false
	}
	sum := 0
	for i := 0; i < 11; i++ {
		sum += digit(s, i) * (i + 1)
	}
	k := sum % 11
	if k == 10 {
		w := []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2}
		sum = 0
		for i := 0; i < 11; i++ {
			sum += digit(s, i) * w[i]
		}
		k = sum % 11
		if k == 10 {
			return false
		}
	}
	return k == digit(s, 11)
}

func innCheck(s string, weights []int) int {
	sum := 0
	for i, w := range weights {
		sum += digit(s, i) * w
	}
	return sum % 11 % 10
}

// ValidRUINN12 validates a Russian personal INN (12 digits, two check digits).
func ValidRUINN12(s string) bool {
	if len(s) != 12 || !allDigits(s) {
		return false
	}
	return innCheck(s, []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}) == digit(s, 10) &&
		innCheck(s, []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}) == digit(s, 11)
}

// ValidRUINN10 validates a Russian organisation INN (10 digits). Organisations are not
// people; the recogniser uses it only to reject look-alikes.
func ValidRUINN10(s string) bool {
	if len(s) != 10 || !allDigits(s) {
		return false
	}
	return innCheck(s, []int{2, 4, 10, 3, 5, 9, 4, 6, 8}) == digit(s, 9)
}

// ValidSNILS validates a Russian SNILS (11 digits): the last two digits are
// Σ d_i·(9..1) with 100 and 101 read as 00 and larger sums taken mod 101. Numbers up to
// 001-001-998 have no check digits and are rejected.
func ValidSNILS(s string) bool {
	if len(s) != 11 || !allDigits(s) || s[:9] <= "001001998" {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		sum += digit(s, i) * (9 - i)
	}
	var check int
	switch {
	case sum < 100:
		check = sum
	case sum == 100 || sum == 101:
		check = 0
	default:
		check = sum % 101
		if check == 100 {
			check = 0
		}
	}
	return check == digit(s, 9)*10+digit(s, 10)
}

// MRZCheckDigit computes the ICAO 9303 check digit of a machine-readable-zone field
// (weights 7,3,1; digits as values, A–Z as 10–35, '<' as 0). ok is false for characters
// outside that alphabet.
func MRZCheckDigit(field string) (d int, ok bool) {
	w := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(field); i++ {
		c := field[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		case c == '<':
			v = 0
		default:
			return 0, false
		}
		sum += v * w[i%3]
	}
	return sum % 10, true
}
