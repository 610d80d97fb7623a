package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"unicode"

	"jaga"
)

// fileNameWords are the words a file name may be made of to be written into the audit
// log as it is: what staff name exports and sheets with, in Bahasa Indonesia and
// English. Any other word (of three letters or more) could be a person's name —
// "vicky_changed.csv", "ahmad-final.xlsx" — and no detector or name list knows every
// name, least of all a nickname or a name of another country.
var fileNameWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		customer customers cust pelanggan konsumen member members anggota client clients klien
		contact contacts kontak lead leads prospek subscriber subscribers people
		export exports ekspor import impor data dataset crm erp pos list daftar report laporan rekap
		sheet sheets table tabel file files backup copy salinan final draft new baru old lama
		change changed changes update updated perubahan revisi rev fix fixed clean cleaned merged dedup
		web website online form forms formulir event events signup signups sign registration registrasi
		pendaftaran newsletter survey survei expo exhibition pameran booth fair door d2d sales
		penjualan store toko outlet cabang branch visit visits kunjungan purchase purchases pembelian
		transaksi transaction transactions order orders pesanan invoice marketing promo campaign
		kampanye loyalty consent consents persetujuan week weekly minggu mingguan month monthly bulan
		bulanan daily harian year tahun part batch page and dan the all semua raw test sample demo
		lines rows records items example contoh
		csv tsv xlsx xlsm xls jsonl ndjson json txt utf
		januari februari maret april mei juni juli agustus september oktober november desember
		january february march may june july august october december
		jan feb mar apr jun jul aug agu sep sept oct okt nov dec des`) {
		m[w] = true
	}
	return m
}()

// auditNameSafe reports whether the base name of an imported file may be written into
// audit events as it is. The audit log is append-only and tamper-evident: what enters it
// cannot be erased with the customer (invariant 6; UU PDP Art 43 erasure), so the rule
// allows rather than detects: every word of three or more letters must be one of
// fileNameWords (words of one or two letters — "id", "v2", "q3" — and numbers of up to
// eight digits, dates, are kept), and the name must not look personal by
// jaga.LooksPersonal (an e-mail, a run of nine or more digits).
func auditNameSafe(name string) bool {
	if name == "" || len(name) > 100 || jaga.LooksPersonal(name) {
		return false
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len([]rune(w)) > 2 && !fileNameWords[w] {
			return false
		}
	}
	return true
}

// auditFileName is how an import's audit events name the file: its base name when
// auditNameSafe, else "file (name withheld) sha256:" and the first 16 hex digits of the
// SHA-256 of the file's content in two groups of 8 ("sha256:1a2b3c4d:5e6f7a8b"; without
// sum, read from a stream, no digest), which someone holding the file can check with
// sha256sum but no one can work back to a name. The colon keeps a digest's digits from
// reading as a phone or ID number (jaga.LooksPersonal), which an audit reason must not.
func auditFileName(name string, sum []byte) string {
	switch {
	case auditNameSafe(name):
		return name
	case len(sum) >= 8:
		return "file (name withheld) sha256:" + hex.EncodeToString(sum[:4]) + ":" + hex.EncodeToString(sum[4:8])
	}
	return "file (name withheld)"
}

// contentSum returns the SHA-256 of what r holds from its start and rewinds it.
func contentSum(r io.ReadSeeker) ([]byte, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return nil, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}
