package gate_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
	"jaga/pii"
)

var tokenRE = regexp.MustCompile(`jgt_[a-z]{26}`)

// TestTokens: values redacted into tokens are stored sealed, linked to their subject
// when a blind index names one; an authorised actor resolves a token with a reason,
// audited; the wrong role, purpose or field is refused; erasing the subject makes its
// tokens unresolvable; text full of tokens holds no personal data for the scanner.
func TestTokens(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	sub := f.MustCreate(t, "rina.sari@example.com", jaga.ConsentGiven)
	const text = "Tiket 4411: pelanggan NIK 3273055712859902 minta NPWP 01.312.166.0-091.000 dicatat; " +
		"email rina.sari@example.com, sekali lagi NIK 3273055712859902."
	s, err := f.g.NewTokenSession(ctx, f.req(jaga.RoleService, jaga.PurposeServiceProvision))
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Redact(ctx, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	toks := tokenRE.FindAllString(string(out), -1)
	if len(toks) != 4 || toks[0] != toks[3] || s.Issued() != 3 {
		t.Fatalf("redacted %q: tokens %v, %d issued; want 4 tokens, the repeated NIK with the same one, 3 issued", out, toks, s.Issued())
	}
	for _, v := range []string{"3273055712859902", "01.312.166", "rina.sari"} {
		if strings.Contains(string(out), v) {
			t.Fatalf("redacted text still holds %q", v)
		}
	}
	if fs := pii.Scan(string(out)); len(fs) != 0 {
		t.Fatalf("scanning the redacted text found %v; tokens are not personal data", fs)
	}
	sc := pii.MustScanner(pii.Options{Names: true})
	for _, fd := range sc.Scan(out) {
		if tokenRE.MatchString(string(out[fd.Start:fd.End])) {
			t.Fatalf("the name detector reports a token as %s", fd.Kind)
		}
	}
	nikTok, npwpTok, emailTok := toks[0], toks[1], toks[2]

	resolve := func(role jaga.Role, purpose, reason, tok string) (*gate.ResolvedToken, error) {
		r := f.req(role, purpose)
		r.Reason = reason
		return f.g.ResolveToken(ctx, r, tok)
	}
	t.Run("OK", func(t *testing.T) {
		for _, c := range []struct {
			role            jaga.Role
			purpose, tok, v string
			subject         jaga.SubjectID
		}{
			{jaga.RoleDPO, jaga.PurposeLegalObligation, nikTok, "3273055712859902", sub},
			{jaga.RoleDPO, jaga.PurposeDSR, npwpTok, "01.312.166.0-091.000", ""},
			{jaga.RoleSupport, jaga.PurposeCustomerSupport, emailTok, "rina.sari@example.com", sub},
		} {
			got, err := resolve(c.role, c.purpose, "TICKET-4411", c.tok)
			if err != nil {
				t.Fatalf("%s/%s: %v", c.role, c.purpose, err)
			}
			if got.Value.Value() != c.v || got.Subject != c.subject {
				t.Fatalf("%s/%s resolved %q of %q; want %q of %q", c.role, c.purpose, got.Value.Value(), got.Subject, c.v, c.subject)
			}
		}
		evs, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, jaga.PurposeSecurity), jaga.AuditFilter{Action: jaga.ActionResolveToken})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 3 || evs[0].Reason != "TICKET-4411" || evs[0].Decision != "allow" || len(evs[0].Subjects) != 1 || evs[0].FieldsReturned[0] != "nik" {
			t.Fatalf("audit of resolutions: %+v", evs)
		}
		iss, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, jaga.PurposeSecurity), jaga.AuditFilter{Action: jaga.ActionTokenize})
		if err != nil {
			t.Fatal(err)
		}
		if len(iss) != 1 || iss[0].Count != 3 || len(iss[0].Subjects) != 1 || iss[0].Subjects[0] != sub {
			t.Fatalf("audit of issuing: %+v", iss)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		for _, c := range []struct {
			name            string
			role            jaga.Role
			purpose, reason string
			tok, code, why  string
		}{
			{"NoReason", jaga.RoleDPO, jaga.PurposeLegalObligation, "", nikTok, jaga.EFORBIDDEN, "reason_required"},
			{"Marketer", jaga.RoleMarketer, jaga.PurposeCrossSelling, "x", nikTok, jaga.EFORBIDDEN, "role_not_allowed"},
			{"SupportNIK", jaga.RoleSupport, jaga.PurposeCustomerSupport, "T-1", nikTok, jaga.EFORBIDDEN, "not_revealable"},
			{"SupportNPWP", jaga.RoleSupport, jaga.PurposeCustomerSupport, "T-1", npwpTok, jaga.EFORBIDDEN, "role_not_allowed"},
			{"SupportProvision", jaga.RoleSupport, jaga.PurposeServiceProvision, "T-1", emailTok, jaga.EFORBIDDEN, "purpose_not_allowed"},
			{"Unknown", jaga.RoleDPO, jaga.PurposeLegalObligation, "T-1", "jgt_" + strings.Repeat("q", 26), jaga.ENOTFOUND, ""},
			{"NotAToken", jaga.RoleDPO, jaga.PurposeLegalObligation, "T-1", "jgt_123", jaga.EUNPROCESSABLE, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := resolve(c.role, c.purpose, c.reason, c.tok)
				e := jaga.AsError(err)
				if e == nil || e.Code != c.code || e.Reason != c.why {
					t.Fatalf("error %v; want %s %s", err, c.code, c.why)
				}
			})
		}
		evs, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, jaga.PurposeSecurity), jaga.AuditFilter{Action: jaga.ActionResolveToken, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 3+7 {
			t.Fatalf("%d resolve_token events, want every refusal audited too", len(evs))
		}
	})
	t.Run("ErasedSubject", func(t *testing.T) {
		if err := f.g.Erase(ctx, f.req(jaga.RoleDPO, jaga.PurposeDSR), sub); err != nil {
			t.Fatal(err)
		}
		if _, err := resolve(jaga.RoleDPO, jaga.PurposeLegalObligation, "T-2", nikTok); jaga.ErrorCode(err) != jaga.ENOTFOUND {
			t.Fatalf("token of an erased subject: %v, want ENOTFOUND", err)
		}
		if _, err := resolve(jaga.RoleDPO, jaga.PurposeLegalObligation, "T-2", npwpTok); err != nil {
			t.Fatalf("a token of no subject after an erasure: %v", err)
		}
	})
}
