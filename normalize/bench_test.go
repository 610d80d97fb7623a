package normalize_test

import (
	"testing"

	"jaga/normalize"
)

// The benchmarks cover the normalisers that run on every imported row.

func BenchmarkEmail(b *testing.B) {
	for b.Loop() {
		if _, err := normalize.Email("  Rina.Sari@Example.CO.ID "); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEmailIDN(b *testing.B) {
	for b.Loop() {
		if _, err := normalize.Email("user@bücher.example"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPhone(b *testing.B) {
	for b.Loop() {
		if _, err := normalize.Phone("+62 812-3456-7890"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPhoneInvalid(b *testing.B) {
	for b.Loop() {
		if _, err := normalize.Phone("0841-2345-6789"); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkNIK(b *testing.B) {
	for b.Loop() {
		if _, err := normalize.NIK("3273 0557 1285 9902"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkName(b *testing.B) {
	for b.Loop() {
		if _, err := normalize.Name("  PAIMAN   ARDANA "); err != nil {
			b.Fatal(err)
		}
	}
}
