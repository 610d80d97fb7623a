// Package dsr is the request desk: the one register of data-subject requests (UU PDP
// Art 14, R-15) from every channel — the privacy portal, e-mail, phone, the store
// counter — with their clocks (3×24 h where the law sets it, the company's own target
// where it does not), refusals with an Art 15 / Art 33 reason code and DPO approval
// fulfilment through the gate (R-16 … R-23), completion notices (R-18,
// R-20) and a per-request timeline built from the audit log for a regulator.
//
// Every step is one audit event written by the gate in the same transaction as the
// register change (gate.DSRStep), carrying the request ID. dsr imports the root package,
// gate and the standard library; it never imports seal or a store.
package dsr

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"jaga"
	"jaga/gate"
)

// Statutory is the deadline the law sets: 3×24 h = 72 clock hours from receipt.
const Statutory = 72 * time.Hour

// statutoryTypes are the request types with a deadline in the law: access (Art 32(2),
// R-16), correction (Art 30(1)-(2), R-18), withdrawal (Art 40(2), R-10) and restriction
// (Art 41(1), R-21). Erasure, objection and portability have none (UU-PDP.md deadline
// table, UNCONFIRMED): the company's target applies.
var statutoryTypes = []jaga.DSRType{jaga.DSRAccess, jaga.DSRRectify, jaga.DSRWithdraw, jaga.DSRRestrict}

// IdentityFields are the fields whose correction needs a second approver (UU PDP Arts
// 66, 68; R-34).
var IdentityFields = []string{"full_name", "nik", "birth_date", "email", "phone", "gender"}

// Notice is the completion notice a customer gets: which request, what was
// done and when, and any data kept with its basis. It holds no personal value.
type Notice struct {
	RequestID string
	Type      jaga.DSRType
	Status    jaga.DSRStatus
	Outcome   string
	At        time.Time
}

// Contact is where a notice goes: the e-mail address and phone number Jaga held when
// the request was made.
type Contact struct {
	Email jaga.Redacted
	Phone jaga.Redacted
}

// Notifier delivers completion notices (package notify over SMTP or an SMS provider).
type Notifier interface {
	Notify(ctx context.Context, to Contact, n Notice) error
}

// Alert names a request whose clock is about to run out or has (R-16: DPO alerts).
type Alert struct {
	Request *jaga.DSR
	Overdue bool
}

// Config configures a Desk. Vault is required.
type Config struct {
	Vault Vault
	// Clock gives the time; default jaga.SystemClock.
	Clock jaga.Clock
	// Targets are the company's own deadlines for types the law sets none for (erase,
	// object, port); default 72 h each (R-19: internal SLA).
	Targets map[jaga.DSRType]time.Duration
	// RetentionFloor is the minimum retention (R-42, UNCONFIRMED in law); zero means
	// none. Inside it an erasure becomes a restriction plus a deletion scheduled at the
	// end of the floor, and the customer is told so.
	RetentionFloor time.Duration
	// Notifier sends completion notices; nil records the notice as not sent.
	Notifier Notifier
	// Alert receives requests due within 24 h or overdue when CheckDeadlines runs.
	Alert func(ctx context.Context, alerts []Alert)
}

// Desk is the request desk. It is safe for concurrent use.
type Desk struct {
	cfg Config
}

// New returns a desk for cfg.
func New(cfg Config) (*Desk, error) {
	if cfg.Vault == nil {
		return nil, fmt.Errorf("dsr: Config.Vault is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = jaga.SystemClock{}
	}
	if cfg.RetentionFloor < 0 {
		return nil, jaga.FieldError("retention_floor", "must not be negative")
	}
	t := map[jaga.DSRType]time.Duration{jaga.DSRErase: Statutory, jaga.DSRObject: Statutory, jaga.DSRPort: Statutory}
	for k, v := range cfg.Targets {
		if slices.Contains(statutoryTypes, k) {
			return nil, jaga.FieldError("targets", "%s has a statutory deadline of 72 h; only erase, object and port take a company target", k)
		}
		if v <= 0 {
			return nil, jaga.FieldError("targets", "target for %s must be positive", k)
		}
		t[k] = v
	}
	cfg.Targets = t
	return &Desk{cfg: cfg}, nil
}

func (d *Desk) now() time.Time { return d.cfg.Clock.Now().UTC().Truncate(time.Microsecond) }

// Deadline returns how long the controller has for a request of type t and whether the
// law sets it (true) or the company's target does (false).
func (d *Desk) Deadline(t jaga.DSRType) (time.Duration, bool) {
	if slices.Contains(statutoryTypes, t) {
		return Statutory, true
	}
	return d.cfg.Targets[t], false
}

// Submission is a new request as received. Values are the personal parameters (the
// new values of a correction); Detail the non-personal ones ("purpose" for withdraw
// and object, "fields" filled in from Values). ReceivedAt zero means now; a request
// entered later by staff (a letter, a counter form) gives its real receipt time.
type Submission struct {
	Subject    jaga.SubjectID
	Type       jaga.DSRType
	Channel    jaga.DSRChannel
	ReceivedAt time.Time
	Detail     map[string]string
	Values     map[string]string
}

func newID() (string, error) {
	u, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	return "dsr_" + strings.ReplaceAll(u.String(), "-", ""), nil
}

// ValidID reports whether id has the shape of a request ID: "dsr_" and 32 hex digits.
func ValidID(id string) bool {
	if !strings.HasPrefix(id, "dsr_") || len(id) != 36 {
		return false
	}
	for _, c := range id[4:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func request(actor *jaga.Actor, id string) gate.Request {
	return gate.Request{Actor: actor, Purpose: jaga.PurposeDSR, RequestID: id}
}

// Submit registers a request: it gets an ID, its receipt and due time and status
// received; the address the completion notice will go to is copied into the request
// sealed under a per-request key, together with any correction values. Errors:
// EUNPROCESSABLE naming the field for a bad type, channel, purpose or correction (one
// that empties full_name, or the subject's last of email, phone and nik:
// gate.RemovesLastIdentifier); as the gate for the actor and subject (ENOTFOUND for an
// unknown or erased subject).
func (d *Desk) Submit(ctx context.Context, actor *jaga.Actor, s Submission) (*jaga.DSR, error) {
	if !s.Type.Valid() {
		return nil, jaga.FieldError("type", "type must be one of access, rectify, erase, withdraw, restrict, object, port")
	}
	if !s.Channel.Valid() {
		return nil, jaga.FieldError("channel", "channel must be one of portal, email, phone, store_counter, api")
	}
	now := d.now()
	if s.ReceivedAt.IsZero() {
		s.ReceivedAt = now
	}
	s.ReceivedAt = s.ReceivedAt.UTC().Truncate(time.Microsecond)
	if s.ReceivedAt.After(now.Add(time.Minute)) {
		return nil, jaga.FieldError("received_at", "receipt time is in the future")
	}
	if s.ReceivedAt.Before(jaga.EarliestRecordTime) {
		return nil, jaga.FieldError("received_at", "the receipt time is before 1970-01-01T00:00:00Z")
	}
	detail := map[string]string{}
	switch s.Type {
	case jaga.DSRWithdraw, jaga.DSRObject:
		p := s.Detail["purpose"]
		if p == "" && s.Type == jaga.DSRObject {
			p = jaga.PurposeCrossSelling // profiling and propensity scoring
		}
		if !jaga.ValidName(p) {
			return nil, jaga.FieldError("purpose", "a %s request names the purpose", s.Type)
		}
		detail["purpose"] = p
	case jaga.DSRRectify:
		if len(s.Values) == 0 {
			return nil, jaga.FieldError("values", "a correction names at least one field and its new value")
		}
		var names []string
		for name, v := range s.Values {
			if _, ok := d.cfg.Vault.Schema().Field(name); !ok {
				return nil, jaga.FieldError(name, "unknown field")
			}
			if len(v) > 1000 {
				return nil, jaga.FieldError(name, "value is longer than 1000 bytes")
			}
			if err := d.cfg.Vault.CheckValue(name, v); err != nil {
				// A value an update would refuse: the correction could never be applied.
				return nil, err
			}
			if name == "full_name" && strings.TrimSpace(v) == "" {
				// The gate refuses to remove a name (it is corrected, not removed), so
				// such a request could never be fulfilled: say so now.
				return nil, jaga.FieldError(name, "a correction gives the new name; removing a name is not a correction (ask for erasure)")
			}
			names = append(names, name)
		}
		slices.Sort(names)
		detail["fields"] = strings.Join(names, ",")
	}
	id, err := newID()
	if err != nil {
		return nil, err
	}
	due, statutory := d.Deadline(s.Type)
	r := &jaga.DSR{ID: id, Subject: s.Subject, Type: s.Type, Channel: s.Channel, Status: jaga.DSRReceived, Statutory: statutory,
		ReceivedAt: s.ReceivedAt, DueAt: s.ReceivedAt.Add(due), Detail: detail}
	if actor.Kind != jaga.ActorSubject {
		r.Handler = actor.ID
	}
	req := request(actor, id)
	emptiesIdentifier := s.Type == jaga.DSRRectify && slices.ContainsFunc(gate.Identifiers, func(f string) bool {
		v, ok := s.Values[f]
		return ok && strings.TrimSpace(v) == ""
	})
	if emptiesIdentifier {
		// The gate would refuse to apply it if it left the subject no identifier, and the
		// request would go overdue: say so now (emptying them all is erasure). The gate
		// checks which fields the subject holds without reading them, so a role denied
		// nik can still register the correction.
		if err := d.cfg.Vault.CheckKeepsIdentifier(ctx, req, s.Subject, s.Values); err != nil {
			return nil, err
		}
	}
	// The notice address, read through the gate (audited) while the subject exists.
	rec, err := d.cfg.Vault.Read(ctx, gate.ReadRequest{Request: req, Subject: s.Subject, Fields: []string{"email", "phone"}})
	if err != nil {
		return nil, err
	}
	sealed := map[string]string{"@email": rec.Values["email"], "@phone": rec.Values["phone"]}
	for k, v := range s.Values {
		sealed[k] = v
	}
	if r.Sealed, r.SealedKey, err = d.cfg.Vault.SealRequestData(id, sealed); err != nil {
		return nil, err
	}
	err = d.cfg.Vault.Step(ctx, req, s.Subject, gate.ActionDSRStep, "received "+string(s.Type)+" via "+string(s.Channel),
		func(ctx context.Context, tx jaga.Tx) error { return tx.InsertDSR(ctx, r) })
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Get returns one request. Errors: ENOTFOUND.
func (d *Desk) Get(ctx context.Context, id string) (*jaga.DSR, error) {
	if !ValidID(id) {
		return nil, jaga.Errorf(jaga.ENOTFOUND, "request not found")
	}
	var r *jaga.DSR
	err := d.cfg.Vault.View(ctx, func(tx jaga.Tx) (err error) { r, err = tx.DSR(ctx, id); return err })
	return r, err
}

// List returns the requests matching f, by due time.
func (d *Desk) List(ctx context.Context, f jaga.DSRFilter) ([]*jaga.DSR, error) {
	var out []*jaga.DSR
	err := d.cfg.Vault.View(ctx, func(tx jaga.Tx) (err error) { out, err = tx.DSRs(ctx, f); return err })
	return out, err
}

// Overdue returns the open requests whose due time has passed.
func (d *Desk) Overdue(ctx context.Context) ([]*jaga.DSR, error) {
	return d.List(ctx, jaga.DSRFilter{Open: true, DueBefore: d.now(), Limit: 1000})
}

// DueSoon returns the open requests due within the next 24 h (not yet overdue).
func (d *Desk) DueSoon(ctx context.Context) ([]*jaga.DSR, error) {
	now := d.now()
	all, err := d.List(ctx, jaga.DSRFilter{Open: true, DueBefore: now.Add(24 * time.Hour), Limit: 1000})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(r *jaga.DSR) bool { return r.DueAt.Before(now) }), nil
}

// CheckDeadlines passes every overdue and due-within-24-h request to Config.Alert (R-16:
// the DPO is alerted before and at the deadline) and returns them.
func (d *Desk) CheckDeadlines(ctx context.Context) ([]Alert, error) {
	over, err := d.Overdue(ctx)
	if err != nil {
		return nil, err
	}
	soon, err := d.DueSoon(ctx)
	if err != nil {
		return nil, err
	}
	var alerts []Alert
	for _, r := range over {
		alerts = append(alerts, Alert{Request: r, Overdue: true})
	}
	for _, r := range soon {
		alerts = append(alerts, Alert{Request: r})
	}
	if len(alerts) > 0 && d.cfg.Alert != nil {
		d.cfg.Alert(ctx, alerts)
	}
	return alerts, nil
}
