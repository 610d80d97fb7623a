package storetest

import (
	"fmt"
	"testing"
	"time"

	"jaga"
)

// BenchInsertSubjects inserts b.N realistic subjects (Gen) in Updates of batch subjects
// each, the way the gate imports, and reports subjects/s. Making the data is not
// timed.
func BenchInsertSubjects(b *testing.B, s jaga.Store, batch int) {
	g := NewGen(uint64(time.Now().UnixNano()))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
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
}

// InsertRate inserts total subjects in Updates of batch each, calling report after
// every `every` subjects with the count so far and the rate of the last stretch
// (subjects/s, data generation not counted), and returns the overall rate.
func InsertRate(tb testing.TB, s jaga.Store, total, batch, every int, report func(done int, rate float64)) float64 {
	g := NewGen(uint64(time.Now().UnixNano()))
	var spent, stretch time.Duration
	for done := 0; done < total; {
		n := min(batch, total-done)
		subs := g.Subjects(n)
		t := time.Now()
		MustInsertSubjects(tb, s, subs...)
		d := time.Since(t)
		spent += d
		stretch += d
		done += n
		if done%every == 0 || done == total {
			report(done, float64(every)/stretch.Seconds())
			stretch = 0
		}
	}
	return float64(total) / spent.Seconds()
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
