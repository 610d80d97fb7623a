package importer_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga"
	"jaga/demodata"
	"jaga/importer"
)

func count(t *testing.T, st interface {
	View(context.Context, func(jaga.Tx) error) error
}) (subjects, purchases int) {
	t.Helper()
	ctx := context.Background()
	err := st.View(ctx, func(tx jaga.Tx) error {
		var err error
		if subjects, err = tx.CountSubjects(ctx); err != nil {
			return err
		}
		purchases, err = tx.CountPurchases(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return
}

// TestBundledFilesIdempotent imports the bundled customers and purchases twice: 2,240
// subjects and 26,850 purchases (identical lines are distinct purchases), and the
// second run creates nothing.
func TestBundledFilesIdempotent(t *testing.T) {
	ctx := context.Background()
	g, st := MustGate(t)
	for run := 0; run < 2; run++ {
		rep, err := importer.Import(ctx, g, demodata.CustomersName, bytes.NewReader(demodata.CustomersCSV), 0, importer.Options{Actor: importer_, DeriveBirthDate: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Failed != 0 || rep.Rows != 2240 {
			t.Fatalf("run %d: %d rows, %d failed: %v", run, rep.Rows, rep.Failed, rep.Errors[:min(3, len(rep.Errors))])
		}
		if want := map[int]int{0: 2240, 1: 0}[run]; rep.Created != want {
			t.Fatalf("run %d created %d subjects; want %d", run, rep.Created, want)
		}
		prep, err := importer.Import(ctx, g, demodata.PurchasesName, bytes.NewReader(demodata.PurchasesCSV), 0, importer.Options{Actor: importer_})
		if err != nil {
			t.Fatal(err)
		}
		if prep.Kind != importer.KindPurchases || prep.Failed != 0 || prep.Rows != 26850 {
			t.Fatalf("purchases run %d: %+v", run, prep)
		}
		if want := map[int]int{0: 26850, 1: 0}[run]; prep.Created != want {
			t.Fatalf("purchases run %d stored %d; want %d", run, prep.Created, want)
		}
	}
	if s, p := count(t, st); s != 2240 || p != 26850 {
		t.Fatalf("stored %d subjects, %d purchases", s, p)
	}
}

func TestBadRows(t *testing.T) {
	ctx := context.Background()
	csv := "source_id;full_name;email;phone;nik;consent_cross_selling;consent_evidence;channel\n" +
		"1;Rina Sari;rina@example.com;0812-3456-7890;3273055712859902;Y;FRM-TOKO-2024-0001;store_visit\n" +
		"2;Budi;not-an-email;0812-3456-7891;;N;FRM-TOKO-2024-0002;store_visit\n" +
		"3;Sari;sari@example.com;0812-3456-7892;317101150390990;Y;FRM-TOKO-2024-0003;store_visit\n" +
		"4;Wati;wati@example.com;0812-3456-7893;;maybe;FRM-TOKO-2024-0004;store_visit\n" +
		"5;Joko;joko@example.com\n" +
		"6;\"Agus\nSantoso\";agus@example.com;0812-3456-7894;;Y;FRM-TOKO-2024-0006;store_visit\n"
	t.Run("ReportsAndContinues", func(t *testing.T) {
		g, st := MustGate(t)
		rep, err := importer.Import(ctx, g, "expo.csv", strings.NewReader(csv), 0, importer.Options{Actor: importer_})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Detected != "UTF-8, delimiter semicolon" {
			t.Errorf("detected %q", rep.Detected)
		}
		var got []string
		for _, e := range rep.Errors {
			got = append(got, e.Error())
		}
		want := []string{
			`expo.csv:3:3: column "email": email`,
			`expo.csv:4:5: column "nik": nik`,
			`expo.csv:5:6: column "consent_cross_selling": consent must be Y/N`,
			`expo.csv:6: row has 3 columns; the header has 8`,
		}
		if len(got) != len(want) {
			t.Fatalf("errors:\n%s", strings.Join(got, "\n"))
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("error %d = %q; want prefix %q", i, got[i], want[i])
			}
			for _, v := range []string{"not-an-email", "317101150390990", "maybe", "joko@example.com"} {
				if strings.Contains(got[i], v) {
					t.Errorf("error %d echoes a value: %q", i, got[i])
				}
			}
		}
		if rep.Created != 2 || rep.Failed != 4 {
			t.Fatalf("created %d, failed %d", rep.Created, rep.Failed)
		}
		if s, _ := count(t, st); s != 2 {
			t.Fatalf("%d subjects stored", s)
		}
		// Re-running creates nothing new and reports the same rows.
		rep2, err := importer.Import(ctx, g, "expo.csv", strings.NewReader(csv), 0, importer.Options{Actor: importer_})
		if err != nil || rep2.Created != 0 || rep2.Existing != 2 || rep2.Failed != 4 {
			t.Fatalf("re-run: %v %+v", err, rep2)
		}
	})
	t.Run("StopOnError", func(t *testing.T) {
		g, st := MustGate(t)
		rep, err := importer.Import(ctx, g, "expo.csv", strings.NewReader(csv), 0, importer.Options{Actor: importer_, StopOnError: true, BatchSize: 1})
		if !errors.Is(err, importer.ErrRowsFailed) || !rep.Stopped {
			t.Fatalf("err %v, report %+v", err, rep)
		}
		if s, _ := count(t, st); s > 1 {
			t.Fatalf("%d subjects stored after stopping at line 3", s)
		}
	})
	t.Run("BadPurchaseLines", func(t *testing.T) {
		g, _ := MustGate(t)
		if _, err := importer.Import(ctx, g, "c.csv", strings.NewReader("source_id,full_name,email\n7,Rina,rina@example.com\n"), 0, importer.Options{Actor: importer_}); err != nil {
			t.Fatal(err)
		}
		in := "customer_source_id,invoice_no,stock_code,description,quantity,invoice_date,unit_price\n" +
			"7,536365,85123A,LANTERN,NaN,2010-12-01 08:26:00,2.55\n" +
			"7,536365,85123A,LANTERN,6,not-a-date,2.55\n" +
			"7,536365,85123A,LANTERN,6,2010-12-01 08:26:00,1e3\n" +
			"8,536365,85123A,LANTERN,6,2010-12-01 08:26:00,2.55\n" +
			"7,536365,85123A,LANTERN,-6,2010-12-01 08:26:00,2.55\n"
		rep, err := importer.Import(ctx, g, "p.csv", strings.NewReader(in), 0, importer.Options{Actor: importer_})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range rep.Errors {
			got = append(got, e.Error())
		}
		want := []string{`p.csv:2:5: column "quantity"`, `p.csv:3:6: column "invoice_date"`, `p.csv:4:7: column "unit_price"`, `p.csv:5:1: column "customer_source_id"`}
		if len(got) != len(want) || rep.Created != 1 {
			t.Fatalf("created %d, errors %q", rep.Created, got)
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("error %d = %q; want prefix %q", i, got[i], want[i])
			}
		}
	})
	t.Run("ErrUnknownHeader", func(t *testing.T) {
		g, _ := MustGate(t)
		_, err := importer.Import(ctx, g, "x.csv", strings.NewReader("full_name,shoe_size\nA,42\n"), 0, importer.Options{Actor: importer_})
		if err == nil || !strings.Contains(err.Error(), `x.csv:1: no field for column 2 (`) || strings.Contains(err.Error(), "shoe_size") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("MappingFile", func(t *testing.T) {
		g, _ := MustGate(t)
		path := filepath.Join(t.TempDir(), "map.yaml")
		os.WriteFile(path, []byte("columns:\n  \"Nama Lengkap\": full_name\n  \"No. HP/WA\": phone\n  \"Setuju Penawaran (Y/T)\": consent:cross_selling\n  \"No. Formulir\": evidence\n"), 0o600)
		m, err := importer.LoadMapping(path)
		if err != nil {
			t.Fatal(err)
		}
		in := "\xef\xbb\xbfNama Lengkap,No. HP/WA,Setuju Penawaran (Y/T),No. Formulir\nRina,081234567890,T,FRM-EXPO-2024-0001\n"
		rep, err := importer.Import(ctx, g, "expo.csv", strings.NewReader(in), 0, importer.Options{Actor: importer_, Mapping: m, Channel: jaga.ChannelExhibition})
		if err != nil || rep.Created != 1 || rep.Failed != 0 || !strings.Contains(rep.Detected, "BOM") {
			t.Fatalf("%v %+v", err, rep)
		}
	})
	t.Run("ErrMappingFileNamesLine", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "map.yaml")
		os.WriteFile(path, []byte("columns:\n  \"A\": full_name\n  \"B\": \"consent:\"\n"), 0o600)
		if _, err := importer.LoadMapping(path); err == nil || !strings.Contains(err.Error(), "map.yaml:3:") {
			t.Fatalf("got %v", err)
		}
	})
}
