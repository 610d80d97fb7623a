package postgres

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"jaga"
	"jaga/sqlstore"
)

// TestClassifyUnavailable: connection exceptions (class 08) and shutdown codes are
// KindUnavailable; statement failures are not.
func TestClassifyUnavailable(t *testing.T) {
	for code, want := range map[string]sqlstore.ErrorKind{
		"08006": sqlstore.KindUnavailable, "08001": sqlstore.KindUnavailable, "08P01": sqlstore.KindUnavailable,
		"57P01": sqlstore.KindUnavailable, "57P02": sqlstore.KindUnavailable, "57P03": sqlstore.KindUnavailable,
		"57014": sqlstore.KindOther, "23505": sqlstore.KindConflict, "40001": sqlstore.KindBusy, "42P01": sqlstore.KindOther,
	} {
		err := fmt.Errorf("query: %w", &pgconn.PgError{Code: code, Message: "m"})
		if got := classify(err); got != want {
			t.Errorf("SQLSTATE %s: kind %d, want %d", code, got, want)
		}
	}
	if got := classify(context.Canceled); got != sqlstore.KindOther {
		t.Errorf("context.Canceled: kind %d", got)
	}
}

// TestOpenUnreachable: Open against a closed port is EUNAVAILABLE naming the step,
// the user, the database, the address and the cause, without the password, whichever
// form the connection string takes.
func TestOpenUnreachable(t *testing.T) {
	for _, s := range []string{
		"postgres://jaga:s3cretPW@127.0.0.1:1/vault?sslmode=disable&connect_timeout=2",
		"host=127.0.0.1 port=1 user=jaga password=s3cretPW dbname=vault sslmode=disable connect_timeout=2",
	} {
		_, err := Open(context.Background(), s, Options{})
		msg := jaga.ErrorMessage(err)
		if jaga.ErrorCode(err) != jaga.EUNAVAILABLE || !strings.HasPrefix(msg, "connect to PostgreSQL (user jaga, database vault): ") ||
			!strings.Contains(msg, "127.0.0.1:1") || !strings.Contains(msg, "connection refused") {
			t.Errorf("%v (message %q); want EUNAVAILABLE naming the step and cause", err, msg)
		}
		if strings.Contains(err.Error(), "s3cretPW") || strings.Contains(msg, "s3cretPW") {
			t.Errorf("the password is in %q", err)
		}
	}
	// A cause that quotes the password has it masked.
	cfg, err := pgconn.ParseConfig("postgres://jaga:s3cretPW@127.0.0.1:1/vault?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, fmt.Errorf("dialer says s3cretPW")
	}
	_, err = pgconn.ConnectConfig(context.Background(), cfg)
	if r, ok := redactConnect(err, ""); !ok || strings.Contains(r.Error(), "s3cretPW") || !strings.Contains(r.Error(), "dialer says ********") {
		t.Errorf("redactConnect(%v) = %v, %v", err, r, ok)
	}
}
