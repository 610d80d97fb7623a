package normalize_test

import (
	"testing"
	"unicode/utf8"

	"jaga"
	"jaga/normalize"
)

func TestDateIndonesian(t *testing.T) {
	runCases(t, jaga.TypeDate, normalize.Date, []normCase{
		// The intake README's shapes (expo_signups_2024.xlsx, door_to_door_export.csv).
		{"17 Agustus 1985", "1985-08-17"},
		{"7/8/1985", "1985-08-07"},
		{"17-08-1985", "1985-08-17"},
		{"1985-08-17", "1985-08-17"},
		// Every month, in full and abbreviated, Bahasa and English, any case.
		{"1 Januari 2000", "2000-01-01"}, {"1 Jan 2000", "2000-01-01"},
		{"2 Februari 2000", "2000-02-02"}, {"2 Pebruari 2000", "2000-02-02"}, {"29 Peb 2000", "2000-02-29"},
		{"3 Maret 2000", "2000-03-03"}, {"3 Mrt 2000", "2000-03-03"}, {"3 March 2000", "2000-03-03"},
		{"4 April 2000", "2000-04-04"}, {"4 Apr 2000", "2000-04-04"},
		{"5 Mei 2000", "2000-05-05"}, {"5 May 2000", "2000-05-05"},
		{"6 Juni 2000", "2000-06-06"}, {"6 Jun 2000", "2000-06-06"},
		{"7 Juli 2000", "2000-07-07"}, {"7 Jul 2000", "2000-07-07"},
		{"17 Agu 1985", "1985-08-17"}, {"17 Agt 1985", "1985-08-17"}, {"17 Ags 1985", "1985-08-17"},
		{"17 Aug 1985", "1985-08-17"}, {"17 AGUSTUS 1985", "1985-08-17"}, {"17 agustus 1985", "1985-08-17"},
		{"9 September 2000", "2000-09-09"}, {"9 Sept 2000", "2000-09-09"}, {"9 Sep 2000", "2000-09-09"},
		{"10 Oktober 2000", "2000-10-10"}, {"10 Okt 2000", "2000-10-10"}, {"10 Oct 2000", "2000-10-10"},
		{"11 November 2000", "2000-11-11"}, {"11 Nopember 2000", "2000-11-11"}, {"11 Nop 2000", "2000-11-11"},
		{"12 Desember 2000", "2000-12-12"}, {"12 Des 2000", "2000-12-12"}, {"12 Dec 2000", "2000-12-12"},
		// Separators, dots after abbreviations, a comma before the year.
		{"17-Agu-1985", "1985-08-17"}, {"17 Agt. 1985", "1985-08-17"}, {"17 Agustus, 1985", "1985-08-17"},
		{"17/Agu/1985", "1985-08-17"}, {"  17\u00a0Agustus  1985 ", "1985-08-17"}, {"07 Agustus 1985", "1985-08-07"},
		// Errors.
		{"17 Agustusan 1985", ""}, // unknown month
		{"31 Juni 1985", ""},      // 31 June
		{"29 Februari 2001", ""},  // not a leap year
		{"17 Agustus 85", ""},     // two-digit year
		{"17 Agustus", ""},        // no year
		{"Agustus 17 1985", ""},   // month first
		{"Sabtu 17 Agustus 1985", ""},
		{"17 8 1985", ""},
		{"17/08/85", ""},
		{"1985", ""},
		{"31276", ""}, // a serial is ExcelDate's
	})
}

func TestExcelDate(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"1", "1900-01-01"},
		{"59", "1900-02-28"},
		{"61", "1900-03-01"}, // day 60 is the phantom 29 February 1900
		{"31276", "1985-08-17"},
		{" 31276.75 ", "1985-08-17"},
		{"36526", "2000-01-01"},
		{"45550", "2024-09-15"},
		{"2958465", "9999-12-31"},
		{"60", ""},
		{"0", ""},
		{"2958466", ""},
		{"-1", ""},
		{"", ""},
		{"1e4", ""},
		{"31276,5", ""},
		{"12345678", ""},
	} {
		got, err := normalize.ExcelDate(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("%q: got %q, want an error", c.in, got)
				continue
			}
			checkErr(t, c.in, "date", err)
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, c := range []struct {
		in   float64
		want string
	}{{31276, "1985-08-17"}, {31276.999, "1985-08-17"}, {61, "1900-03-01"}, {60, ""}, {0.5, ""}, {-3, ""}, {2958466, ""}} {
		got, err := normalize.ExcelDateFloat(c.in)
		if (err != nil) != (c.want == "") || got != c.want {
			t.Errorf("%v: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// FuzzDate checks that Date never panics and that an accepted date is ISO and its own
// normal form; and that ExcelDate's dates are ISO dates Date accepts unchanged.
func FuzzDate(f *testing.F) {
	for _, s := range []string{"17 Agustus 1985", "7/8/1985", "17-08-1985", "1985-08-17", "31276", "60", "17-Agu-1985",
		"", "\xff", "1 Mei 0001", "31/12/9999", "2958465.99", ",,,", "1 - - 2000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if out, err := normalize.Date(raw); err == nil {
			if !utf8.ValidString(out) || len(out) != 10 {
				t.Fatalf("Date(%q) = %q", raw, out)
			}
			if again, err := normalize.Date(out); err != nil || again != out {
				t.Fatalf("Date(%q) = %q, again %q, %v", raw, out, again, err)
			}
		} else if e := jaga.AsError(err); e == nil || e.Field != "date" || e.Reason == "" {
			t.Fatalf("Date(%q): error %#v", raw, err)
		}
		if out, err := normalize.ExcelDate(raw); err == nil {
			if again, err := normalize.Date(out); err != nil || again != out {
				t.Fatalf("ExcelDate(%q) = %q, which Date reads as %q, %v", raw, out, again, err)
			}
		}
	})
}
