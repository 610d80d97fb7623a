package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga/sqlstore/postgres/pgtest"
)

// TestForeignKeysCommands: a vault's data/ paired with a new keys/ (the old one moved
// away) is refused by every command that opens the vault, with the error and hint on
// stderr; serve says that it created keys/ for a database that holds a vault instead of
// claiming a new, empty vault.
func TestForeignKeysCommands(t *testing.T) {
	dir := t.TempDir()
	MustOpenVault(t, dir).Close()
	if err := os.Rename(filepath.Join(dir, "keys"), filepath.Join(t.TempDir(), "keys.old")); err != nil {
		t.Fatal(err)
	}
	wantErr := "jaga: error: the database belongs to another vault's keys: keys/ in " + dir + " do not match (blind-index key check differs)\n" +
		"jaga: hint: data/ and keys/ of a vault belong together: restore this vault's own keys/ from its backup, or start a new vault in a new, empty --dir\n"

	code, out, errs := run(t, "serve", "--dir", dir, "--addr", "127.0.0.1:0")
	if code != 1 || out != "" || errs != "jaga: warning: no keys were in "+dir+": created new ones in keys/, but the database already holds a vault\n"+wantErr {
		t.Fatalf("serve: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, "actors", "list", "--dir", dir)
	if code != 1 || out != "" || errs != wantErr {
		t.Fatalf("actors list: exit %d\n%s%s", code, out, errs)
	}
}

// TestForeignKeysPostgres: a node started with a new --dir against a PostgreSQL
// database that other nodes serve is refused, with a hint to use their keys/ and
// without the database URL in its messages.
func TestForeignKeysPostgres(t *testing.T) {
	url := pgtest.NewDatabase(t)
	first, second := t.TempDir(), filepath.Join(t.TempDir(), "node3")
	cfg := defaultConfig()
	cfg.Database = url
	v, err := openVault(context.Background(), first, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	code, out, errs := run(t, "serve", "--dir", second, "--db", url, "--addr", "127.0.0.1:0")
	want := "jaga: warning: no keys were in " + second + ": created new ones in keys/, but the database already holds a vault\n" +
		"jaga: error: the database belongs to another vault's keys: keys/ in " + second + " do not match (blind-index key check differs)\n" +
		"jaga: hint: use the keys/ directory of the nodes already serving this database (copy or mount it, docs/postgres.md), or point --db at this vault's own database\n"
	if code != 1 || out != "" || errs != want {
		t.Fatalf("serve: exit %d\n%s%s", code, out, errs)
	}
	if strings.Contains(errs, "postgres://") || strings.Contains(errs, "created a new, empty one") {
		t.Errorf("serve printed the URL or claimed a new vault:\n%s", errs)
	}
	if code, out, errs := run(t, "actors", "list", "--dir", first, "--db", url); code != 0 {
		t.Fatalf("first node after the refusal: exit %d\n%s%s", code, out, errs)
	}
}
