package importer_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"jaga"
	"jaga/auditlog"
	"jaga/gate"
	"jaga/policy"
	"jaga/seal"
	"jaga/sqlstore/sqlite"
)

// openAt opens the gate of the vault in dir (keys/ and data/), for tests that close
// and reopen it; close closes gate, store and keys.
func openAt(t *testing.T, dir string) (g *gate.Gate, st *sqlite.DB, close func()) {
	t.Helper()
	keys, err := seal.Open(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	st, err = sqlite.Open(context.Background(), filepath.Join(dir, "data", "jaga.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err = gate.New(gate.Config{Store: st, Keys: keys, Policy: policy.Default()})
	if err != nil {
		t.Fatal(err)
	}
	return g, st, func() { g.Close(); st.Close(); keys.Close() }
}

// TestErasureReplayTakesQuarantinedVersions is invariant 4 for quarantine: a backup
// taken while an erased customer's changed export sat in quarantine, restored after the
// erasure, has that row discarded again when the journal is re-applied, before anything
// is served; also when the backup predates the quarantine's source keys (migration
// 0010), which start-up fills in first. Someone else's quarantined row stays open.
func TestErasureReplayTakesQuarantinedVersions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	g, _, closeVault := openAt(t, dir)
	first := importPeopleRows(t, g, filepath.Join(dir, "week1.csv"), "C-Q,Kartika Sari,kartika@example.com,081234567830\n")
	sub := first.Lines[0].Subject
	second := importPeopleRows(t, g, filepath.Join(dir, "week2.csv"), "C-Q,Kartika Sari,kartika@,\nC-R,Lukman Hakim,lukman@,\n")
	if second.Quarantined != 2 {
		t.Fatalf("week 2: quarantined %d", second.Quarantined)
	}
	mine, other := second.Lines[0].Subject, second.Lines[1].Subject
	closeVault()

	backup := filepath.Join(t.TempDir(), "jaga.db")
	copyFile(t, filepath.Join(dir, "data", "jaga.db"), backup)

	g, _, closeVault = openAt(t, dir)
	dpo := &jaga.Actor{ID: "act_dpo", Kind: jaga.ActorStaff, Role: jaga.RoleDPO}
	if err := g.Erase(ctx, gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR, Reason: "DSR-3"}, sub); err != nil {
		t.Fatal(err)
	}
	closeVault()

	for _, legacy := range []bool{false, true} {
		name := "restored"
		if legacy {
			name = "restored from before source keys"
		}
		t.Run(name, func(t *testing.T) {
			for _, suffix := range []string{"-wal", "-shm"} {
				os.Remove(filepath.Join(dir, "data", "jaga.db"+suffix))
			}
			copyFile(t, backup, filepath.Join(dir, "data", "jaga.db"))
			if legacy {
				db, err := sql.Open("sqlite", filepath.Join(dir, "data", "jaga.db"))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec(`UPDATE quarantine SET source_key = NULL`); err != nil {
					t.Fatal(err)
				}
				db.Close()
			}
			g, st, closeVault := openAt(t, dir)
			defer closeVault()
			// Control: the restored copy has the customer and the open row again.
			if err := st.View(ctx, func(tx jaga.Tx) error {
				if _, err := tx.Subject(ctx, sub); err != nil {
					return err
				}
				r, err := tx.QuarantinedRow(ctx, mine)
				if err == nil && r.Status != jaga.QuarantineOpen {
					t.Fatalf("control: restored row is %s", r.Status)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			n, err := g.ReplayErasures(ctx)
			if err != nil || n != 1 {
				t.Fatalf("replay: %d, %v", n, err)
			}
			if legacy {
				// Opening the rows to key them is audited as Jaga's own job.
				if err := st.View(ctx, func(tx jaga.Tx) error {
					recs, err := tx.AuditRecords(ctx, jaga.AuditFilter{Limit: 1000})
					if err != nil {
						return err
					}
					var keyed []*jaga.AuditEvent
					for _, rec := range recs {
						ev, err := auditlog.Event(rec)
						if err != nil {
							return err
						}
						if ev.Action == jaga.ActionQuarantine && ev.ActorID == jaga.ActorIDSystem {
							keyed = append(keyed, ev)
						}
					}
					if len(keyed) != 1 || keyed[0].Count != 2 {
						t.Fatalf("keying audit events %+v, want one counting 2 rows", keyed)
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.View(ctx, func(tx jaga.Tx) error {
				r, err := tx.QuarantinedRow(ctx, mine)
				if err != nil {
					return err
				}
				if r.Status != jaga.QuarantineDiscarded || len(r.WrappedDEK) != 0 || len(r.Sealed) != 0 {
					t.Errorf("erased customer's quarantined version after replay: status %s, %d key bytes, %d sealed bytes", r.Status, len(r.WrappedDEK), len(r.Sealed))
				}
				o, err := tx.QuarantinedRow(ctx, other)
				if err != nil {
					return err
				}
				if o.Status != jaga.QuarantineOpen || len(o.Sealed) == 0 {
					t.Errorf("someone else's quarantined row after replay: status %s", o.Status)
				}
				left, err := tx.UnkeyedQuarantine(ctx, "", 10)
				if err != nil {
					return err
				}
				if len(left) != 0 {
					t.Errorf("%d open rows still without a source key", len(left))
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
