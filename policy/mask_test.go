package policy_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"jaga"
	"jaga/policy"
)

func TestApplyMask(t *testing.T) {
	for _, c := range []struct {
		rule, in, want string
	}{
		// DESIGN.md's examples.
		{policy.MaskLast3, "+6281234567890", "+62 8•• •••• •890"},
		{policy.MaskFirstLetter, "rina@example.com", "r•••@example.com"},
		{policy.MaskRegionLast4, "3273055712850019", "3273••••••••0019"},
		{policy.MaskInitials, "Rina Sari", "R. S."},
		{policy.MaskYear, "1985-08-17", "1985"},
		// last3: other lengths and odd inputs.
		{policy.MaskLast3, "+62811123456", "+62 8•• ••• 456"},       // 9-digit mobile
		{policy.MaskLast3, "+62812345678901", "+62 8•• •••• ••901"}, // 12 digits
		{policy.MaskLast3, "+62211234567", "+62 2•• ••• 567"},       // landline
		{policy.MaskLast3, "+621500123", "+62 ••• •1 23"},           // 7 digits: first digit hidden
		{policy.MaskLast3, "+6221123456", "+62 ••• •• 456"},         // 8 digits
		{policy.MaskLast3, "+6281234567890123", "•••123"},           // too long for +62: generic
		{policy.MaskLast3, "+12025550143", "•••143"},                // another country
		{policy.MaskLast3, "0812-3456-7890", "•••890"},              // not normalised
		{policy.MaskLast3, "+62812", Hidden},                        // too short
		{policy.MaskLast3, "123456", Hidden},                        // 6 digits: would show half
		{policy.MaskLast3, "", Hidden},
		{policy.MaskLast3, "+62", Hidden},
		{policy.MaskLast3, "phone", Hidden},
		{policy.MaskLast3, "+62８１２３４５６７８９０", Hidden}, // full-width digits are not digits here
		// first_letter.
		{policy.MaskFirstLetter, "r@example.com", "r•••@example.com"},
		{policy.MaskFirstLetter, "dédé@xn--bcher-kva.example", "d•••@xn--bcher-kva.example"},
		{policy.MaskFirstLetter, "élodie@example.com", "é•••@example.com"},
		{policy.MaskFirstLetter, `"a@b"@example.com`, `"•••@example.com`},
		{policy.MaskFirstLetter, "@example.com", Hidden},
		{policy.MaskFirstLetter, "rina@", Hidden},
		{policy.MaskFirstLetter, "rina", Hidden},
		{policy.MaskFirstLetter, "", Hidden},
		{policy.MaskFirstLetter, "@", Hidden},
		{policy.MaskFirstLetter, "\xffrina@example.com", Hidden},
		{policy.MaskFirstLetter, "rina@exa\nmple.com", Hidden},
		{policy.MaskFirstLetter, " rina@example.com", Hidden},
		// region_last4.
		{policy.MaskRegionLast4, "317101150390990", Hidden},   // 15 digits
		{policy.MaskRegionLast4, "31710115039099011", Hidden}, // 17 digits
		{policy.MaskRegionLast4, "3171 0115 0390 9901", Hidden},
		{policy.MaskRegionLast4, "", Hidden},
		{policy.MaskRegionLast4, "abcdefghijklmnop", Hidden},
		// initials.
		{policy.MaskInitials, "rina sari", "R. S."},
		{policy.MaskInitials, "Sukarno", "S."},
		{policy.MaskInitials, "Siti Nur-Aini", "S. N."},
		{policy.MaskInitials, "Ma'ruf Amin", "M. A."},
		{policy.MaskInitials, "'Abdul Rahman", "A. R."},
		{policy.MaskInitials, "élodie dédé", "É. D."},
		{policy.MaskInitials, "  Rina \n Sari  ", "R. S."},
		{policy.MaskInitials, "", Hidden},
		{policy.MaskInitials, "123 456", Hidden},
		{policy.MaskInitials, "\xff\xfe", Hidden},
		// year.
		{policy.MaskYear, "0001-01-01", "0001"},
		{policy.MaskYear, "1985", Hidden},
		{policy.MaskYear, "17-08-1985", Hidden},
		{policy.MaskYear, "1985-08-17T00:00:00Z", Hidden},
		{policy.MaskYear, "19a5-08-17", Hidden},
		{policy.MaskYear, "", Hidden},
	} {
		t.Run(c.rule+"/"+c.in, func(t *testing.T) {
			got, err := policy.ApplyMask(c.rule, c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
	t.Run("UnknownRule", func(t *testing.T) {
		for _, r := range []string{"", "last4", "LAST3", "mask:last3"} {
			if _, err := policy.ApplyMask(r, "+6281234567890"); jaga.ErrorCode(err) != jaga.EINTERNAL {
				t.Errorf("%q: error %v", r, err)
			}
		}
	})
	t.Run("Rules", func(t *testing.T) {
		for _, r := range policy.MaskRules() {
			if _, err := policy.ApplyMask(r, "x"); err != nil {
				t.Errorf("%s: %v", r, err)
			}
		}
	})
}

const Hidden = policy.Hidden

// shown returns the characters of out that are not mask characters or spaces.
func shown(out string) []rune {
	var r []rune
	for _, c := range out {
		if c != '•' && c != ' ' {
			r = append(r, c)
		}
	}
	return r
}

// checkMask checks what each rule may show of in: never a panic, valid UTF-8 whenever in
// is, and no more of the value than the rule allows.
func checkMask(t *testing.T, rule, in string) {
	out, err := policy.ApplyMask(rule, in)
	if err != nil {
		t.Fatal(err)
	}
	if utf8.ValidString(in) && !utf8.ValidString(out) {
		t.Fatalf("%s(%q) = %q: invalid UTF-8", rule, in, out)
	}
	if out == Hidden {
		return
	}
	var digits []byte
	for i := 0; i < len(in); i++ {
		if in[i] >= '0' && in[i] <= '9' {
			digits = append(digits, in[i])
		}
	}
	s := shown(out)
	switch rule {
	case policy.MaskLast3:
		// "+62" and at most the first national digit, then exactly the last 3 digits.
		str := string(s)
		str = strings.TrimPrefix(str, "+62")
		if len(str) > 4 || len(str) < 3 || !strings.HasSuffix(string(digits), str[len(str)-3:]) {
			t.Fatalf("%s(%q) = %q shows too much", rule, in, out)
		}
		if len(digits) < 7 {
			t.Fatalf("%s(%q) = %q: shows digits of a short value", rule, in, out)
		}
	case policy.MaskFirstLetter:
		i := strings.LastIndexByte(in, '@')
		if i <= 0 {
			t.Fatalf("%s(%q) = %q without an @", rule, in, out)
		}
		first, _ := utf8.DecodeRuneInString(in)
		if want := string(first) + Hidden + in[i:]; out != want {
			t.Fatalf("%s(%q) = %q, want %q", rule, in, out, want)
		}
	case policy.MaskRegionLast4:
		if len(in) != 16 || out != in[:4]+strings.Repeat("•", 8)+in[12:] {
			t.Fatalf("%s(%q) = %q", rule, in, out)
		}
	case policy.MaskInitials:
		// Only upper-case letters, each followed by a period, one per word.
		words := strings.Fields(in)
		parts := strings.Split(out, " ")
		if len(parts) > len(words) {
			t.Fatalf("%s(%q) = %q: more initials than words", rule, in, out)
		}
		for _, p := range parts {
			if utf8.RuneCountInString(p) != 2 || !strings.HasSuffix(p, ".") {
				t.Fatalf("%s(%q) = %q", rule, in, out)
			}
		}
	case policy.MaskYear:
		if len(out) != 4 || out != in[:4] {
			t.Fatalf("%s(%q) = %q", rule, in, out)
		}
	}
}

func FuzzApplyMask(f *testing.F) {
	for _, s := range []string{"+6281234567890", "rina@example.com", "3273055712850019", "Rina Sari", "1985-08-17",
		"", "@", "+62", "a@b@c", "\xff", "1234567", "٣٢٧٣٠٥٥٧١٢٨٥٠٠١٩", "ǅ ǆ", "+62 812"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, r := range policy.MaskRules() {
			checkMask(t, r, in)
		}
	})
}
