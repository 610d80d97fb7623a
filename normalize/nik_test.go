package normalize_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"jaga"
	"jaga/normalize"
	"jaga/normalize/internal/wilayahgen"
)

// wilayahDir is shared/data/wilayah as seen from this package in any worktree.
const wilayahDir = "../../shared/data/wilayah"

// needShared skips when the shared data is missing, and fails instead under CI=true
// (HELPERS.md: fixtures from ../shared must fail, not skip, in CI).
func needShared(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared fixture missing: %v", err)
		}
		t.Skipf("shared fixture missing: %v", err)
	}
}

// TestWilayahTablesFresh regenerates the embedded region tables from shared/data/wilayah
// and compares them byte for byte with the committed ones, so `go generate` cannot be
// forgotten and the tables cannot be edited by hand.
func TestWilayahTablesFresh(t *testing.T) {
	needShared(t, wilayahDir)
	files, err := wilayahgen.Generate(wilayahDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("%d files", len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("wilayah", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("wilayah/%s differs from the data: run go generate ./normalize", name)
		}
	}
	if !bytes.Contains(files[wilayahgen.NoticeFile], []byte("MIT License")) ||
		normalize.WilayahNotice != string(files[wilayahgen.NoticeFile]) {
		t.Error("the embedded NOTICE is not the data's MIT licence")
	}
}

// TestNIKEveryDistrict checks every level-3 code of the history file, current or
// renumbered, against NIKValid with a valid date and serial, and a code that is in no
// edition against the error.
func TestNIKEveryDistrict(t *testing.T) {
	needShared(t, wilayahDir)
	b, err := os.ReadFile(filepath.Join(wilayahDir, wilayahgen.HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	n, old := 0, 0
	for _, line := range bytes.Split(b, []byte("\n"))[1:] {
		f := bytes.Split(line, []byte(","))
		if len(f) != 5 || string(f[3]) != "3" {
			continue
		}
		nik := append(append([]byte{}, f[1]...), "1503909901"...)
		if !normalize.NIKValid(nik) {
			t.Errorf("district %s rejected", f[0])
		}
		n++
		if !bytes.Contains(f[4], []byte("2025")) {
			old++
		}
	}
	if n != 7879 || old != 594 {
		t.Errorf("%d districts, %d renumbered; want 7879 and 594", n, old)
	}
}

func TestParseNIK(t *testing.T) {
	for _, c := range []struct {
		in     string
		want   normalize.NIKInfo
		reason string
	}{
		{in: "3273055712859902", want: normalize.NIKInfo{NIK: "3273055712859902", Province: "32", Regency: "3273",
			District: "327305", BirthDay: 17, BirthMonth: 12, BirthYY: 85, Female: true, Serial: "9902"}},
		// A woman's NIK: day 17 + 40 = 57.
		{in: "3204115708850001", want: normalize.NIKInfo{NIK: "3204115708850001", Province: "32", Regency: "3204",
			District: "320411", BirthDay: 17, BirthMonth: 8, BirthYY: 85, Female: true, Serial: "0001"}},
		{in: "3204111708850001", want: normalize.NIKInfo{NIK: "3204111708850001", Province: "32", Regency: "3204",
			District: "320411", BirthDay: 17, BirthMonth: 8, BirthYY: 85, Serial: "0001"}},
		// 91.01.01 Merauke, Papua, in the 2016-2022 editions only: renumbered 93.01.01 when
		// Papua Selatan was created. A NIK issued before keeps the old prefix.
		{in: "9101014508850001", want: normalize.NIKInfo{NIK: "9101014508850001", Province: "91", Regency: "9101",
			District: "910101", BirthDay: 5, BirthMonth: 8, BirthYY: 85, Female: true, Serial: "0001"}},
		{in: "9301014508850001", want: normalize.NIKInfo{NIK: "9301014508850001", Province: "93", Regency: "9301",
			District: "930101", BirthDay: 5, BirthMonth: 8, BirthYY: 85, Female: true, Serial: "0001"}},
		// 91.18.20 Joutu (Asmat) is in the 2022 edition only.
		{in: "9118200101990001", want: normalize.NIKInfo{NIK: "9118200101990001", Province: "91", Regency: "9118",
			District: "911820", BirthDay: 1, BirthMonth: 1, BirthYY: 99, Serial: "0001"}},
		// A row of customers_id.csv with the old Mimika code 91.09 (now 94.04).
		{in: "9109045207730144", want: normalize.NIKInfo{NIK: "9109045207730144", Province: "91", Regency: "9109",
			District: "910904", BirthDay: 12, BirthMonth: 7, BirthYY: 73, Female: true, Serial: "0144"}},
		{in: "3,27306E+15", reason: normalize.ReasonNIKPrecisionLost},
		{in: "3.27306E+15", reason: normalize.ReasonNIKPrecisionLost},
		{in: " 3.27306e15 ", reason: normalize.ReasonNIKPrecisionLost},
		{in: "3E+15", reason: normalize.ReasonNIKPrecisionLost},
		{in: "3171O11503909901", reason: normalize.ReasonNIKFormat},
		{in: "3E+", reason: normalize.ReasonNIKFormat},
		{in: "317101150390990", reason: normalize.ReasonNIKLength},
		{in: "2071011503909901", reason: normalize.ReasonNIKRegion}, // province 20
		{in: "3199011503909901", reason: normalize.ReasonNIKRegion}, // no regency 31.99
		{in: "3171991503909901", reason: normalize.ReasonNIKRegion}, // no district 31.71.99
		{in: "9401994508850001", reason: normalize.ReasonNIKRegion},
		{in: "3171013202909901", reason: normalize.ReasonNIKBirthDate},
		{in: "3171017203909901", reason: normalize.ReasonNIKBirthDate}, // woman, day 32
		{in: "3171016902019901", reason: normalize.ReasonNIKBirthDate}, // woman, 29-02-2001
		{in: "3171011503900000", reason: normalize.ReasonNIKSerial},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := normalize.ParseNIK(c.in)
			if c.reason != "" {
				if err == nil {
					t.Fatalf("accepted: %+v", got)
				}
				checkErr(t, c.in, "nik", err)
				if r := jaga.AsError(err).Reason; r != c.reason {
					t.Fatalf("reason %q, want %q (%v)", r, c.reason, err)
				}
				if normalize.NIKValid([]byte(c.in)) {
					t.Fatal("NIKValid accepts it")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got %+v\nwant %+v", got, c.want)
			}
			if !normalize.NIKValid([]byte(c.in)) {
				t.Fatal("NIKValid rejects it")
			}
		})
	}
}

func TestNIKFromNumberCell(t *testing.T) {
	for _, c := range []struct{ in, reason string }{
		{"3.27306E+15", normalize.ReasonNIKPrecisionLost},
		{"3,27306E+15", normalize.ReasonNIKPrecisionLost},
		// A valid-looking NIK read from a number cell: Excel kept 15 digits, the 16th is 0.
		{"3273055712859900", normalize.ReasonNIKPrecisionLost},
		{"3273055712859902", normalize.ReasonNIKPrecisionLost},
		{"3273055712859902.0", normalize.ReasonNIKPrecisionLost},
		{"327305571285990", normalize.ReasonNIKLength},
		{"12", normalize.ReasonNIKLength},
		{"-3273055712859902", normalize.ReasonNIKFormat},
		{"", normalize.ReasonNIKFormat},
		{"3273055712859902.5", normalize.ReasonNIKFormat},
	} {
		got, err := normalize.NIKFromNumberCell(c.in)
		if err == nil || got != "" {
			t.Errorf("%q: got %q, %v", c.in, got, err)
			continue
		}
		checkErr(t, c.in, "nik", err)
		if r := jaga.AsError(err).Reason; r != c.reason {
			t.Errorf("%q: reason %q, want %q", c.in, r, c.reason)
		}
	}
}

func TestNIKValidAllocs(t *testing.T) {
	b := []byte("3273055712859902")
	if n := testing.AllocsPerRun(100, func() {
		if !normalize.NIKValid(b) {
			t.Fatal("rejected")
		}
	}); n != 0 {
		t.Fatalf("NIKValid allocates %v times", n)
	}
	for _, bad := range []string{"", "327305571285990", "32730557128599020", "3273055712859９0", "327305571285990\x00"} {
		if normalize.NIKValid([]byte(bad)) {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzNIK checks that NIK never panics, that NIKValid agrees with NIK on 16-byte input,
// that an accepted NIK is its own normal form, and that errors carry a reason.
func FuzzNIK(f *testing.F) {
	for _, s := range []string{"3273055712859902", "3171 0115 0390 9901", "31.71.01.150390.9901", "3,27306E+15",
		"9101014508850001", "", "\xff", "3E+", "e", "1,E1", "3171017203909901", "０"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out, err := normalize.NIK(raw)
		if len(raw) == 16 && normalize.NIKValid([]byte(raw)) != (err == nil && out == raw) {
			t.Fatalf("NIKValid(%q) disagrees with NIK: %q, %v", raw, out, err)
		}
		if err != nil {
			if e := jaga.AsError(err); e == nil || e.Reason == "" || e.Field != "nik" {
				t.Fatalf("NIK(%q): error %#v", raw, err)
			}
			if _, err := normalize.NIKFromNumberCell(raw); err == nil {
				t.Fatalf("NIKFromNumberCell(%q) accepted", raw)
			}
			return
		}
		if len(out) != 16 || !normalize.NIKValid([]byte(out)) {
			t.Fatalf("NIK(%q) = %q, which NIKValid rejects", raw, out)
		}
		if again, err := normalize.NIK(out); err != nil || again != out {
			t.Fatalf("NIK(%q) = %q, again %q, %v", raw, out, again, err)
		}
		if info, err := normalize.ParseNIK(raw); err != nil || info.NIK != out {
			t.Fatalf("ParseNIK(%q) = %+v, %v", raw, info, err)
		}
		if _, err := normalize.NIKFromNumberCell(raw); err == nil {
			t.Fatalf("NIKFromNumberCell(%q) accepted", raw)
		}
	})
}
