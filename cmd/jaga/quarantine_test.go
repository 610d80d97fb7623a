package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"jaga"
	"jaga/importer"
)

func runMain(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// TestQuarantineAndUnmerge imports the door-to-door export and the web-form events, then
// walks the quarantine (list, show, fix, release, discard) as a dpo and undoes a merge.
func TestQuarantineAndUnmerge(t *testing.T) {
	d2d := intakeFixture(t, "door_to_door_export.csv")
	web := intakeFixture(t, "web_form_events.jsonl")
	cust := intakeFixture(t, "customers_id.csv")
	dir := t.TempDir()
	report := filepath.Join(dir, "report.json")
	out, errs, code := runMain(t, "import", "--dir", dir, "--report", report, cust, d2d, web)
	if code != 0 {
		t.Fatalf("import: %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "total") || !strings.Contains(out, "Windows-1252") {
		t.Fatalf("summary lacks the table or what was detected:\n%s", out)
	}
	var rep importer.Report
	b, _ := os.ReadFile(report)
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Quarantined == 0 || rep.Merged == 0 || rep.Created+rep.Merged+rep.Unchanged+rep.Quarantined+rep.Rejected != rep.RowsRead {
		t.Fatalf("report %d read, %d created, %d merged, %d quarantined, %d rejected", rep.RowsRead, rep.Created, rep.Merged, rep.Quarantined, rep.Rejected)
	}
	dpoID := useDPOKey(t, dir)

	t.Run("Quarantine", func(t *testing.T) {
		out, _, code := runMain(t, "quarantine", "list", "--dir", dir)
		if code != 0 {
			t.Fatal(out)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines)-1 != rep.Quarantined {
			t.Fatalf("list has %d rows; report says %d quarantined", len(lines)-1, rep.Quarantined)
		}
		var lost string
		for _, l := range lines[1:] {
			if strings.Contains(l, "nik:nik_precision_lost") && strings.Contains(l, "door_to_door") {
				lost = strings.Fields(l)[0]
				break
			}
		}
		if lost == "" {
			t.Fatalf("no nik_precision_lost row from the door-to-door file:\n%s", out)
		}
		out, _, code = runMain(t, "quarantine", "show", "--dir", dir, lost)
		if code != 0 || !strings.Contains(out, `"full_name"`) || !strings.Contains(out, "E+15") {
			t.Fatalf("show: %d %s", code, out)
		}
		// Consents carry the API's snake_case names, not Go's field names.
		if !strings.Contains(out, `"purpose": "cross_selling"`) || strings.Contains(out, `"Purpose"`) || strings.Contains(out, `"NoticeVersion"`) {
			t.Fatalf("show: consents not in snake_case:\n%s", out)
		}
		out, _, code = runMain(t, "quarantine", "release", "--dir", dir, lost)
		if code == 0 {
			t.Fatalf("release of an unfixed row succeeded: %s", out)
		}
		out, _, code = runMain(t, "quarantine", "fix", "--dir", dir, lost, "--set", "nik=")
		if code != 0 || !strings.Contains(out, "valid now") {
			t.Fatalf("fix: %d %s", code, out)
		}
		out, errs, code = runMain(t, "quarantine", "release", "--dir", dir, lost)
		if code != 0 || !regexp.MustCompile(`(created|merged) subject sub_`).MatchString(out) {
			t.Fatalf("release: %d %s %s", code, out, errs)
		}
		out, _, _ = runMain(t, "quarantine", "list", "--dir", dir)
		other := strings.Fields(strings.Split(strings.TrimSpace(out), "\n")[1])[0]
		if _, _, code := runMain(t, "quarantine", "discard", "--dir", dir, other); code != 0 {
			t.Fatal("discard failed")
		}
		if out, _, code := runMain(t, "quarantine", "show", "--dir", dir, other); code == 0 {
			t.Fatalf("a discarded row still shows: %s", out)
		}
		out, _, _ = runMain(t, "quarantine", "list", "--dir", dir)
		if n := len(strings.Split(strings.TrimSpace(out), "\n")) - 1; n != rep.Quarantined-2 {
			t.Fatalf("%d open after a release and a discard; want %d", n, rep.Quarantined-2)
		}
		// Re-importing quarantines nothing again.
		out, errs, code = runMain(t, "import", "--dir", dir, "--json", d2d)
		var again importer.Report
		if err := json.Unmarshal([]byte(out), &again); err != nil || code != 0 {
			t.Fatalf("re-import: %d %v %s", code, err, errs)
		}
		if again.Created+again.Merged+again.Quarantined != 0 {
			t.Fatalf("re-import changed something: %+v", again)
		}
	})

	t.Run("Unmerge", func(t *testing.T) {
		var subject string
		for _, l := range rep.Lines {
			if l.Status == "merged" && strings.HasPrefix(l.File, "web_form") {
				subject = string(l.Subject)
				break
			}
		}
		out, _, code := runMain(t, "subjects", "merges", "--dir", dir, subject)
		if code != 0 {
			t.Fatal(out)
		}
		fields := strings.Fields(strings.Split(strings.TrimSpace(out), "\n")[1])
		out, errs, code := runMain(t, "subjects", "unmerge", "--dir", dir, subject, fields[0])
		if code != 0 || !strings.Contains(out, "now subject sub_") {
			t.Fatalf("unmerge: %d %s %s", code, out, errs)
		}
		if _, _, code := runMain(t, "subjects", "unmerge", "--dir", dir, subject, fields[0]); code == 0 {
			t.Fatal("a merge was undone twice")
		}
		out, _, _ = runMain(t, "subjects", "merges", "--dir", dir, subject)
		if !strings.Contains(out, "sub_") {
			t.Fatalf("merge not marked undone: %s", out)
		}
		// The audit log names the dpo whose key was given, under legal_obligation,
		// for the listings and the unmerge (UU PDP Art 31), not the console.
		wantStaffEvent(t, auditEvents(t, dir, "subjects unmerge"), jaga.ActionUnmerge, dpoID, jaga.RoleDPO, jaga.PurposeLegalObligation)
		wantStaffEvent(t, auditEvents(t, dir, "subjects merges"), jaga.ActionMerge, dpoID, jaga.RoleDPO, jaga.PurposeLegalObligation)
		// Support may look at the merges but not undo one; the refusal is audited.
		support, supportID := addStaff(t, dir, "support")
		if out, errs, code := runMain(t, "subjects", "merges", "--dir", dir, subject, "--key", support); code != 0 || !strings.Contains(out, fields[0]) {
			t.Fatalf("support's merges: %d %s %s", code, out, errs)
		}
		_, errs, code = runMain(t, "subjects", "unmerge", "--dir", dir, subject, "2", "--key", support)
		if code != 1 || !strings.Contains(errs, "undoing a merge is for the dpo role (this key is support)") {
			t.Fatalf("support's unmerge: %d %s", code, errs)
		}
		evs := auditEvents(t, dir, "subjects unmerge")
		if last := evs[len(evs)-1]; last.ActorID != supportID || last.Decision != "deny:role_not_allowed" || last.Action != jaga.ActionUnmerge {
			t.Fatalf("support's refused unmerge is not audited: %+v", last)
		}
		// A re-import keeps the row apart.
		out, _, _ = runMain(t, "import", "--dir", dir, "--json", web)
		var again importer.Report
		if err := json.Unmarshal([]byte(out), &again); err != nil || again.Merged+again.Created != 0 {
			t.Fatalf("re-import after unmerge: %v %+v", err, again)
		}
	})
}
