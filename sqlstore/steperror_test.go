package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the "sqlite" driver, for a real pool under a test dialect

	"jaga"
)

// TestTxInternal: a store method's failed step (Tx.internal) leaves Update and View
// with its step and the cause redacted by the dialect; the client's message stays
// "database error".
func TestTxInternal(t *testing.T) {
	pool, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	d := &Dialect{
		Name:     "test",
		Classify: func(error) ErrorKind { return KindOther },
		// Redact as a dialect does for a server message that quotes a value; idempotent.
		Redact: func(err error) error {
			if strings.Contains(err.Error(), "Siti") {
				return errors.New("data exception")
			}
			return err
		},
	}
	db := New(Config{Dialect: d, Write: pool})
	defer db.Close()
	for name, run := range map[string]func(context.Context, func(jaga.Tx) error) error{"Update": db.Update, "View": db.View} {
		err := run(context.Background(), func(tx jaga.Tx) error {
			return tx.(*Tx).internal("read requests", errors.New(`invalid input syntax: "Siti Rahayu"`))
		})
		var se *StepError
		if !errors.As(err, &se) || se.Error() != "read requests: data exception" || strings.Contains(err.Error(), "Siti") {
			t.Errorf("%s: err %q", name, err)
		}
		if jaga.ErrorMessage(err) != "database error" {
			t.Errorf("%s: message %q", name, jaga.ErrorMessage(err))
		}
	}
}
