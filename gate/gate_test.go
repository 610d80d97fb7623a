package gate_test

import (
	"context"
	"fmt"
	"hash/crc32"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"jaga"
	"jaga/auditlog"
	"jaga/gate"
	"jaga/internal/vaulttest"
	"jaga/seal"
	"jaga/sqlstore/sqlite"
)

// fixture is a real vault in a temporary directory: key files, a SQLite file, the
// default policy, and one actor per role.
type fixture struct {
	dir    string
	g      *gate.Gate
	store  *sqlite.DB
	keys   *seal.Keyring
	actors map[jaga.Role]*jaga.Actor
	// created counts MustCreate's subjects.
	created atomic.Int64
}

func MustFixture(tb testing.TB) *fixture {
	tb.Helper()
	return mustFixtureWith(tb, fixtureOptions{})
}

// fixtureOptions change MustFixture's vault: an injected clock (nil: the system's),
// and Bare for a registry without the demo's notices and assessments.
type fixtureOptions struct {
	Clock      jaga.Clock
	Bare       bool
	Controller gate.Controller
	// Audit sets the audit log's checkpoint interval, witnesses and index period.
	Audit auditlog.Config
}

func mustFixtureWith(tb testing.TB, o fixtureOptions) *fixture {
	tb.Helper()
	ctx := context.Background()
	v := vaulttest.New(tb, vaulttest.Options{Gate: gate.Config{Clock: o.Clock, Controller: o.Controller, Audit: o.Audit}, Bare: o.Bare})
	g := v.Gate
	f := &fixture{dir: v.Dir, g: g, store: v.Store, keys: v.Keys, actors: map[jaga.Role]*jaga.Actor{}}
	for _, r := range jaga.DefaultRoles {
		a, _, err := g.CreateActor(ctx, gate.Request{}, "test "+string(r), r)
		if err != nil {
			tb.Fatal(err)
		}
		f.actors[r] = a
	}
	return f
}

func (f *fixture) req(role jaga.Role, purpose string) gate.Request {
	return gate.Request{Actor: f.actors[role], Purpose: purpose}
}

// MustCreate stores a subject with consents to cross_selling as given (or refused).
// The fixture's first subject has NIK 3273055712859902 and phone 0812-3456-7890, each
// later one a NIK and phone of its own, since Create refuses a NIK, or a name and
// phone, stored already.
func (f *fixture) MustCreate(tb testing.TB, email string, crossSelling jaga.ConsentStatus) jaga.SubjectID {
	tb.Helper()
	nik, phone := "3273055712859902", "0812-3456-7890"
	if f.created.Add(1) > 1 {
		n := 1000 + crc32.ChecksumIEEE([]byte(email))%9000
		nik, phone = fmt.Sprintf("327305571285%04d", n), fmt.Sprintf("0812-%04d-7890", n)
	}
	id, err := f.g.Create(context.Background(), gate.CreateRequest{
		Request: f.req(jaga.RoleService, jaga.PurposeServiceProvision),
		Values: map[string]string{"full_name": "Rina Sari", "email": email, "phone": phone,
			"nik": nik, "domicile_city": "Kota Bandung", "education": "Graduation"},
		Channel:  jaga.ChannelStoreVisit,
		Consents: []gate.ConsentInput{{Purpose: jaga.PurposeCrossSelling, Status: crossSelling, Evidence: "FRM-TOKO-2024-0001"}},
	})
	if err != nil {
		tb.Fatalf("create: %v", err)
	}
	return id
}

func TestRead(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	yes := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	no := f.MustCreate(t, "budi@example.com", jaga.ConsentRefused)

	t.Run("SupportMasked", func(t *testing.T) {
		rec, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Subject: yes})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Values["phone"] != "+62 8•• •••• •890" || rec.Decisions["phone"] != "mask:last3" {
			t.Errorf("phone %q decision %q", rec.Values["phone"], rec.Decisions["phone"])
		}
		if rec.Values["email"] != "r•••@example.com" {
			t.Errorf("email %q", rec.Values["email"])
		}
		if _, ok := rec.Values["nik"]; ok {
			t.Errorf("support sees the NIK")
		}
		if rec.Values["full_name"] != "Rina Sari" {
			t.Errorf("full_name %q", rec.Values["full_name"])
		}
	})
	t.Run("RevealNeedsReason", func(t *testing.T) {
		r := gate.ReadRequest{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Subject: yes, Reveal: []string{"phone"}}
		if _, err := f.g.Read(ctx, r); jaga.AsError(err) == nil || jaga.AsError(err).Reason != "reason_required" {
			t.Fatalf("reveal without reason: %v", err)
		}
		r.Reason = "TICKET-42"
		rec, err := f.g.Read(ctx, r)
		if err != nil || rec.Values["phone"] != "+6281234567890" {
			t.Fatalf("reveal with reason: %v %q", err, rec.Values["phone"])
		}
	})
	t.Run("ErrRoleNotAllowed", func(t *testing.T) {
		_, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleMarketer, jaga.PurposeCustomerSupport), Subject: yes})
		if e := jaga.AsError(err); e == nil || e.Code != jaga.EFORBIDDEN || e.Reason != "role_not_allowed" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrNoPurpose", func(t *testing.T) {
		_, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleSupport, ""), Subject: yes})
		if jaga.ErrorCode(err) != jaga.EINVALID {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("CrossSellingConsented", func(t *testing.T) {
		rec, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleMarketer, jaga.PurposeCrossSelling), Subject: yes})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := rec.Values["email"]; ok {
			t.Errorf("marketer sees the e-mail")
		}
		if rec.Values["domicile_city"] != "Kota Bandung" || rec.Values["education"] != "Graduation" {
			t.Errorf("values %v", rec.Values)
		}
	})
	t.Run("ErrNoConsent", func(t *testing.T) {
		_, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleMarketer, jaga.PurposeCrossSelling), Subject: no})
		if e := jaga.AsError(err); e == nil || e.Reason != "no_consent" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrExplicitDeniedField", func(t *testing.T) {
		_, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleMarketer, jaga.PurposeCrossSelling), Subject: yes, Fields: []string{"email"}})
		if jaga.ErrorCode(err) != jaga.EFORBIDDEN {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrUnknownField", func(t *testing.T) {
		_, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Subject: yes, Fields: []string{"shoe_size"}})
		if e := jaga.AsError(err); e == nil || e.Code != jaga.EUNPROCESSABLE || e.Field != "shoe_size" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrRestricted", func(t *testing.T) {
		if err := f.store.Update(ctx, func(tx jaga.Tx) error { return tx.SetRestricted(ctx, yes, true) }); err != nil {
			t.Fatal(err)
		}
		defer f.store.Update(ctx, func(tx jaga.Tx) error { return tx.SetRestricted(ctx, yes, false) })
		_, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Subject: yes})
		if e := jaga.AsError(err); e == nil || e.Reason != "subject_restricted" {
			t.Fatalf("got %v", err)
		}
		if _, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleDPO, jaga.PurposeDSR), Subject: yes}); err != nil {
			t.Fatalf("dsr read of a restricted subject: %v", err)
		}
	})
	t.Run("FindNormalisesEmail", func(t *testing.T) {
		recs, err := f.g.Find(ctx, gate.FindRequest{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Field: "email", Value: jaga.Redact("  RINA@Example.COM ")})
		if err != nil || len(recs) != 1 || recs[0].Subject != yes {
			t.Fatalf("find: %v %d", err, len(recs))
		}
	})
}

func TestConsentWithoutEvidenceDoesNotCount(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	id, err := f.g.Create(ctx, gate.CreateRequest{
		Request:  f.req(jaga.RoleService, jaga.PurposeServiceProvision),
		Values:   map[string]string{"full_name": "Sari", "email": "sari@example.org"},
		Channel:  jaga.ChannelEmailSignup,
		Consents: []gate.ConsentInput{{Purpose: jaga.PurposeCrossSelling, Status: jaga.ConsentGiven}},
	})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := f.g.Consents(ctx, f.req(jaga.RoleDPO, jaga.PurposeDSR), id)
	if err != nil || len(cs) != 1 || cs[0].Flag != jaga.FlagNoEvidence {
		t.Fatalf("consents: %v %+v", err, cs)
	}
	if _, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleMarketer, jaga.PurposeCrossSelling), Subject: id}); jaga.AsError(err) == nil || jaga.AsError(err).Reason != "consent_invalid" {
		t.Fatalf("a consent without evidence counted: %v", err)
	}
}

func TestCreateValidation(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	for _, tc := range []struct {
		name   string
		values map[string]string
		field  string
	}{
		{"UnknownField", map[string]string{"full_name": "A B", "shoe": "42"}, "shoe"},
		{"BadEmail", map[string]string{"email": "not-an-email"}, "email"},
		{"BadNIK", map[string]string{"nik": "3171013202909901"}, "nik"},
		{"TooLong", map[string]string{"full_name": strings.Repeat("a", 201)}, "full_name"},
		{"AttributeWithoutConsentPurpose", map[string]string{"full_name": "A B", "income": "100"}, "income"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.g.Create(ctx, gate.CreateRequest{Request: f.req(jaga.RoleService, jaga.PurposeServiceProvision), Values: tc.values})
			if e := jaga.AsError(err); e == nil || e.Code != jaga.EUNPROCESSABLE || e.Field != tc.field {
				t.Fatalf("got %v", err)
			}
		})
	}
	var n int
	f.store.View(ctx, func(tx jaga.Tx) error { n, _ = tx.CountSubjects(ctx); return nil })
	if n != 0 {
		t.Fatalf("%d subjects stored from bad input", n)
	}
}

// TestGroupCommit runs many reads at once: every one gets its own audit event, the
// chain verifies, and the events share transactions.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	id := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	before := lastSeq(t, f)
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Subject: id})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := lastSeq(t, f) - before; got != n {
		t.Fatalf("%d audit events for %d reads", got, n)
	}
	mustVerify(t, f)
}

func lastSeq(t *testing.T, f *fixture) int64 {
	t.Helper()
	var seq int64
	err := f.store.View(context.Background(), func(tx jaga.Tx) error {
		h, err := tx.AuditHead(context.Background())
		seq = h.Size
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func TestEveryOutcomeAudited(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	id := f.MustCreate(t, "rina@example.com", jaga.ConsentRefused)
	calls := []gate.ReadRequest{
		{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Subject: id},
		{Request: f.req(jaga.RoleSupport, ""), Subject: id},
		{Request: f.req(jaga.RoleSupport, "nope"), Subject: id},
		{Request: f.req(jaga.RoleMarketer, jaga.PurposeCustomerSupport), Subject: id},
		{Request: f.req(jaga.RoleMarketer, jaga.PurposeCrossSelling), Subject: id},
		{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Subject: "sub_0000000000000000000000000000dead"},
	}
	before := lastSeq(t, f)
	for _, c := range calls {
		f.g.Read(ctx, c)
	}
	evs, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, ""), jaga.AuditFilter{AfterSeq: before, Action: jaga.ActionRead})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range evs {
		got = append(got, ev.Decision)
	}
	want := "allow error:invalid error:invalid deny:role_not_allowed deny:no_consent error:not_found"
	if strings.Join(got, " ") != want {
		t.Fatalf("decisions %v; want %s", got, want)
	}
}

// BenchmarkRead measures gated single-subject reads (policy, consent, audit in a
// grouped transaction, decrypt, mask) from 32 concurrent callers, without HTTP.
func BenchmarkRead(b *testing.B) {
	ctx := context.Background()
	f := MustFixture(b)
	ids := make([]jaga.SubjectID, 100)
	for i := range ids {
		ids[i] = f.MustCreate(b, fmt.Sprintf("u%d@example.com", i), jaga.ConsentGiven)
	}
	b.SetParallelism(16) // 2 cores × 16 = 32 callers
	b.ResetTimer()
	start := time.Now()
	var mu sync.Mutex
	i := 0
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			id := ids[i%len(ids)]
			i++
			mu.Unlock()
			if _, err := f.g.Read(ctx, gate.ReadRequest{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Subject: id}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reads/s")
}

// TestUpdate sets, changes and removes identity fields and attributes; the blind index
// follows the e-mail, and attributes stay one sealed object.
func TestUpdate(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	id := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	dpo := f.req(jaga.RoleDPO, jaga.PurposeDSR)
	if err := f.g.Update(ctx, gate.UpdateRequest{Request: dpo, Subject: id,
		Set: map[string]string{"email": "Rina.Baru@Example.com", "income": "58138", "kidhome": "1"}, Remove: []string{"education"}}); err != nil {
		t.Fatal(err)
	}
	rec, err := f.g.Read(ctx, gate.ReadRequest{Request: dpo, Subject: id})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Values["email"] != "rina.baru@example.com" || rec.Values["income"] != "58138" || rec.Values["kidhome"] != "1" {
		t.Errorf("values after update: email %q income %q kidhome %q", rec.Values["email"], rec.Values["income"], rec.Values["kidhome"])
	}
	if _, ok := rec.Values["education"]; ok {
		t.Errorf("education not removed")
	}
	find := func(v string) error {
		_, err := f.g.Find(ctx, gate.FindRequest{Request: dpo, Field: "email", Value: jaga.Redact(v)})
		return err
	}
	if err := find("rina@example.com"); jaga.ErrorCode(err) != jaga.ENOTFOUND {
		t.Errorf("old e-mail still finds the subject: %v", err)
	}
	if err := find("RINA.BARU@example.com"); err != nil {
		t.Errorf("new e-mail: %v", err)
	}
	t.Run("ErrFieldOutsidePurpose", func(t *testing.T) {
		err := f.g.Update(ctx, gate.UpdateRequest{Request: f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport), Subject: id, Set: map[string]string{"nik": "3273055712859902"}})
		if e := jaga.AsError(err); e == nil || e.Field != "nik" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrReasonWithPersonalData", func(t *testing.T) {
		r := dpo
		r.Reason = "customer rina@example.com asked"
		if _, err := f.g.Read(ctx, gate.ReadRequest{Request: r, Subject: id}); jaga.ErrorCode(err) != jaga.EINVALID {
			t.Fatalf("got %v", err)
		}
	})
}

// TestRefusedReasonNotStored checks that a reason carrying personal data is refused and
// kept out of the audit event of the refusal, on every path.
func TestRefusedReasonNotStored(t *testing.T) {
	ctx := context.Background()
	f := MustFixture(t)
	id := f.MustCreate(t, "rina@example.com", jaga.ConsentGiven)
	const nik = "NIK 3171014101900007"
	r := f.req(jaga.RoleSupport, jaga.PurposeCustomerSupport)
	r.Reason = nik
	if _, err := f.g.Read(ctx, gate.ReadRequest{Request: r, Subject: id}); jaga.ErrorCode(err) != jaga.EINVALID {
		t.Fatalf("read: %v", err)
	}
	m := f.req(jaga.RoleMarketer, jaga.PurposeCustomerSupport)
	m.Reason = nik
	f.g.Read(ctx, gate.ReadRequest{Request: m, Subject: id})
	a := f.req(jaga.RoleAuditor, jaga.PurposeSecurity)
	a.Reason = nik
	if _, err := f.g.AuditLog(ctx, a, jaga.AuditFilter{}); jaga.ErrorCode(err) != jaga.EINVALID {
		t.Fatalf("audit read: %v", err)
	}
	evs, err := f.g.AuditLog(ctx, f.req(jaga.RoleAuditor, jaga.PurposeSecurity), jaga.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if strings.Contains(ev.Reason, "3171014101900007") {
			t.Fatalf("event %d stored the refused reason", ev.Seq)
		}
	}
}
