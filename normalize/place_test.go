package normalize_test

import (
	"bytes"
	"encoding/csv"
	"testing"
	"unicode/utf8"

	"jaga/demodata"
	"jaga/normalize"
)

func TestPlace(t *testing.T) {
	for _, c := range []struct {
		in, province string
		code         string // "" means ok=false
		name         string
	}{
		// intake/README.md's examples.
		{in: "Jaksel", code: "3174", name: "Kota Administrasi Jakarta Selatan"},
		{in: "Kab. Bogor", code: "3201", name: "Kabupaten Bogor"},
		{in: "BANDUNG", code: "3273", name: "Kota Bandung"},
		// Kinds, case, punctuation, spaces.
		{in: "Kabupaten Bandung", code: "3204"},
		{in: "kab bandung", code: "3204"},
		{in: "Kota Bandung", code: "3273"},
		{in: "Kodya Bandung", code: "3273"},
		{in: "Bandung Barat", code: "3217"},
		{in: "Jakarta Selatan", code: "3174"},
		{in: "Kota Jakarta Selatan", code: "3174"},
		{in: "JAK-SEL", code: "3174"},
		{in: "Jakbar", code: "3173"},
		{in: "Kota Administrasi Jakarta Utara", code: "3172", name: "Kota Administrasi Jakarta Utara"}, // source has a trailing space
		{in: "Kab. Kepulauan Seribu", code: "3101"},
		{in: "Kepulauan Seribu", code: "3101"},
		{in: "Tangsel", code: "3674", name: "Kota Tangerang Selatan"},
		{in: "tangerang selatan", code: "3674"},
		{in: "Pematang Siantar", code: "1272"},
		{in: "Tanjung Pinang", code: "2172"},
		{in: "  Surabaya ", code: "3578"},
		{in: "CILEGON", code: "3672"},
		{in: "Kab. Barito Kuala", code: "6304"},
		{in: "Pulau Taliabu", code: "8208"},
		{in: "Jogja", code: "3471"},
		// Provinces.
		{in: "Jawa Barat", code: "32", name: "Jawa Barat"},
		{in: "Jabar", code: "32"},
		{in: "DKI Jakarta", code: "31", name: "Daerah Khusus Ibukota Jakarta"},
		{in: "Jakarta", code: "31"},
		{in: "Provinsi Jawa Tengah", code: "33"},
		{in: "DI Yogyakarta", code: "34"},
		{in: "SULAWESI SELATAN", code: "73"},
		{in: "Papua Barat Daya", code: "96"},
		// A city named like its province: the city.
		{in: "Bengkulu", code: "1771"},
		{in: "Provinsi Bengkulu", code: "17"},
		// Renumbered Papua regencies: the current code.
		{in: "Kab. Merauke", code: "9301"},
		{in: "KAB. MIMIKA", code: "9404"},
		// Shared names: settled by the province, else not guessed.
		{in: "Banjar", code: ""},
		{in: "Banjar", province: "Jawa Barat", code: "3279", name: "Kota Banjar"},
		{in: "Banjar", province: "Kalimantan Selatan", code: "6303", name: "Kabupaten Banjar"},
		{in: "Kab. Banjar", code: "6303"},
		{in: "Bogor", province: "Jawa Tengah", code: ""},
		{in: "Jaksel", province: "Jawa Barat", code: ""},
		{in: "Bogor", province: "Atlantis", code: "3271"},
		// Unknown.
		{in: "", code: ""},
		{in: "   ", code: ""},
		{in: "Kab.", code: ""},
		{in: "Atlantis", code: ""},
		{in: "Kota Cibubur", code: ""},
		{in: "Kota Jawa Barat", code: ""},
		{in: "\xff", code: ""},
	} {
		t.Run(c.in+"/"+c.province, func(t *testing.T) {
			r, ok := normalize.PlaceIn(c.in, c.province)
			if c.code == "" {
				if ok {
					t.Fatalf("got %+v, want ok=false", r)
				}
				return
			}
			if !ok || r.Code != c.code || c.name != "" && r.Name != c.name {
				t.Fatalf("got %+v, %v; want %s %s", r, ok, c.code, c.name)
			}
			if r.Level != len(r.Code)/2 || r.ProvinceCode != r.Code[:2] || r.Province == "" {
				t.Fatalf("inconsistent %+v", r)
			}
			if again, ok := roundTrip(r); !ok || again != r {
				t.Fatalf("canonical name %q gives %+v, %v", r.Name, again, ok)
			}
		})
	}
}

// TestPlaceIntake resolves every domicile of the bundled CRM export (real Kemendagri
// names, intake/README.md) to itself, in its province.
func TestPlaceIntake(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(demodata.CustomersCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		prov, city := r[6], r[7]
		got, ok := normalize.PlaceIn(city, prov)
		if !ok || got.Name != city || got.Province != prov {
			t.Errorf("row %s: %+v, %v", r[0], got, ok)
		}
		if p, ok := normalize.Province(prov); !ok || p.Name != prov || p.Level != 1 {
			t.Errorf("row %s: province %+v, %v", r[0], p, ok)
		}
	}
}

// FuzzPlace checks that Place never panics and that a region found is found again by
// its canonical name.
func FuzzPlace(f *testing.F) {
	for _, s := range []string{"Jaksel", "Kab. Bogor", "BANDUNG", "Kota Administrasi Jakarta Utara", "Kab.", "",
		"\xff", "Banjar", "kota kota", "Provinsi", "adm adm jakarta"} {
		f.Add(s, "")
		f.Add(s, "Jawa Barat")
	}
	f.Fuzz(func(t *testing.T, raw, province string) {
		r, ok := normalize.PlaceIn(raw, province)
		if !ok {
			if r != (normalize.Region{}) {
				t.Fatalf("PlaceIn(%q, %q) = %+v with ok=false", raw, province, r)
			}
			return
		}
		if !utf8.ValidString(r.Name) || r.Code == "" {
			t.Fatalf("PlaceIn(%q, %q) = %+v", raw, province, r)
		}
		if again, ok := roundTrip(r); !ok || again != r {
			t.Fatalf("PlaceIn(%q, %q) = %+v; its name gives %+v, %v", raw, province, r, again, ok)
		}
	})
}

// roundTrip looks a region up again by its canonical name: Place for a regency or city,
// Province for a province (Place reads "Bengkulu" as the city).
func roundTrip(r normalize.Region) (normalize.Region, bool) {
	if r.Level == 1 {
		return normalize.Province(r.Name)
	}
	return normalize.Place(r.Name)
}

func TestProvince(t *testing.T) {
	for in, want := range map[string]string{"Bengkulu": "17", "JABAR": "32", "DKI Jakarta": "31", "Jakarta": "31",
		"Provinsi Gorontalo": "75", "Daerah Istimewa Yogyakarta": "34", "DIY": "34", "Kota Bandung": "", "Jaksel": "", "": ""} {
		r, ok := normalize.Province(in)
		if want == "" {
			if ok {
				t.Errorf("%q: got %+v", in, r)
			}
			continue
		}
		if !ok || r.Code != want || r.Level != 1 {
			t.Errorf("%q: got %+v, %v; want %s", in, r, ok, want)
		}
	}
}
