package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
	"jaga/importer"
)

// lateMemberLines is JSON Lines of n people in which line late (1-based) alone gives
// the member extra as well.
func lateMemberLines(n, late int, extra string) []byte {
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `{"full_name":"Pelanggan Json %d","email":"json%d@contoh.co.id"`, i, i)
		if i == late {
			b.WriteString(`,` + extra)
		}
		b.WriteString("}\n")
	}
	return b.Bytes()
}

// TestJSONLLateMember: a member first given after the first 1,000 lines of a file is a
// column like any other (a file is read once for its members first): domicile_city on
// line 1,201 is stored, and a member that names no field on line 1,500 refuses the file
// naming that line, as one on line 4 does. Read from a pipe (no second reading), the
// late line is rejected with the member named and the rest imports.
func TestJSONLLateMember(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	g, _ := MustGate(t)
	p := filepath.Join(dir, "late.jsonl")
	if err := os.WriteFile(p, lateMemberLines(1300, 1201, `"domicile_city":"Kota Bandung"`), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_})
	if err != nil {
		t.Fatal(err)
	}
	if r.RowsRead != 1300 || r.Created != 1300 || r.Rejected != 0 {
		t.Fatalf("read %d, created %d, rejected %d %v; want all 1,300 created", r.RowsRead, r.Created, r.Rejected, r.RejectedBy)
	}
	support := gate.Request{Actor: &jaga.Actor{ID: "act_t", Kind: jaga.ActorStaff, Role: jaga.RoleSupport}, Purpose: jaga.PurposeCustomerSupport, Reason: "TICKET-3"}
	recs, err := g.Find(ctx, gate.FindRequest{Request: support, Field: "email", Value: jaga.Redact("json1201@contoh.co.id"), Fields: []string{"domicile_city"}})
	if err != nil || len(recs) != 1 {
		t.Fatalf("look-up of line 1,201: %v, %v", recs, err)
	}
	if got := recs[0].Values["domicile_city"]; got != "Kota Bandung" {
		t.Errorf("domicile_city of line 1,201 = %q, want Kota Bandung", got)
	}

	unknown := filepath.Join(dir, "unknown.jsonl")
	if err := os.WriteFile(unknown, lateMemberLines(1600, 1500, `"hobi_rahasia":"catur"`), 0o600); err != nil {
		t.Fatal(err)
	}
	g2, st2 := MustGate(t)
	_, err = importer.ImportFile(ctx, g2, unknown, importer.Options{Actor: importer_})
	if err == nil || !strings.Contains(err.Error(), `unknown.jsonl:1500: member "hobi_rahasia" on line 1500 names no field`) {
		t.Fatalf("late unknown member: %v; want the file refused naming line 1500", err)
	}
	if strings.Contains(err.Error(), "catur") {
		t.Errorf("error carries the value: %v", err)
	}
	if n := countSubjects(t, st2); n != 0 {
		t.Errorf("%d subjects stored from a refused file", n)
	}

	// A pipe cannot be read twice: the columns are those of the first 1,000 lines.
	g3, _ := MustGate(t)
	body := lateMemberLines(1300, 1201, `"domicile_city":"Kota Bandung"`)
	r, err = importer.Import(ctx, g3, "late.jsonl", struct{ io.Reader }{bytes.NewReader(body)}, int64(len(body)), importer.Options{Actor: importer_})
	if err != nil {
		t.Fatal(err)
	}
	if r.Created != 1299 || r.Rejected != 1 {
		t.Fatalf("from a pipe: created %d, rejected %d; want 1,299 and line 1,201 rejected", r.Created, r.Rejected)
	}
	var found bool
	for _, l := range r.Lines {
		if l.Line == 1201 {
			found = true
			if msg := l.Error(); !strings.Contains(msg, `domicile_city`) || !strings.Contains(msg, "by its path") || strings.Contains(msg, "Bandung") {
				t.Errorf("line 1201: %s; want the member named, the hint, no value", msg)
			}
		}
	}
	if !found {
		t.Errorf("line 1201 not reported: %+v", r.Lines)
	}
}

// TestJSONLLongLine: a line over 1 MiB refuses the file naming its line number, whether
// it is within the first 1,000 lines or after them.
func TestJSONLLongLine(t *testing.T) {
	ctx := context.Background()
	for _, at := range []int{3, 1100} {
		t.Run(fmt.Sprint(at), func(t *testing.T) {
			g, st := MustGate(t)
			body := lateMemberLines(1200, at, `"catatan":"`+strings.Repeat("x", 1<<20)+`"`)
			p := filepath.Join(t.TempDir(), "long.jsonl")
			if err := os.WriteFile(p, body, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := importer.ImportFile(ctx, g, p, importer.Options{Actor: importer_})
			if want := fmt.Sprintf("line %d is longer than 1 MiB", at); err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v; want %q", err, want)
			}
			if n := countSubjects(t, st); n != 0 {
				t.Errorf("%d subjects stored", n)
			}
		})
	}
}
