package importer_test

import (
	"context"
	"strings"
	"testing"

	"jaga"
	"jaga/importer"
)

// importCSVs imports CSV files (name → content) in the order given, in one intake
// session, and returns the consent in force for cross_selling of every subject, by the
// subject's e-mail as the test wrote it in the files' first column order.
func importCSVs(t *testing.T, files [][2]string) (map[jaga.SubjectID]*jaga.Consent, *importer.Report) {
	t.Helper()
	ctx := context.Background()
	g, st := MustGate(t)
	sess := g.NewIntakeSession(0)
	rep := importer.NewReport()
	for _, f := range files {
		r, err := importer.Import(ctx, g, f[0], strings.NewReader(f[1]), int64(len(f[1])), importer.Options{Actor: importer_, AllLines: true, Session: sess})
		if err != nil {
			t.Fatalf("%s: %v", f[0], err)
		}
		rep.Add(r)
	}
	out := map[jaga.SubjectID]*jaga.Consent{}
	if err := st.View(ctx, func(tx jaga.Tx) error {
		for _, l := range rep.Lines {
			if l.Subject == "" {
				continue
			}
			c, err := tx.CurrentConsent(ctx, l.Subject, jaga.PurposeCrossSelling)
			if err != nil {
				return err
			}
			out[l.Subject] = c
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out, rep
}

// TestImportedConsentLocalTime: an imported consent keeps the source's time in UTC and
// its local zone: from the source's offset when it has an Indonesian one (+08:00
// is WITA, though the province is on WIB; a date alone is 23:59 WIB), else from the
// domicile province (a UTC time in Papua: WIT).
func TestImportedConsentLocalTime(t *testing.T) {
	csv := "Nama,Email,Provinsi,Tgl Kunjungan,No. Formulir,Setuju Penawaran (Y/T)\n" +
		"Made Wirawan,made.wirawan@example.com,DKI Jakarta,2024-09-15T10:30:00+08:00,FRM-TOKO-2024-0101,Y\n" +
		"Siti Rahma,siti.rahma@example.com,Sulawesi Selatan,14/09/2024,FRM-TOKO-2024-0102,Y\n" +
		"Yohanes Wenda,yohanes.wenda@example.com,Papua,2024-09-13T01:00:00Z,FRM-TOKO-2024-0103,Y\n"
	cs, rep := importCSVs(t, [][2]string{{"kunjungan_toko.csv", csv}})
	if rep.Created != 3 {
		t.Fatalf("created %d, want 3: %+v", rep.Created, rep.Lines)
	}
	want := map[string]string{ // evidence → local time
		"FRM-TOKO-2024-0101": "2024-09-15T10:30:00+08:00 WITA",
		"FRM-TOKO-2024-0102": "2024-09-14T23:59:00+07:00 WIB",
		"FRM-TOKO-2024-0103": "2024-09-13T10:00:00+09:00 WIT",
	}
	for _, c := range cs {
		got := c.Local().Format("2006-01-02T15:04:05-07:00") + " " + c.Zone
		if w := want[c.Evidence]; got != w || c.At.Location().String() != "UTC" {
			t.Errorf("%s: local %s (at %v), want %s", c.Evidence, got, c.At, w)
		}
		if c.SourceFile != "kunjungan_toko.csv" || c.SourceRow < 2 {
			t.Errorf("%s: source %q line %d", c.Evidence, c.SourceFile, c.SourceRow)
		}
		delete(want, c.Evidence)
	}
	if len(want) != 0 {
		t.Fatalf("consents missing: %v", want)
	}
}

// TestConsentTiesAcrossFiles: two files hold decisions of one person made at the same
// instant; the one in force is the one of the file whose name sorts last (then the
// later line), whichever file was imported first (issue 4's tie rule).
func TestConsentTiesAcrossFiles(t *testing.T) {
	a := [2]string{"a_pameran.csv", "Nama,Email,Tgl Kunjungan,No. Formulir,Setuju Penawaran (Y/T)\n" +
		"Rina Kartika,rina.kartika@example.com,2024-09-15T23:59:00+07:00,FRM-EXPO-2024-0001,Y\n"}
	b := [2]string{"b_toko.csv", "Nama,Email,Tgl Kunjungan,No. Formulir,Setuju Penawaran (Y/T)\n" +
		"Rina Kartika,rina.kartika@example.com,2024-09-15T16:59:00Z,FRM-TOKO-2024-0009,T\n" +
		"Rina Kartika,rina.kartika@example.com,2024-09-15T23:59:00+07:00,FRM-TOKO-2024-0010,Y\n"}
	// In b, line 3 (given) comes after line 2 (refused) at the same instant: b line 3
	// is in force, from either order.
	for _, order := range [][][2]string{{a, b}, {b, a}} {
		cs, _ := importCSVs(t, order)
		if len(cs) != 1 {
			t.Fatalf("order %s first: %d subjects, want 1", order[0][0], len(cs))
		}
		for _, c := range cs {
			if c.Evidence != "FRM-TOKO-2024-0010" || c.Status != jaga.ConsentGiven || c.SourceFile != "b_toko.csv" || c.SourceRow != 3 {
				t.Fatalf("order %s first: in force %+v, want b_toko.csv line 3", order[0][0], c)
			}
		}
	}
	// Swap the decisions inside b: now its refusal (line 3) is in force, from either order.
	b[1] = strings.Replace(strings.Replace(b[1], ",T\n", ",X\n", 1), "0010,Y\n", "0010,T\n", 1)
	b[1] = strings.Replace(b[1], ",X\n", ",Y\n", 1)
	for _, order := range [][][2]string{{a, b}, {b, a}} {
		cs, _ := importCSVs(t, order)
		for _, c := range cs {
			if c.Evidence != "FRM-TOKO-2024-0010" || c.Status != jaga.ConsentRefused {
				t.Fatalf("swapped, order %s first: in force %+v, want the refusal of b_toko.csv line 3", order[0][0], c)
			}
		}
	}
}
