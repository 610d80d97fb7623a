package importer

import (
	"testing"

	"jaga"
)

func TestAuditNameSafe(t *testing.T) {
	for name, want := range map[string]bool{
		"customers_id.csv": true, "door_to_door_export.csv": true, "web_form_events.jsonl": true, "expo_signups_2024.xlsx": true,
		"pelanggan-baru-Okt2024.xlsx": true, "purchases.csv": true, "CRM Export (2).csv": true,
		"vicky_changed.csv": false, "Budi.xlsx": false, "daftar_siti.csv": false, "VickyChanged.csv": false,
		"rina@example.com.csv": false, "081234567890.csv": false, "": false,
	} {
		if got := auditNameSafe(name); got != want {
			t.Errorf("auditNameSafe(%q) = %v", name, got)
		}
	}
	if got := auditFileName("vicky.csv", []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}); got != "file (name withheld) sha256:01020304:05060708" {
		t.Errorf("placeholder %q", got)
	}
	// A digest of digits only must not read as a phone or ID number in the audit reason.
	for _, sum := range [][]byte{{0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56}, nil} {
		if r := "import " + auditFileName("vicky.csv", sum); jaga.LooksPersonal(r) {
			t.Errorf("reason %q looks personal", r)
		}
	}
}
