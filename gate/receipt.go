package gate

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"jaga"
)

// Receipt is a consent receipt (issue 3): Payload is the JSON record with the fields of
// the Kantara Initiative Consent Receipt v1.1 and of an ISO/IEC TS 27560 consent record;
// JWS is Payload signed in JWS compact serialisation (RFC 7515) with EdDSA over Ed25519
// (RFC 8037) by the controller's consent-receipt key, whose public key JWKS publishes
// (kid KeyID); SummaryID is a readable summary in Bahasa Indonesia, SummaryEN in English.
type Receipt struct {
	JWS       string          `json:"jws"`
	KeyID     string          `json:"kid"`
	Payload   json.RawMessage `json:"payload"`
	SummaryID string          `json:"summary_id"`
	SummaryEN string          `json:"summary_en"`
}

// receiptPayload is the signed record. Kantara CR v1.1 names are camelCase; the ISO/IEC
// TS 27560 record members follow them in snake_case.
type receiptPayload struct {
	Version          string           `json:"version"`
	Jurisdiction     string           `json:"jurisdiction"`
	ConsentTimestamp int64            `json:"consentTimestamp"`
	CollectionMethod string           `json:"collectionMethod"`
	ConsentReceiptID string           `json:"consentReceiptID"`
	Language         string           `json:"language"`
	PIIPrincipalID   jaga.SubjectID   `json:"piiPrincipalId"`
	PIIControllers   []receiptCtrl    `json:"piiControllers"`
	PolicyURL        string           `json:"policyUrl"`
	Services         []receiptService `json:"services"`
	Sensitive        bool             `json:"sensitive"`
	SPICat           []string         `json:"spiCat"`

	SchemaVersion string              `json:"schema_version"`
	RecordID      int64               `json:"record_id"`
	Purpose       string              `json:"purpose"`
	LawfulBasis   jaga.LawfulBasis    `json:"lawful_basis"`
	DPV           string              `json:"dpv_purpose"`
	Status        jaga.ConsentStatus  `json:"status"`
	Flag          string              `json:"flag,omitempty"`
	Counts        bool                `json:"counts"`
	Notice        string              `json:"notice_version,omitempty"`
	NoticeHash    string              `json:"notice_text_hash,omitempty"`
	TimeUTC       string              `json:"time_utc"`
	TimeLocal     string              `json:"time_local"`
	Evidence      string              `json:"evidence,omitempty"`
	Details       jaga.ConsentDetails `json:"details"`
	RecordedAt    string              `json:"recorded_at"`
}

type receiptCtrl struct {
	PIIController string `json:"piiController"`
	Contact       string `json:"contact"`
	Address       string `json:"address,omitempty"`
	Email         string `json:"email"`
	OnBehalf      bool   `json:"onBehalf"`
}

type receiptService struct {
	Service  string           `json:"service"`
	Purposes []receiptPurpose `json:"purposes"`
}

type receiptPurpose struct {
	Purpose              string   `json:"purpose"`
	PurposeCategory      []string `json:"purposeCategory"`
	ConsentType          string   `json:"consentType"`
	PIICategory          []string `json:"piiCategory"`
	PrimaryPurpose       bool     `json:"primaryPurpose"`
	Termination          string   `json:"termination"`
	ThirdPartyDisclosure bool     `json:"thirdPartyDisclosure"`
	ThirdPartyName       string   `json:"thirdPartyName,omitempty"`
}

// receipt builds and signs the receipt of consent record c for purpose p.
func (g *Gate) receipt(c *jaga.Consent, p *jaga.Purpose) (*Receipt, error) {
	signer := g.keys.ConsentSigner()
	var spi []string
	for _, f := range g.schema.Fields {
		if f.Class.Specific() && p.Covers(f) {
			spi = append(spi, string(f.Class))
		}
	}
	pl := receiptPayload{
		Version: "KI-CR-v1.1.0", Jurisdiction: g.ctrl.Country, ConsentTimestamp: c.At.Unix(), CollectionMethod: string(c.Channel),
		ConsentReceiptID: fmt.Sprintf("rcpt_%d_%s", c.ID, strings.TrimPrefix(string(c.Subject), jaga.SubjectIDPrefix)[:12]),
		Language:         "id", PIIPrincipalID: c.Subject,
		PIIControllers: []receiptCtrl{{PIIController: g.ctrl.Name, Contact: g.ctrl.DPOContact, Address: g.ctrl.Address, Email: g.ctrl.Contact}},
		PolicyURL:      "urn:jaga:notice:" + c.NoticeVersion,
		Services: []receiptService{{Service: p.NameEN, Purposes: []receiptPurpose{{
			Purpose: p.ID, PurposeCategory: []string{p.DPV}, ConsentType: "EXPLICIT", PIICategory: p.Fields,
			Termination:          fmt.Sprintf("withdrawal, or %d days of retention", p.RetentionDays),
			ThirdPartyDisclosure: len(p.Recipients) > 0, ThirdPartyName: strings.Join(p.Recipients, ", "),
		}}}},
		Sensitive: len(spi) > 0, SPICat: spi,
		SchemaVersion: "ISO/IEC TS 27560:2023", RecordID: c.ID, Purpose: p.ID, LawfulBasis: p.Basis, DPV: p.DPV,
		Status: c.Status, Flag: c.Flag, Counts: c.Counts(), Notice: c.NoticeVersion,
		TimeUTC: c.At.UTC().Format("2006-01-02T15:04:05Z"), TimeLocal: c.Local().Format("2006-01-02T15:04:05-07:00"),
		Evidence: c.Evidence, Details: c.ConsentDetails, RecordedAt: c.RecordedAt.UTC().Format("2006-01-02T15:04:05Z"),
	}
	if n, ok := g.Notice(c.NoticeVersion); ok {
		pl.NoticeHash = n.TextHash
	}
	if pl.SPICat == nil {
		pl.SPICat = []string{}
	}
	payload, err := json.Marshal(pl)
	if err != nil {
		return nil, fmt.Errorf("receipt: %w", err)
	}
	header, _ := json.Marshal(map[string]string{"alg": "EdDSA", "kid": signer.KeyID(), "typ": "JWT"})
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sig := signer.Sign([]byte(input))
	r := &Receipt{JWS: input + "." + base64.RawURLEncoding.EncodeToString(sig), KeyID: signer.KeyID(), Payload: payload}
	r.SummaryID, r.SummaryEN = receiptSummary(c, p)
	return r, nil
}

var bulan = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}

var channelText = map[jaga.Channel][2]string{
	jaga.ChannelWebForm: {"formulir web", "web form"}, jaga.ChannelEmailSignup: {"pendaftaran e-mail", "e-mail sign-up"},
	jaga.ChannelAPI: {"aplikasi", "application"}, jaga.ChannelExhibition: {"pameran", "exhibition"},
	jaga.ChannelDoorToDoor: {"kunjungan dari rumah ke rumah", "door-to-door visit"}, jaga.ChannelStoreVisit: {"kunjungan toko", "store visit"},
	jaga.ChannelImport: {"impor data", "data import"},
}

var statusText = map[jaga.ConsentStatus][2]string{
	jaga.ConsentGiven: {"DIBERIKAN", "GIVEN"}, jaga.ConsentRefused: {"DITOLAK", "REFUSED"},
	jaga.ConsentWithdrawn: {"DITARIK", "WITHDRAWN"}, jaga.ConsentExpired: {"KEDALUWARSA", "EXPIRED"},
}

// receiptSummary writes the readable summaries of a receipt.
func receiptSummary(c *jaga.Consent, p *jaga.Purpose) (id, en string) {
	l := c.Local()
	zone := c.Zone
	if zone == "" {
		zone = "UTC"
	}
	st, ch := statusText[c.Status], channelText[c.Channel]
	id = fmt.Sprintf("Persetujuan Anda untuk tujuan \"%s\" (%s) tercatat %s pada %d %s %d pukul %02d.%02d %s melalui %s",
		p.NameID, p.ID, st[0], l.Day(), bulan[l.Month()-1], l.Year(), l.Hour(), l.Minute(), zone, ch[0])
	en = fmt.Sprintf("Your consent to the purpose \"%s\" (%s) was recorded as %s on %s at %s %s through a %s",
		p.NameEN, p.ID, st[1], l.Format("2 January 2006"), l.Format("15:04"), zone, ch[1])
	if c.NoticeVersion != "" {
		id += ", berdasarkan pemberitahuan privasi " + c.NoticeVersion
		en += ", under privacy notice " + c.NoticeVersion
	}
	id += ". Data yang digunakan: " + fieldList(p, 0) + "."
	en += ". Data used: " + fieldList(p, 1) + "."
	if c.Flag != "" {
		id += " Persetujuan ini TIDAK BERLAKU (" + c.Flag + ")."
		en += " This consent DOES NOT COUNT (" + c.Flag + ")."
	}
	id += " Anda dapat menarik persetujuan kapan saja; pemrosesan berhenti paling lambat 3×24 jam."
	en += " You can withdraw consent at any time; processing stops within 3×24 hours."
	return id, en
}

// JWK is one public key of a JSON Web Key Set (RFC 7517) for an Ed25519 key (RFC 8037:
// kty OKP, crv Ed25519, x the public key in base64url).
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
}

// JWKS returns the key set that verifies consent receipts (published at /v1/keys).
func (g *Gate) JWKS() []JWK {
	s := g.keys.ConsentSigner()
	return []JWK{{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(s.PublicKey()), Kid: s.KeyID(), Use: "sig", Alg: "EdDSA"}}
}

// Receipt returns a signed receipt for the consent in force for (subject, purpose), for
// the subject's proof. Errors: as Read for the request; ENOTFOUND for an unknown
// subject or purpose or no record.
func (g *Gate) Receipt(ctx context.Context, req Request, subject jaga.SubjectID, purpose string) (*Receipt, error) {
	if _, err := g.checkRequest(req); err != nil {
		return nil, g.refuse(ctx, req, ActionReadReceipt, []jaga.SubjectID{subject}, nil, err)
	}
	p, ok := g.Purpose(purpose)
	if !ok {
		return nil, jaga.Errorf(jaga.ENOTFOUND, "unknown purpose")
	}
	var c *jaga.Consent
	err := g.execRead(ctx, func(ctx context.Context, tx jaga.Tx) ([]*jaga.AuditEvent, error) {
		ev := g.event(req, ActionReadReceipt, []jaga.SubjectID{subject})
		var err error
		if c, err = tx.CurrentConsent(ctx, subject, p.ID); err != nil {
			return nil, err
		}
		ev.Decision = string(jaga.Allow)
		if c == nil {
			ev.Decision = "error:" + jaga.ENOTFOUND
		}
		return []*jaga.AuditEvent{ev}, nil
	})
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, jaga.Errorf(jaga.ENOTFOUND, "no consent record for purpose %s", p.ID)
	}
	return g.receipt(c, p)
}
