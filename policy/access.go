package policy

import (
	"time"

	"jaga"
)

// The subject-level refusal reasons (issue 3). With ReasonRoleNotAllowed,
// ReasonPurposeNotActive and ReasonFieldNotInPurpose they are every reason Access gives;
// the gate carries them in the audit event and in the 403 problem's "reason".
const (
	// ReasonNoConsent: a consent-based purpose and no consent, or a refusal.
	ReasonNoConsent = "no_consent"
	// ReasonConsentWithdrawn: the consent in force is a withdrawal.
	ReasonConsentWithdrawn = "consent_withdrawn"
	// ReasonConsentExpired: the consent's validity period has ended.
	ReasonConsentExpired = "consent_expired"
	// ReasonConsentInvalid: the consent in force carries an invalid:<why> flag.
	ReasonConsentInvalid = "consent_invalid"
	// ReasonGuardianRequired: the subject is a child and the consent was not given by
	// the linked guardian (UU PDP Art 25, R-3).
	ReasonGuardianRequired = "guardian_required"
	// ReasonSubjectRestricted: the subject restricted processing (UU PDP Art 11, R-21).
	ReasonSubjectRestricted = "subject_restricted"
)

// Reasons lists every reason Access gives, in a stable order.
var Reasons = []string{ReasonNoConsent, ReasonConsentWithdrawn, ReasonConsentExpired, ReasonConsentInvalid,
	ReasonGuardianRequired, ReasonPurposeNotActive, ReasonFieldNotInPurpose, ReasonRoleNotAllowed, ReasonSubjectRestricted}

// ConsentState is a subject's consent to one purpose at the time of a decision, as
// StateOf derives it from the record in force.
type ConsentState string

// Consent states.
const (
	StateNone             ConsentState = "none"
	StateGiven            ConsentState = "given"
	StateRefused          ConsentState = "refused"
	StateWithdrawn        ConsentState = "withdrawn"
	StateExpired          ConsentState = "expired"
	StateInvalid          ConsentState = "invalid"
	StateGuardianRequired ConsentState = "guardian_required"
)

// ConsentStates lists every ConsentState.
var ConsentStates = []ConsentState{StateNone, StateGiven, StateRefused, StateWithdrawn, StateExpired, StateInvalid, StateGuardianRequired}

// StateOf derives the consent state at time at from the record in force c (nil: none)
// and, for a child (UU PDP Art 4(2)(e), Art 25; R-3), the guardianship g in force at at
// (nil: the subject is not a child). A child's given consent counts only when given by
// the linked guardian (GivenBy guardian, Guardian = g.Guardian); a record past its
// ExpiresAt is expired whatever its status said.
func StateOf(c *jaga.Consent, at time.Time, g *jaga.Guardianship) ConsentState {
	if c == nil {
		return StateNone
	}
	switch c.Status {
	case jaga.ConsentRefused:
		return StateRefused
	case jaga.ConsentWithdrawn:
		return StateWithdrawn
	case jaga.ConsentExpired:
		return StateExpired
	case jaga.ConsentGiven:
	default:
		return StateInvalid
	}
	if c.Flag != "" {
		return StateInvalid
	}
	if c.Expired(at) {
		return StateExpired
	}
	if g != nil && at.Before(g.AdultAt) && (c.GivenBy != jaga.GivenByGuardian || c.Guardian != g.Guardian) {
		return StateGuardianRequired
	}
	return StateGiven
}

// Subject is what a decision knows of the subject: its consent state for the purpose
// and whether it restricted processing.
type Subject struct {
	Consent    ConsentState
	Restricted bool
}

// SubjectReason returns why the subject-level rules refuse purpose p, or "": a
// restricted subject is refused for every purpose but legal_obligation and dsr;
// a consent-based purpose needs the state given.
func SubjectReason(p *jaga.Purpose, s Subject) string {
	if s.Restricted && p.ID != jaga.PurposeLegalObligation && p.ID != jaga.PurposeDSR {
		return ReasonSubjectRestricted
	}
	if !p.NeedsConsent() {
		return ""
	}
	switch s.Consent {
	case StateGiven:
		return ""
	case StateWithdrawn:
		return ReasonConsentWithdrawn
	case StateExpired:
		return ReasonConsentExpired
	case StateInvalid:
		return ReasonConsentInvalid
	case StateGuardianRequired:
		return ReasonGuardianRequired
	}
	return ReasonNoConsent
}

// PurposeReason returns why role may not act for p at all, or "": a nil or not active
// purpose (purpose_not_active), then a role the policy gives no rule for it
// (role_not_allowed).
func (pol *Policy) PurposeReason(role jaga.Role, p *jaga.Purpose) string {
	if p == nil || p.Status != jaga.PurposeActive {
		return ReasonPurposeNotActive
	}
	if !pol.AllowsPurpose(role, p.ID) {
		return ReasonRoleNotAllowed
	}
	return ""
}

// Access is the whole decision for one field: role × purpose (its status and lawful
// basis) × subject (consent state, restriction) × field (registry coverage, class,
// role rule). In order: PurposeReason, SubjectReason, then Decide (field_not_in_purpose
// for a field the purpose does not list — specific data only when listed explicitly —,
// then the role's rule). f named jaga.FieldPurchases with Kind "" stands for the
// purchases (DecidePurchases). It is a pure function of its arguments.
func (pol *Policy) Access(role jaga.Role, p *jaga.Purpose, s Subject, f jaga.FieldSpec) jaga.Decision {
	if r := pol.PurposeReason(role, p); r != "" {
		return jaga.Deny(r)
	}
	if r := SubjectReason(p, s); r != "" {
		return jaga.Deny(r)
	}
	if f.Name == jaga.FieldPurchases && f.Kind == "" {
		return pol.DecidePurchases(role, p)
	}
	return pol.Decide(role, p, f)
}
