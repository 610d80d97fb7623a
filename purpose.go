package jaga

// LawfulBasis is one of the six bases of UU PDP Art 20(2).
type LawfulBasis string

// The lawful bases of UU PDP Art 20(2)(a)-(f).
const (
	BasisConsent            LawfulBasis = "consent"
	BasisContract           LawfulBasis = "contract"
	BasisLegalObligation    LawfulBasis = "legal_obligation"
	BasisVitalInterest      LawfulBasis = "vital_interest"
	BasisPublicTask         LawfulBasis = "public_task"
	BasisLegitimateInterest LawfulBasis = "legitimate_interest"
)

// Valid reports whether b is one of the six bases.
func (b LawfulBasis) Valid() bool {
	switch b {
	case BasisConsent, BasisContract, BasisLegalObligation, BasisVitalInterest, BasisPublicTask, BasisLegitimateInterest:
		return true
	}
	return false
}

// The default purposes (DESIGN.md). PurposeDSR answers the subject's own requests.
const (
	PurposeServiceProvision   = "service_provision"
	PurposeCustomerSupport    = "customer_support"
	PurposeServiceImprovement = "service_improvement"
	PurposeCrossSelling       = "cross_selling"
	PurposeLegalObligation    = "legal_obligation"
	PurposeSecurity           = "security"
	PurposeDSR                = "dsr"
)

// FieldPurchases is the pseudo-field name that stands for a subject's purchases in
// purpose field lists and policy rules.
const FieldPurchases = "purchases"

// Purpose is why data is used: an ID, names in Bahasa Indonesia and English, exactly one
// lawful basis (UU PDP Art 20, R-5), the W3C DPV term, and the fields it may use (R-26,
// Fields lists field or attribute names; "*" stands for every field, "@attributes"
// for every attribute, and FieldPurchases for the purchases.
//
// The registry fields (registry.go) add the descriptions, the retention period, the
// recipients, the risk flags, the status and the assessments a status change
// needs; the purpose registry stores them in the database.
type Purpose struct {
	ID     string      `json:"id" yaml:"id"`
	NameID string      `json:"name_id" yaml:"name_id"`
	NameEN string      `json:"name_en" yaml:"name_en"`
	Basis  LawfulBasis `json:"lawful_basis" yaml:"lawful_basis"`
	DPV    string      `json:"dpv" yaml:"dpv"`
	Fields []string    `json:"fields" yaml:"fields"`

	DescriptionID string         `json:"description_id,omitempty" yaml:"description_id"`
	DescriptionEN string         `json:"description_en,omitempty" yaml:"description_en"`
	RetentionDays int            `json:"retention_days,omitempty" yaml:"retention_days"`
	ValidityDays  int            `json:"consent_validity_days,omitempty" yaml:"consent_validity_days"`
	Recipients    []string       `json:"recipients,omitempty" yaml:"recipients"`
	RiskFlags     []string       `json:"risk_flags,omitempty" yaml:"risk_flags"`
	Status        PurposeStatus  `json:"status,omitempty" yaml:"status"`
	BalancingTest *Assessment    `json:"balancing_test,omitempty" yaml:"balancing_test"`
	DPIA          *Assessment    `json:"dpia,omitempty" yaml:"dpia"`
	Version       int            `json:"version,omitempty" yaml:"-"`
	Pending       *PurposeChange `json:"pending,omitempty" yaml:"-"`
}

// NeedsConsent reports whether the purpose's lawful basis is consent, so that the gate
// refuses a subject without a counting consent (UU PDP Art 20(2)(a), R-27).
func (p *Purpose) NeedsConsent() bool { return p.Basis == BasisConsent }

// Covers reports whether the purpose may use field f of schema s.
//
// Specific data (class specific:*, UU PDP Art 4(2)) is covered only when the purpose
// lists it explicitly: by its name or by "@specific"; "*" and "@attributes" do not reach
// it (issue 3, R-1, R-26).
func (p *Purpose) Covers(f FieldSpec) bool {
	for _, n := range p.Fields {
		if n == f.Name {
			return true
		}
		if f.Class.Specific() {
			if n == "@specific" {
				return true
			}
			continue
		}
		if n == "*" || (n == "@attributes" && f.Kind == KindAttribute) {
			return true
		}
	}
	return false
}

// CoversPurchases reports whether the purpose may use the subject's purchases.
func (p *Purpose) CoversPurchases() bool {
	for _, n := range p.Fields {
		if n == "*" || n == FieldPurchases {
			return true
		}
	}
	return false
}

// DefaultPurposes returns the purposes table of DESIGN.md. DPV terms are from the W3C Data
// Privacy Vocabulary (https://w3id.org/dpv, purposes taxonomy). Purposes whose activation
// needs an assessment come as PurposeDraft: cross_selling has risk flags (profiling,
// large scale) and needs an approved DPIA; security rests on legitimate interest
// and needs a recorded balancing test. Every other purpose is PurposeActive.
func DefaultPurposes() []Purpose {
	identity := []string{"full_name", "email", "phone", "nik", "birth_date", "gender", "address", "domicile_province", "domicile_city"}
	return []Purpose{
		// Purchases are the contract itself (orders, delivery, returns), so service
		// provision covers them.
		{ID: PurposeServiceProvision, NameID: "Penyediaan layanan", NameEN: "Service provision", Basis: BasisContract, DPV: "dpv:ServiceProvision", Fields: append(identity, FieldPurchases),
			DescriptionID: "Menjalankan perjanjian dengan Anda: akun, pesanan, pengiriman, pengembalian dan tagihan.",
			DescriptionEN: "Performing our contract with you: account, orders, delivery, returns and billing.",
			RetentionDays: 5 * 365, Status: PurposeActive},
		{ID: PurposeCustomerSupport, NameID: "Layanan pelanggan", NameEN: "Customer support", Basis: BasisContract, DPV: "dpv:CustomerCare",
			Fields:        []string{"full_name", "email", "phone", "address", "domicile_province", "domicile_city"},
			DescriptionID: "Menjawab pertanyaan dan keluhan Anda; kontak ditampilkan tersamar kecuali ada nomor tiket.",
			DescriptionEN: "Answering your questions and complaints; contact details are shown masked unless a ticket is given.",
			RetentionDays: 2 * 365, Status: PurposeActive},
		{ID: PurposeServiceImprovement, NameID: "Peningkatan layanan", NameEN: "Service improvement", Basis: BasisConsent, DPV: "dpv:ServiceOptimisation",
			// income is specific:financial data (Art 4(2)(f)): listed explicitly, for
			// aggregates; the default policy shows it to no role in individual reads.
			Fields:        []string{"birth_date", "gender", "domicile_province", "domicile_city", "@attributes", "income", FieldPurchases},
			DescriptionID: "Memahami kebutuhan pelanggan secara agregat untuk memperbaiki produk dan layanan.",
			DescriptionEN: "Understanding customers' needs in aggregate to improve products and services.",
			RetentionDays: 2 * 365, Status: PurposeActive},
		{ID: PurposeCrossSelling, NameID: "Penawaran produk lain", NameEN: "Cross-selling", Basis: BasisConsent, DPV: "dpv:DirectMarketing",
			Fields:        []string{"full_name", "domicile_city", "@attributes", FieldPurchases},
			DescriptionID: "Menawarkan produk lain yang sesuai dengan minat Anda; kontak hanya melalui pengiriman oleh Jaga.",
			DescriptionEN: "Offering other products that match your interests; contact only through Jaga's own sending.",
			RetentionDays: 365, RiskFlags: []string{RiskProfiling, RiskLargeScale}, Status: PurposeDraft},
		{ID: PurposeLegalObligation, NameID: "Kewajiban hukum", NameEN: "Legal obligation", Basis: BasisLegalObligation, DPV: "dpv:LegalCompliance", Fields: []string{"*", "@specific"},
			DescriptionID: "Memenuhi kewajiban hukum, termasuk data yang berada di bawah penahanan hukum.",
			DescriptionEN: "Meeting legal obligations, including data under a recorded legal hold.",
			RetentionDays: 10 * 365, Status: PurposeActive},
		{ID: PurposeSecurity, NameID: "Keamanan", NameEN: "Security", Basis: BasisLegitimateInterest, DPV: "dpv:EnforceSecurity", Fields: nil,
			DescriptionID: "Menjaga keamanan sistem dan mendeteksi penyalahgunaan; hanya metadata audit.",
			DescriptionEN: "Keeping the system secure and detecting misuse; audit metadata only.",
			RetentionDays: 2 * 365, Status: PurposeDraft},
		{ID: PurposeDSR, NameID: "Pemenuhan hak subjek data", NameEN: "Data-subject requests", Basis: BasisLegalObligation, DPV: "dpv:LegalCompliance", Fields: []string{"*", "@specific"},
			DescriptionID: "Menjawab permintaan Anda atas hak-hak subjek data (akses, perbaikan, penghapusan, dan lain-lain).",
			DescriptionEN: "Answering your requests under your data-subject rights (access, correction, erasure and others).",
			RetentionDays: 3 * 365, Status: PurposeActive},
	}
}
