package jaga

import "strings"

// Decision is the gate's answer for one field: "allow", "mask:<rule>" or
// "deny:<reason>" (DESIGN.md). Mask rules: last3 (phone), first_letter (email),
// region_last4 (NIK), initials (names), year (dates), and identifiers (free text with
// the identifiers typed into it replaced by their kind; the gate's own, for purchase
// descriptions, never a policy file's). Deny reasons include
// those of issue 3: no_consent, consent_withdrawn, consent_expired, consent_invalid,
// guardian_required, purpose_not_active, field_not_in_purpose, role_not_allowed,
// subject_restricted.
type Decision string

// Allow is the decision that returns a value as stored.
const Allow Decision = "allow"

// Mask returns the decision "mask:<rule>".
func Mask(rule string) Decision { return Decision("mask:" + rule) }

// Deny returns the decision "deny:<reason>".
func Deny(reason string) Decision { return Decision("deny:" + reason) }

// IsAllow reports whether d is Allow.
func (d Decision) IsAllow() bool { return d == Allow }

// IsDeny reports whether d is a deny decision.
func (d Decision) IsDeny() bool { return strings.HasPrefix(string(d), "deny:") }

// MaskRule returns the rule of a mask decision and whether d is one.
func (d Decision) MaskRule() (string, bool) {
	return strings.CutPrefix(string(d), "mask:")
}

// Reason returns the reason of a deny decision, or "".
func (d Decision) Reason() string {
	r, _ := strings.CutPrefix(string(d), "deny:")
	if !d.IsDeny() {
		return ""
	}
	return r
}
