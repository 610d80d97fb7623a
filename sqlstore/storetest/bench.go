package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"jaga"
)

// BenchInsertSubjects inserts b.N realistic subjects (Gen) in Updates of batch subjects
// each, the way the gate imports, and reports subjects/s and the process CPU time per
// subject (all goroutines, the store's background work included); making the data is
// not counted in either.
func BenchInsertSubjects(b *testing.B, s jaga.Store, batch int) {
	g := NewGen(uint64(time.Now().UnixNano()))
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), ProcessCPU()
	var paused time.Duration
	for done := 0; done < b.N; {
		n := min(batch, b.N-done)
		b.StopTimer()
		p := time.Now()
		subs := g.Subjects(n)
		paused += time.Since(p)
		b.StartTimer()
		MustInsertSubjects(b, s, subs...)
		done += n
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/(time.Since(start)-paused).Seconds(), "subjects/s")
	if cpu := ProcessCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64((cpu-paused).Microseconds())/float64(b.N), "cpu-µs/subject")
	}
}

// Rate is the result of InsertRate.
type Rate struct {
	PerSecond  float64 // subjects stored per second of Update calls
	CPUPerItem float64 // process CPU µs per subject, making the data excluded
}

// InsertRate inserts total subjects in Updates of batch each and reports, each time the
// count passes a multiple of every, the count and the rate since the last report. Making the data is
// not counted (its CPU time is taken as its wall time: it runs on one goroutine).
func InsertRate(tb testing.TB, s jaga.Store, total, batch, every int, report func(done int, rate float64)) Rate {
	g := NewGen(uint64(time.Now().UnixNano()))
	cpu0 := ProcessCPU()
	var spent, stretch, making time.Duration
	stretchN := 0
	for done := 0; done < total; {
		n := min(batch, total-done)
		t := time.Now()
		subs := g.Subjects(n)
		making += time.Since(t)
		t = time.Now()
		MustInsertSubjects(tb, s, subs...)
		d := time.Since(t)
		spent += d
		stretch += d
		stretchN += n
		prev := done
		done += n
		if done/every != prev/every || done == total {
			report(done, float64(stretchN)/stretch.Seconds())
			stretch, stretchN = 0, 0
		}
	}
	r := Rate{PerSecond: float64(total) / spent.Seconds()}
	if cpu := ProcessCPU() - cpu0; cpu > 0 {
		r.CPUPerItem = float64((cpu - making).Microseconds()) / float64(total)
	}
	return r
}

// BenchInsertPurchases stores b.N purchase lines (48-byte sealed values, 32-byte
// source keys) of 10,000 subjects in Updates of batch lines, then stores them all again
// to measure the idempotent path (every line skipped); it reports lines/s of each.
func BenchInsertPurchases(b *testing.B, s jaga.Store, batch int) {
	g := NewGen(7)
	subs := g.Subjects(10_000)
	for i := 0; i < len(subs); i += 2000 {
		MustInsertSubjects(b, s, subs[i:min(i+2000, len(subs))]...)
	}
	ps := make([]*jaga.SealedPurchase, b.N)
	for i := range ps {
		ps[i] = &jaga.SealedPurchase{Subject: subs[g.rng.Uint64()%uint64(len(subs))].ID, Sealed: g.Bytes(48), SourceKey: g.Bytes(32)}
	}
	run := func(want func(n, batch int) bool) time.Duration {
		t := time.Now()
		for i := 0; i < len(ps); i += batch {
			part := ps[i:min(i+batch, len(ps))]
			MustUpdate(b, s, func(tx jaga.Tx) error {
				n, err := tx.InsertPurchases(ctx, part)
				if err == nil && !want(n, len(part)) {
					err = fmt.Errorf("stored %d of %d", n, len(part))
				}
				return err
			})
		}
		return time.Since(t)
	}
	b.ResetTimer()
	first := run(func(n, batch int) bool { return n == batch })
	again := run(func(n, _ int) bool { return n == 0 })
	b.StopTimer()
	b.ReportMetric(float64(b.N)/first.Seconds(), "lines/s")
	b.ReportMetric(float64(b.N)/again.Seconds(), "skipped-lines/s")
}

// BenchAppendAudit appends b.N audit records of 120 bytes, in Updates of batch records
// (the gate's group commit), and reports events/s.
func BenchAppendAudit(b *testing.B, s jaga.Store, batch int) {
	recs := make([]*jaga.AuditRecord, b.N)
	for i := range recs {
		recs[i] = &jaga.AuditRecord{Data: bytes.Repeat([]byte{byte(i)}, 120)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < len(recs); i += batch {
		part := recs[i:min(i+batch, len(recs))]
		MustUpdate(b, s, func(tx jaga.Tx) error { return tx.AppendAudit(ctx, part, sealRecords(part)) })
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchReads loads n subjects, each with consent records for two purposes, then
// measures Subject, FindByIndex and CurrentConsent: each inside one long View (the
// method alone) and each in its own View (with the transaction's cost).
func BenchReads(b *testing.B, s jaga.Store, n int) {
	g := NewGen(42)
	var subs []*jaga.SealedSubject
	for done := 0; done < n; done += 2000 {
		batch := g.Subjects(min(2000, n-done))
		var consents []*jaga.Consent
		for _, sub := range batch {
			for i, p := range []string{jaga.PurposeCrossSelling, jaga.PurposeServiceImprovement} {
				for k := range 2 { // a given and a later withdrawn record
					consents = append(consents, &jaga.Consent{Subject: sub.ID, Purpose: p, Status: jaga.ConsentGiven,
						Channel: jaga.ChannelWebForm, Evidence: "form", At: t0.Add(time.Duration(i+k) * time.Hour)})
				}
			}
		}
		MustUpdate(b, s, func(tx jaga.Tx) error {
			if err := tx.InsertSubjects(ctx, batch); err != nil {
				return err
			}
			return tx.InsertConsents(ctx, consents)
		})
		// Keep every 97th for the look-ups, spread over the whole table.
		for i := 0; i < len(batch); i += 97 {
			subs = append(subs, batch[i])
		}
	}
	ops := []struct {
		name string
		fn   func(tx jaga.Tx, sub *jaga.SealedSubject) error
	}{
		{"Subject", func(tx jaga.Tx, sub *jaga.SealedSubject) error {
			_, err := tx.Subject(ctx, sub.ID)
			return err
		}},
		{"FindByIndex", func(tx jaga.Tx, sub *jaga.SealedSubject) error {
			ids, err := tx.FindByIndex(ctx, "email", sub.Indexes[0].Value)
			if err == nil && len(ids) != 1 {
				err = fmt.Errorf("found %d", len(ids))
			}
			return err
		}},
		{"CurrentConsent", func(tx jaga.Tx, sub *jaga.SealedSubject) error {
			c, err := tx.CurrentConsent(ctx, sub.ID, jaga.PurposeCrossSelling)
			if err == nil && c == nil {
				err = fmt.Errorf("no consent")
			}
			return err
		}},
	}
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			b.ReportAllocs()
			MustView(b, s, func(tx jaga.Tx) error {
				i := 0
				for b.Loop() {
					if err := op.fn(tx, subs[i%len(subs)]); err != nil {
						return err
					}
					i++
				}
				return nil
			})
		})
		b.Run(op.name+"View", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				MustView(b, s, func(tx jaga.Tx) error { return op.fn(tx, subs[i%len(subs)]) })
				i++
			}
		})
	}
}
