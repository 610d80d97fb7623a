package dsr_test

import (
	"slices"
	"testing"

	"jaga"
	"jaga/dsr"
	"jaga/gate"
)

// TestExportFileAudited: an export that leaves as a file writes one event, action
// export, naming the subject, the fields and purpose dsr — committed by the time
// ExportFile returns, so before the caller writes the file (invariant 1) — while the
// same export shown on a page writes none, and an export the guard blocks writes its
// export_blocked event but no export event (issue 5, UU PDP Art 31, R-29).
func TestExportFileAudited(t *testing.T) {
	e := mustEnv(t, dsr.Config{})
	sub := e.mustSubject(t)
	exports := func() []*jaga.AuditEvent {
		t.Helper()
		evs, err := e.g.AuditLog(ctx, gate.Request{Actor: e.dpo, Purpose: jaga.PurposeSecurity}, jaga.AuditFilter{Subject: sub, Action: jaga.ActionExport})
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	if _, err := e.desk.Export(ctx, e.dpo, sub); err != nil {
		t.Fatal(err)
	}
	if n := len(exports()); n != 0 {
		t.Fatalf("an export shown on a page wrote %d export events", n)
	}
	ex, err := e.desk.ExportFile(ctx, e.dpo, sub, "json")
	if err != nil {
		t.Fatal(err)
	}
	evs := exports()
	if len(evs) != 1 {
		t.Fatalf("%d export events after one file export", len(evs))
	}
	x := evs[0]
	if x.ActorID != e.dpo.ID || x.Role != jaga.RoleDPO || x.Purpose != jaga.PurposeDSR || x.Decision != string(jaga.Allow) ||
		x.Reason != "dsr_export json" || !slices.Equal(x.Subjects, []jaga.SubjectID{sub}) || len(x.FieldsReturned) == 0 {
		t.Fatalf("export event %+v", x)
	}
	for _, f := range x.FieldsReturned {
		if _, ok := ex.Fields[f]; !ok {
			t.Fatalf("export event names field %s, which the export does not hold", f)
		}
	}
	if len(x.FieldsReturned) != len(ex.Fields) {
		t.Fatalf("export event names %v, the export holds %d fields", x.FieldsReturned, len(ex.Fields))
	}

	t.Run("ErrBlocked", func(t *testing.T) {
		svc := &jaga.Actor{ID: "act_svc", Kind: jaga.ActorService, Role: jaga.RoleService}
		if err := e.g.Update(ctx, gate.UpdateRequest{Request: gate.Request{Actor: svc, Purpose: jaga.PurposeServiceProvision}, Subject: sub,
			Set: map[string]string{"address": "Jl. Asia Afrika 8, NPWP 01.312.166.0-091.000"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.desk.ExportFile(ctx, e.dpo, sub, "csv"); jaga.ErrorCode(err) != jaga.EFORBIDDEN {
			t.Fatalf("blocked file export: %v", err)
		}
		if n := len(exports()); n != 1 {
			t.Fatalf("a blocked export wrote an export event (%d)", n)
		}
	})
	t.Run("ErrNoFormat", func(t *testing.T) {
		if _, err := e.desk.ExportFile(ctx, e.dpo, sub, ""); jaga.ErrorCode(err) != jaga.EINTERNAL {
			t.Fatalf("file export without a format: %v", err)
		}
	})
}
