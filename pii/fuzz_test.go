package pii

import (
	"bytes"
	"context"
	"testing"
	"unicode/utf8"
)

// FuzzScan checks on any input: no panic; findings inside the input, sorted and not
// overlapping; on valid UTF-8 input, findings on rune boundaries and redacted output
// valid UTF-8; the streamed scan equals the whole-text scan.
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"NIK-nya 3171011708450001, hp +62 812-3456-7890, surel budi@bücher.de",
		"kartu 4111 1111 1111 1111 rek BCA 1234567890 paspor A1234567 BPJS 0001234567890",
		"http://[2001:db8::1]/path fe80::1%eth0/64 ::ffff:192.0.2.1 10.0.0.0/8 www.contoh.co.id",
		"NPWP 01.312.166.0-091.000 plat B 1234 XYZ (021) 5551234",
		"550e8400-e29b-41d4-a716-446655440000 1748503543012 2024-05-01 INV/2024/05/000123",
		"Jl. Merdeka No. 5 RT 01/RW 02 Kel. Gambir Kec. Gambir, Presiden Joko Widodo di Jakarta",
		"é@é.é ::: 1.2.3.4.5 +", "\xff\xfe3171011708450001\x80@\xc3",
		"a@b.c.\u00e9\u0301 https://x.y/\u201cz\u201d",
	} {
		f.Add(s)
	}
	ctx := context.Background()
	sc := MustScanner(Options{Names: true})
	f.Fuzz(func(t *testing.T, s string) {
		text := []byte(s)
		fs := sc.Scan(text)
		valid := utf8.Valid(text)
		var prev int64
		for i, x := range fs {
			if x.Start < prev || x.End <= x.Start || x.End > int64(len(text)) {
				t.Fatalf("finding %d %+v out of order or outside %d bytes (previous end %d)", i, x, len(text), prev)
			}
			prev = x.End
			if valid && (!utf8.RuneStart(text[x.Start]) || x.End < int64(len(text)) && !utf8.RuneStart(text[x.End])) {
				t.Fatalf("finding %+v not on rune boundaries", x)
			}
		}
		for _, m := range []Mode{Mask, Label} {
			out, err := Redact(ctx, text, fs, Redaction{Mode: m})
			if err != nil {
				t.Fatal(err)
			}
			if valid && !utf8.Valid(out) {
				t.Fatalf("mode %d: valid input, invalid output %q", m, out)
			}
		}
		var streamed []Finding
		if err := sc.ScanReader(bytes.NewReader(text), func(x Finding) error {
			streamed = append(streamed, x)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(streamed) != len(fs) {
			t.Fatalf("streamed %d findings, whole %d", len(streamed), len(fs))
		}
	})
}
