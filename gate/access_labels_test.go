package gate_test

import (
	"testing"

	"jaga"
	"jaga/gate"
)

// TestAccessLabels: every action that can name a subject, and every purpose and role,
// reads as words in both languages of the access history, not as a code.
func TestAccessLabels(t *testing.T) {
	codes := []string{
		jaga.ActionRead, jaga.ActionFind, jaga.ActionCreate, jaga.ActionUpdate, jaga.ActionErase, jaga.ActionImport,
		jaga.ActionExport, jaga.ActionMerge, jaga.ActionReadPurchases, jaga.ActionReadConsents, jaga.ActionConsentChange,
		jaga.ActionReadAudit, jaga.ActionTokenize, jaga.ActionResolveToken, jaga.ActionUnmerge, jaga.ActionQuarantine,
		jaga.ActionSignup, jaga.ActionLogin, jaga.ActionErasureReplay, jaga.ActionKeyRotation,
		gate.ActionListSubjects, gate.ActionReadReceipt, gate.ActionDSRStep, gate.ActionReadRequestData,
		gate.ActionAccessHistory, gate.ActionExportBlocked, gate.ActionScheduledDeletion,
		gate.ActionReadReviewFlags, gate.ActionResolveReviewFlag, gate.ActionCheckCorrection,
	}
	for _, r := range jaga.DefaultRoles {
		codes = append(codes, string(r))
	}
	for _, r := range jaga.BuiltinRoles {
		codes = append(codes, string(r))
	}
	codes = append(codes, jaga.PurposeServiceProvision, jaga.PurposeCustomerSupport, jaga.PurposeServiceImprovement,
		jaga.PurposeCrossSelling, jaga.PurposeLegalObligation, jaga.PurposeSecurity, jaga.PurposeDSR)
	for _, lang := range []string{"id", "en"} {
		for _, c := range codes {
			if l, ok := gate.AccessLabels[lang][c]; !ok || l == "" {
				t.Errorf("%s: %q has no label", lang, c)
			}
		}
	}
}
