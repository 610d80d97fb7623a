package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
	"jaga/importer"
)

// TestChangedSourceRow: a row keyed by its source system's ID that comes again with
// other values (the CRM's export of next week: a new phone, a consent withdrawn) is a
// change of that customer, not a row already imported. It updates the subject its
// source ID created — new values sealed, the new consent decision recorded — is counted
// as merged and flagged for review; the same file again, or with its columns in another
// order, is unchanged; a new version that fails validation is quarantined, not skipped.
func TestChangedSourceRow(t *testing.T) {
	ctx := context.Background()
	g, st := MustGate(t)
	dir := t.TempDir()
	n := 0
	run := func(body string) *importer.Report {
		t.Helper()
		n++
		p := filepath.Join(dir, "crm-export.csv")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_, AllLines: true})
		if err != nil {
			t.Fatalf("run %d: %v", n, err)
		}
		if sum := r.Created + r.Merged + r.Unchanged + r.Quarantined + r.Rejected; sum != r.RowsRead {
			t.Fatalf("run %d: %d rows read, %d accounted for", n, r.RowsRead, sum)
		}
		return r
	}
	const head = "source_id,full_name,email,phone,channel,collected_at,consent_cross_selling,consent_evidence\n"
	v1 := head +
		"C-1,Sari Wulandari,sari@example.com,081234567801,web_form,2026-01-05T10:00:00+07:00,Y,FRM-1\n" +
		"C-2,Budi Santoso,budi@example.com,081234567802,web_form,2026-01-05T11:00:00+07:00,Y,FRM-2\n"
	if r := run(v1); r.Created != 2 {
		t.Fatalf("first import: %+v", r)
	}
	if r := run(v1); r.Unchanged != 2 || r.Created+r.Merged != 0 {
		t.Fatalf("same file again: created %d, merged %d, unchanged %d", r.Created, r.Merged, r.Unchanged)
	}
	reordered := "full_name,source_id,phone,email,channel,collected_at,consent_evidence,consent_cross_selling\n" +
		"Sari Wulandari,C-1,+6281234567801,sari@example.com,web_form,2026-01-05T10:00:00+07:00,FRM-1,Y\n" +
		"Budi Santoso,C-2,0812-3456-7802,budi@example.com,web_form,2026-01-05T11:00:00+07:00,FRM-2,Y\n"
	if r := run(reordered); r.Unchanged != 2 {
		t.Fatalf("same rows, other column order and phone notation: merged %d, unchanged %d", r.Merged, r.Unchanged)
	}

	// Sari has a new phone and withdrew her cross-selling consent in the CRM.
	v2 := head +
		"C-1,Sari Wulandari,sari@example.com,081299990001,web_form,2026-03-01T09:00:00+07:00,T,FRM-9\n" +
		"C-2,Budi Santoso,budi@example.com,081234567802,web_form,2026-01-05T11:00:00+07:00,Y,FRM-2\n"
	r := run(v2)
	if r.Merged != 1 || r.Unchanged != 1 || r.Created != 0 {
		t.Fatalf("changed row: created %d, merged %d, unchanged %d", r.Created, r.Merged, r.Unchanged)
	}
	var sari jaga.SubjectID
	for _, l := range r.Lines {
		if l.Line == 2 {
			sari = l.Subject
			if l.Status != "merged" || !slices.Contains(l.Review, "source_row_changed") {
				t.Errorf("line 2: status %q, review %v; want merged and source_row_changed", l.Status, l.Review)
			}
		}
	}
	if sari == "" {
		t.Fatal("line 2 has no subject in the report")
	}
	recs, err := g.Find(ctx, gate.FindRequest{Request: gate.Request{Actor: &jaga.Actor{ID: "act_t", Kind: jaga.ActorStaff, Role: jaga.RoleSupport}, Purpose: jaga.PurposeCustomerSupport, Reason: "TICKET-1"},
		Field: "phone", Value: jaga.Redact("081299990001"), Fields: []string{"phone"}, Reveal: []string{"phone"}})
	if err != nil || len(recs) != 1 || recs[0].Subject != sari {
		t.Fatalf("look-up by the new phone: %v, %v", recs, err)
	}
	if got := recs[0].Values["phone"]; got != "+6281299990001" {
		t.Errorf("phone after the change = %q, want the new one", got)
	}
	if err := st.View(ctx, func(tx jaga.Tx) error {
		c, err := tx.CurrentConsent(ctx, sari, jaga.PurposeCrossSelling)
		if err != nil {
			return err
		}
		if c == nil || c.Status == jaga.ConsentGiven {
			t.Errorf("cross-selling consent after the withdrawal in the source = %+v, want not given", c)
		}
		flags, err := tx.ReviewFlags(ctx, sari, 0)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(flags, func(f *jaga.ReviewFlag) bool { return f.Reason == "source_row_changed" }) {
			t.Errorf("no source_row_changed review flag for the subject: %+v", flags)
		}
		n, err := tx.CountSubjects(ctx)
		if err == nil && n != 2 {
			t.Errorf("%d subjects, want 2", n)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if r := run(v2); r.Unchanged != 2 || r.Merged != 0 {
		t.Fatalf("changed file again: merged %d, unchanged %d", r.Merged, r.Unchanged)
	}

	// Budi's next version has a broken e-mail and no phone: quarantined once, then known.
	v3 := head +
		"C-1,Sari Wulandari,sari@example.com,081299990001,web_form,2026-03-01T09:00:00+07:00,T,FRM-9\n" +
		"C-2,Budi Santoso,budi@@example,,web_form,2026-04-01T11:00:00+07:00,Y,FRM-3\n"
	if r := run(v3); r.Quarantined != 1 || r.Unchanged != 1 {
		t.Fatalf("changed row that fails validation: quarantined %d, unchanged %d, merged %d", r.Quarantined, r.Unchanged, r.Merged)
	}
	if r := run(v3); r.Unchanged != 2 {
		t.Fatalf("same file again: quarantined %d, unchanged %d", r.Quarantined, r.Unchanged)
	}

	// A new customer quarantined on arrival (no valid e-mail or phone), then corrected
	// in the source: the corrected row is imported, not taken for the quarantined one.
	bad := head + "C-3,Rina Kusuma,rina@,,store_visit,2026-05-01T10:00:00+07:00,Y,FRM-4\n"
	if r := run(bad); r.Quarantined != 1 {
		t.Fatalf("bad new row: %+v", r)
	}
	if r := run(bad); r.Unchanged != 1 {
		t.Fatalf("bad new row again: quarantined %d, unchanged %d", r.Quarantined, r.Unchanged)
	}
	fixed := head + "C-3,Rina Kusuma,rina@example.com,,store_visit,2026-05-01T10:00:00+07:00,Y,FRM-4\n"
	if r := run(fixed); r.Created != 1 {
		t.Fatalf("corrected row: created %d, unchanged %d, quarantined %d", r.Created, r.Unchanged, r.Quarantined)
	}
	if r := run(fixed); r.Unchanged != 1 {
		t.Fatalf("corrected row again: created %d, unchanged %d", r.Created, r.Unchanged)
	}
}

// TestChangedSourceRowInOneFile: one file that holds two versions of the same source
// record (a CRM export with an edit appended) gives one subject, with the second row
// merged into it and flagged, whether both rows fall into one batch or into two batches
// in flight at once.
func TestChangedSourceRowInOneFile(t *testing.T) {
	for _, batch := range []int{0, 1} {
		ctx := context.Background()
		g, st := MustGate(t)
		body := "source_id,full_name,email,phone\n" +
			"C-7,Dewi Lestari,dewi@example.com,081234567807\n" +
			"C-8,Eko Nugroho,eko@example.com,081234567808\n" +
			"C-7,Dewi Lestari,dewi.lestari@example.com,081234567807\n"
		p := filepath.Join(t.TempDir(), "export.csv")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_, BatchSize: batch, AllLines: true})
		if err != nil {
			t.Fatal(err)
		}
		if r.Created != 2 || r.Merged != 1 {
			t.Errorf("batch size %d: created %d, merged %d, unchanged %d", batch, r.Created, r.Merged, r.Unchanged)
		}
		// The later version's e-mail is the subject's; the earlier one still finds it.
		support := gate.Request{Actor: &jaga.Actor{ID: "act_t", Kind: jaga.ActorStaff, Role: jaga.RoleSupport}, Purpose: jaga.PurposeCustomerSupport, Reason: "TICKET-2"}
		for _, addr := range []string{"dewi.lestari@example.com", "dewi@example.com"} {
			recs, err := g.Find(ctx, gate.FindRequest{Request: support, Field: "email", Value: jaga.Redact(addr), Fields: []string{"email"}, Reveal: []string{"email"}})
			if err != nil || len(recs) != 1 {
				t.Fatalf("batch size %d: look-up by %s: %v, %v", batch, addr, recs, err)
			}
			if got := recs[0].Values["email"]; got != "dewi.lestari@example.com" {
				t.Errorf("batch size %d: e-mail = %q, want the later version's", batch, got)
			}
		}
		if err := st.View(ctx, func(tx jaga.Tx) error {
			n, err := tx.CountSubjects(ctx)
			if err == nil && n != 2 {
				t.Errorf("batch size %d: %d subjects, want 2", batch, n)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		again, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_, BatchSize: batch})
		if err != nil {
			t.Fatal(err)
		}
		if again.Unchanged != 3 {
			t.Errorf("batch size %d, again: merged %d, unchanged %d", batch, again.Merged, again.Unchanged)
		}
	}
}

// TestQuarantinedThenCorrectedInOneFile: a row quarantined and a corrected version of
// it further down the same file: the corrected row is imported.
func TestQuarantinedThenCorrectedInOneFile(t *testing.T) {
	ctx := context.Background()
	g, _ := MustGate(t)
	body := "source_id,full_name,email,phone\n" +
		"C-9,Fajar Hidayat,fajar@,\n" +
		"C-9,Fajar Hidayat,fajar@example.com,\n"
	p := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_})
	if err != nil {
		t.Fatal(err)
	}
	if r.Quarantined != 1 || r.Created != 1 {
		t.Errorf("quarantined %d, created %d, unchanged %d; want 1, 1, 0", r.Quarantined, r.Created, r.Unchanged)
	}
}

// TestChangedConsentSameTime: the newer export's consent decision wins even when the
// row kept its collection time and the new file's name sorts first: a refusal of a
// consent in force is recorded as its withdrawal, dated at the import.
func TestChangedConsentSameTime(t *testing.T) {
	g, st := MustGate(t)
	dir := t.TempDir()
	imp := func(name, consent string) *importer.Report {
		t.Helper()
		return importCSV(t, g, filepath.Join(dir, name), "source_id,full_name,email,collected_at,consent_cross_selling,consent_evidence\n"+
			"C-5,Gita Permata,gita@example.com,2026-01-05T10:00:00+07:00,"+consent+",FRM-5\n")
	}
	first := imp("z_week1.csv", "Y")
	if first.Created != 1 {
		t.Fatalf("first: %+v", first)
	}
	sub := first.Lines[0].Subject
	if r := imp("a_week2.csv", "T"); r.Merged != 1 {
		t.Fatalf("withdrawal: merged %d, unchanged %d", r.Merged, r.Unchanged)
	}
	if c := currentConsent(t, st, sub, jaga.PurposeCrossSelling); c == nil || c.Status != jaga.ConsentWithdrawn {
		t.Errorf("consent in force after the newer export's T = %+v, want withdrawn", c)
	}
	// The customer's access history names the withdrawal, not only the merge.
	dpo := &jaga.Actor{ID: "act_dpo", Kind: jaga.ActorStaff, Role: jaga.RoleDPO}
	h, err := g.AccessHistory(context.Background(), gate.AccessHistoryRequest{Request: gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR}, Subject: sub})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range h.Entries {
		actions = append(actions, e.Action)
	}
	if !slices.Contains(actions, jaga.ActionConsentChange) || !slices.Contains(actions, jaga.ActionMerge) {
		t.Errorf("access history actions %v, want the merge and a consent change", actions)
	}
}

// TestChangedRowKeepsLaterWithdrawal: a customer withdraws consent live (API, portal);
// the next export changes only their phone and still says yes: the phone is applied and
// the withdrawal stands, as the export's yes is not newer than it.
func TestChangedRowKeepsLaterWithdrawal(t *testing.T) {
	ctx := context.Background()
	g, st := MustGate(t)
	dir := t.TempDir()
	imp := func(name, phone string) *importer.Report {
		t.Helper()
		return importCSV(t, g, filepath.Join(dir, name), "source_id,full_name,email,phone,collected_at,consent_cross_selling,consent_evidence\n"+
			"C-6,Hana Wijaya,hana@example.com,"+phone+",2026-01-05T10:00:00+07:00,Y,FRM-6\n")
	}
	first := imp("week1.csv", "081234567806")
	sub := first.Lines[0].Subject
	dpo := &jaga.Actor{ID: "act_dpo", Kind: jaga.ActorStaff, Role: jaga.RoleDPO}
	if _, err := g.RecordConsent(ctx, gate.ConsentRequest{Request: gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR}, Subject: sub, Channel: jaga.ChannelAPI,
		Consent: gate.ConsentInput{Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentWithdrawn, Details: jaga.ConsentDetails{GivenBy: jaga.GivenBySubject}}}); err != nil {
		t.Fatal(err)
	}
	if r := imp("week2.csv", "081234567816"); r.Merged != 1 {
		t.Fatalf("changed phone: merged %d, unchanged %d", r.Merged, r.Unchanged)
	}
	if c := currentConsent(t, st, sub, jaga.PurposeCrossSelling); c == nil || c.Status != jaga.ConsentWithdrawn {
		t.Errorf("consent in force after an export that still says yes = %+v, want the live withdrawal", c)
	}
}

// TestChangedRowOfErasedSubject: a new version of the row of a customer erased since
// changes nothing (the erased customer is not brought back) and does not stop the file.
func TestChangedRowOfErasedSubject(t *testing.T) {
	ctx := context.Background()
	g, _ := MustGate(t)
	dir := t.TempDir()
	imp := func(name, body string) *importer.Report {
		t.Helper()
		return importPeopleRows(t, g, filepath.Join(dir, name), body)
	}
	first := imp("week1.csv", "C-E,Indra Gunawan,indra@example.com,081234567820\n")
	dpo := &jaga.Actor{ID: "act_dpo", Kind: jaga.ActorStaff, Role: jaga.RoleDPO}
	if err := g.Erase(ctx, gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR, Reason: "DSR-1"}, first.Lines[0].Subject); err != nil {
		t.Fatal(err)
	}
	r := imp("week2.csv", "C-E,Indra Gunawan,indra@example.com,081234567821\nC-F,Joko Susilo,joko@example.com,081234567822\n")
	if r.Unchanged != 1 || r.Created != 1 {
		t.Fatalf("created %d, merged %d, unchanged %d; want the erased customer's row unchanged and the other created", r.Created, r.Merged, r.Unchanged)
	}
}

// TestSharedContactFlagsBounded: 60 people with different NIKs and one shared phone (a
// shop's number typed for each) give 60 subjects and at most maxConflictFlags pairs of
// identity_conflict flags per row, not a pair for every two of them.
func TestSharedContactFlagsBounded(t *testing.T) {
	ctx := context.Background()
	g, st := MustGate(t)
	var b strings.Builder
	b.WriteString("full_name,phone,nik\n")
	for i := range 60 {
		fmt.Fprintf(&b, "Pelanggan %c%c,0227654321,32730155019%05d\n", 'A'+i/26, 'A'+i%26, 10+i)
	}
	p := filepath.Join(t.TempDir(), "toko.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_})
	if err != nil {
		t.Fatal(err)
	}
	if r.Created+r.Quarantined != 60 {
		t.Fatalf("created %d, quarantined %d %v, merged %d", r.Created, r.Quarantined, r.QuarantinedBy, r.Merged)
	}
	if err := st.View(ctx, func(tx jaga.Tx) error {
		flags, err := tx.ReviewFlags(ctx, "", 100000)
		if err != nil {
			return err
		}
		n := 0
		for _, f := range flags {
			if f.Reason == "identity_conflict" {
				n++
			}
		}
		if n == 0 || n > 2*5*60 {
			t.Errorf("%d identity_conflict flags for 60 rows, want between 1 and %d", n, 2*5*60)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestErasureTakesQuarantinedVersions: a later export of a customer's row that failed
// validation sits in quarantine with their data; erasing the customer discards it too
// (its data key destroyed), and a quarantined row of someone else stays.
func TestErasureTakesQuarantinedVersions(t *testing.T) {
	ctx := context.Background()
	g, st := MustGate(t)
	dir := t.TempDir()
	imp := func(name, body string) *importer.Report {
		t.Helper()
		return importPeopleRows(t, g, filepath.Join(dir, name), body)
	}
	first := imp("week1.csv", "C-Q,Kartika Sari,kartika@example.com,081234567830\n")
	sub := first.Lines[0].Subject
	second := imp("week2.csv", "C-Q,Kartika Sari,kartika@,\nC-R,Lukman Hakim,lukman@,\n")
	if second.Quarantined != 2 {
		t.Fatalf("week 2: quarantined %d", second.Quarantined)
	}
	mine, other := second.Lines[0].Subject, second.Lines[1].Subject
	dpo := &jaga.Actor{ID: "act_dpo", Kind: jaga.ActorStaff, Role: jaga.RoleDPO}
	if err := g.Erase(ctx, gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR, Reason: "DSR-2"}, sub); err != nil {
		t.Fatal(err)
	}
	if err := st.View(ctx, func(tx jaga.Tx) error {
		r, err := tx.QuarantinedRow(ctx, mine)
		if err != nil {
			return err
		}
		if r.Status != jaga.QuarantineDiscarded || len(r.WrappedDEK) != 0 || len(r.Sealed) != 0 {
			t.Errorf("the erased customer's quarantined version: status %s, %d key bytes, %d sealed bytes", r.Status, len(r.WrappedDEK), len(r.Sealed))
		}
		o, err := tx.QuarantinedRow(ctx, other)
		if err != nil {
			return err
		}
		if o.Status != jaga.QuarantineOpen || len(o.Sealed) == 0 {
			t.Errorf("someone else's quarantined row: status %s", o.Status)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A release of the discarded row is refused; one without a valid purpose is refused
	// before anything is decrypted.
	if _, err := g.QuarantineRelease(ctx, gate.Request{Actor: importer_, Purpose: jaga.PurposeServiceProvision}, mine); jaga.ErrorCode(err) != jaga.ECONFLICT {
		t.Errorf("release of a discarded row: %v, want a conflict", err)
	}
	if _, err := g.QuarantineRelease(ctx, gate.Request{Actor: importer_, Purpose: "no_such_purpose"}, other); jaga.ErrorCode(err) != jaga.EINVALID {
		t.Errorf("release without a valid purpose: %v, want invalid", err)
	}
}

// importPeopleRows imports rows under the header source_id,full_name,email,phone.
func importPeopleRows(t *testing.T, g *gate.Gate, path, rows string) *importer.Report {
	t.Helper()
	return importCSV(t, g, path, "source_id,full_name,email,phone\n"+rows)
}

// importCSV writes body to path and imports it with every line in the report.
func importCSV(t *testing.T, g *gate.Gate, path, body string) *importer.Report {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := importer.ImportFile(context.Background(), g, path, importer.Options{Actor: importer_, AllLines: true})
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	return r
}

// currentConsent returns the subject's consent in force for purpose (nil for none).
func currentConsent(t *testing.T, st jaga.Store, sub jaga.SubjectID, purpose string) *jaga.Consent {
	t.Helper()
	var c *jaga.Consent
	if err := st.View(context.Background(), func(tx jaga.Tx) error {
		var err error
		c, err = tx.CurrentConsent(context.Background(), sub, purpose)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return c
}
