package gate_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
	"jaga/importer"
)

// TestFreeTextPII: an identifier typed into a free-text field (address, a text
// attribute) raises a review flag naming its kind, on create, update and intake; the
// value stays sealed and no flag, error or audit event holds it (issue 8).
func TestFreeTextPII(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	svc := f.req(jaga.RoleService, jaga.PurposeServiceProvision)
	const nik = "3273055712859902"
	create := func(t *testing.T, address string) (jaga.SubjectID, []string) {
		t.Helper()
		id, review, err := f.g.CreateWithReview(ctx, gate.CreateRequest{Request: svc, Channel: jaga.ChannelStoreVisit,
			Values: map[string]string{"full_name": "Dewi Lestari", "email": "dewi" + strings.Repeat("x", len(address)%7) + "@example.co.id", "address": address}})
		if err != nil {
			t.Fatal(err)
		}
		return id, review
	}
	openFlags := func(t *testing.T, id jaga.SubjectID) []string {
		t.Helper()
		var out []string
		if err := f.store.View(ctx, func(tx jaga.Tx) error {
			fl, err := tx.ReviewFlags(ctx, id, 0)
			for _, x := range fl {
				out = append(out, x.Reason)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Run("Create", func(t *testing.T) {
		id, review := create(t, "Jl. Merdeka No. 5 RT 003/RW 011, titip NIK-nya "+nik+" ke satpam")
		if !slices.Equal(review, []string{"pii_in_free_text:nik"}) {
			t.Fatalf("review = %v, want pii_in_free_text:nik", review)
		}
		if got := openFlags(t, id); !slices.Equal(got, review) {
			t.Fatalf("stored flags = %v, want %v", got, review)
		}
	})
	t.Run("Clean", func(t *testing.T) {
		id, review := create(t, "Jl. Safitri No. 90 RT 005/RW 012 Kec. Kartoharjo")
		if len(review) != 0 || len(openFlags(t, id)) != 0 {
			t.Fatalf("a plain address raised %v", review)
		}
	})
	t.Run("Update", func(t *testing.T) {
		id, _ := create(t, "Jl. Braga 12")
		review, err := f.g.UpdateWithReview(ctx, gate.UpdateRequest{Request: svc, Subject: id,
			Set: map[string]string{"address": "Jl. Braga 12, hubungi 0812-3456-7890 atau rina.s@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"pii_in_free_text:email", "pii_in_free_text:phone"}; !slices.Equal(review, want) {
			t.Fatalf("review = %v, want %v", review, want)
		}
	})
	t.Run("NoValueAnywhere", func(t *testing.T) {
		// Invariant 2 and 6: the NIK typed into the address is in no database file in
		// plaintext (sealed in the field; the flag names only the kind).
		if err := f.g.Close(); err != nil {
			t.Fatal(err)
		}
		f.store.Close()
		filepath.WalkDir(f.dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if bytes.Contains(b, []byte(nik)) {
				t.Errorf("%s holds the NIK in plaintext", p)
			}
			return nil
		})
	})
}

// TestFreeTextPIIRealFile imports the door-to-door export of ../shared/data/intake
// (free-text addresses typed from paper forms) as it is — no address holds an
// identifier, so none is flagged — and again with a NIK and a bank account written into
// two addresses: exactly those rows are flagged, and the import report says so per line.
func TestFreeTextPIIRealFile(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "data", "intake")
	raw, err := os.ReadFile(filepath.Join(dir, "door_to_door_export.csv"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("intake fixtures missing: %v", err)
		}
		t.Skipf("intake fixtures missing: %v", err)
	}
	ctx := context.Background()
	f := MustFixture(t)
	opts := importer.Options{Actor: f.actors[jaga.RoleService], AllLines: true}
	rep, err := importer.Import(ctx, f.g, "door_to_door_export.csv", bytes.NewReader(raw), int64(len(raw)), opts)
	if err != nil {
		t.Fatal(err)
	}
	for r, n := range rep.ReviewBy {
		if strings.HasPrefix(r, gate.ReviewFreeTextPII) {
			t.Errorf("the real addresses raised %s %d times", r, n)
		}
	}
	if rep.Created+rep.Merged == 0 {
		t.Fatalf("nothing imported: %+v", rep)
	}

	// The same file with identifiers written into two addresses (Windows-1252 bytes; the
	// inserted text is ASCII). Line numbers: the file's second and fourth records.
	recs := bytes.SplitAfter(raw, []byte("\r\n"))
	var b bytes.Buffer
	inserted := 0
	for i, rec := range recs {
		if i > 0 && inserted < 2 && bytes.Contains(rec, []byte(`;"Jl.`)) {
			text := []string{` NIK 3273055712859902`, ` transfer ke rek. BCA 1234567890`}[inserted]
			rec = bytes.Replace(rec, []byte(`;"Jl.`), []byte(`;"Jl.`+text+`,`), 1)
			inserted++
		}
		b.Write(rec)
	}
	if inserted != 2 {
		t.Fatalf("found %d quoted addresses to change, want 2", inserted)
	}
	g2 := MustFixture(t)
	opts.Actor = g2.actors[jaga.RoleService]
	rep, err = importer.Import(ctx, g2.g, "door_to_door_export.csv", bytes.NewReader(b.Bytes()), int64(b.Len()), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ReviewBy["pii_in_free_text:nik"] != 1 || rep.ReviewBy["pii_in_free_text:bank_account"] != 1 {
		t.Fatalf("review by reason = %v; want one nik and one bank_account in free text", rep.ReviewBy)
	}
	flagged := 0
	for _, l := range rep.Lines {
		if slices.ContainsFunc(l.Review, func(r string) bool { return strings.HasPrefix(r, gate.ReviewFreeTextPII) }) {
			flagged++
			if l.Subject == "" || l.Line == 0 {
				t.Errorf("flagged line report without subject or line: %+v", l)
			}
		}
	}
	if flagged != 2 {
		t.Fatalf("%d lines flagged in the report, want 2", flagged)
	}
}
