package dsr_test

import (
	"bytes"
	"testing"

	"jaga"
	"jaga/demodata"
	"jaga/dsr"
	"jaga/gate"
	"jaga/importer"
)

// TestExportGuard: the exports of real customers (the bundled demo customers with their
// real purchase lines) pass the export guard; one whose address holds an NPWP, which no
// field of the export declares, is blocked with reason undeclared_identifier, and the
// block is audited without the value (issue 8, R-33).
func TestExportGuard(t *testing.T) {
	e := mustEnv(t, dsr.Config{})
	svc := &jaga.Actor{ID: "act_svc", Kind: jaga.ActorService, Role: jaga.RoleService}
	for _, f := range []struct {
		name string
		data []byte
	}{{demodata.CustomersName, demodata.CustomersCSV}, {demodata.PurchasesName, demodata.PurchasesCSV}} {
		if _, err := importer.Import(ctx, e.g, f.name, bytes.NewReader(f.data), int64(len(f.data)), importer.Options{Actor: svc, DeriveBirthDate: true}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []jaga.SubjectID
	if err := e.store.View(ctx, func(tx jaga.Tx) error {
		return tx.ListSubjects(ctx, jaga.SubjectListFilter{}, func(id jaga.SubjectID) error {
			ids = append(ids, id)
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if len(ids) < 1900 {
		t.Fatalf("%d demo subjects, want the bundled customers (2,240 rows, some the same person)", len(ids))
	}
	purchases := 0
	for i, id := range ids {
		if i%5 != 0 { // every fifth customer: 448 real exports
			continue
		}
		ex, err := e.desk.Export(ctx, e.dpo, id)
		if err != nil {
			t.Fatalf("export of %s: %v", id, err)
		}
		purchases += len(ex.Purchases)
	}
	if purchases == 0 {
		t.Fatal("no purchases in the exports; the guard saw no purchase lines")
	}

	sub := ids[0]
	req := gate.Request{Actor: svc, Purpose: jaga.PurposeServiceProvision}
	if err := e.g.Update(ctx, gate.UpdateRequest{Request: req, Subject: sub, Set: map[string]string{"address": "Jl. Asia Afrika 8, NPWP 01.312.166.0-091.000"}}); err != nil {
		t.Fatal(err)
	}
	_, err := e.desk.Export(ctx, e.dpo, sub)
	if ae := jaga.AsError(err); ae == nil || ae.Code != jaga.EFORBIDDEN || ae.Reason != gate.ReasonUndeclaredIdentifier {
		t.Fatalf("export with an NPWP in the address: %v; want EFORBIDDEN undeclared_identifier", err)
	}
	if bytes.Contains([]byte(err.Error()), []byte("01.312")) || !bytes.Contains([]byte(err.Error()), []byte("npwp")) {
		t.Fatalf("error %q: want the kind named and no value", err)
	}
	evs, err := e.g.AuditLog(ctx, gate.Request{Actor: e.dpo, Purpose: jaga.PurposeSecurity}, jaga.AuditFilter{Subject: sub, Action: gate.ActionExportBlocked})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Decision != "deny:undeclared_identifier:npwp" || evs[0].Count != 1 {
		t.Fatalf("audit of the block: %+v", evs)
	}
}
