package normalize_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"jaga"
	"jaga/normalize"
)

func TestParsePhone(t *testing.T) {
	for _, c := range []struct {
		in         string
		want       string // "" means an error
		unverified bool
		reason     string
	}{
		// Issue 4 must-show 2.
		{in: "6281234567890", want: "+6281234567890"},           // 62 without +
		{in: "62 812 3456 7890", want: "+6281234567890"},        // 62 without +, spaced
		{in: "85700000123", want: "+6285700000123"},             // lost its leading 0
		{in: "(0812) 3456-7890", want: "+6281234567890"},        // brackets
		{in: "+62 812-3456-7890", want: "+6281234567890"},       // international
		{in: "(022) 2501234", want: "+62222501234"},             // Bandung landline the library knows
		{in: "022-12345", want: "+622212345", unverified: true}, // Bandung, a 5-digit local number it does not
		{in: "(022) 123456789", want: "+6222123456789", unverified: true},
		{in: "+62 22 12345", want: "+622212345", unverified: true},
		{in: "+62 (0)22 12345", want: "+622212345", unverified: true},
		{in: "+622212345", want: "+622212345", unverified: true},     // its own normal form
		{in: "0274 12345", want: "+6227412345"},                      // Yogyakarta: the library knows 5-digit numbers there
		{in: "0274 123456789", reason: normalize.ReasonPhoneInvalid}, // 12 digits after the 0: too long for a landline
		// Not landlines: still errors.
		{in: "0841-2345-6789", reason: normalize.ReasonPhoneInvalid}, // 84x is not a mobile range
		{in: "22-12345", reason: normalize.ReasonPhoneInvalid},       // no trunk 0: not read as a landline
		{in: "622212345", want: "+62622212345"},                      // without + and before a 2, 62 is the national area code 0622
		{in: "0122 12345", reason: normalize.ReasonPhoneInvalid},     // area codes do not start with 1
		{in: "022-1234", reason: normalize.ReasonPhoneLength},
		{in: "022-1234567890", reason: normalize.ReasonPhoneInvalid}, // 12 digits after the 0
		{in: "+63 858 3311 6904", reason: normalize.ReasonPhoneCountry},
		{in: "0812ABC4567", reason: normalize.ReasonPhoneFormat},
		{in: "", reason: normalize.ReasonPhoneLength},
		{in: "\xff", reason: normalize.ReasonPhoneFormat},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := normalize.ParsePhone(c.in)
			if c.want == "" {
				if err == nil {
					t.Fatalf("got %+v, want an error", got)
				}
				checkErr(t, c.in, "phone", err)
				if r := jaga.AsError(err).Reason; r != c.reason {
					t.Fatalf("reason %q, want %q", r, c.reason)
				}
				return
			}
			if err != nil || got.E164 != c.want || got.Unverified != c.unverified {
				t.Fatalf("got %+v, %v; want %s unverified=%v", got, err, c.want, c.unverified)
			}
			if again, err := normalize.ParsePhone(got.E164); err != nil || again != got {
				t.Fatalf("second pass %+v, %v", again, err)
			}
			if p, err := normalize.Phone(c.in); err != nil || p != c.want {
				t.Fatalf("Phone gives %q, %v", p, err)
			}
		})
	}
}

func TestParseEmail(t *testing.T) {
	for _, c := range []struct{ in, norm, display string }{
		{"  Rina.Sari@Example.CO.ID ", "rina.sari@example.co.id", "Rina.Sari@Example.CO.ID"},
		{"RINA@BÜCHER.EXAMPLE", "rina@xn--bcher-kva.example", "RINA@BÜCHER.EXAMPLE"},
		{"De\u0301de\u0301@Example.com", "dédé@example.com", "Dédé@Example.com"}, // display is NFC
		{"\tbudi@example.net\r\n", "budi@example.net", "budi@example.net"},
	} {
		got, err := normalize.ParseEmail(c.in)
		if err != nil || got.Normalized != c.norm || got.Display != c.display {
			t.Errorf("%q: got %+v, %v", c.in, got, err)
		}
	}
	if _, err := normalize.ParseEmail("rina@@example.com"); err == nil || jaga.AsError(err).Reason != "email_invalid" {
		t.Errorf("error %v", err)
	}
}

func TestNameMustShow(t *testing.T) {
	runCases(t, jaga.TypeName, normalize.Name, []normCase{
		{"Sukarno", "Sukarno"},          // one-word name, kept
		{"  SUKARNO ", "SUKARNO"},       // case kept in the stored form
		{"Ma’ruf Amin", "Ma’ruf Amin"},  // typographic apostrophe kept
		{"Ma'ruf  Amin", "Ma'ruf Amin"}, // ASCII apostrophe kept, spaces folded
		{"Nur’aini\u00a0binti\tAhmad", "Nur’aini binti Ahmad"},
		{"Andre\u0301 Sitompul", "André Sitompul"}, // NFD → NFC
		{"Jürgen Höfer", "Jürgen Höfer"},
		{"’", ""},
		{"\u2019 \u2019", ""},
	})
	for in, want := range map[string]string{
		"SUKARNO": "Sukarno", "sukarno": "Sukarno", "MA’RUF AMIN": "Ma’ruf Amin", "NUR'AINI BINTI AHMAD": "Nur'aini binti Ahmad",
		"ANDRÉ SITOMPUL": "André Sitompul", "siti nur-halimah": "Siti Nur-Halimah", "Ma’ruf Amin": "Ma’ruf Amin",
	} {
		if got := normalize.DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzPhone checks that ParsePhone never panics, that errors carry a reason, and that an
// accepted number is E.164 and its own normal form with the same flag.
func FuzzPhone(f *testing.F) {
	for _, s := range []string{"6281234567890", "85700000123", "(0812) 3456-7890", "+62 812-3456-7890", "022-12345",
		"+62 (0)22 12345", "0841-2345-6789", "+63 858 3311 6904", "", "\xff", "+", "0", "+620", "(+62) 0 0", "00628123456789", "(00 62) 812", "00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := normalize.ParsePhone(raw)
		if err != nil {
			if e := jaga.AsError(err); e == nil || e.Field != "phone" || !strings.HasPrefix(e.Reason, "phone_") {
				t.Fatalf("ParsePhone(%q): error %#v", raw, err)
			}
			return
		}
		if !strings.HasPrefix(p.E164, "+62") || len(p.E164) < 10 || len(p.E164) > 15 || !allASCIIDigits(p.E164[1:]) {
			t.Fatalf("ParsePhone(%q) = %+v", raw, p)
		}
		if again, err := normalize.ParsePhone(p.E164); err != nil || again != p {
			t.Fatalf("ParsePhone(%q) = %+v, again %+v, %v", raw, p, again, err)
		}
	})
}

// FuzzEmail checks that ParseEmail never panics, that errors carry a reason, and that an
// accepted address is valid UTF-8 and its own normal form, and its display form too.
func FuzzEmail(f *testing.F) {
	for _, s := range []string{"  Rina.Sari@Example.CO.ID ", "user@bücher.example", "a@домен.рф", "İ@example.com",
		"a@ß.de", "", "\xff", "@", "a@b", "a@example。com", "De\u0301de\u0301@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		e, err := normalize.ParseEmail(raw)
		if err != nil {
			if je := jaga.AsError(err); je == nil || je.Field != "email" || je.Reason != "email_invalid" {
				t.Fatalf("ParseEmail(%q): error %#v", raw, err)
			}
			return
		}
		if !utf8.ValidString(e.Normalized) || !utf8.ValidString(e.Display) || strings.ToLower(e.Normalized) != e.Normalized {
			t.Fatalf("ParseEmail(%q) = %+v", raw, e)
		}
		if again, err := normalize.Email(e.Normalized); err != nil || again != e.Normalized {
			t.Fatalf("Email(%q) = %q, %v", e.Normalized, again, err)
		}
		if d, err := normalize.Email(e.Display); err != nil || d != e.Normalized {
			t.Fatalf("display form %q normalises to %q, %v; want %q", e.Display, d, err, e.Normalized)
		}
	})
}

// FuzzName checks that Name never panics, that an accepted name is valid UTF-8 with no
// edge or doubled spaces and is its own normal form, and that DisplayName keeps it a
// name.
func FuzzName(f *testing.F) {
	for _, s := range []string{"Sukarno", "  PAIMAN   ARDANA ", "Ma’ruf Amin", "Andre\u0301", "ǅ", "İ", "\u0301", "",
		"\xff", "a\u200db", "ﬀ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		n, err := normalize.Name(raw)
		if err != nil {
			if e := jaga.AsError(err); e == nil || e.Field != "name" || e.Reason != "name_invalid" {
				t.Fatalf("Name(%q): error %#v", raw, err)
			}
			return
		}
		if !utf8.ValidString(n) || strings.TrimSpace(n) != n || strings.Contains(n, "  ") {
			t.Fatalf("Name(%q) = %q", raw, n)
		}
		if again, err := normalize.Name(n); err != nil || again != n {
			t.Fatalf("Name(%q) = %q, again %q, %v", raw, n, again, err)
		}
		d := normalize.DisplayName(n)
		if !utf8.ValidString(d) || strings.Count(d, " ") != strings.Count(n, " ") {
			t.Fatalf("DisplayName(%q) = %q", n, d)
		}
	})
}

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
