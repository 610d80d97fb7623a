package gate_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"sync"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
	"jaga/importer"
	"jaga/normalize"
	"jaga/seal"
	"jaga/synth"
)

var (
	bareN     = flag.Int("bare.n", 1_000_000, "subjects in BenchmarkBareLoop")
	bareBatch = flag.Int("bare.batch", importer.DefaultBatchSize, "subjects per transaction in BenchmarkBareLoop")
)

// BenchmarkBareLoop is the baseline for BenchmarkImportSynthetic (package importer):
// the same sealing and the same rows — a new DEK per subject, 9 identity fields sealed
// one by one and the attributes as one object, 3 blind indexes, an import key, two
// consent rows — written with InsertSubjects/InsertConsents in transactions of
// importer.DefaultBatchSize subjects (as the importer; -bare.batch), but no product
// logic: no CSV parsing, mapping, normalisation, validation, policy or audit. Values are
// normalised before the timer starts. Run it once:
// go test -run xxx -bench BareLoop -benchtime 1x ./gate/ [-args -bare.n=1000000 -bare.batch=100000]
func BenchmarkBareLoop(b *testing.B) {
	var buf bytes.Buffer
	if err := synth.Write(&buf, *bareN, 1); err != nil {
		b.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	schema := jaga.DefaultSchema()
	type row struct {
		key    string
		fields map[string]string
		attrs  []byte
	}
	head := recs[0]
	rows := make([]row, 0, len(recs)-1)
	for _, r := range recs[1:] {
		x := row{fields: map[string]string{}}
		attrs := map[string]string{}
		for i, h := range head {
			switch h {
			case "source_id":
				x.key = r[i]
			case "email":
				x.fields[h], _ = normalize.Email(r[i])
			case "phone":
				x.fields[h], _ = normalize.Phone(r[i])
			case "full_name", "nik", "birth_date", "gender", "address", "domicile_province", "domicile_city":
				x.fields[h] = r[i]
			default:
				if t, ok := importer.GuessTarget(schema, h); ok && t.Kind == importer.TargetField && r[i] != "" {
					if f, _ := schema.Field(t.Name); f.Kind == jaga.KindAttribute {
						attrs[f.Name] = r[i]
					}
				}
			}
		}
		x.attrs, _ = json.Marshal(attrs)
		rows = append(rows, x)
	}
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		b.StopTimer()
		f := MustFixture(b)
		ctx := context.Background()
		b.StartTimer()
		start := time.Now()
		batch := *bareBatch
		for lo := 0; lo < len(rows); lo += batch {
			part := rows[lo:min(lo+batch, len(rows))]
			subs := make([]*jaga.SealedSubject, len(part))
			var cons []*jaga.Consent
			now := time.Now().UTC()
			var wg sync.WaitGroup
			for w := 0; w < 2; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < len(part); i += 2 {
						subs[i] = bareSeal(b, f.keys, part[i].key, part[i].fields, part[i].attrs, now)
					}
				}()
			}
			wg.Wait()
			for _, s := range subs {
				for _, p := range []string{jaga.PurposeServiceImprovement, jaga.PurposeCrossSelling} {
					cons = append(cons, &jaga.Consent{Subject: s.ID, Purpose: p, Status: jaga.ConsentGiven, Channel: s.Channel, Evidence: "FRM-TOKO-2024-0001", At: now, RecordedAt: now})
				}
			}
			if err := f.store.Update(ctx, func(tx jaga.Tx) error {
				if err := tx.InsertSubjects(ctx, subs); err != nil {
					return err
				}
				return tx.InsertConsents(ctx, cons)
			}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(rows))/time.Since(start).Seconds(), "subjects/s")
	}
}

func bareSeal(b *testing.B, keys *seal.Keyring, key string, fields map[string]string, attrs []byte, now time.Time) *jaga.SealedSubject {
	id, err := gate.NewSubjectID()
	if err != nil {
		b.Fatal(err)
	}
	dek, wrapped, err := keys.NewDEK(id)
	if err != nil {
		b.Fatal(err)
	}
	s := &jaga.SealedSubject{ID: id, WrappedDEK: wrapped, Sealed: make(map[string][]byte, 10), Channel: jaga.ChannelStoreVisit,
		CollectedAt: now, CreatedAt: now, UpdatedAt: now, ImportKey: keys.ImportKey("crm", "source_id", key)}
	for name, v := range fields {
		if s.Sealed[name], err = dek.Seal(seal.FieldAD(id, name), []byte(v)); err != nil {
			b.Fatal(err)
		}
	}
	if s.Sealed[gate.AttributesField], err = dek.Seal(seal.FieldAD(id, gate.AttributesField), attrs); err != nil {
		b.Fatal(err)
	}
	for _, f := range []string{"email", "phone", "nik"} {
		s.Indexes = append(s.Indexes, jaga.BlindIndex{Field: f, Value: keys.BlindIndex(f, fields[f])})
	}
	return s
}
