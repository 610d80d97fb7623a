package normalize_test

import (
	"testing"

	"jaga/normalize"
)

// Benchmarks of the intake normalisers (issue 4: 15,000 rows/s overall, so each should
// cost well under 10 µs). Run: go test -run '^$' -bench . -benchmem ./normalize

func BenchmarkParsePhone(b *testing.B) {
	for _, c := range []struct{ name, in string }{
		{"62NoPlus", "6281234567890"},
		{"LostZero", "85700000123"},
		{"Brackets", "(0812) 3456-7890"},
		{"Landline", "(022) 2501234"},
		{"Unverified", "022-12345"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := normalize.ParsePhone(c.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkNIKValid(b *testing.B) {
	nik := []byte("3273055712859902")
	b.ReportAllocs()
	for b.Loop() {
		if !normalize.NIKValid(nik) {
			b.Fatal("rejected")
		}
	}
}

func BenchmarkParseNIK(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := normalize.ParseNIK("3273 0557 1285 9902"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNIKPrecisionLost(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := normalize.NIK("3,27306E+15"); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkParseEmail(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := normalize.ParseEmail("  Rina.Sari@Example.CO.ID "); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDateMonthName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := normalize.Date("17 Agustus 1985"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExcelDate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := normalize.ExcelDate("31276"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkYesNo(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := normalize.YesNo(" Tidak "); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlace(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := normalize.PlaceIn("Kab. Bogor", "Jawa Barat"); !ok {
			b.Fatal("not found")
		}
	}
}
