package normalize

// NIKValid reports whether b is exactly 16 ASCII digits that form a plausible NIK: the
// same rules as NIK (province code, regency not 00 or 70, district not 00, DDMMYY a real
// date in 19YY or 20YY with day+40 for women, serial not 0000), without separators,
// allocation or an error value. It is the check package pii runs on every 16-digit
// candidate in free text, so it must stay cheap; the signature is stable, and the body
// will follow NIK when the district table arrives.
func NIKValid(b []byte) bool {
	if len(b) != 16 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	two := func(i int) int { return int(b[i]-'0')*10 + int(b[i+1]-'0') }
	if !nikProvinces[two(0)] {
		return false
	}
	if kk := two(2); kk == 0 || kk == 70 {
		return false
	}
	if two(4) == 0 {
		return false
	}
	d, m, yy := two(6), two(8), two(10)
	if d >= 41 && d <= 71 {
		d -= 40
	}
	if d < 1 || d > 31 || m < 1 || m > 12 {
		return false
	}
	if d > daysIn(m, 1900+yy) && d > daysIn(m, 2000+yy) {
		return false
	}
	return b[12] != '0' || b[13] != '0' || b[14] != '0' || b[15] != '0'
}

// daysIn returns the number of days of month m (1-12) in year y (Gregorian).
func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
