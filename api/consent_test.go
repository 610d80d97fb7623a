package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/go-jose/go-jose/v4"

	"jaga"
	"jaga/gate"
)

func init() {
	// The subject listing streams JSON Lines; validate it as text.
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", openapi3filter.FileBodyDecoder)
}

// consentResult mirrors the 201 of POST /v1/subjects/{id}/consents.
type consentResult struct {
	Consent struct {
		Purpose  string `json:"purpose"`
		Status   string `json:"status"`
		Flag     string `json:"flag"`
		GivenBy  string `json:"given_by"`
		AtLocal  string `json:"at_local"`
		Guardian string `json:"guardian"`
	} `json:"consent"`
	Counts     bool         `json:"counts"`
	Receipt    gate.Receipt `json:"receipt"`
	Withdrawal *struct {
		Kept      map[string][]gate.KeptBy `json:"kept"`
		Scheduled *struct {
			Fields []string  `json:"fields"`
			DueAt  time.Time `json:"due_at"`
		} `json:"scheduled_deletion"`
	} `json:"withdrawal"`
}

func (e *env) consent(t *testing.T, id jaga.SubjectID, body map[string]any, header map[string]string) *response {
	t.Helper()
	return e.do(t, call{method: "POST", path: "/v1/subjects/" + string(id) + "/consents", key: e.keys[jaga.RoleDPO],
		purpose: jaga.PurposeDSR, body: body, header: header})
}

// listed returns the IDs GET /v1/subjects streams for purpose, checking the closing
// count line.
func (e *env) listed(t *testing.T, role jaga.Role, purpose string) []jaga.SubjectID {
	t.Helper()
	r := e.do(t, call{method: "GET", path: "/v1/subjects", key: e.keys[role], purpose: purpose}).want(t, 200)
	if ct := r.header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Fatalf("Content-Type %q", ct)
	}
	var ids []jaga.SubjectID
	sc := bufio.NewScanner(bytes.NewReader(r.body))
	count := -1
	for sc.Scan() {
		var line struct {
			ID    jaga.SubjectID `json:"id"`
			Count *int           `json:"count"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if line.Count != nil {
			count = *line.Count
			continue
		}
		ids = append(ids, line.ID)
	}
	if count != len(ids) {
		t.Fatalf("stream of %d IDs ends with count %d", len(ids), count)
	}
	return ids
}

// TestMarketerSegmentRead is must-show 3: with the default policy the marketer reads a
// consenting customer's segment fields and no contact field, and is refused with
// no_consent for one who refused.
func TestMarketerSegmentRead(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	r := e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti), key: e.keys[jaga.RoleMarketer], purpose: jaga.PurposeCrossSelling}).want(t, 200)
	var rec record
	r.decode(t, &rec)
	if rec.Fields["full_name"] != sitiName || rec.Fields["domicile_city"] != "Kota Bandung" || rec.Attributes["education"] != "Graduation" {
		t.Errorf("segment fields: %+v %+v", rec.Fields, rec.Attributes)
	}
	for _, contact := range []string{"email", "phone", "nik", "address"} {
		if _, ok := rec.Fields[contact]; ok {
			t.Errorf("marketer sees %s", contact)
		}
	}
	if bytes.Contains(r.body, []byte(sitiEmail)) || bytes.Contains(r.body, []byte(sitiPhone)) {
		t.Error("a contact value is in the body")
	}
	r = e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.budi), key: e.keys[jaga.RoleMarketer], purpose: jaga.PurposeCrossSelling})
	r.wantProblem(t, 403, jaga.EFORBIDDEN, "", "no_consent")
	e.audited(t, r, jaga.ActionRead, "deny:no_consent")
}

// TestWithdrawal is must-show 2: after cross_selling is withdrawn the very next read and
// the bulk listing exclude the subject, its proof at a time before still shows given,
// and the response says which basis keeps which data.
func TestWithdrawal(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	if ids := e.listed(t, jaga.RoleMarketer, jaga.PurposeCrossSelling); !slices.Equal(ids, []jaga.SubjectID{f.siti}) {
		t.Fatalf("listed before withdrawal: %v, want only Siti", ids)
	}
	before := time.Now().UTC().Add(-time.Second)
	r := e.consent(t, f.siti, map[string]any{"purpose": "cross_selling", "status": "withdrawn", "channel": "api", "given_by": "subject"}, nil).want(t, 201)
	var res consentResult
	r.decode(t, &res)
	if res.Counts || res.Consent.Status != "withdrawn" || res.Withdrawal == nil {
		t.Fatalf("withdrawal result: %s", r.body)
	}
	// full_name and domicile_city are kept by the contract (service_provision), the
	// attributes by Siti's consent to service_improvement; purchases by the contract.
	for field, purpose := range map[string]string{"full_name": "service_provision", "domicile_city": "service_provision",
		"education": "service_improvement", "purchases": "service_provision"} {
		if !slices.ContainsFunc(res.Withdrawal.Kept[field], func(k gate.KeptBy) bool { return k.Purpose == purpose }) {
			t.Errorf("%s kept by %v, want %s among them", field, res.Withdrawal.Kept[field], purpose)
		}
	}
	if res.Withdrawal.Scheduled != nil {
		t.Errorf("nothing should be scheduled for deletion: %+v", res.Withdrawal.Scheduled)
	}
	e.audited(t, r, jaga.ActionConsentChange, "allow")

	r = e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti), key: e.keys[jaga.RoleMarketer], purpose: jaga.PurposeCrossSelling})
	r.wantProblem(t, 403, jaga.EFORBIDDEN, "", "consent_withdrawn")
	e.audited(t, r, jaga.ActionRead, "deny:consent_withdrawn")
	if ids := e.listed(t, jaga.RoleMarketer, jaga.PurposeCrossSelling); len(ids) != 0 {
		t.Fatalf("listed after withdrawal: %v", ids)
	}
	// Proof at a time before the withdrawal.
	var proof struct {
		Consents []struct{ Purpose, Status string } `json:"consents"`
	}
	e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti) + "/consents?at=" + before.Format(time.RFC3339Nano), key: e.keys[jaga.RoleDPO],
		purpose: jaga.PurposeDSR}).want(t, 200).decode(t, &proof)
	i := slices.IndexFunc(proof.Consents, func(c struct{ Purpose, Status string }) bool { return c.Purpose == "cross_selling" })
	if i < 0 || proof.Consents[i].Status != "given" {
		t.Fatalf("proof before withdrawal: %+v", proof.Consents)
	}
	e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti) + "/consents?at=" + time.Now().UTC().Format(time.RFC3339Nano), key: e.keys[jaga.RoleDPO],
		purpose: jaga.PurposeDSR}).want(t, 200).decode(t, &proof)
	if i := slices.IndexFunc(proof.Consents, func(c struct{ Purpose, Status string }) bool { return c.Purpose == "cross_selling" }); i < 0 || proof.Consents[i].Status != "withdrawn" {
		t.Fatalf("proof now: %+v", proof.Consents)
	}

	t.Run("OnlyBasisScheduledForDeletion", func(t *testing.T) {
		// Withdrawing service_improvement too leaves the attributes without a basis.
		r := e.consent(t, f.siti, map[string]any{"purpose": "service_improvement", "status": "withdrawn", "channel": "api", "given_by": "subject"}, nil).want(t, 201)
		var res consentResult
		r.decode(t, &res)
		s := res.Withdrawal.Scheduled
		if s == nil || !slices.Contains(s.Fields, "education") || slices.Contains(s.Fields, "full_name") || slices.Contains(s.Fields, "birth_date") {
			t.Fatalf("scheduled deletion: %s", r.body)
		}
		if d := time.Until(s.DueAt); d <= 0 || d > gate.DeletionDelay {
			t.Errorf("due in %v", d)
		}
	})
}

// TestDraftNoticeConsent is must-show 4: a consent given against notice-id-v4-draft does
// not count; the purpose stays refused for the subject and out of the listing.
func TestDraftNoticeConsent(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	r := e.consent(t, f.budi, map[string]any{"purpose": "cross_selling", "status": "given", "channel": "web_form",
		"notice_version": gate.DemoDraftNotice, "given_by": "subject"}, nil).want(t, 201)
	var res consentResult
	r.decode(t, &res)
	if res.Counts || res.Consent.Flag != jaga.FlagDraftNotice {
		t.Fatalf("consent against the draft: %s", r.body)
	}
	r = e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.budi), key: e.keys[jaga.RoleMarketer], purpose: jaga.PurposeCrossSelling})
	r.wantProblem(t, 403, jaga.EFORBIDDEN, "", "consent_invalid")
	if ids := e.listed(t, jaga.RoleMarketer, jaga.PurposeCrossSelling); slices.Contains(ids, f.budi) {
		t.Fatalf("budi listed: %v", ids)
	}
	t.Run("UnknownNotice", func(t *testing.T) {
		r := e.consent(t, f.budi, map[string]any{"purpose": "cross_selling", "status": "given", "channel": "web_form",
			"notice_version": "notice-id-v9", "given_by": "subject"}, nil).want(t, 201)
		var res consentResult
		r.decode(t, &res)
		if res.Counts || res.Consent.Flag != jaga.FlagDraftNotice {
			t.Fatalf("consent against an unknown notice: %s", r.body)
		}
	})
	t.Run("GPC", func(t *testing.T) {
		r := e.consent(t, f.budi, map[string]any{"purpose": "cross_selling", "status": "given", "channel": "web_form",
			"notice_version": "notice-id-v3", "given_by": "subject"}, map[string]string{"Sec-GPC": "1"}).want(t, 201)
		var res consentResult
		r.decode(t, &res)
		if res.Counts || res.Consent.Flag != jaga.FlagGPC {
			t.Fatalf("consent with Sec-GPC: %s", r.body)
		}
	})
	t.Run("ApprovedNoticeCounts", func(t *testing.T) {
		// Siti's record in force dates from 2024; this one, later, takes its place.
		r := e.consent(t, f.siti, map[string]any{"purpose": "cross_selling", "status": "given", "channel": "web_form",
			"notice_version": "notice-id-v3", "given_by": "subject", "at": "2025-02-03T10:04:00+08:00"}, nil).want(t, 201)
		var res consentResult
		r.decode(t, &res)
		if !res.Counts || res.Consent.Flag != "" || res.Consent.AtLocal != "2025-02-03T10:04:00+08:00" {
			t.Fatalf("consent against notice-id-v3: %s", r.body)
		}
		if !strings.Contains(res.Receipt.SummaryID, "3 Februari 2025 pukul 10.04 WITA") {
			t.Errorf("summary: %s", res.Receipt.SummaryID)
		}
		e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.siti), key: e.keys[jaga.RoleMarketer], purpose: jaga.PurposeCrossSelling}).want(t, 200)
	})
}

// TestReceiptVerifies is must-show 5: a receipt verifies with go-jose against the JWKS
// published at /v1/keys; with one byte changed it does not.
func TestReceiptVerifies(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	r := e.consent(t, f.budi, map[string]any{"purpose": "cross_selling", "status": "given", "channel": "store_visit",
		"evidence": "FRM-TOKO-2025-0042", "given_by": "subject"}, nil).want(t, 201)
	var res consentResult
	r.decode(t, &res)
	keys := e.do(t, call{method: "GET", path: "/v1/keys"}).want(t, 200)
	var set jose.JSONWebKeySet
	keys.decode(t, &set)
	verify := func(token string) ([]byte, error) {
		sig, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA})
		if err != nil {
			return nil, err
		}
		// Verify with the published key itself, whatever kid the (maybe tampered)
		// header names; the kid is checked once below.
		if len(set.Keys) != 1 {
			return nil, fmt.Errorf("%d keys in the set", len(set.Keys))
		}
		return sig.Verify(set.Keys[0])
	}
	payload, err := verify(res.Receipt.JWS)
	if err != nil {
		t.Fatalf("receipt does not verify: %v", err)
	}
	if sig, _ := jose.ParseSigned(res.Receipt.JWS, []jose.SignatureAlgorithm{jose.EdDSA}); len(set.Key(sig.Signatures[0].Header.KeyID)) != 1 {
		t.Fatalf("the receipt's kid %q is not in the published set", sig.Signatures[0].Header.KeyID)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"version": "KI-CR-v1.1.0", "jurisdiction": "ID", "piiPrincipalId": string(f.budi),
		"collectionMethod": "store_visit", "purpose": "cross_selling", "status": "given", "lawful_basis": "consent",
		"evidence": "FRM-TOKO-2025-0042", "schema_version": "ISO/IEC TS 27560:2023"} {
		if claims[k] != want {
			t.Errorf("payload %s = %v, want %v", k, claims[k], want)
		}
	}
	if !strings.Contains(res.Receipt.SummaryID, "DIBERIKAN") || !strings.Contains(res.Receipt.SummaryID, "Penawaran produk lain") {
		t.Errorf("Bahasa summary: %s", res.Receipt.SummaryID)
	}
	parts := strings.Split(res.Receipt.JWS, ".")
	for i, part := range parts {
		b := []byte(part)
		j := len(b) / 2
		if b[j] == 'A' {
			b[j] = 'B'
		} else {
			b[j] = 'A'
		}
		tampered := append(slices.Clone(parts[:i]), string(b))
		tampered = append(tampered, parts[i+1:]...)
		if _, err := verify(strings.Join(tampered, ".")); err == nil {
			t.Errorf("a receipt with one byte changed in part %d verifies", i)
		}
	}
	// The receipt of the consent in force, fetched later, verifies too.
	var later gate.Receipt
	e.do(t, call{method: "GET", path: "/v1/subjects/" + string(f.budi) + "/consents/cross_selling/receipt", key: e.keys[jaga.RoleDPO],
		purpose: jaga.PurposeDSR}).want(t, 200).decode(t, &later)
	if _, err := verify(later.JWS); err != nil {
		t.Fatalf("later receipt: %v", err)
	}
}

func TestConsentValidation(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"ContractPurpose", map[string]any{"purpose": "service_provision", "status": "given", "channel": "api", "given_by": "subject"}, "purpose"},
		{"BadStatus", map[string]any{"purpose": "cross_selling", "status": "expired", "channel": "api", "given_by": "subject"}, "status"},
		{"NoChannel", map[string]any{"purpose": "cross_selling", "status": "given", "given_by": "subject"}, "channel"},
		{"NoGiver", map[string]any{"purpose": "cross_selling", "status": "given", "channel": "api"}, "given_by"},
		{"GuardianWithoutID", map[string]any{"purpose": "cross_selling", "status": "given", "channel": "api", "given_by": "guardian"}, "guardian"},
		{"PersonalEvidence", map[string]any{"purpose": "cross_selling", "status": "given", "channel": "store_visit", "given_by": "subject", "evidence": sitiEmail}, "evidence"},
		// A time that is not RFC 3339 names its member (encoding/json does not).
		{"TimeWord", map[string]any{"purpose": "cross_selling", "status": "given", "channel": "api", "given_by": "subject", "at": "yesterday"}, "at"},
		{"TimeNumber", map[string]any{"purpose": "cross_selling", "status": "given", "channel": "api", "given_by": "subject", "at": 123}, "at"},
		{"TimeMonth13", map[string]any{"purpose": "cross_selling", "status": "given", "channel": "api", "given_by": "subject", "at": "2025-13-45T00:00:00Z"}, "at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.consent(t, f.budi, tc.body, nil).wantProblem(t, 422, jaga.EUNPROCESSABLE, tc.field, "")
		})
	}
	t.Run("ErrMarketer", func(t *testing.T) {
		r := e.do(t, call{method: "POST", path: "/v1/subjects/" + string(f.budi) + "/consents", key: e.keys[jaga.RoleMarketer],
			purpose: jaga.PurposeCrossSelling, body: map[string]any{"purpose": "cross_selling", "status": "given", "channel": "api", "given_by": "subject"}})
		r.wantProblem(t, 403, jaga.EFORBIDDEN, "", "role_not_allowed")
	})
}

// TestChildConsent: a child's own consent does not count; the linked guardian's does
// (UU PDP Art 25, R-3), and the record says who gave it.
func TestChildConsent(t *testing.T) {
	e := newEnv(t)
	f := e.seed(t)
	child, guardian := f.budi, f.siti
	e.do(t, call{method: "PUT", path: "/v1/subjects/" + string(child) + "/guardian", key: e.keys[jaga.RoleDPO], purpose: jaga.PurposeDSR,
		body: map[string]any{"guardian": guardian, "adult_at": time.Now().AddDate(3, 0, 0).UTC().Format(time.RFC3339)}}).want(t, 204)
	r := e.consent(t, child, map[string]any{"purpose": "cross_selling", "status": "given", "channel": "store_visit", "evidence": "FRM-TOKO-2025-0100", "given_by": "subject"}, nil).want(t, 201)
	var res consentResult
	r.decode(t, &res)
	if res.Counts {
		t.Fatal("a child's own consent counts")
	}
	e.do(t, call{method: "GET", path: "/v1/subjects/" + string(child), key: e.keys[jaga.RoleMarketer], purpose: jaga.PurposeCrossSelling}).
		wantProblem(t, 403, jaga.EFORBIDDEN, "", "guardian_required")
	// The bulk listing agrees with the read: not listed without the guardian's consent.
	if ids := e.listed(t, jaga.RoleMarketer, jaga.PurposeCrossSelling); slices.Contains(ids, child) {
		t.Fatalf("child listed on its own consent: %v", ids)
	}
	r = e.consent(t, child, map[string]any{"purpose": "cross_selling", "status": "given", "channel": "store_visit", "evidence": "FRM-TOKO-2025-0101",
		"given_by": "guardian", "guardian": guardian}, nil).want(t, 201)
	r.decode(t, &res)
	if !res.Counts || res.Consent.GivenBy != "guardian" || res.Consent.Guardian != string(guardian) {
		t.Fatalf("guardian's consent: %s", r.body)
	}
	e.do(t, call{method: "GET", path: "/v1/subjects/" + string(child), key: e.keys[jaga.RoleMarketer], purpose: jaga.PurposeCrossSelling}).want(t, http.StatusOK)
	if ids := e.listed(t, jaga.RoleMarketer, jaga.PurposeCrossSelling); !slices.Contains(ids, child) {
		t.Fatalf("child not listed with the guardian's consent: %v", ids)
	}
}
