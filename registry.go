package jaga

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// PurposeStatus is where a purpose is in its life (issue 3): only an active purpose lets
// data be used; a draft is being prepared, a retired one ended.
type PurposeStatus string

// Purpose statuses.
const (
	PurposeDraft   PurposeStatus = "draft"
	PurposeActive  PurposeStatus = "active"
	PurposeRetired PurposeStatus = "retired"
)

// Valid reports whether s is draft, active or retired.
func (s PurposeStatus) Valid() bool {
	return s == PurposeDraft || s == PurposeActive || s == PurposeRetired
}

// Risk flags of a purpose (UU PDP Art 34, R-43): a purpose with any of them needs an
// approved data-protection impact assessment before it is active.
const (
	RiskProfiling    = "profiling"     // automated evaluation of a person (Art 34(2)(a))
	RiskLargeScale   = "large_scale"   // processing on a large scale (Art 34(2)(d))
	RiskSpecificData = "specific_data" // specific data (Art 34(2)(b))
	RiskMatching     = "matching"      // matching or combining data sets (Art 34(2)(e))
	RiskNewTech      = "new_technology"
	RiskMonitoring   = "systematic_monitoring"
)

// RiskFlags lists the known risk flags.
var RiskFlags = []string{RiskProfiling, RiskLargeScale, RiskSpecificData, RiskMatching, RiskNewTech, RiskMonitoring}

// Assessment is a recorded balancing test (legitimate interest, UU PDP Art 20(2)(f),
// R-5) or DPIA (Art 34, R-43): a reference to the document, its outcome and who
// approved it when. Approved is false for an assessment still under review. Ref and
// Summary are metadata written by staff, never personal data.
type Assessment struct {
	Ref        string    `json:"ref"`
	Summary    string    `json:"summary,omitempty"`
	Approved   bool      `json:"approved"`
	ApprovedBy string    `json:"approved_by,omitempty"`
	ApprovedAt time.Time `json:"approved_at,omitzero"`
}

// PurposeChange is a change of an active purpose's fields, retention or recipients that
// waits for a notice version that tells subjects about it (UU PDP Art 21(2), R-13). It
// takes effect when a notice covering it is approved and in force.
type PurposeChange struct {
	Fields        []string  `json:"fields"`
	RetentionDays int       `json:"retention_days"`
	Recipients    []string  `json:"recipients,omitempty"`
	RequestedAt   time.Time `json:"requested_at"`
	RequestedBy   string    `json:"requested_by,omitempty"`
}

// Material returns the part of p that a notice must state and whose change needs a new
// notice version: basis, fields, retention, recipients and consent validity, with
// the lists sorted.
func (p *Purpose) Material() PurposeMaterial {
	m := PurposeMaterial{ID: p.ID, Basis: p.Basis, Fields: slices.Clone(p.Fields), RetentionDays: p.RetentionDays,
		Recipients: slices.Clone(p.Recipients), ValidityDays: p.ValidityDays}
	slices.Sort(m.Fields)
	slices.Sort(m.Recipients)
	return m
}

// PurposeMaterial is what Material returns; Hash names it in notices.
type PurposeMaterial struct {
	ID            string      `json:"id"`
	Basis         LawfulBasis `json:"lawful_basis"`
	Fields        []string    `json:"fields"`
	RetentionDays int         `json:"retention_days"`
	Recipients    []string    `json:"recipients"`
	ValidityDays  int         `json:"consent_validity_days"`
}

// Hash returns the lower-case hex SHA-256 of m's JSON encoding.
func (m PurposeMaterial) Hash() string {
	b, _ := json.Marshal(m) // plain strings and ints always marshal
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// ActivationProblems returns why p may not be active, empty when it may (issue 3): a
// valid lawful basis; a retention period; an approved balancing test for a
// legitimate-interest basis; an approved DPIA for a purpose with risk flags.
// Notice coverage depends on the notices and is checked by the gate.
func (p *Purpose) ActivationProblems() []string {
	var out []string
	if !p.Basis.Valid() {
		out = append(out, "no valid lawful basis (UU PDP Art 20, R-5)")
	}
	if p.RetentionDays <= 0 {
		out = append(out, "no retention period (UU PDP Art 21(1), R-12)")
	}
	if p.Basis == BasisLegitimateInterest && (p.BalancingTest == nil || !p.BalancingTest.Approved) {
		out = append(out, "legitimate interest needs an approved balancing test (UU PDP Art 20(2)(f), R-5)")
	}
	if len(p.RiskFlags) > 0 && (p.DPIA == nil || !p.DPIA.Approved) {
		out = append(out, fmt.Sprintf("risk flags %v need an approved DPIA (UU PDP Art 34, R-43)", p.RiskFlags))
	}
	return out
}

// NoticeStatus is draft or approved.
type NoticeStatus string

// Notice statuses.
const (
	NoticeDraft    NoticeStatus = "draft"
	NoticeApproved NoticeStatus = "approved"
)

// Notice is one version of the privacy notice (UU PDP Art 21(1), R-12), generated from
// the purpose registry in Bahasa Indonesia (TextID) and English (TextEN). Purposes holds
// the material hash of each purpose it describes, so that a purpose change is in effect
// only once an approved notice in force covers it. TextHash is the hex SHA-256 of
// TextID, a NUL byte and TextEN: a web form served by Jaga records it with a consent
// . A consent against a notice that is not approved does not count.
type Notice struct {
	Version    string            `json:"version"`
	Status     NoticeStatus      `json:"status"`
	InForceAt  time.Time         `json:"in_force_at,omitzero"`
	TextID     string            `json:"text_id"`
	TextEN     string            `json:"text_en"`
	TextHash   string            `json:"text_hash"`
	Purposes   map[string]string `json:"purposes"`
	CreatedAt  time.Time         `json:"created_at"`
	ApprovedAt time.Time         `json:"approved_at,omitzero"`
	ApprovedBy string            `json:"approved_by,omitempty"`
}

// InForce reports whether n is approved and in force at t.
func (n *Notice) InForce(t time.Time) bool {
	return n != nil && n.Status == NoticeApproved && !n.InForceAt.After(t)
}

// NoticeTextHash returns the TextHash of a notice with the two texts.
func NoticeTextHash(textID, textEN string) string {
	h := sha256.New()
	h.Write([]byte(textID))
	h.Write([]byte{0})
	h.Write([]byte(textEN))
	return hex.EncodeToString(h.Sum(nil))
}

// Guardianship links a child subject to the guardian whose consent counts for them
// until AdultAt (UU PDP Art 4(2)(e), Art 25, R-3). The guardian is a subject too.
type Guardianship struct {
	Subject   SubjectID `json:"subject"`
	Guardian  SubjectID `json:"guardian"`
	AdultAt   time.Time `json:"adult_at"`
	CreatedAt time.Time `json:"created_at"`
}

// ScheduledDeletion is data of a subject that no lawful basis keeps after a withdrawal
// (UU PDP Art 43(1)(b), R-11): the fields to delete by DueAt, with the purpose whose
// withdrawal caused it. DoneAt is set when the deletion job handled it, Deleted naming
// the fields it removed (the others were kept by a basis in force then); a deletion
// whose fields a legal hold keeps stays pending until the hold ends.
type ScheduledDeletion struct {
	ID        int64     `json:"id"`
	Subject   SubjectID `json:"subject"`
	Purpose   string    `json:"purpose"`
	Fields    []string  `json:"fields"`
	DueAt     time.Time `json:"due_at"`
	CreatedAt time.Time `json:"created_at"`
	DoneAt    time.Time `json:"done_at,omitzero"`
	Deleted   []string  `json:"deleted,omitempty"`
}

// SubjectListFilter selects the subjects with a valid basis for a purpose:
// Consent true lists those whose consent in force counts (given, no flag, not expired at
// Now); false lists every live subject. Restricted subjects are left out unless
// IncludeRestricted. IDs come in ascending order, after After, at most Limit (0: all).
type SubjectListFilter struct {
	Purpose           string
	Consent           bool
	IncludeRestricted bool
	Now               time.Time
	After             SubjectID
	Limit             int
}
