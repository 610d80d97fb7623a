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
type Purpose struct {
	ID     string      `json:"id" yaml:"id"`
	NameID string      `json:"name_id" yaml:"name_id"`
	NameEN string      `json:"name_en" yaml:"name_en"`
	Basis  LawfulBasis `json:"lawful_basis" yaml:"lawful_basis"`
	DPV    string      `json:"dpv" yaml:"dpv"`
	Fields []string    `json:"fields" yaml:"fields"`
}

// NeedsConsent reports whether the purpose's lawful basis is consent, so that the gate
// refuses a subject without a counting consent (UU PDP Art 20(2)(a), R-27).
func (p *Purpose) NeedsConsent() bool { return p.Basis == BasisConsent }

// Covers reports whether the purpose may use field f of schema s.
func (p *Purpose) Covers(f FieldSpec) bool {
	for _, n := range p.Fields {
		if n == "*" || n == f.Name || (n == "@attributes" && f.Kind == KindAttribute) {
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
// Privacy Vocabulary (https://w3id.org/dpv, purposes taxonomy).
func DefaultPurposes() []Purpose {
	identity := []string{"full_name", "email", "phone", "nik", "birth_date", "gender", "address", "domicile_province", "domicile_city"}
	return []Purpose{
		// Purchases are the contract itself (orders, delivery, returns), so service
		// provision covers them.
		{ID: PurposeServiceProvision, NameID: "Penyediaan layanan", NameEN: "Service provision", Basis: BasisContract, DPV: "dpv:ServiceProvision", Fields: append(identity, FieldPurchases)},
		{ID: PurposeCustomerSupport, NameID: "Layanan pelanggan", NameEN: "Customer support", Basis: BasisContract, DPV: "dpv:CustomerCare",
			Fields: []string{"full_name", "email", "phone", "address", "domicile_province", "domicile_city"}},
		{ID: PurposeServiceImprovement, NameID: "Peningkatan layanan", NameEN: "Service improvement", Basis: BasisConsent, DPV: "dpv:ServiceOptimisation",
			Fields: []string{"birth_date", "gender", "domicile_province", "domicile_city", "@attributes", FieldPurchases}},
		{ID: PurposeCrossSelling, NameID: "Penawaran produk lain", NameEN: "Cross-selling", Basis: BasisConsent, DPV: "dpv:DirectMarketing",
			Fields: []string{"full_name", "domicile_city", "@attributes", FieldPurchases}},
		{ID: PurposeLegalObligation, NameID: "Kewajiban hukum", NameEN: "Legal obligation", Basis: BasisLegalObligation, DPV: "dpv:LegalCompliance", Fields: []string{"*"}},
		{ID: PurposeSecurity, NameID: "Keamanan", NameEN: "Security", Basis: BasisLegitimateInterest, DPV: "dpv:EnforceSecurity", Fields: nil},
		{ID: PurposeDSR, NameID: "Pemenuhan hak subjek data", NameEN: "Data-subject requests", Basis: BasisLegalObligation, DPV: "dpv:LegalCompliance", Fields: []string{"*"}},
	}
}
