package auditlog_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"flag"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"jaga"
	"jaga/auditlog"
	"jaga/sqlstore/sqlite"
)

var verifyN = flag.Int("verify.n", 100_000, "events BenchmarkVerify generates into the store before it verifies them")

type benchKey struct{ priv ed25519.PrivateKey }

func (k benchKey) Sign(m []byte) []byte         { return ed25519.Sign(k.priv, m) }
func (k benchKey) PublicKey() ed25519.PublicKey { return k.priv.Public().(ed25519.PublicKey) }

// BenchmarkVerify generates -verify.n read events (one subject, two fields, a decision
// each; in group commits of 32, checkpoints every 1000) directly into a SQLite store
// through auditlog.Log.Append, then measures auditlog.Verify recomputing the whole tree
// and checking every checkpoint:
//
//	go test -run xxx -bench BenchmarkVerify -benchtime 1x -timeout 30m ./auditlog/ -args -verify.n=10000000
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	st, l := benchLog(b)
	b.ResetTimer()
	for range b.N {
		rep, err := auditlog.Verify(ctx, st, l.VerifierKey(), auditlog.VerifyOptions{})
		if err != nil || !rep.OK() || rep.Events != int64(*verifyN) {
			b.Fatalf("verify: %v %+v", err, rep)
		}
	}
	b.StopTimer()
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(sec, "s/verify")
	b.ReportMetric(float64(*verifyN)/sec, "events/s")
}

// BenchmarkVerifyExport exports the log BenchmarkVerify generates and measures
// auditlog.VerifyExport reading it back: the tree, every checkpoint, and each event's
// readable copy compared with its decoded record:
//
//	go test -run xxx -bench BenchmarkVerifyExport -benchtime 1x ./auditlog/ -args -verify.n=100000
func BenchmarkVerifyExport(b *testing.B) {
	ctx := context.Background()
	st, l := benchLog(b)
	var export bytes.Buffer
	if _, err := l.Export(ctx, st, &export); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		rep, err := auditlog.VerifyExport(bytes.NewReader(export.Bytes()), l.VerifierKey())
		if err != nil || !rep.OK() || rep.Events != int64(*verifyN) {
			b.Fatalf("verify: %v %+v", err, rep)
		}
	}
	b.StopTimer()
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(sec, "s/verify")
	b.ReportMetric(float64(*verifyN)/sec, "events/s")
}

// benchLog generates -verify.n events into a new SQLite store and returns it with its
// log, checkpointed.
func benchLog(b *testing.B) (jaga.Store, *auditlog.Log) {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "jaga.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	l, err := auditlog.New(auditlog.Config{Signer: benchKey{priv}})
	if err != nil {
		b.Fatal(err)
	}
	subjects := make([]jaga.SubjectID, 1000)
	for i := range subjects {
		subjects[i] = jaga.SubjectID(fmt.Sprintf("sub_%032x", i*7919))
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	start := time.Now()
	const perBatch, perTx = 32, 100
	for n := 0; n < *verifyN; {
		err := st.Update(ctx, func(tx jaga.Tx) error {
			for range perTx {
				k := min(perBatch, *verifyN-n)
				if k == 0 {
					break
				}
				evs := make([]*jaga.AuditEvent, k)
				for i := range evs {
					evs[i] = &jaga.AuditEvent{Time: t0.Add(time.Duration(n+i) * time.Millisecond), ActorID: "act_0123456789abcdef0123456789abcdef",
						Role: jaga.RoleSupport, Action: jaga.ActionRead, Purpose: jaga.PurposeCustomerSupport,
						Subjects: []jaga.SubjectID{subjects[(n+i)%len(subjects)]}, FieldsRequested: []string{"full_name", "phone"},
						FieldsReturned: []string{"full_name", "phone"}, Decision: "allow", Decisions: map[string]jaga.Decision{"phone": jaga.Mask("last3")},
						RequestID: fmt.Sprintf("req_0123456789ab_%d", n+i)}
				}
				if err := l.Append(ctx, tx, evs); err != nil {
					return err
				}
				n += k
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := l.Checkpoint(ctx, st); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d events in %.1fs", *verifyN, time.Since(start).Seconds())
	return st, l
}
