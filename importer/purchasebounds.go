package importer

import (
	"math/big"
	"strings"
	"time"

	"jaga"
)

// Bounds of a purchase line's numbers. A value outside them is a typing or conversion
// mistake (a barcode pasted into the quantity, a price in cents typed as Rupiah twice),
// not a purchase: the line is rejected with its column named, never stored.
const (
	// MaxPurchaseQuantity bounds a purchase line's quantity: -1,000,000 to 1,000,000
	// (negative for returns and cancellations, as the source's credit notes write them).
	MaxPurchaseQuantity = 1_000_000
	// MaxUnitPrice bounds a unit price: -1,000,000,000,000 to 1,000,000,000,000 (one
	// trillion, in the source's currency unit; negative for adjustments).
	MaxUnitPrice = 1_000_000_000_000
	// MaxDecimals is how many digits a quantity or price may have after the point.
	MaxDecimals = 6
)

// boundedNumber normalises a decimal cell (number) and checks it against ±limit and
// MaxDecimals; bad says why it is not one, with the bound, never the value.
func boundedNumber(v, what string, limit int64) (n, bad string) {
	n, bad = number(v, what)
	if bad != "" {
		return "", bad
	}
	_, frac, _ := strings.Cut(n, ".")
	if len(frac) > MaxDecimals {
		return "", what + " has more than 6 digits after the decimal point"
	}
	r, ok := new(big.Rat).SetString(n)
	if !ok { // number returned a decimal: cannot happen
		return "", what + " is not a decimal number"
	}
	if r.Abs(r).Cmp(new(big.Rat).SetInt64(limit)) > 0 {
		return "", what + " is outside -" + group(limit) + " to " + group(limit)
	}
	return n, ""
}

// group writes n with comma thousands separators ("1,000,000").
func group(n int64) string {
	s := big.NewInt(n).String()
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// invoiceDate checks an invoice date: YYYY-MM-DD hh:mm:ss (UTC) or RFC 3339, within
// jaga.CheckRecordTime's bounds against now (not before 1970-01-01T00:00:00Z, not more
// than 24 hours after the server clock: a purchase cannot be dated in 2099). bad says
// why, with the bounds, never the value.
func invoiceDate(v string, now time.Time) (bad string) {
	t, err := time.Parse(time.DateTime, v)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, v); err != nil {
			return "invoice date must be YYYY-MM-DD hh:mm:ss (UTC) or RFC 3339"
		}
	}
	if jaga.CheckRecordTime("invoice_date", t, now) != nil {
		when := "is before 1970-01-01T00:00:00Z"
		if t.After(now) {
			when = "is more than 24 hours after the server clock"
		}
		return "invoice date " + when + "; it must lie between 1970-01-01T00:00:00Z and 24 hours after the server clock"
	}
	return ""
}
