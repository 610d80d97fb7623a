package storetest

import (
	"testing"
	"time"

	"jaga"
)

// ConsentPopulation describes what InsertConsentPopulation stored: the number of
// subjects and, for one purpose, how many have a consent in force that counts.
type ConsentPopulation struct {
	Subjects   int
	Consenting int
}

// InsertConsentPopulation stores n subjects straight into s (no gate, no sealing: each
// has a wrapped DEK and three small sealed values of random bytes, enough for the
// listing, which reads no subject row) in Updates of batch, each with a consent record
// for purpose: every second subject given, every fourth refused, every fourth given then
// withdrawn (two records). One subject in 250 is a child with a guardian: half of them
// gave their consent themselves (it does not count, R-3), half through the guardian.
// It is the data of the bulk-listing benchmarks.
func InsertConsentPopulation(tb testing.TB, s jaga.Store, n, batch int, purpose string) ConsentPopulation {
	tb.Helper()
	g := NewGen(uint64(n))
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	pop := ConsentPopulation{Subjects: n}
	for done := 0; done < n; {
		k := min(batch, n-done)
		subs := make([]*jaga.SealedSubject, k)
		var consents []*jaga.Consent
		var guardians []*jaga.Guardianship
		for i := range subs {
			id := NewSubjectID()
			subs[i] = &jaga.SealedSubject{ID: id, WrappedDEK: g.Bytes(60), Channel: jaga.ChannelWebForm, CollectedAt: at,
				Sealed: map[string][]byte{"full_name": g.Bytes(45), "domicile_city": g.Bytes(42), "@attributes": g.Bytes(120)}}
			c := &jaga.Consent{Subject: id, Purpose: purpose, Status: jaga.ConsentGiven, Channel: jaga.ChannelWebForm,
				NoticeVersion: "notice-id-v3", At: at, RecordedAt: at}
			switch (done + i) % 4 {
			case 0, 2:
				if (done+i)%250 < 4 {
					gd := &jaga.Guardianship{Subject: id, Guardian: NewSubjectID(), AdultAt: at.AddDate(100, 0, 0)}
					guardians = append(guardians, gd)
					if (done+i)%250 == 0 {
						break // the child's own consent: not counted
					}
					c.GivenBy, c.Guardian = jaga.GivenByGuardian, gd.Guardian
				}
				pop.Consenting++
			case 1:
				c.Status = jaga.ConsentRefused
			case 3:
				w := *c
				w.Status, w.At = jaga.ConsentWithdrawn, at.Add(time.Hour)
				consents = append(consents, &w)
			}
			consents = append(consents, c)
		}
		MustUpdate(tb, s, func(tx jaga.Tx) error {
			if err := tx.InsertSubjects(ctx, subs); err != nil {
				return err
			}
			for _, gd := range guardians {
				if err := tx.SetGuardianship(ctx, gd); err != nil {
					return err
				}
			}
			return tx.InsertConsents(ctx, consents)
		})
		done += k
	}
	return pop
}
