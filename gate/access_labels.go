package gate

import "jaga"

// AccessLabels are the words of a subject's access history in Bahasa Indonesia ("id")
// and English ("en"): actions, purposes and roles, as the API's access history and the
// privacy portal show them (UU PDP Art 32, R-29). A role is named as what acted, never
// as a person; Jaga's own roles are named as what they are (the portal at the
// customer's sign-in, the customer themself), not as staff. Codes without a label are
// shown as they are. Read-only.
var AccessLabels = map[string]map[string]string{
	"id": {
		jaga.ActionRead: "melihat data", jaga.ActionFind: "mencari data", jaga.ActionCreate: "mencatat data",
		jaga.ActionUpdate: "mengubah data", jaga.ActionErase: "menghapus data", jaga.ActionImport: "mengimpor data",
		jaga.ActionExport: "mengekspor data", jaga.ActionMerge: "menggabungkan data", jaga.ActionReadPurchases: "melihat pembelian",
		jaga.ActionReadConsents: "melihat persetujuan", jaga.ActionConsentChange: "mengubah persetujuan",
		jaga.ActionReadAudit: "melihat riwayat akses",
		ActionListSubjects:   "mendaftar pelanggan untuk tujuan ini", ActionReadReceipt: "melihat bukti persetujuan",
		ActionDSRStep: "menangani permintaan Anda", ActionReadRequestData: "menyiapkan data untuk permintaan Anda",
		ActionCheckCorrection: "memeriksa permintaan perbaikan Anda",
		ActionAccessHistory:   "melihat riwayat penggunaan data", ActionExportBlocked: "menahan ekspor data",
		ActionScheduledDeletion: "menghapus data terjadwal", ActionReadReviewFlags: "melihat tanda tinjauan",
		ActionResolveReviewFlag: "menindaklanjuti tanda tinjauan", jaga.ActionTokenize: "menyamarkan data",
		jaga.ActionResolveToken: "membuka data yang disamarkan", jaga.ActionUnmerge: "memisahkan data",
		jaga.ActionQuarantine: "mengkarantina data", jaga.ActionSignup: "mendaftar", jaga.ActionLogin: "masuk",
		jaga.ActionErasureReplay: "menerapkan ulang penghapusan", jaga.ActionKeyRotation: "mengganti kunci enkripsi",
		jaga.PurposeServiceProvision: "penyediaan layanan", jaga.PurposeCustomerSupport: "layanan pelanggan",
		jaga.PurposeServiceImprovement: "peningkatan layanan", jaga.PurposeCrossSelling: "penawaran produk lain",
		jaga.PurposeLegalObligation: "kewajiban hukum", jaga.PurposeSecurity: "keamanan", jaga.PurposeDSR: "permintaan Anda",
		string(jaga.RoleAdmin): "administrator", string(jaga.RoleDPO): "pejabat pelindungan data", string(jaga.RoleSupport): "layanan pelanggan",
		string(jaga.RoleMarketer): "pemasaran", string(jaga.RoleAnalyst): "analis", string(jaga.RoleAuditor): "auditor", string(jaga.RoleService): "sistem terintegrasi",
		string(jaga.RolePortal): "Portal privasi — saat Anda masuk", string(jaga.RoleSubject): "Anda sendiri",
		LabelJob: "Jaga — tugas otomatis",
	},
	"en": {
		jaga.ActionRead: "viewed data", jaga.ActionFind: "looked up data", jaga.ActionCreate: "recorded data",
		jaga.ActionUpdate: "changed data", jaga.ActionErase: "erased data", jaga.ActionImport: "imported data",
		jaga.ActionExport: "exported data", jaga.ActionMerge: "merged data", jaga.ActionReadPurchases: "viewed purchases",
		jaga.ActionReadConsents: "viewed consents", jaga.ActionConsentChange: "changed consent",
		jaga.ActionReadAudit: "viewed access history",
		ActionListSubjects:   "listed customers for this purpose", ActionReadReceipt: "viewed a consent receipt",
		ActionDSRStep: "handled your request", ActionReadRequestData: "prepared data for your request",
		ActionCheckCorrection: "checked your correction request",
		ActionAccessHistory:   "viewed the history of data use", ActionExportBlocked: "held back a data export",
		ActionScheduledDeletion: "ran a scheduled deletion", ActionReadReviewFlags: "viewed review flags",
		ActionResolveReviewFlag: "resolved a review flag", jaga.ActionTokenize: "masked data with a token",
		jaga.ActionResolveToken: "opened masked data", jaga.ActionUnmerge: "separated data",
		jaga.ActionQuarantine: "quarantined data", jaga.ActionSignup: "signed up", jaga.ActionLogin: "signed in",
		jaga.ActionErasureReplay: "applied an erasure again", jaga.ActionKeyRotation: "rotated encryption keys",
		jaga.PurposeServiceProvision: "providing the service", jaga.PurposeCustomerSupport: "customer support",
		jaga.PurposeServiceImprovement: "improving the service", jaga.PurposeCrossSelling: "offers of other products",
		jaga.PurposeLegalObligation: "legal obligation", jaga.PurposeSecurity: "security", jaga.PurposeDSR: "your request",
		string(jaga.RoleAdmin): "administrator", string(jaga.RoleDPO): "data protection officer", string(jaga.RoleSupport): "customer support",
		string(jaga.RoleMarketer): "marketing", string(jaga.RoleAnalyst): "analyst", string(jaga.RoleAuditor): "auditor", string(jaga.RoleService): "integrated system",
		string(jaga.RolePortal): "Privacy portal — your sign-in", string(jaga.RoleSubject): "you",
		LabelJob: "Jaga — automated job",
	},
}

// AccessLabel returns the label of code (an action, purpose or role) in lang ("id" or
// "en"; any other reads as "id"), or code itself when it has none.
func AccessLabel(lang, code string) string {
	labels, ok := AccessLabels[lang]
	if !ok {
		labels = AccessLabels["id"]
	}
	if l, ok := labels[code]; ok {
		return l
	}
	return code
}

// LabelJob is the key of AccessLabels that names Jaga's own jobs (AccessEntry.Job).
const LabelJob = "jaga_job"

// WhoLabel names who acted in an access-history entry, in lang: Jaga's automated job
// for one of its own jobs (whatever role's rights it used), else the role's label.
func WhoLabel(lang string, role jaga.Role, job bool) string {
	if job {
		return AccessLabel(lang, LabelJob)
	}
	return AccessLabel(lang, string(role))
}
