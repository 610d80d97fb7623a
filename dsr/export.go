package dsr

import (
	"context"
	_ "embed"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"jaga"
	"jaga/gate"
)

// ExportSchemaID is the $id of the published JSON Schema of a subject's export,
// served by the portal at /privasi/schema/export-v1.json.
const ExportSchemaID = "urn:jaga:schema:export:v1"

// ExportSchema is the JSON Schema (draft 2020-12) every Export validates against.
//
//go:embed export.schema.json
var ExportSchema []byte

// Export is a subject's data as they may take it elsewhere (UU PDP Art 13, R-23) and
// see how it was used (Art 32(1), R-16): every field, the purchases, the consent
// records and the processing history. Other people's data is left out (Art 33, R-17):
// history events name only this subject.
type Export struct {
	Schema      string            `json:"$schema"`
	Subject     jaga.SubjectID    `json:"subject"`
	GeneratedAt time.Time         `json:"generated_at"`
	Fields      map[string]string `json:"fields"`
	Channel     jaga.Channel      `json:"channel"`
	CollectedAt time.Time         `json:"collected_at"`
	Purchases   []gate.Purchase   `json:"purchases"`
	Consents    []ExportConsent   `json:"consents"`
	History     []HistoryEvent    `json:"access_history"`
	Requests    []ExportRequest   `json:"requests"`
}

// ExportConsent is one consent record in an export.
type ExportConsent struct {
	Purpose       string             `json:"purpose"`
	Status        jaga.ConsentStatus `json:"status"`
	NoticeVersion string             `json:"notice_version,omitempty"`
	Channel       jaga.Channel       `json:"channel"`
	At            time.Time          `json:"at"`
}

// HistoryEvent is one use of the subject's data: when, by which staff role (never the
// person, R-29), what (action), why (purpose) and the decision, with the fields used.
type HistoryEvent struct {
	Seq      int64     `json:"seq"`
	Time     time.Time `json:"time"`
	Role     jaga.Role `json:"role"`
	Action   string    `json:"action"`
	Purpose  string    `json:"purpose,omitempty"`
	Decision string    `json:"decision"`
	Fields   []string  `json:"fields,omitempty"`
	// Job: one of Jaga's own jobs acted (gate.AccessEntry.Job); for the portal's
	// words, not part of the export.
	Job bool `json:"-"`
}

// ExportRequest is one of the subject's requests in an export.
type ExportRequest struct {
	ID         string         `json:"id"`
	Type       jaga.DSRType   `json:"type"`
	Status     jaga.DSRStatus `json:"status"`
	ReceivedAt time.Time      `json:"received_at"`
	DueAt      time.Time      `json:"due_at"`
	Outcome    string         `json:"outcome,omitempty"`
}

// History returns the processing history of subject, oldest first, as actor (the
// subject themself or DPO staff) under purpose dsr, reading at most 5,000 events.
func (d *Desk) History(ctx context.Context, actor *jaga.Actor, subject jaga.SubjectID) ([]HistoryEvent, error) {
	var out []HistoryEvent
	var after int64
	for len(out) < 5000 {
		h, err := d.cfg.Vault.AccessHistory(ctx, gate.AccessHistoryRequest{Request: gate.Request{Actor: actor, Purpose: jaga.PurposeDSR},
			Subject: subject, After: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, e := range h.Entries {
			if e.Action == jaga.ActionReadAudit && e.Role == jaga.RoleSubject {
				continue // the subject looking at their own history
			}
			out = append(out, HistoryEvent{Seq: e.Seq, Time: e.Time.UTC(), Role: e.Role, Job: e.Job, Action: e.Action,
				Purpose: e.Purpose, Decision: e.Decision, Fields: e.Fields})
		}
		if len(h.Entries) < 1000 {
			break
		}
		after = h.NextAfter
	}
	return out, nil
}

// Export builds subject's export as actor under purpose dsr: every read goes through
// the gate and is audited. Before it is returned, its JSON form passes the gate's export
// guard: identifiers of kinds its fields do not declare block it with EFORBIDDEN, reason
// undeclared_identifier (issue 8, R-33). Export is for showing the data on a page; an
// export that leaves as a file is ExportFile.
func (d *Desk) Export(ctx context.Context, actor *jaga.Actor, subject jaga.SubjectID) (*Export, error) {
	ex, err := d.collect(ctx, actor, subject)
	if err != nil {
		return nil, err
	}
	return ex, d.guard(ctx, actor, "dsr_export", ex, "")
}

// ExportFile is Export for a download in format ("json", "csv"; snake_case) under the
// access and portability rights (UU PDP Art 7, 13; ): after the guard, one
// audit event with action export naming the subject, the fields and purpose dsr (never
// a value) is committed before the export is returned, so before the file is written.
// Errors: as Export.
func (d *Desk) ExportFile(ctx context.Context, actor *jaga.Actor, subject jaga.SubjectID, format string) (*Export, error) {
	if format == "" {
		return nil, jaga.Errorf(jaga.EINTERNAL, "an export file needs a format")
	}
	ex, err := d.collect(ctx, actor, subject)
	if err != nil {
		return nil, err
	}
	if err := d.guard(ctx, actor, "dsr_export", ex, format); err != nil {
		return nil, err
	}
	return ex, nil
}

// collect reads everything an export holds, through the gate as actor under purpose
// dsr, without the export guard.
func (d *Desk) collect(ctx context.Context, actor *jaga.Actor, subject jaga.SubjectID) (*Export, error) {
	req := gate.Request{Actor: actor, Purpose: jaga.PurposeDSR}
	rec, err := d.cfg.Vault.Read(ctx, gate.ReadRequest{Request: req, Subject: subject})
	if err != nil {
		return nil, err
	}
	ex := &Export{Schema: ExportSchemaID, Subject: subject, GeneratedAt: d.now(), Fields: rec.Values, Channel: rec.Channel,
		CollectedAt: rec.CollectedAt.UTC(), Purchases: []gate.Purchase{}, Consents: []ExportConsent{}, Requests: []ExportRequest{}}
	if ex.Purchases, err = d.cfg.Vault.Purchases(ctx, gate.ReadRequest{Request: req, Subject: subject}); err != nil && jaga.ErrorCode(err) != jaga.EFORBIDDEN {
		return nil, err
	}
	if ex.Purchases == nil {
		ex.Purchases = []gate.Purchase{}
	}
	cs, err := d.cfg.Vault.Consents(ctx, req, subject)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		ex.Consents = append(ex.Consents, ExportConsent{Purpose: c.Purpose, Status: c.Status, NoticeVersion: c.NoticeVersion, Channel: c.Channel, At: c.At.UTC()})
	}
	if ex.History, err = d.History(ctx, actor, subject); err != nil {
		return nil, err
	}
	if ex.History == nil {
		ex.History = []HistoryEvent{}
	}
	rs, err := d.List(ctx, jaga.DSRFilter{Subject: subject, Limit: 1000})
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		ex.Requests = append(ex.Requests, ExportRequest{ID: r.ID, Type: r.Type, Status: r.Status, ReceivedAt: r.ReceivedAt, DueAt: r.DueAt, Outcome: r.Outcome})
	}
	return ex, nil
}

// guard runs the export guard over ex as actor, the export named name (its audit); file
// is the download's format, empty when the export is only shown (ExportGuard.File).
func (d *Desk) guard(ctx context.Context, actor *jaga.Actor, name string, ex *Export, file string) error {
	req := gate.Request{Actor: actor, Purpose: jaga.PurposeDSR}
	// The data-loss guard: the serialised export may hold identifiers only of the
	// kinds its fields declare (the subject's own e-mail, phone, NIK); another person's
	// NIK or an NPWP typed into a free-text field stops it, audited.
	body, err := json.Marshal(ex)
	if err != nil {
		return err
	}
	return d.cfg.Vault.GuardExport(ctx, gate.ExportGuard{Request: req, Name: name, Subjects: []jaga.SubjectID{ex.Subject},
		Fields: slices.Sorted(maps.Keys(ex.Fields)), Body: body, File: file})
}

// Timeline is a request's full record for a regulator: the request and every audit
// event of it in order, with sequence numbers and hashes that tie each to the
// hash-chained (later Merkle) log.
type Timeline struct {
	Request *jaga.DSR          `json:"request"`
	Events  []*jaga.AuditEvent `json:"events"`
}

// Timeline returns request id's timeline, read from the audit log as actor (dpo or
// auditor, purpose security). Errors: ENOTFOUND, EFORBIDDEN for other roles.
func (d *Desk) Timeline(ctx context.Context, actor *jaga.Actor, id string) (*Timeline, error) {
	r, err := d.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	t := &Timeline{Request: r, Events: []*jaga.AuditEvent{}}
	var after int64
	for {
		evs, err := d.cfg.Vault.AuditLog(ctx, gate.Request{Actor: actor, Purpose: jaga.PurposeSecurity, RequestID: id},
			jaga.AuditFilter{Subject: r.Subject, AfterSeq: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if e.RequestID == id {
				t.Events = append(t.Events, e)
			}
		}
		if len(evs) < 1000 {
			break
		}
		after = evs[len(evs)-1].Seq
	}
	slices.SortFunc(t.Events, func(a, b *jaga.AuditEvent) int { return int(a.Seq - b.Seq) })
	return t, nil
}
