package pii

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
)

// got renders the findings of text as "kind:value" for table tests.
func got(sc *Scanner, text string) string {
	var parts []string
	for _, f := range sc.Scan([]byte(text)) {
		parts = append(parts, fmt.Sprintf("%s:%s", f.Kind, text[f.Start:f.End]))
	}
	return strings.Join(parts, " ")
}

func TestDetectors(t *testing.T) {
	sc := MustScanner(Options{})
	for _, c := range []struct{ text, want string }{
		// NIK, KK and NPWP, context words inside affixed forms.
		{"NIK-nya 3171011708450001 ya", "nik:3171011708450001"},
		{"nomornya 31.71.01.170845.0001", "nik:31.71.01.170845.0001"},
		{"no KK: 3171011708450001", "kk:3171011708450001"},
		{"Nomor Kartu Keluarga 3171011708450001", "kk:3171011708450001"},
		{"NPWP-nya 3171011708450001", "npwp:3171011708450001"},
		{"NPWP 01.312.166.0-091.000", "npwp:01.312.166.0-091.000"},
		{"npwp perusahaan 016090524017000", "npwp:016090524017000"},
		{"NPWP baru 0013121660091000", "npwp:0013121660091000"},
		{"NPWP 01.451.869.7-054.000 salah", ""}, // bad check digit
		// A labelled NIK that fails the structure check is still a NIK (low confidence,
		// TestLabelledInvalidNIK); without the label right before it, nothing.
		{"NIK 9971011708450001", "nik:9971011708450001"}, // no province 99
		{"NIK 3171013208450001", "nik:3171013208450001"}, // day 32
		{"kode 9971011708450001", ""},
		{"nomor 3171013208450001", ""},
		{"identitas 3171013208450001", ""},
		// Phones.
		{"hubungi 0812-3456-7890 atau +62 812 3456 7890", "phone:0812-3456-7890 phone:+62 812 3456 7890"},
		{"WA-ku 081234567890.", "phone:081234567890"},
		{"kantor (021) 5551234", "phone:(021) 5551234"},
		{"call +44 20 7123 4567 today", "phone:+44 20 7123 4567"},
		{"kode 0000123456", ""},
		// E-mail, including internationalised domains.
		{"email: budi.santoso@contoh.co.id.", "email:budi.santoso@contoh.co.id"},
		{"surel user@bücher.de atau a@xn--d1acufc.xn--p1ai", "email:user@bücher.de email:a@xn--d1acufc.xn--p1ai"},
		{"bukan email: budi@localhost", ""},
		// Cards.
		{"kartu kredit 4111 1111 1111 1111", "card:4111 1111 1111 1111"},
		{"Amex 3714 496353 98431", "card:3714 496353 98431"},
		{"kartu 4111 1111 1111 1112", ""}, // Luhn fails
		// Bank accounts, BPJS and passports only near context.
		{"transfer ke rekening BCA 1234567890", "bank_account:1234567890"},
		{"no.rek: 1230004567891", "bank_account:1230004567891"},
		{"angka 1234567890 saja", ""},
		{"kartu BPJS 0001234567890", "bpjs:0001234567890"},
		{"nomor paspor: X1234567", "passport:X1234567"},
		{"kode barang X1234567", ""},
		// Network.
		{"dari 10.1.2.3 dan fe80::1%eth0", "ip:10.1.2.3 ip:fe80::1%eth0"},
		{"lihat https://contoh.co.id/a?b=1, atau www.tokopedia.com.", "url:https://contoh.co.id/a?b=1 url:www.tokopedia.com"},
		{"buka README.md dan main.go", ""},
		// Plates.
		{"mobil B 1234 XYZ parkir", "plate:B 1234 XYZ"},
		{"plat nomor AB 12 CD", "plate:AB 12 CD"},
		{"kelas B 12 siswa", ""},
	} {
		if g := got(sc, c.text); g != c.want {
			t.Errorf("%q: got %q, want %q", c.text, g, c.want)
		}
	}
}

// TestLabelledInvalidNIK: sixteen digits right after "NIK"/"KTP" that fail the NIK
// structure check are reported as a NIK with evidence "context_only" and low confidence,
// so that redaction covers them (issue 8, defect 4); a valid NIK keeps its validator.
func TestLabelledInvalidNIK(t *testing.T) {
	sc := MustScanner(Options{})
	for _, c := range []struct {
		text, ctx string
	}{
		{"NIK 3171234567890001", "nik"},
		{"NIK-nya: 3171-2345-6789-0001", "nik"},
		{"No. KTP 9971011708450001", "ktp"},
		{"e-KTP 3171013208450001", "e-ktp"},
	} {
		fs := sc.Scan([]byte(c.text))
		if len(fs) != 1 || fs[0].Kind != NIK || fs[0].Evidence != (Evidence{Validator: "context_only", Context: c.ctx}) ||
			fs[0].Confidence >= 0.5 || int(fs[0].End) != len(c.text) {
			t.Errorf("%q: %+v", c.text, fs)
		}
		red, err := Redact(context.Background(), []byte(c.text), fs, Redaction{Mode: Label})
		if err != nil || !strings.HasSuffix(string(red), "[NIK]") {
			t.Errorf("%q: redacted %q, %v", c.text, red, err)
		}
	}
	if fs := sc.Scan([]byte("NIK 3171011708450001")); len(fs) != 1 || fs[0].Evidence.Validator != "nik_structure" || fs[0].Confidence < 0.9 {
		t.Errorf("valid NIK: %+v", fs)
	}
}

// TestNoFalsePositives is issue 8's must-show 3: nothing is found inside UUIDs,
// 13-digit timestamps, ISO dates or invoice numbers, and a Luhn-valid NIK is a NIK,
// never a card.
func TestNoFalsePositives(t *testing.T) {
	sc := MustScanner(Options{})
	for _, text := range []string{
		"550e8400-e29b-41d4-a716-446655440000",
		"id=0190b2c4-7d3e-7a51-9f4a-3171011708450001",
		"request 6ba7b810-9dad-11d1-80b4-00c04fd430c8 done",
		"ts=1748503543012", "1748503543012", "created 1700000000000 updated 1712345678901",
		"[1748503543012] ok", "1748503543012345", // microseconds
		"2024-05-01", "2024-05-01T10:20:30Z", "2024-05-01T10:20:30.123+07:00", "tanggal 2024-12-31 23:59:59",
		"20240501", "2024/05/01", "01-05-2024",
		"INV/2024/05/000123", "INV-20240501-00042", "Invoice No. INV-2024-000456",
		"Nomor invoice: 2024050100123", "faktur 010.000-24.12345678", "INV#4111111111111111",
		"PO-3171011708450001", "SO.2024.0001",
	} {
		if g := got(sc, text); g != "" {
			t.Errorf("%q: found %s", text, g)
		}
	}
	t.Run("LuhnValidNIK", func(t *testing.T) {
		// 3171011708450001 with its last digit chosen so the 16 digits pass Luhn.
		nik := luhnValidNIK(t)
		for _, text := range []string{nik, "no " + nik, "NIK " + nik, nik[:4] + " " + nik[4:8] + " " + nik[8:12] + " " + nik[12:]} {
			fs := sc.Scan([]byte(text))
			if len(fs) != 1 || fs[0].Kind != NIK {
				t.Errorf("%q: got %s, want one nik", text, got(sc, text))
			}
		}
	})
}

// luhnValidNIK returns a structurally valid NIK whose 16 digits also pass Luhn.
func luhnValidNIK(t *testing.T) string {
	t.Helper()
	for d := '0'; d <= '9'; d++ {
		s := "317101170845000" + string(d)
		if ValidNIK(s) && luhn([]byte(s)) && cardIIN([]byte(s)) {
			return s
		}
	}
	for d := '0'; d <= '9'; d++ {
		s := "352801170845000" + string(d) // JCB range: a card prefix too
		if ValidNIK(s) && luhn([]byte(s)) {
			return s
		}
	}
	t.Fatal("no Luhn-valid NIK found")
	return ""
}

// TestOverlap: candidates over the same bytes become one finding.
func TestOverlap(t *testing.T) {
	sc := MustScanner(Options{})
	for _, c := range []struct{ text, want string }{
		{"08123456789@gmail.com", "email:08123456789@gmail.com"},
		{"http://[2001:db8::1]/path", "url:http://[2001:db8::1]/path"},
		{"https://192.168.1.1:8080/x", "url:https://192.168.1.1:8080/x"},
		{"budi.id@contoh.com", "email:budi.id@contoh.com"},
	} {
		if g := got(sc, c.text); g != c.want {
			t.Errorf("%q: got %q, want %q", c.text, g, c.want)
		}
	}
}

// TestScanReaderChunkBorders: the streaming scan finds the same findings at the same
// offsets as a scan of the whole text, also for values that cross a read boundary.
func TestScanReaderChunkBorders(t *testing.T) {
	sc := MustScanner(Options{})
	var b bytes.Buffer
	b.WriteString(strings.Repeat("x ", chunkSize/2-lookAhead/2-7))
	for b.Len() < 3*chunkSize {
		b.WriteString("NIK 3171011708450001, e-mail budi.santoso@contoh.co.id, https://contoh.co.id/" +
			strings.Repeat("a", 100) + " 2001:db8::1 dan 0812-3456-7890 ")
		b.WriteString(strings.Repeat("kata ", b.Len()%97))
	}
	text := b.Bytes()
	want := sc.Scan(text)
	for _, rs := range []int{1, 7, 4093, 65536} {
		var gotF []Finding
		err := sc.ScanReader(&slowReader{data: text, n: rs}, func(f Finding) error {
			gotF = append(gotF, f)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(gotF) != len(want) {
			t.Fatalf("read size %d: %d findings, whole-text scan %d", rs, len(gotF), len(want))
		}
		for i := range want {
			if gotF[i] != want[i] {
				t.Fatalf("read size %d: finding %d = %+v, want %+v", rs, i, gotF[i], want[i])
			}
		}
	}
	if len(want) < 100 {
		t.Fatalf("only %d findings", len(want))
	}
}

// slowReader returns at most n bytes per Read.
type slowReader struct {
	data []byte
	n    int
}

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n, len(r.data))
	copy(p, r.data[:k])
	r.data = r.data[k:]
	return k, nil
}

// TestMayStart: the eight-byte test never misses a byte that can start a candidate.
func TestMayStart(t *testing.T) {
	for b := 0; b < 256; b++ {
		for pos := 0; pos < 8; pos++ {
			var w [8]byte
			for k := range w {
				w[k] = 'a'
			}
			w[pos] = byte(b)
			x := uint64(0)
			for k := 7; k >= 0; k-- {
				x = x<<8 | uint64(w[k])
			}
			if class[b] != cNone && !mayStart(x) {
				t.Fatalf("byte %#x at %d missed", b, pos)
			}
		}
	}
	if mayStart(0x6162636465666768) || mayStart(0xE280A2E280A2E280) {
		t.Fatal("false alarm on letters or UTF-8")
	}
}
