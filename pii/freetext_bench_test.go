package pii_test

import (
	"testing"

	"jaga/pii"
)

// BenchmarkScanAddress is the cost the intake pays per free-text value (gate
// freeTextReview): one Scan of a typical Indonesian street address with digits.
func BenchmarkScanAddress(b *testing.B) {
	const addr = "Jl. Safitri No. 90 RT 005/RW 012 Kec. Kartoharjo, Kota Madiun"
	b.SetBytes(int64(len(addr)))
	b.ReportAllocs()
	for b.Loop() {
		pii.Scan(addr)
	}
}
