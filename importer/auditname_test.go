package importer

import "testing"

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
	if got := auditFileName("vicky.csv", []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}); got != "file-0102030405060708" {
		t.Errorf("placeholder %q", got)
	}
}
