package portal

// lang is one language of the portal: its HTML lang, base path, page paths and texts.
type lang struct {
	code  string
	base  string
	other *lang
	path  map[string]string
	text  map[string]string
}

func (l *lang) t(k string) string {
	if s, ok := l.text[k]; ok {
		return s
	}
	return k
}

// label returns the text of key prefix+code, or code itself when there is none (a
// request type or status added later shows as its code until it has words).
func (l *lang) label(prefix, code string) string {
	if s, ok := l.text[prefix+code]; ok {
		return s
	}
	return code
}

// URL returns the absolute path of page.
func (l *lang) URL(page string) string { return l.base + l.path[page] }

// Code is the HTML lang attribute.
func (l *lang) Code() string { return l.code }

// Other is the other language.
func (l *lang) Other() *lang { return l.other }

// T is the text of key (for templates).
func (l *lang) T(k string) string { return l.t(k) }

var (
	langID = &lang{code: "id", base: "/privasi/", path: map[string]string{
		"signin": "masuk", "code": "kode", "me": "saya", "consent": "persetujuan", "request": "permintaan",
		"json": "unduh/data.json", "csv": "unduh/data.csv", "signout": "keluar", "home": "",
	}}
	langEN = &lang{code: "en", base: "/privacy/", path: map[string]string{
		"signin": "sign-in", "code": "code", "me": "me", "consent": "consent", "request": "request",
		"json": "download/data.json", "csv": "download/data.csv", "signout": "sign-out", "home": "",
	}}
	langs = []*lang{langID, langEN}
)

func init() {
	langID.other, langEN.other = langEN, langID
	type pair struct{ id, en string }
	texts := map[string]pair{
		"title":               {"Portal Privasi", "Privacy Portal"},
		"skip":                {"Langsung ke isi", "Skip to content"},
		"lang_switch":         {"English", "Bahasa Indonesia"},
		"intro":               {"Lihat dan kelola data pribadi yang kami simpan tentang Anda (UU No. 27/2022).", "See and manage the personal data we keep about you (Law No. 27/2022)."},
		"signin_h":            {"Masuk", "Sign in"},
		"signin_label":        {"Email atau nomor HP yang Anda daftarkan", "The e-mail or phone number you registered"},
		"signin_hint":         {"Kami mengirim kode sekali pakai ke alamat yang kami simpan.", "We send a one-time code to the address we hold."},
		"signin_btn":          {"Kirim kode", "Send code"},
		"code_h":              {"Masukkan kode", "Enter your code"},
		"code_sent":           {"Jika alamat itu terdaftar, kami telah mengirim kode 6 angka ke sana. Kode berlaku 10 menit.", "If that address is registered, we have sent a 6-digit code to it. The code is valid for 10 minutes."},
		"code_label":          {"Kode 6 angka", "6-digit code"},
		"code_btn":            {"Masuk", "Sign in"},
		"code_again":          {"Minta kode baru", "Request a new code"},
		"err_code":            {"Kode salah. Silakan coba lagi.", "Wrong code. Please try again."},
		"err_code_format":     {"Kode terdiri dari 6 angka, seperti di pesan yang kami kirim.", "The code is 6 digits, as in the message we sent."},
		"err_locked":          {"Terlalu banyak percobaan salah. Minta kode baru.", "Too many wrong attempts. Request a new code."},
		"err_expired":         {"Kode sudah kedaluwarsa. Minta kode baru.", "The code has expired. Request a new code."},
		"err_nochallenge":     {"Minta kode terlebih dahulu.", "Request a code first."},
		"err_rate":            {"Terlalu banyak permintaan. Coba lagi nanti.", "Too many requests. Try again later."},
		"err_input":           {"Masukkan alamat email atau nomor HP yang valid.", "Enter a valid e-mail address or phone number."},
		"err_csrf":            {"Formulir kedaluwarsa atau tidak sah. Muat ulang halaman dan coba lagi.", "The form expired or is not valid. Reload the page and try again."},
		"err_export_review":   {"Data Anda belum dapat diunduh: catatan Anda memuat nomor identitas yang perlu ditinjau petugas terlebih dahulu. Halaman data Anda tetap dapat dibuka.", "Your data cannot be downloaded yet: your record holds an identity number that staff must review first. Your data page can still be opened."},
		"export_review_filed": {"Kami telah mencatat permintaan akses untuk Anda; petugas akan mengirim data Anda. Nomor: ", "We have filed an access request for you; staff will send you your data. Number: "},
		"masked_flag":         {"sebagian disamarkan", "partly masked"},
		"masked_note":         {"Sebagian isi di atas disamarkan (•) karena memuat nomor, misalnya nomor kartu atau NPWP, yang bukan bagian dari data yang kami minta. Anda tetap dapat mengelola persetujuan dan mengajukan permintaan di halaman ini. Unduhan data lengkap perlu ditinjau petugas dulu; jika Anda mengunduh, kami mencatat permintaan akses untuk Anda. Nomor itu dapat Anda minta diperbaiki atau dihapus lewat formulir perbaikan di bawah.", "Part of the values above is masked (•) because it holds a number, such as a card number or an NPWP, that is not part of the data we asked for. You can still manage your consents and make requests on this page. A download of your full data needs a review by staff first; if you download it, we file an access request for you. You can ask for the number to be corrected or removed with the correction form below."},
		"export_review_ask":   {"Hubungi kami untuk meminta salinan data Anda.", "Contact us to ask for a copy of your data."},
		"err_internal":        {"Terjadi kesalahan. Coba lagi nanti.", "Something went wrong. Try again later."},
		"err_signin":          {"Silakan masuk terlebih dahulu.", "Please sign in first."},
		"err_not_found":       {"Halaman tidak ditemukan. Mungkin alamatnya salah ketik atau tautannya sudah lama.", "Page not found. The address may be mistyped or the link old."},
		"err_method":          {"Halaman ini tidak dapat dibuka dengan cara itu. Kembali dan pakai tombol atau tautan di halaman.", "This page cannot be opened that way. Go back and use the buttons or links on the page."},
		"err_form":            {"Formulir belum dapat kami terima.", "We could not accept the form."},
		"err_purpose":         {"Tujuan: tidak dikenal atau tidak memerlukan persetujuan. Pakai tombol di tabel persetujuan.", "Purpose: unknown, or it does not ask for consent. Use the buttons in the consent table."},
		"err_action":          {"Tindakan: pilih beri atau tarik persetujuan.", "Action: choose give or withdraw consent."},
		"err_no_notice":       {"Tujuan: belum ada pemberitahuan privasi yang disetujui untuknya, jadi persetujuan belum dapat diberikan.", "Purpose: no approved privacy notice covers it yet, so consent cannot be given now."},
		"err_type":            {"Jenis permintaan: tidak dikenal. Pakai salah satu formulir di halaman ini.", "Request type: unknown. Use one of the forms on this page."},
		"err_field_unknown":   {"pilih salah satu data dari daftar.", "choose one of the fields in the list."},
		"err_required":        {"wajib diisi.", "required."},
		"err_erase_confirm":   {"Penghapusan: centang kotak \"Saya mengerti dan ingin data saya dihapus\" untuk mengonfirmasi.", "Erasure: tick the box \"I understand and want my data erased\" to confirm."},
		"why_phone":           {"nomor HP tidak valid; tulis 10-13 angka, misalnya 0812 3456 7890 atau +62 812 3456 7890.", "not a valid mobile number; write 10-13 digits, such as 0812 3456 7890 or +62 812 3456 7890."},
		"why_email":           {"alamat email tidak valid; tulis lengkap, misalnya nama@domain.co.id.", "not a valid e-mail address; write it in full, such as name@domain.co.id."},
		"why_nik":             {"NIK harus 16 angka sesuai KTP.", "the NIK must be the 16 digits on the identity card."},
		"why_date":            {"tanggal tidak valid; tulis TTTT-BB-HH, misalnya 1990-08-17, dan bukan di masa depan.", "not a valid date; write YYYY-MM-DD, such as 1990-08-17, not in the future."},
		"why_gender":          {"tulis P (perempuan) atau L (laki-laki).", "write F (female) or M (male)."},
		"why_integer":         {"tulis bilangan bulat, misalnya 2.", "write a whole number, such as 2."},
		"why_number":          {"tulis angka, misalnya 1500.50.", "write a number, such as 1500.50."},
		"why_value":           {"isinya tidak sesuai format data ini atau terlalu panjang.", "the value does not fit this field's format or is too long."},
		"err_bad_request":     {"Permintaan tidak valid.", "The request is not valid."},
		"back":                {"Kembali", "Back"},
		"me_h":                {"Data saya", "My data"},
		"field":               {"Data", "Field"},
		"value":               {"Isi", "Value"},
		"consents_h":          {"Persetujuan saya", "My consents"},
		"purpose":             {"Tujuan", "Purpose"},
		"status":              {"Status", "Status"},
		"since":               {"Sejak", "Since"},
		"action":              {"Tindakan", "Action"},
		"give":                {"Beri persetujuan", "Give consent"},
		"withdraw":            {"Tarik persetujuan", "Withdraw consent"},
		"st_given":            {"diberikan", "given"},
		"st_refused":          {"ditolak", "refused"},
		"st_withdrawn":        {"ditarik", "withdrawn"},
		"st_expired":          {"kedaluwarsa", "expired"},
		"st_none":             {"belum ada", "none"},
		"history_h":           {"Siapa yang memakai data saya", "Who used my data"},
		"time":                {"Waktu (WIB)", "Time (WIB)"},
		"who":                 {"Siapa", "Who"},
		"what":                {"Apa", "What"},
		"decision":            {"Keputusan", "Decision"},
		"history_fields":      {"Data yang dipakai", "Data used"},
		"download_h":          {"Unduh data saya", "Download my data"},
		"download_json":       {"Unduh JSON", "Download JSON"},
		"download_csv":        {"Unduh CSV", "Download CSV"},
		"schema":              {"Skema JSON yang diterbitkan", "The published JSON Schema"},
		"requests_h":          {"Permintaan saya", "My requests"},
		"req_id":              {"Nomor", "Number"},
		"req_type":            {"Jenis", "Type"},
		"received":            {"Diterima", "Received"},
		"due":                 {"Batas waktu", "Due"},
		"rectify_h":           {"Minta perbaikan data", "Ask for a correction"},
		"rectify_field":       {"Data yang diperbaiki", "Field to correct"},
		"rectify_value":       {"Isi yang benar", "Correct value"},
		"rectify_btn":         {"Kirim permintaan perbaikan", "Send correction request"},
		"erase_h":             {"Minta penghapusan data", "Ask for erasure"},
		"erase_text":          {"Kami menghapus data Anda dalam 3×24 jam, kecuali data yang wajib kami simpan menurut hukum; kami akan memberi tahu Anda hasilnya. Setelah itu Anda tidak dapat masuk lagi.", "We erase your data within 3×24 hours, except data the law requires us to keep; we will tell you the outcome. Afterwards you cannot sign in again."},
		"erase_confirm":       {"Saya mengerti dan ingin data saya dihapus", "I understand and want my data erased"},
		"erase_btn":           {"Minta penghapusan", "Request erasure"},
		"restrict_h":          {"Batasi pemrosesan", "Restrict processing"},
		"restrict_btn":        {"Minta pembatasan", "Request restriction"},
		"object_h":            {"Keberatan atas keputusan otomatis", "Object to automated decisions"},
		"object_btn":          {"Ajukan keberatan", "Object"},
		"request_received":    {"Permintaan Anda telah kami terima. Nomor: ", "We received your request. Number: "},
		"consent_changed":     {"Persetujuan Anda telah diperbarui.", "Your consent was updated."},
		"signout":             {"Keluar", "Sign out"},
		"signed_out":          {"Anda telah keluar.", "You have signed out."},
		// Decisions in the access history (allow, mask:<rule>, deny:<reason>, error:<code>).
		"dec_allow": {"diizinkan", "allowed"}, "dec_mask": {"diizinkan, sebagian disamarkan", "allowed, partly masked"},
		"dec_deny": {"ditolak", "refused"}, "dec_error": {"gagal", "failed"},
		// Request types (UU PDP Arts 5-13) and statuses.
		"rt_access": {"akses data", "access to data"}, "rt_rectify": {"perbaikan data", "correction"},
		"rt_erase": {"penghapusan data", "erasure"}, "rt_withdraw": {"penarikan persetujuan", "consent withdrawal"},
		"rt_restrict": {"pembatasan pemrosesan", "restriction of processing"}, "rt_object": {"keberatan", "objection"},
		"rt_port":     {"pemindahan data", "data portability"},
		"rs_received": {"diterima", "received"}, "rs_awaiting_approval": {"menunggu persetujuan petugas", "awaiting approval"},
		"rs_fulfilled": {"selesai", "done"}, "rs_refused": {"ditolak", "refused"}, "rs_scheduled": {"dijadwalkan", "scheduled"},
		"rs_closed": {"ditutup: data Anda sudah dihapus", "closed: your data was erased"},
	}
	langID.text, langEN.text = map[string]string{}, map[string]string{}
	for k, v := range texts {
		langID.text[k], langEN.text[k] = v.id, v.en
	}
}
