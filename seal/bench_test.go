package seal_test

import (
	"testing"
	"time"

	"jaga"
	"jaga/seal"
)

// benchFields are nine identity fields with values of typical size (no real person).
var benchFields = []struct{ name, value string }{
	{"full_name", "Siti Rahayu Wulandari"},
	{"email", "siti.rahayu@example.co.id"},
	{"phone", "+6281234567890"},
	{"nik", "3273014101900019"},
	{"birth_date", "1990-01-01"},
	{"gender", "F"},
	{"address", "Jl. Merdeka No. 17, RT 002/RW 005, Kel. Citarum, Kec. Bandung Wetan"},
	{"domicile_province", "Jawa Barat"},
	{"domicile_city", "Kota Bandung"},
}

// newAndSeal9 is the per-subject crypto of an import: a DEK, nine sealed fields.
func newAndSeal9(b *testing.B, k *seal.Keyring, s jaga.SubjectID, values [][]byte) {
	d, _, err := k.NewDEK(s)
	if err != nil {
		b.Fatal(err)
	}
	for i, f := range benchFields {
		if _, err := d.Seal(seal.FieldAD(s, f.name), values[i]); err != nil {
			b.Fatal(err)
		}
	}
}

func benchValues() [][]byte {
	v := make([][]byte, len(benchFields))
	for i, f := range benchFields {
		v[i] = []byte(f.value)
	}
	return v
}

func BenchmarkNewDEKAndSeal9(b *testing.B) {
	k := MustOpen(b, MustKeysDir(b))
	s, values := Subject(1), benchValues()
	b.ReportAllocs()
	for b.Loop() {
		newAndSeal9(b, k, s, values)
	}
}

// BenchmarkNewDEKAndSeal9Parallel runs on every core (GOMAXPROCS): subjects per second
// is 1e9 / ns-per-op.
func BenchmarkNewDEKAndSeal9Parallel(b *testing.B) {
	k := MustOpen(b, MustKeysDir(b))
	s, values := Subject(1), benchValues()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			newAndSeal9(b, k, s, values)
		}
	})
}

func BenchmarkOpenDEKAndOpen9(b *testing.B) {
	k := MustOpen(b, MustKeysDir(b))
	s, values := Subject(1), benchValues()
	d, w := MustNewDEK(b, k, s)
	sealed := make([][]byte, len(benchFields))
	for i, f := range benchFields {
		var err error
		if sealed[i], err = d.Seal(seal.FieldAD(s, f.name), values[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		d, err := k.OpenDEK(s, w)
		if err != nil {
			b.Fatal(err)
		}
		for i, f := range benchFields {
			if _, err := d.Open(seal.FieldAD(s, f.name), sealed[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkImportRow is the keyed hashing of an import row: three blind indexes and an
// import key.
func BenchmarkImportRow(b *testing.B) {
	k := MustOpen(b, MustKeysDir(b))
	b.ReportAllocs()
	for b.Loop() {
		k.BlindIndex("email", "siti.rahayu@example.co.id")
		k.BlindIndex("phone", "+6281234567890")
		k.BlindIndex("nik", "3273014101900019")
		k.ImportKey("customers.csv", "row-000123")
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	k := MustOpen(b, MustKeysDir(b))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k.BlindIndex("email", "siti.rahayu@example.co.id")
		}
	})
}

func BenchmarkAppendErasure(b *testing.B) {
	k := MustOpen(b, MustKeysDir(b))
	s := Subject(1)
	for b.Loop() {
		if err := k.AppendErasure(s, time.Unix(1735689600, 0)); err != nil {
			b.Fatal(err)
		}
	}
}
