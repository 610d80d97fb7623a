package dsr_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"jaga"
	"jaga/dsr"
	"jaga/gate"
	"jaga/internal/vaulttest"
	"jaga/sqlstore/sqlite"
)

var ctx = context.Background()

// clock is a settable jaga.Clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// notices records delivered notices.
type notices struct {
	mu   sync.Mutex
	sent []dsr.Notice
	to   []dsr.Contact
	fail bool
}

func (n *notices) Notify(_ context.Context, to dsr.Contact, no dsr.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail {
		return jaga.Errorf(jaga.EINTERNAL, "mail server down")
	}
	n.sent, n.to = append(n.sent, no), append(n.to, to)
	return nil
}

type env struct {
	g      *gate.Gate
	store  *sqlite.DB
	desk   *dsr.Desk
	clock  *clock
	notes  *notices
	dpo    *jaga.Actor
	dpo2   *jaga.Actor
	staff  *jaga.Actor
	alerts [][]dsr.Alert
}

var wib = jaga.WIB

func mustEnv(t *testing.T, cfg dsr.Config) *env {
	t.Helper()
	c := &clock{t: time.Date(2025, 3, 10, 23, 30, 0, 0, wib)}
	v := vaulttest.New(t, vaulttest.Options{Gate: gate.Config{Clock: c}})
	g, st := v.Gate, v.Store
	e := &env{g: g, store: st, clock: c, notes: &notices{},
		dpo:   &jaga.Actor{ID: "act_dpo1", Kind: jaga.ActorStaff, Role: jaga.RoleDPO},
		dpo2:  &jaga.Actor{ID: "act_dpo2", Kind: jaga.ActorStaff, Role: jaga.RoleDPO},
		staff: &jaga.Actor{ID: "act_support", Kind: jaga.ActorStaff, Role: jaga.RoleSupport}}
	cfg.Vault, cfg.Clock, cfg.Notifier = dsr.GateVault{Gate: g, Store: st}, c, e.notes
	cfg.Alert = func(_ context.Context, a []dsr.Alert) { e.alerts = append(e.alerts, a) }
	var err error
	if e.desk, err = dsr.New(cfg); err != nil {
		t.Fatal(err)
	}
	return e
}

const (
	sitiEmail = "siti.rahayu@example.co.id"
	sitiPhone = "+6281234567890"
)

func (e *env) mustSubject(t *testing.T) jaga.SubjectID {
	t.Helper()
	id, err := e.g.Create(ctx, gate.CreateRequest{
		Request:  gate.Request{Actor: &jaga.Actor{ID: "act_svc", Kind: jaga.ActorService, Role: jaga.RoleService}, Purpose: jaga.PurposeServiceProvision},
		Values:   map[string]string{"full_name": "Siti Rahayu", "email": sitiEmail, "phone": sitiPhone, "nik": "3273015501900019"},
		Channel:  jaga.ChannelWebForm,
		Consents: []gate.ConsentInput{{Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentGiven, NoticeVersion: "notice-2025-01"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) mustSubmit(t *testing.T, s dsr.Submission) *jaga.DSR {
	t.Helper()
	r, err := e.desk.Submit(ctx, e.dpo, s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := jaga.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// TestDeadlines: a request received at 23:30 WIB is due 72 h later to the minute;
// erasure takes the company target; overdue and due-soon lists and the alert hook.
func TestDeadlines(t *testing.T) {
	e := mustEnv(t, dsr.Config{Targets: map[jaga.DSRType]time.Duration{jaga.DSRErase: 48 * time.Hour}})
	sub := e.mustSubject(t)
	received := time.Date(2025, 3, 10, 23, 30, 0, 0, wib)
	access := e.mustSubmit(t, dsr.Submission{Subject: sub, Type: jaga.DSRAccess, Channel: jaga.DSRChannelStoreCounter, ReceivedAt: received})
	if want := time.Date(2025, 3, 13, 23, 30, 0, 0, wib); !access.DueAt.Equal(want) || !access.Statutory {
		t.Fatalf("access due %s statutory %v, want %s (72 h after 23:30 WIB)", access.DueAt.In(wib), access.Statutory, want)
	}
	if got := access.DueAt.In(wib).Format("2006-01-02 15:04"); got != "2025-03-13 23:30" {
		t.Fatalf("due %s", got)
	}
	erase := e.mustSubmit(t, dsr.Submission{Subject: sub, Type: jaga.DSRErase, Channel: jaga.DSRChannelEmail, ReceivedAt: received})
	if !erase.DueAt.Equal(received.Add(48*time.Hour)) || erase.Statutory {
		t.Fatalf("erase due %s statutory %v, want the company target of 48 h", erase.DueAt, erase.Statutory)
	}

	e.clock.Set(received.Add(47*time.Hour + 59*time.Minute))
	soon, err := e.desk.DueSoon(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(soon) != 1 || soon[0].ID != erase.ID {
		t.Fatalf("due within 24 h: %+v, want the erasure only (due in 1 minute; access is due in 24 h 1 min)", soon)
	}
	e.clock.Set(received.Add(48*time.Hour + time.Minute))
	over, err := e.desk.Overdue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(over) != 1 || over[0].ID != erase.ID {
		t.Fatalf("overdue %+v, want the erasure only", over)
	}
	if soon, _ = e.desk.DueSoon(ctx); len(soon) != 1 || soon[0].ID != access.ID {
		t.Fatalf("due within 24 h at 48 h 1 min: %+v, want the access request", soon)
	}
	e.clock.Set(received.Add(72*time.Hour + time.Minute))
	alerts, err := e.desk.CheckDeadlines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 2 || !alerts[0].Overdue || !alerts[1].Overdue || len(e.alerts) != 1 {
		t.Fatalf("alerts %+v (hook calls %d)", alerts, len(e.alerts))
	}
	e.clock.Set(received.Add(72*time.Hour - time.Minute))
	if over, _ = e.desk.Overdue(ctx); len(over) != 1 {
		t.Fatalf("a minute before 72 h the access request is not overdue: %d", len(over))
	}
	if _, err := e.desk.Fulfil(ctx, e.dpo, access.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(received.Add(100 * time.Hour))
	if over, _ = e.desk.Overdue(ctx); len(over) != 1 || over[0].ID != erase.ID {
		t.Fatalf("a fulfilled request is not overdue: %+v", over)
	}
}

// TestRefusal: a refusal needs an Art 15 / Art 33 code that applies to the type and a
// DPO's approval; the customer is told.
func TestRefusal(t *testing.T) {
	e := mustEnv(t, dsr.Config{})
	sub := e.mustSubject(t)
	r := e.mustSubmit(t, dsr.Submission{Subject: sub, Type: jaga.DSRErase, Channel: jaga.DSRChannelPhone})
	_, err := e.desk.Refuse(ctx, e.dpo, r.ID, "because")
	wantCode(t, err, jaga.EUNPROCESSABLE)
	_, err = e.desk.Refuse(ctx, e.dpo, r.ID, "art33_other_person")
	wantCode(t, err, jaga.EUNPROCESSABLE) // Art 33 is about access
	if r, err = e.desk.Refuse(ctx, e.dpo, r.ID, "art15_law_enforcement"); err != nil || r.Status != jaga.DSRAwaitingApproval {
		t.Fatalf("refuse: %v %+v", err, r)
	}
	_, err = e.desk.Approve(ctx, e.staff, r.ID)
	if je := jaga.AsError(err); je == nil || je.Reason != "dpo_required" {
		t.Fatalf("approval by support: %v", err)
	}
	if r, err = e.desk.Approve(ctx, e.dpo2, r.ID); err != nil || r.Status != jaga.DSRRefused || r.Approver != "act_dpo2" {
		t.Fatalf("approve: %v %+v", err, r)
	}
	if len(e.notes.sent) != 1 || e.notes.sent[0].Status != jaga.DSRRefused || e.notes.to[0].Email.Value() != sitiEmail {
		t.Fatalf("notices %+v", e.notes.sent)
	}
	if _, err := e.desk.Fulfil(ctx, e.dpo, r.ID); jaga.ErrorCode(err) != jaga.ECONFLICT {
		t.Fatalf("fulfil a refused request: %v", err)
	}
}

// TestRectifyIdentity: a correction of an identity field needs a second approver,
// then applies; the notice follows.
func TestRectifyIdentity(t *testing.T) {
	e := mustEnv(t, dsr.Config{})
	sub := e.mustSubject(t)
	// A correction that would remove the name could never be fulfilled: refused at once.
	for _, v := range []string{"", "  "} {
		_, err := e.desk.Submit(ctx, e.dpo, dsr.Submission{Subject: sub, Type: jaga.DSRRectify, Channel: jaga.DSRChannelPortal,
			Values: map[string]string{"full_name": v}})
		if je := jaga.AsError(err); je == nil || je.Code != jaga.EUNPROCESSABLE || je.Field != "full_name" {
			t.Fatalf("correction to an empty name %q: %v", v, err)
		}
	}
	r := e.mustSubmit(t, dsr.Submission{Subject: sub, Type: jaga.DSRRectify, Channel: jaga.DSRChannelPortal,
		Values: map[string]string{"full_name": "Siti Rahayu Putri"}})
	if r.Detail["fields"] != "full_name" {
		t.Fatalf("detail %+v", r.Detail)
	}
	r, err := e.desk.Fulfil(ctx, e.dpo, r.ID)
	if err != nil || r.Status != jaga.DSRAwaitingApproval {
		t.Fatalf("fulfil: %v %+v", err, r)
	}
	_, err = e.desk.Approve(ctx, e.dpo, r.ID)
	if je := jaga.AsError(err); je == nil || je.Reason != "same_approver" {
		t.Fatalf("self-approval: %v", err)
	}
	if r, err = e.desk.Approve(ctx, e.dpo2, r.ID); err != nil || r.Status != jaga.DSRFulfilled {
		t.Fatalf("second approval: %v %+v", err, r)
	}
	rec, err := e.g.Read(ctx, gate.ReadRequest{Request: gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}, Subject: sub, Fields: []string{"full_name"}})
	if err != nil || rec.Values["full_name"] != "Siti Rahayu Putri" {
		t.Fatalf("after correction: %v %v", err, rec)
	}
	got, _ := e.desk.Get(ctx, r.ID)
	if got.SealedKey != nil || got.Sealed != nil || got.NoticeSentAt.IsZero() {
		t.Fatalf("request key not destroyed after the notice: %+v", got)
	}
}

// TestEraseTimeline: after an erasure is fulfilled, look-ups find nothing, the notice
// went to the address sealed in the request, its key is destroyed, and the timeline
// proves each step in order.
func TestEraseTimeline(t *testing.T) {
	e := mustEnv(t, dsr.Config{})
	sub := e.mustSubject(t)
	r := e.mustSubmit(t, dsr.Submission{Subject: sub, Type: jaga.DSRErase, Channel: jaga.DSRChannelEmail})
	e.clock.Set(e.clock.Now().Add(5 * time.Hour))
	if _, err := e.desk.Fulfil(ctx, e.dpo, r.ID); err != nil {
		t.Fatal(err)
	}
	_, err := e.g.Find(ctx, gate.FindRequest{Request: gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}, Field: "email", Value: jaga.Redact(sitiEmail)})
	wantCode(t, err, jaga.ENOTFOUND)
	if len(e.notes.to) != 1 || e.notes.to[0].Email.Value() != sitiEmail || !strings.Contains(e.notes.sent[0].Outcome, "crypto-shredded") {
		t.Fatalf("notice %+v", e.notes.sent)
	}
	got, _ := e.desk.Get(ctx, r.ID)
	if got.Status != jaga.DSRFulfilled || got.SealedKey != nil || got.Sealed != nil {
		t.Fatalf("request after erasure %+v", got)
	}
	tl, err := e.desk.Timeline(ctx, e.dpo, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, ev := range tl.Events {
		steps = append(steps, ev.Action+":"+ev.Reason)
		if ev.RequestID != r.ID || ev.Seq == 0 {
			t.Fatalf("event %+v", ev)
		}
	}
	want := []string{"read:", "dsr_step:received erase via email", "read_request_data:", "erase:", "dsr_step:fulfilled erase", "dsr_step:notice sent; request key destroyed"}
	if strings.Join(steps, "|") != strings.Join(want, "|") {
		t.Fatalf("timeline\n got %q\nwant %q", steps, want)
	}
	if !tl.Events[3].Time.Equal(e.clock.Now().UTC()) {
		t.Fatalf("erasure time %s", tl.Events[3].Time)
	}
	if _, err := e.desk.Timeline(ctx, e.staff, r.ID); jaga.ErrorCode(err) != jaga.EFORBIDDEN {
		t.Fatalf("timeline as support: %v", err)
	}
}

// TestEraseKept: a legal hold keeps the data and says which; the retention floor
// turns an erasure into a restriction and a scheduled deletion.
func TestEraseKept(t *testing.T) {
	t.Run("LegalHold", func(t *testing.T) {
		e := mustEnv(t, dsr.Config{})
		sub := e.mustSubject(t)
		if _, err := e.desk.PlaceHold(ctx, e.dpo, sub, "tax_records", "CASE-2025-7", time.Time{}); err != nil {
			t.Fatal(err)
		}
		r := e.mustSubmit(t, dsr.Submission{Subject: sub, Type: jaga.DSRErase, Channel: jaga.DSRChannelPortal})
		r, err := e.desk.Fulfil(ctx, e.dpo, r.ID)
		if err != nil || !strings.Contains(r.Outcome, "tax_records CASE-2025-7") {
			t.Fatalf("%v %+v", err, r)
		}
		_, err = e.g.Read(ctx, gate.ReadRequest{Request: gate.Request{Actor: &jaga.Actor{ID: "act_svc", Kind: jaga.ActorService, Role: jaga.RoleService}, Purpose: jaga.PurposeServiceProvision}, Subject: sub})
		if je := jaga.AsError(err); je == nil || je.Reason != "subject_restricted" {
			t.Fatalf("service_provision after erasure request: %v", err)
		}
	})
	t.Run("RetentionFloor", func(t *testing.T) {
		e := mustEnv(t, dsr.Config{RetentionFloor: 5 * 365 * 24 * time.Hour})
		sub := e.mustSubject(t)
		r := e.mustSubmit(t, dsr.Submission{Subject: sub, Type: jaga.DSRErase, Channel: jaga.DSRChannelPortal})
		r, err := e.desk.Fulfil(ctx, e.dpo, r.ID)
		if err != nil || r.Status != jaga.DSRScheduled || !strings.Contains(r.Outcome, "deletion scheduled") {
			t.Fatalf("%v %+v", err, r)
		}
		if len(e.notes.sent) != 1 || e.notes.sent[0].Status != jaga.DSRScheduled {
			t.Fatalf("the customer is told of the schedule: %+v", e.notes.sent)
		}
		if n, err := e.desk.RunScheduled(ctx, e.dpo); n != 0 || err != nil {
			t.Fatalf("before the floor: %d %v", n, err)
		}
		e.clock.Set(e.clock.Now().Add(5*365*24*time.Hour + time.Hour))
		if n, err := e.desk.RunScheduled(ctx, e.dpo); n != 1 || err != nil {
			t.Fatalf("after the floor: %d %v", n, err)
		}
		_, err = e.g.Read(ctx, gate.ReadRequest{Request: gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}, Subject: sub})
		wantCode(t, err, jaga.ENOTFOUND)
	})
}

// TestWithdrawRestrict: withdrawal records a withdrawn consent; restriction
// blocks every purpose but legal_obligation and dsr.
func TestWithdrawRestrict(t *testing.T) {
	e := mustEnv(t, dsr.Config{})
	sub := e.mustSubject(t)
	w := e.mustSubmit(t, dsr.Submission{Subject: sub, Type: jaga.DSRWithdraw, Channel: jaga.DSRChannelPortal, Detail: map[string]string{"purpose": jaga.PurposeCrossSelling}})
	if _, err := e.desk.Fulfil(ctx, e.dpo, w.ID); err != nil {
		t.Fatal(err)
	}
	mk := &jaga.Actor{ID: "act_mk", Kind: jaga.ActorStaff, Role: jaga.RoleMarketer}
	_, err := e.g.Read(ctx, gate.ReadRequest{Request: gate.Request{Actor: mk, Purpose: jaga.PurposeCrossSelling}, Subject: sub})
	if je := jaga.AsError(err); je == nil || je.Reason != "consent_withdrawn" {
		t.Fatalf("cross_selling after withdrawal: %v", err)
	}
	rs := e.mustSubmit(t, dsr.Submission{Subject: sub, Type: jaga.DSRRestrict, Channel: jaga.DSRChannelPhone})
	if _, err := e.desk.Fulfil(ctx, e.dpo, rs.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.g.Read(ctx, gate.ReadRequest{Request: gate.Request{Actor: &jaga.Actor{ID: "act_sup", Kind: jaga.ActorStaff, Role: jaga.RoleSupport}, Purpose: jaga.PurposeCustomerSupport}, Subject: sub})
	if je := jaga.AsError(err); je == nil || je.Reason != "subject_restricted" {
		t.Fatalf("customer_support after restriction: %v", err)
	}
	if _, err := e.g.Read(ctx, gate.ReadRequest{Request: gate.Request{Actor: jaga.SubjectActor(sub), Purpose: jaga.PurposeDSR}, Subject: sub}); err != nil {
		t.Fatalf("the subject still reads under dsr: %v", err)
	}
}

// TestNoticeRetry: a failed notice keeps the request key so that fulfilling again sends it.
func TestNoticeRetry(t *testing.T) {
	e := mustEnv(t, dsr.Config{})
	sub := e.mustSubject(t)
	r := e.mustSubmit(t, dsr.Submission{Subject: sub, Type: jaga.DSRErase, Channel: jaga.DSRChannelEmail})
	e.notes.fail = true
	if _, err := e.desk.Fulfil(ctx, e.dpo, r.ID); err == nil {
		t.Fatal("want the notice failure reported")
	}
	got, _ := e.desk.Get(ctx, r.ID)
	if got.Status != jaga.DSRFulfilled || got.SealedKey == nil {
		t.Fatalf("after a failed notice %+v", got)
	}
	e.notes.fail = false
	if _, err := e.desk.Fulfil(ctx, e.dpo, r.ID); err != nil {
		t.Fatal(err)
	}
	if len(e.notes.to) != 1 || e.notes.to[0].Email.Value() != sitiEmail {
		t.Fatalf("retried notice %+v", e.notes.to)
	}
}

// TestSubjectOwnData: a subject actor cannot submit for or read another subject.
func TestSubjectOwnData(t *testing.T) {
	e := mustEnv(t, dsr.Config{})
	a := e.mustSubject(t)
	b, err := e.g.Create(ctx, gate.CreateRequest{
		Request: gate.Request{Actor: &jaga.Actor{ID: "act_svc", Kind: jaga.ActorService, Role: jaga.RoleService}, Purpose: jaga.PurposeServiceProvision},
		Values:  map[string]string{"full_name": "Budi Santoso", "email": "budi@contoh.co.id"},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.desk.Submit(ctx, jaga.SubjectActor(a), dsr.Submission{Subject: b, Type: jaga.DSRErase, Channel: jaga.DSRChannelPortal})
	if je := jaga.AsError(err); je == nil || je.Reason != "not_own_data" {
		t.Fatalf("submit for another subject: %v", err)
	}
	if _, err := e.desk.Export(ctx, jaga.SubjectActor(a), b); jaga.ErrorCode(err) != jaga.EFORBIDDEN {
		t.Fatalf("export of another subject: %v", err)
	}
}

// TestRectifyLastIdentifier: a correction that would leave the subject with none of
// email, phone and nik is refused at submission (422 naming the last one), and one that
// would do so by the time it is applied is refused by the gate, storing nothing: the
// customer must stay findable and able to sign in to the portal; erasure removes all.
func TestRectifyLastIdentifier(t *testing.T) {
	e := mustEnv(t, dsr.Config{})
	sub := e.mustSubject(t)
	_, err := e.desk.Submit(ctx, e.dpo, dsr.Submission{Subject: sub, Type: jaga.DSRRectify, Channel: jaga.DSRChannelPortal,
		Values: map[string]string{"email": "", "phone": " ", "nik": ""}})
	if je := jaga.AsError(err); je == nil || je.Code != jaga.EUNPROCESSABLE || je.Field != "nik" || !strings.Contains(je.Message, "erasure") {
		t.Fatalf("correction emptying every identifier: %v", err)
	}
	r := e.mustSubmit(t, dsr.Submission{Subject: sub, Type: jaga.DSRRectify, Channel: jaga.DSRChannelPortal,
		Values: map[string]string{"email": "", "phone": ""}})
	// Meanwhile the NIK is removed (the e-mail and phone still identify her).
	dpo := gate.Request{Actor: e.dpo, Purpose: jaga.PurposeDSR}
	if err := e.g.Update(ctx, gate.UpdateRequest{Request: dpo, Subject: sub, Remove: []string{"nik"}}); err != nil {
		t.Fatal(err)
	}
	r, err = e.desk.Fulfil(ctx, e.dpo, r.ID)
	if err == nil && r.Status == jaga.DSRAwaitingApproval {
		_, err = e.desk.Approve(ctx, e.dpo2, r.ID)
	}
	if je := jaga.AsError(err); je == nil || je.Code != jaga.EUNPROCESSABLE || je.Field != "phone" {
		t.Fatalf("applying a correction that empties the last identifiers: %v", err)
	}
	rec, err := e.g.Read(ctx, gate.ReadRequest{Request: dpo, Subject: sub, Fields: []string{"email", "phone"}})
	if err != nil || rec.Values["email"] != sitiEmail || rec.Values["phone"] == "" {
		t.Fatalf("after the refused correction: %v %v", err, rec)
	}
}

// TestRectifyInvalidValue: a correction whose value an update would refuse (an e-mail
// with two @, a birth date of year 0001) is refused when the request is made, naming the
// field, instead of being registered and failing at approval.
func TestRectifyInvalidValue(t *testing.T) {
	e := mustEnv(t, dsr.Config{})
	sub := e.mustSubject(t)
	for field, v := range map[string]string{"email": "budi@@secret.org", "birth_date": "0001-01-01"} {
		_, err := e.desk.Submit(ctx, e.dpo, dsr.Submission{Subject: sub, Type: jaga.DSRRectify, Channel: jaga.DSRChannelPortal,
			Values: map[string]string{field: v}})
		if je := jaga.AsError(err); je == nil || je.Code != jaga.EUNPROCESSABLE || je.Field != field {
			t.Errorf("correction of %s: %v", field, err)
		}
	}
	if _, err := e.desk.Submit(ctx, e.dpo, dsr.Submission{Subject: sub, Type: jaga.DSRAccess, Channel: jaga.DSRChannelPortal,
		ReceivedAt: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)}); jaga.AsError(err) == nil || jaga.AsError(err).Field != "received_at" {
		t.Errorf("received 1969: %v", err)
	}
}
