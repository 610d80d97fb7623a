package main

import (
	"bytes"
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

	code, out, errs := runServe(t, "serve", "--dir", dir, "--addr", "127.0.0.1:0")
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
	code, out, errs := runServe(t, "serve", "--dir", second, "--db", url, "--addr", "127.0.0.1:0")
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

// runServe runs a serve command that must not start: if it starts listening, it is
// stopped and the test fails.
func runServe(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout bytes.Buffer
	w := &lineWatch{want: "jaga: listening on", seen: make(chan struct{})}
	done := make(chan int, 1)
	go func() { done <- Main(ctx, args, strings.NewReader(""), &stdout, w) }()
	select {
	case <-w.seen:
		cancel()
		<-done
		t.Fatalf("%s served:\n%s", args[0], w.String())
	case code := <-done:
		return code, stdout.String(), w.String()
	}
	return 0, "", ""
}
