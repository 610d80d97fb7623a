package gate

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"jaga"
)

// effective returns p as it will be once its pending change (if any) takes effect: the
// definition a new notice must describe.
func effective(p *jaga.Purpose) *jaga.Purpose {
	q := *p
	if p.Pending != nil {
		q.Fields, q.RetentionDays, q.Recipients = p.Pending.Fields, p.Pending.RetentionDays, p.Pending.Recipients
		q.Pending = nil
	}
	return &q
}

// GenerateNotice writes a new draft notice version from the purpose registry: every
// purpose that is not retired, as it will be once its pending change takes effect, with
// every item of UU PDP Art 21(1) in Bahasa Indonesia and English. A version that
// exists is ECONFLICT; a version that is not a short reference is EUNPROCESSABLE. Only
// admin and dpo (or Jaga itself) generate notices. Audited (notice_change).
func (g *Gate) GenerateNotice(ctx context.Context, req Request, version string) (*jaga.Notice, error) {
	if err := checkRegistryActor(req, registryNoun); err != nil {
		return nil, g.refuse(ctx, req, ActionNoticeChange, nil, nil, err)
	}
	if version == "" || len(version) > 64 || !isNoticeVersion(version) {
		return nil, jaga.FieldError("version", "a notice version is a reference such as notice-id-v5 (letters, digits, - and _, at most 64 bytes)")
	}
	var out *jaga.Notice
	err := g.changeRegistry(ctx, req, ActionNoticeChange, func(r *registry, tx jaga.Tx) error {
		if _, ok := r.notices[version]; ok {
			return jaga.Errorf(jaga.ECONFLICT, "notice %s exists; notices are never rewritten, generate a new version", version)
		}
		var ps []*jaga.Purpose
		for _, id := range sortedIDs(r.purposes) {
			if p := r.purposes[id]; p.Status != jaga.PurposeRetired {
				ps = append(ps, effective(p))
			}
		}
		n := &jaga.Notice{Version: version, Status: jaga.NoticeDraft, Purposes: map[string]string{}, CreatedAt: g.now()}
		n.TextID, n.TextEN = noticeTexts(g.ctrl, version, ps)
		n.TextHash = jaga.NoticeTextHash(n.TextID, n.TextEN)
		for _, p := range ps {
			n.Purposes[p.ID] = p.Material().Hash()
		}
		out = n
		return tx.PutNotice(ctx, n)
	})
	return out, err
}

// maxInForceAhead is how far after its approval a notice may take force: 366 days.
const maxInForceAhead = 366 * 24 * time.Hour

// checkInForce checks a notice's in-force time against now. It may lie in the past, as
// far back as 1970 (a controller records the notices its customers already agreed to,
// as the demo does), but at most maxInForceAhead ahead: a later date is a typing mistake
// that would leave the purposes' pending changes waiting. Errors are
// EUNPROCESSABLE naming in_force_at.
func checkInForce(inForce, now time.Time) error {
	switch {
	case inForce.Before(jaga.EarliestRecordTime):
		return jaga.FieldError("in_force_at", "in_force_at is before 1970-01-01T00:00:00Z")
	case inForce.After(now.Add(maxInForceAhead)):
		return jaga.FieldError("in_force_at", "in_force_at is more than 366 days after now")
	}
	return nil
}

// ApproveNotice approves draft notice version, in force from inForce (zero: now). Once
// it is in force, pending purpose changes it covers take effect. Only the dpo
// approves. Errors: EFORBIDDEN role_not_allowed, ENOTFOUND, ECONFLICT for a notice
// already approved, EUNPROCESSABLE for an in-force time out of bounds (checkInForce).
// Audited (notice_change).
func (g *Gate) ApproveNotice(ctx context.Context, req Request, version string, inForce time.Time) (*jaga.Notice, error) {
	if err := checkPurposeSent(req); err != nil {
		return nil, g.refuse(ctx, req, ActionNoticeChange, nil, nil, err)
	}
	if req.Actor == nil || req.Actor.Role != jaga.RoleDPO && req.Actor.Kind != jaga.ActorSystem {
		return nil, g.refuse(ctx, req, ActionNoticeChange, nil, nil, jaga.Refusal("role_not_allowed", "only the dpo approves notices"))
	}
	now := g.now()
	if inForce.IsZero() {
		inForce = now
	}
	if err := checkInForce(inForce, now); err != nil {
		return nil, err
	}
	var out *jaga.Notice
	err := g.changeRegistry(ctx, req, ActionNoticeChange, func(r *registry, tx jaga.Tx) error {
		old, ok := r.notices[version]
		if !ok {
			return jaga.Errorf(jaga.ENOTFOUND, "no notice %s", jaga.SafeName(version))
		}
		if old.Status == jaga.NoticeApproved {
			return jaga.Errorf(jaga.ECONFLICT, "notice %s is approved already", version)
		}
		n := *old
		n.Status, n.InForceAt, n.ApprovedAt, n.ApprovedBy = jaga.NoticeApproved, inForce.UTC(), now, req.Actor.ID
		if err := tx.PutNotice(ctx, &n); err != nil {
			return err
		}
		out = &n
		if n.InForceAt.After(now) {
			return nil
		}
		for _, id := range sortedIDs(r.purposes) {
			p := r.purposes[id]
			if p.Pending == nil {
				continue
			}
			if e := effective(p); n.Purposes[p.ID] == e.Material().Hash() {
				e.Version = p.Version + 1
				if err := tx.PutPurpose(ctx, e); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

func isNoticeVersion(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return !jaga.LooksPersonal(s)
}

func sortedIDs(m map[string]*jaga.Purpose) []string {
	return slices.Sorted(maps.Keys(m))
}

// basisText names the lawful bases of UU PDP Art 20(2) in Bahasa Indonesia and English.
var basisText = map[jaga.LawfulBasis][2]string{
	jaga.BasisConsent:            {"persetujuan yang sah secara eksplisit dari Anda (Pasal 20 ayat (2) huruf a UU PDP)", "your explicit, valid consent (UU PDP Art 20(2)(a))"},
	jaga.BasisContract:           {"pemenuhan perjanjian dengan Anda (Pasal 20 ayat (2) huruf b)", "performance of a contract with you (Art 20(2)(b))"},
	jaga.BasisLegalObligation:    {"pemenuhan kewajiban hukum kami (Pasal 20 ayat (2) huruf c)", "our legal obligations (Art 20(2)(c))"},
	jaga.BasisVitalInterest:      {"pelindungan kepentingan vital Anda (Pasal 20 ayat (2) huruf d)", "protecting your vital interests (Art 20(2)(d))"},
	jaga.BasisPublicTask:         {"pelaksanaan tugas untuk kepentingan umum (Pasal 20 ayat (2) huruf e)", "a task in the public interest (Art 20(2)(e))"},
	jaga.BasisLegitimateInterest: {"kepentingan sah kami setelah uji keseimbangan (Pasal 20 ayat (2) huruf f)", "our legitimate interests after a balancing test (Art 20(2)(f))"},
}

// fieldList describes a purpose's fields in words, in one language (0 Bahasa, 1 English).
func fieldList(p *jaga.Purpose, lang int) string {
	var parts []string
	for _, f := range p.Fields {
		switch f {
		case "*":
			parts = append(parts, [2]string{"seluruh data pribadi umum Anda", "all your general personal data"}[lang])
		case "@specific":
			parts = append(parts, [2]string{"data pribadi spesifik (misalnya keuangan)", "specific personal data (such as financial data)"}[lang])
		case "@attributes":
			parts = append(parts, [2]string{"atribut profil (misalnya pendidikan, status, minat belanja)", "profile attributes (such as education, status, shopping interests)"}[lang])
		case jaga.FieldPurchases:
			parts = append(parts, [2]string{"riwayat pembelian", "purchase history"}[lang])
		default:
			parts = append(parts, strings.ReplaceAll(f, "_", " "))
		}
	}
	if len(parts) == 0 {
		return [2]string{"hanya metadata audit, tanpa data pribadi Anda", "audit metadata only, none of your personal data"}[lang]
	}
	return strings.Join(parts, ", ")
}

// noticeTexts writes the two texts of a notice with every item of UU PDP Art 21(1):
// (a) legality, (b) purpose, (c) type and relevance of the data, (d) retention period of
// documents, (e) details of the data collected, (f) processing period, (g) the
// subject's rights; plus the controller's identity, address and contacts (Art 5, R-12).
func noticeTexts(c Controller, version string, ps []*jaga.Purpose) (id, en string) {
	var b [2]strings.Builder
	addr := [2]string{}
	if c.Address != "" {
		addr = [2]string{"; alamat: " + c.Address, "; address: " + c.Address}
	}
	fmt.Fprintf(&b[0], "PEMBERITAHUAN PRIVASI %s\n\nPengendali data pribadi: %s (kontak: %s; pejabat pelindungan data pribadi: %s%s).\n\n", version, c.Name, c.Contact, c.DPOContact, addr[0])
	fmt.Fprintf(&b[1], "PRIVACY NOTICE %s\n\nData controller: %s (contact: %s; data protection officer: %s%s).\n\n", version, c.Name, c.Contact, c.DPOContact, addr[1])
	for i, p := range ps {
		bt := basisText[p.Basis]
		years := func(lang int) string {
			if p.RetentionDays%365 == 0 {
				return fmt.Sprintf([2]string{"%d tahun", "%d years"}[lang], p.RetentionDays/365)
			}
			return fmt.Sprintf([2]string{"%d hari", "%d days"}[lang], p.RetentionDays)
		}
		recipients := [2]string{"tidak dibagikan kepada pihak lain", "not shared with anyone else"}
		if len(p.Recipients) > 0 {
			recipients = [2]string{"dibagikan kepada: " + strings.Join(p.Recipients, ", "), "shared with: " + strings.Join(p.Recipients, ", ")}
		}
		fmt.Fprintf(&b[0], "%d. %s (%s)\n   a. Dasar pemrosesan: %s.\n   b. Tujuan: %s\n   c. Jenis dan relevansi data: %s; hanya data yang diperlukan untuk tujuan ini.\n   d. Masa retensi: %s, lalu data dihapus atau dimusnahkan.\n   e. Rincian data yang dikumpulkan: %s; %s.\n   f. Jangka waktu pemrosesan: selama tujuan ini aktif dan dasar pemrosesan berlaku, paling lama masa retensi.\n",
			i+1, p.NameID, p.ID, bt[0], p.DescriptionID, fieldList(p, 0), years(0), fieldList(p, 0), recipients[0])
		fmt.Fprintf(&b[1], "%d. %s (%s)\n   a. Legal basis: %s.\n   b. Purpose: %s\n   c. Type and relevance of the data: %s; only the data this purpose needs.\n   d. Retention: %s, then the data is deleted or destroyed.\n   e. Details of the data collected: %s; %s.\n   f. Processing period: while this purpose is active and its basis holds, at most the retention period.\n",
			i+1, p.NameEN, p.ID, bt[1], p.DescriptionEN, fieldList(p, 1), years(1), fieldList(p, 1), recipients[1])
		if p.NeedsConsent() {
			b[0].WriteString("   Persetujuan diberikan terpisah untuk tujuan ini saja dan dapat ditarik kapan saja; pemrosesan berhenti paling lambat 3×24 jam setelah penarikan.\n")
			b[1].WriteString("   Consent is given separately for this purpose alone and can be withdrawn at any time; processing stops within 3×24 hours of withdrawal.\n")
		}
		b[0].WriteString("\n")
		b[1].WriteString("\n")
	}
	b[0].WriteString("g. Hak Anda (Pasal 5-13 UU PDP): mendapatkan informasi, melengkapi dan memperbarui, mengakses dan memperoleh salinan, mengakhiri pemrosesan dan menghapus, menarik persetujuan, mengajukan keberatan atas keputusan otomatis, menunda atau membatasi pemrosesan, memperoleh data dalam format yang dapat dibaca mesin, dan menggugat serta menerima ganti rugi. Permintaan dijawab paling lambat 3×24 jam.\n")
	b[1].WriteString("g. Your rights (UU PDP Arts 5-13): to be informed, to complete and update, to access and obtain a copy, to end processing and erase, to withdraw consent, to object to automated decisions, to suspend or restrict processing, to receive your data in a machine-readable format, and to sue and receive compensation. Requests are answered within 3×24 hours.\n")
	return b[0].String(), b[1].String()
}
