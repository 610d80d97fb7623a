package normalize_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"jaga"
	"jaga/demodata"
	"jaga/normalize"
)

// checkErr fails unless err is an EUNPROCESSABLE *jaga.Error with the given Field whose
// message holds no fragment of raw: no 6 consecutive characters of it, no 4 consecutive
// digits of it (invariant 6).
func checkErr(t *testing.T, raw, field string, err error) {
	t.Helper()
	var e *jaga.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *jaga.Error", err, err)
	}
	if e.Code != jaga.EUNPROCESSABLE {
		t.Errorf("code = %q, want %q", e.Code, jaga.EUNPROCESSABLE)
	}
	if e.Field != field {
		t.Errorf("field = %q, want %q", e.Field, field)
	}
	if e.Message == "" {
		t.Error("empty message")
	}
	msg := strings.ToLower(err.Error())
	r := []rune(strings.ToLower(strings.TrimSpace(raw)))
	for i := 0; i+6 <= len(r); i++ {
		if w := string(r[i : i+6]); strings.TrimSpace(w) == w && strings.Contains(msg, w) {
			t.Errorf("message %q contains %q of the value", msg, w)
		}
	}
	var digits []rune
	for _, c := range r {
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	for i := 0; i+4 <= len(digits); i++ {
		if w := string(digits[i : i+4]); strings.Contains(msg, w) {
			t.Errorf("message %q contains digits %q of the value", msg, w)
		}
	}
}

type normCase struct {
	in, want string // want "" means an error
}

func runCases(t *testing.T, typ jaga.ValueType, fn func(string) (string, error), cases []normCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(strconv.Quote(c.in), func(t *testing.T) {
			got, err := fn(c.in)
			if c.want == "" {
				if err == nil {
					t.Fatalf("got %q, want an error", got)
				}
				checkErr(t, c.in, string(typ), err)
				return
			}
			if err != nil {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
			// Normalising is idempotent: the stored form normalises to itself.
			again, err := fn(got)
			if err != nil || again != got {
				t.Fatalf("second pass gives %q, %v; want %q", again, err, got)
			}
			// Value dispatches to the same function and sets Field.
			v, err := normalize.Value("f", typ, c.in)
			if err != nil || v != c.want {
				t.Fatalf("Value gives %q, %v; want %q", v, err, c.want)
			}
		})
	}
}

func TestPhone(t *testing.T) {
	runCases(t, jaga.TypePhone, normalize.Phone, []normCase{
		// The brief's formats and intake/README.md's.
		{"+62 812-3456-7890", "+6281234567890"},
		{"081234567890", "+6281234567890"},
		{"6281234567890", "+6281234567890"},
		{"+6281234567890", "+6281234567890"},
		{"0812 3456 7890", "+6281234567890"},
		{"0812-3456-7890", "+6281234567890"},
		{"(0812) 3456-7890", "+6281234567890"},
		{"+62 0812 3456 7890", "+6281234567890"}, // UU-PDP.md §4: trunk 0 after +62
		{"81234567890", "+6281234567890"},        // lost its leading 0 in a number cell
		{"  0812.3456.7890\t", "+6281234567890"},
		{"0812/3456/7890", "+6281234567890"},
		{"+62 (0) 812 3456 7890", "+6281234567890"},
		{"(+62) 812-3456-7890", "+6281234567890"},
		// The international prefix 00 written for "+".
		{"00628123456789", "+628123456789"},
		{"0062 812-3456-7890", "+6281234567890"},
		{"(0062) 812 3456 7890", "+6281234567890"},
		{"0062 22 1234567", "+62221234567"},
		{"0063 812 345 6789", ""}, // another country after 00
		{"00", ""},
		{"00 0812 3456 7890", ""}, // 00 then a trunk 0: no country code
		// UU-PDP.md §4 valid examples.
		{"0857 1234 5678", "+6285712345678"},
		{"62 895 1234 5678", "+6289512345678"},
		{"0811-123-456", "+62811123456"},
		{"+62 881 2345 6789", "+6288123456789"},
		// Landlines libphonenumber accepts.
		{"021-1234567", "+62211234567"},
		{"(021) 1234-5678", "+622112345678"},
		// UU-PDP.md §4 invalid examples.
		{"0841-2345-6789", ""},    // 84x is not a mobile range
		{"0812-345", ""},          // too short
		{"0812-3456-7890-12", ""}, // NSN is 14 digits
		{"+63 812 345 6789", ""},  // not +62
		{"0812ABC4567", ""},       // letters are not turned into digits
		{"0812 3456 7890 ext 12", ""},
		{"++62 812 3456 7890", ""}, // a second +
		{"0812+3456", ""},
		{"", ""},
		{"   ", ""},
		{"+", ""},
		{"112", ""},
		{"+1 202 555 0143", ""}, // valid elsewhere, not Indonesian
		{"0812\u200b3456\u200b7890", ""},
	})
}

func TestPhoneMessage(t *testing.T) {
	_, err := normalize.Phone("0812-3")
	if err == nil || !strings.Contains(err.Error(), "has 4 digits after +62 or the leading 0; expected 7-12") {
		t.Fatalf("error %v, want a digit count", err)
	}
	_, err = normalize.Phone("0812-3456-7890-12")
	if err == nil || !strings.Contains(err.Error(), "has 13 digits") {
		t.Fatalf("error %v, want a digit count", err)
	}
}

func TestEmail(t *testing.T) {
	long254 := strings.Repeat("a", 64) + "@" + strings.Repeat(strings.Repeat("b", 61)+".", 3) + "abc"
	if len(long254) != 254 {
		t.Fatal(len(long254))
	}
	runCases(t, jaga.TypeEmail, normalize.Email, []normCase{
		{"rina@example.com", "rina@example.com"},
		{"  Rina.Sari@Example.CO.ID ", "rina.sari@example.co.id"},
		{"Aswani309@example.com", "aswani309@example.com"},
		{"first+tag@example.org", "first+tag@example.org"},
		{"o'neil@example.net", "o'neil@example.net"},
		{"user@bücher.example", "user@xn--bcher-kva.example"},
		{"user@BÜCHER.example", "user@xn--bcher-kva.example"},
		{"user@xn--80ak6aa92e.com", "user@xn--80ak6aa92e.com"}, // presidio_email.jsonl
		{"a@xn--d1acufc.xn--p1ai", "a@xn--d1acufc.xn--p1ai"},   // presidio_email.jsonl
		{"a@домен.рф", "a@xn--d1acufc.xn--p1ai"},
		{"user@straße.example", "user@xn--strae-oqa.example"}, // non-transitional: ß kept
		{"Dédé@example.com", "dédé@example.com"},
		{"De\u0301de\u0301@example.com", "dédé@example.com"}, // NFD → NFC
		{"info@presidio.site", "info@presidio.site"},
		{strings.Repeat("a", 64) + "@example.com", strings.Repeat("a", 64) + "@example.com"},
		// Invalid.
		{"", ""},
		{"rina", ""},
		{"rina@", ""},
		{"@example.com", ""},
		{"rina@@example.com", ""},
		{"rina@sari@example.com", ""},
		{"rina@example", ""}, // no dot
		{"a@example。com", "a@example.com"},
		{"a@ｅｘａｍｐｌｅ.com", "a@example.com"},
		{"a@example.com。", ""}, // trailing dot, after IDNA maps 。
		{"a@example.com.", ""},
		{"a@example。。com", ""},
		{"a@1.2.3.4", ""},
		{"a@[1.2.3.4]", ""},
		{"info@presidio.", ""},     // presidio_email.jsonl negative
		{"rina@.example.com", ""},  // empty label
		{"rina@example..com", ""},  // empty label
		{"rina@-example.com", ""},  // hyphen rule
		{"rina@exa_mple.com", ""},  // STD3
		{"rina@exa mple.com", ""},  // space in domain
		{"ri na@example.com", ""},  // space in local part
		{".rina@example.com", ""},  // leading dot
		{"rina.@example.com", ""},  // trailing dot
		{"ri..na@example.com", ""}, // double dot
		{`"rina sari"@example.com`, ""},
		{"rina,sari@example.com", ""},
		{"rina\x00@example.com", ""},
		{"ri\u200bna@example.com", ""},
		{strings.Repeat("a", 65) + "@example.com", ""},
		{"a@" + strings.Repeat("b", 64) + ".com", ""},                       // a label of 64 bytes
		{"a@" + strings.Repeat(strings.Repeat("b", 60)+".", 5) + "com", ""}, // over 254 bytes
		{"hello-world here", ""},
		{long254 + "d", ""}, // 255 bytes
		{long254, long254},
	})
}

func TestNIK(t *testing.T) {
	runCases(t, jaga.TypeNIK, normalize.NIK, []normCase{
		// UU-PDP.md §4 valid examples.
		{"3171011503909901", "3171011503909901"},
		{"3273055712859902", "3273055712859902"},
		{"5171022902009903", "5171022902009903"},
		{"6471034107019904", "6471034107019904"},
		{"9171010112999905", "9171010112999905"},
		// python-stdnum doctests (conformance/python_stdnum_id_nik.jsonl).
		{"3171011708450001", "3171011708450001"},
		{"3171012902001234", "3171012902001234"}, // 29-02-2000; 1900 has no 29 February
		// Separators and intake quirks.
		{"3171 0115 0390 9901", "3171011503909901"},
		{" 31.71.01.150390.9901 ", "3171011503909901"},
		{"3171-01-150390-9901", "3171011503909901"},
		{"3315024409000587", "3315024409000587"}, // intake row with Year_Birth 1900
		// UU-PDP.md §4 invalid examples.
		{"317101150390990", ""},  // 15 digits
		{"2071011503909901", ""}, // province 20
		{"3171013202909901", ""}, // day 32
		{"3171011513909901", ""}, // month 13
		{"3171012902019901", ""}, // 29-02-2001 does not exist
		// python-stdnum doctests.
		{"31710117084500", ""},   // length
		{"9971011708450001", ""}, // province 99
		{"3171013002001234", ""}, // 30 February
		// More.
		{"3171011503900000", ""}, // serial 0000
		{"3100011503909901", ""}, // regency 00
		{"3170011503909901", ""}, // regency 70
		{"3171001503909901", ""}, // district 00
		{"3171017203909901", ""}, // day 72 (32 + 40)
		{"3171014003909901", ""}, // day 40
		{"3171010003909901", ""}, // day 00
		{"3171011500909901", ""}, // month 00
		{"3.27306E+15", ""},      // Excel's scientific notation lost digits
		{"3171/01/150390/9901", ""},
		{"31710115039099010", ""},
		{"", ""},
		{"abc", ""},
		{"３１７１０１１５０３９０９９０１", ""}, // full-width digits are not ASCII digits
	})
}

func TestNIKBirthDate(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	date := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		nik    string
		hint   int
		want   time.Time
		female bool
		err    bool
	}{
		{nik: "3171011503909901", want: date(1990, 3, 15)},
		{nik: "3273055712859902", want: date(1985, 12, 17), female: true},
		{nik: "5171022902009903", want: date(2000, 2, 29)},
		{nik: "6471034107019904", want: date(2001, 7, 1), female: true},
		{nik: "9171010112999905", want: date(1999, 12, 1)},
		{nik: "3171015708450001", want: date(1945, 8, 17), female: true}, // python-stdnum
		{nik: "3171012902001234", want: date(2000, 2, 29)},               // python-stdnum
		{nik: "3171010106250001", want: date(2025, 6, 1)},                // today is not the future
		{nik: "3171010206250001", want: date(1925, 6, 2)},                // tomorrow is
		{nik: "3171 0115 0390 9901", want: date(1990, 3, 15)},
		// With a year hint (Year_Birth), the hint's century wins.
		{nik: "3329136308930144", hint: 1893, want: date(1893, 8, 23), female: true},
		{nik: "3373036405990036", hint: 1899, want: date(1899, 5, 24), female: true},
		{nik: "3315024409000587", hint: 1900, want: date(1900, 9, 4), female: true},
		{nik: "3171011503909901", hint: 1990, want: date(1990, 3, 15)},
		{nik: "3171011503909901", hint: 1989, want: date(1990, 3, 15)}, // a hint one year off
		{nik: "9171010112999905", hint: 2000, want: date(1999, 12, 1)}, // nearest, across the century
		{nik: "5171022902009903", hint: 1999, want: date(2000, 2, 29)},
		{nik: "3171011708150001", want: date(2015, 8, 17)},
		{nik: "3171011708150001", hint: 1915, want: date(1915, 8, 17)},
		// Errors.
		{nik: "5171022902009903", hint: 1900, err: true}, // 1900-02-29 does not exist
		{nik: "3171013202909901", err: true},             // not a NIK
		{nik: "", err: true},
	} {
		t.Run(c.nik+"/"+strconv.Itoa(c.hint), func(t *testing.T) {
			got, female, err := normalize.NIKBirthDateAt(c.nik, c.hint, now)
			if c.err {
				if err == nil {
					t.Fatalf("got %v, want an error", got)
				}
				checkErr(t, c.nik, "nik", err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(c.want) || female != c.female {
				t.Fatalf("got %v female=%v, want %v female=%v", got, female, c.want, c.female)
			}
		})
	}
	t.Run("SystemClock", func(t *testing.T) {
		got, _, err := normalize.NIKBirthDate("3171011503909901", 0)
		if err != nil || got.Year() != 1990 {
			t.Fatalf("got %v, %v", got, err)
		}
	})
}

func TestName(t *testing.T) {
	runCases(t, jaga.TypeName, normalize.Name, []normCase{
		{"Rina Sari", "Rina Sari"},
		{"  PAIMAN   ARDANA ", "PAIMAN ARDANA"},
		{"vicky\trahmawati", "vicky rahmawati"},
		{"Rina\u00a0Sari", "Rina Sari"}, // no-break space from a spreadsheet
		{"Sukarno", "Sukarno"},
		{"Ma'ruf Amin", "Ma'ruf Amin"},
		{"Ma’ruf Amin", "Ma’ruf Amin"},
		{"Zoë Dédé", "Zoë Dédé"},
		{"Zoe\u0308 De\u0301de\u0301", "Zoë Dédé"}, // NFD → NFC
		{"Siti Nur-Aini", "Siti Nur-Aini"},
		{"Ahmad bin Abdullah", "Ahmad bin Abdullah"},
		{"", ""},
		{"   ", ""},
		{"123", ""},
		{"Rina\x00Sari", ""},
		{"Rina\x1bSari", ""},
		{"Rina\u202eSari", ""}, // bidi override
		{"Rina\u200bSari", ""}, // zero-width space
		{"Ren\ufffd Sari", ""}, // decoded with the wrong encoding
	})
}

func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"PAIMAN ARDANA":        "Paiman Ardana",
		"paiman ardana":        "Paiman Ardana",
		"Paiman Ardana":        "Paiman Ardana",
		"McDonald":             "McDonald",
		"SITI NUR-AINI":        "Siti Nur-Aini",
		"AHMAD BIN ABDULLAH":   "Ahmad bin Abdullah",
		"BIN LADEN":            "Bin Laden",
		"MA'RUF AMIN":          "Ma'ruf Amin",
		"ZOË DÉDÉ":             "Zoë Dédé",
		"rina van dijk":        "Rina Van Dijk",
		"Rina van Dijk":        "Rina van Dijk",
		"123":                  "123",
		"":                     "",
		"'ABDUL":               "'Abdul",
		"NURUL 'AIN":           "Nurul 'Ain",
		"ǄEMAL":                "ǅemal",
		"EMAIL@EXAMPLE.COM X1": "Email@example.com X1",
	} {
		if got := normalize.DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestText(t *testing.T) {
	runCases(t, jaga.TypeText, normalize.Text, []normCase{
		{"Jl. Merdeka No. 1", "Jl. Merdeka No. 1"},
		{"  Jl.  Merdeka\tNo. 1  ", "Jl. Merdeka No. 1"},
		{"Jl. Merdeka No. 1\r\nRT 01/RW 02\n\n  Jakarta ", "Jl. Merdeka No. 1\nRT 01/RW 02\nJakarta"},
		{"Kab. Bogor", "Kab. Bogor"},
		{"BANDUNG", "BANDUNG"},
		{"2n Cycle", "2n Cycle"},
		{"", ""},
		{"\n\t ", ""},
		{"a\x07b", ""},
		{"a\x7fb", ""},
		{"a\ufeffb", ""},
		{"a\ufffdb", ""},
		{"a\uffffb", ""},
	})
}

func TestDate(t *testing.T) {
	runCases(t, jaga.TypeDate, normalize.Date, []normCase{
		{"1985-08-17", "1985-08-17"},
		{"1985-8-7", "1985-08-07"},
		{"17-08-1985", "1985-08-17"},
		{"17/08/1985", "1985-08-17"},
		{"7/8/1985", "1985-08-07"},
		{"17.08.1985", "1985-08-17"},
		{" 04-09-2012 ", "2012-09-04"}, // Dt_Customer
		{"2000-02-29", "2000-02-29"},
		{"29/02/2000", "2000-02-29"},
		{"1893-01-01", "1893-01-01"},
		{"0001-01-01", "0001-01-01"},
		{"", ""},
		{"1985-02-29", ""},
		{"1900-02-29", ""},
		{"31/04/1985", ""},
		{"1985-13-01", ""},
		{"1985-00-10", ""},
		{"1985-01-00", ""},
		{"32-01-1985", ""},
		{"0000-01-01", ""},
		{"1985/08/17", ""},                // year first only with hyphens
		{"17-08/1985", ""},                // mixed separators
		{"17-08-85", ""},                  // two-digit year
		{"17 Agustus 1985", "1985-08-17"}, // issue 4 must-show 2
		{"1985-08-17T00:00:00Z", ""},
		{"1985-08-17 ", "1985-08-17"},
		{"+985-08-17", ""},
		{"1985--8-17", ""},
		{"08/17/1985", ""}, // month first does not exist here
	})
}

func TestGender(t *testing.T) {
	runCases(t, jaga.TypeGender, normalize.Gender, []normCase{
		{"F", "F"}, {"f", "F"}, {" M ", "M"}, {"m", "M"},
		{"L", "M"}, {"l", "M"}, {"P", "F"}, {"p", "F"},
		{"Laki-laki", "M"}, {"PEREMPUAN", "F"}, {"wanita", "F"}, {"Pria", "M"},
		{"", ""}, {"X", ""}, {"FM", ""}, {"female?", ""},
	})
}

func TestInteger(t *testing.T) {
	runCases(t, jaga.TypeInteger, normalize.Integer, []normCase{
		{"0", "0"}, {"58", "58"}, {" 007 ", "7"}, {"+5", "5"}, {"-1", "-1"}, {"-0", "0"},
		{"9223372036854775807", "9223372036854775807"},
		{"-9223372036854775808", "-9223372036854775808"},
		{"", ""}, {"9223372036854775808", ""}, {"1.0", ""}, {"1,000", ""}, {"1e3", ""},
		{"+-1", ""}, {"--1", ""}, {"-", ""}, {"1 000", ""}, {"١٢٣", ""}, {"0x10", ""},
	})
}

func TestNumber(t *testing.T) {
	runCases(t, jaga.TypeNumber, normalize.Number, []normCase{
		{"58138", "58138"}, {"58138.5", "58138.5"}, {"-1", "-1"}, {"666666", "666666"},
		{"58138.50", "58138.5"}, {"058138.0", "58138"}, {".5", "0.5"}, {"5.", "5"},
		{"-0.0", "0"}, {"+3.14", "3.14"}, {"-0.50", "-0.5"}, {"0", "0"}, {"000", "0"},
		{"12345678901234567890.123456789", "12345678901234567890.123456789"},
		{"", ""}, {".", ""}, {"-", ""}, {"58138,5", ""}, {"58,138", ""}, {"1e5", ""},
		{"1.2.3", ""}, {"NaN", ""}, {"Inf", ""}, {"--1", ""}, {"1 000", ""}, {"3,27306E+15", ""},
	})
}

func TestValue(t *testing.T) {
	t.Run("InvalidUTF8", func(t *testing.T) {
		for _, typ := range []jaga.ValueType{jaga.TypeName, jaga.TypeEmail, jaga.TypePhone, jaga.TypeNIK,
			jaga.TypeDate, jaga.TypeGender, jaga.TypeText, jaga.TypeInteger, jaga.TypeNumber} {
			_, err := normalize.Value("col", typ, "Rina \xe9 Sari")
			if err == nil {
				t.Errorf("%s: invalid UTF-8 accepted", typ)
				continue
			}
			checkErr(t, "Rina \xe9 Sari", "col", err)
		}
	})
	t.Run("FieldName", func(t *testing.T) {
		_, err := normalize.Value("mobile", jaga.TypePhone, "0812")
		if e := jaga.AsError(err); e == nil || e.Field != "mobile" || !strings.HasPrefix(e.Message, "phone ") {
			t.Fatalf("error %#v", err)
		}
		// The function's own error keeps Field "phone": Value copied it.
		_, err = normalize.Phone("0812")
		if e := jaga.AsError(err); e == nil || e.Field != "phone" {
			t.Fatalf("error %#v", err)
		}
	})
	t.Run("UnknownType", func(t *testing.T) {
		_, err := normalize.Value("x", "colour", "red")
		checkErr(t, "red", "x", err)
	})
	t.Run("DefaultSchema", func(t *testing.T) {
		// Every type the default schema uses has a normaliser.
		for _, f := range jaga.DefaultFieldSpecs() {
			_, err := normalize.Value(f.Name, f.Type, "")
			if e := jaga.AsError(err); e == nil || strings.Contains(e.Message, "unknown value type") {
				t.Errorf("%s: %v", f.Name, err)
			}
		}
	})
}

// TestIntake runs the normalisers over the bundled synthetic CRM export (demodata, a copy
// of shared/data/intake/customers_id.csv): every email, phone and NIK there is well-formed
// (intake/README.md), and the NIK birth date follows Year_Birth and gender.
func TestIntake(t *testing.T) {
	r := csv.NewReader(bytes.NewReader(demodata.CustomersCSV))
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	n := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		id := rec[col["source_id"]]
		for _, c := range []struct {
			name string
			typ  jaga.ValueType
		}{{"full_name", jaga.TypeName}, {"email", jaga.TypeEmail}, {"phone", jaga.TypePhone}, {"nik", jaga.TypeNIK},
			{"gender", jaga.TypeGender}, {"domicile_city", jaga.TypeText}, {"Year_Birth", jaga.TypeInteger},
			{"Dt_Customer", jaga.TypeDate}, {"MntWines", jaga.TypeInteger}} {
			if _, err := normalize.Value(c.name, c.typ, rec[col[c.name]]); err != nil {
				t.Errorf("row %s: %v", id, err)
			}
		}
		if inc := rec[col["Income"]]; inc != "" {
			if _, err := normalize.Number(inc); err != nil {
				t.Errorf("row %s: %v", id, err)
			}
		}
		yb, _ := strconv.Atoi(rec[col["Year_Birth"]])
		birth, female, err := normalize.NIKBirthDate(rec[col["nik"]], yb)
		if err != nil {
			t.Errorf("row %s: %v", id, err)
			continue
		}
		if birth.Year() != yb || female != (rec[col["gender"]] == "F") {
			t.Errorf("row %s: NIK birth %d female=%v; Year_Birth %d gender %s", id, birth.Year(), female, yb, rec[col["gender"]])
		}
	}
	if n != 2240 {
		t.Errorf("%d rows, want 2240", n)
	}
}

func TestNoPanicOnOddInput(t *testing.T) {
	odd := []string{"", "\x00", "\xff", "@", "+", "-", ".", "/", "0", strings.Repeat("9", 300), strings.Repeat("a@", 200),
		"\u0301", "İ@example.com", strings.Repeat(" ", 1000), "🙂", "+62", "62", "0"}
	for _, s := range odd {
		for _, typ := range []jaga.ValueType{jaga.TypeName, jaga.TypeEmail, jaga.TypePhone, jaga.TypeNIK,
			jaga.TypeDate, jaga.TypeGender, jaga.TypeText, jaga.TypeInteger, jaga.TypeNumber} {
			out, err := normalize.Value("f", typ, s)
			if err == nil && strings.IndexFunc(out, unicode.IsControl) >= 0 && typ != jaga.TypeText {
				t.Errorf("%s(%q) = %q with a control character", typ, s, out)
			}
		}
	}
}

// FuzzValue checks that no input panics, that every accepted value is valid UTF-8 and
// normalises to itself (a blind index of a stored value must match the index of the value
// it came from), and that errors are EUNPROCESSABLE with the caller's field name.
func FuzzValue(f *testing.F) {
	for _, s := range []string{"+62 812-3456-7890", "81234567890", "Rina.Sari@Example.CO.ID", "user@bücher.example",
		"3171 0115 0390 9901", "  PAIMAN   ARDANA ", "Jl. Merdeka\r\nNo. 1", "17/08/1985", "L", "-007", "58138.50",
		"", "\xff", "İ@example.com", "a@ß.de", "ǅ", "\u0301"} {
		f.Add(s)
	}
	types := []jaga.ValueType{jaga.TypeName, jaga.TypeEmail, jaga.TypePhone, jaga.TypeNIK,
		jaga.TypeDate, jaga.TypeGender, jaga.TypeText, jaga.TypeInteger, jaga.TypeNumber}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, typ := range types {
			out, err := normalize.Value("f", typ, raw)
			if err != nil {
				if e := jaga.AsError(err); e == nil || e.Code != jaga.EUNPROCESSABLE || e.Field != "f" {
					t.Fatalf("%s(%q): error %#v", typ, raw, err)
				}
				continue
			}
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q: invalid UTF-8", typ, raw, out)
			}
			again, err := normalize.Value("f", typ, out)
			if err != nil || again != out {
				t.Fatalf("%s(%q) = %q, which normalises to %q, %v", typ, raw, out, again, err)
			}
		}
	})
}

// TestValueHasNoReason: Value's errors reach the API, whose problem "reason" is for
// refusals only; the type functions' errors carry one.
func TestValueHasNoReason(t *testing.T) {
	_, err := normalize.Value("email", jaga.TypeEmail, "rina-at-example.com")
	if e := jaga.AsError(err); e == nil || e.Reason != "" {
		t.Fatalf("Value error %#v", err)
	}
	_, err = normalize.Email("rina-at-example.com")
	if e := jaga.AsError(err); e == nil || e.Reason != "email_invalid" {
		t.Fatalf("Email error %#v", err)
	}
}
