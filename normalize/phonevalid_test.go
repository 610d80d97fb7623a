package normalize

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestValidNSNAgreesWithLibrary checks validNSN against libphonenumber's
// IsValidNumberForRegion for numbers of every leading three digits (mobile prefixes
// and others) and every length the fast path takes, so that the fast path accepts
// exactly the numbers the library finds valid.
func TestValidNSNAgreesWithLibrary(t *testing.T) {
	if idMeta() == nil {
		t.Fatal("libphonenumber metadata for ID not found")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	cc := int32(62)
	valid, n := 0, 0
	for prefix := 100; prefix < 1000; prefix++ {
		for length := minNSN; length <= maxNSN; length++ {
			for k := 0; k < 12; k++ {
				s := strconv.Itoa(prefix)
				for len(s) < length {
					s += strconv.Itoa(rng.IntN(10))
				}
				s = s[:length]
				u, _ := strconv.ParseUint(s, 10, 64)
				want := phonenumbers.IsValidNumberForRegion(&phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &u}, PhoneRegion)
				if got := validNSN(s, u); got != want {
					t.Fatalf("validNSN(%s) = %v, library says %v", s, got, want)
				}
				if want {
					valid++
				}
				n++
			}
		}
	}
	if valid < n/20 {
		t.Fatalf("only %d of %d numbers valid: the comparison tests little", valid, n)
	}
}
