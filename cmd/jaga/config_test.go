package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jaga"
	"jaga/gate"
)

// mustConfigYAML writes yaml as DIR/jaga.yaml and loads it with the environment getenv
// (nil: none set); a failed write or load fails the test.
func mustConfigYAML(t *testing.T, dir, yaml string, getenv func(string) string) config {
	t.Helper()
	path := filepath.Join(dir, "jaga.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	cfg, err := loadConfig(path, true, getenv)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestConfigFields adds a company's own attribute in jaga.yaml: it is stored sealed like
// the others and read back under a purpose that covers attributes.
func TestConfigFields(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := mustConfigYAML(t, dir, "fields:\n  - {name: loyalty_tier, kind: attribute, class: general, type: text, max_len: 20}\n", nil)
	v, err := openVault(ctx, dir, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, ok := v.gate.Schema().Field("loyalty_tier"); !ok {
		t.Fatal("configured attribute not in the schema")
	}
	dpo, _, err := v.gate.CreateActor(ctx, gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, "dpo", jaga.RoleDPO)
	if err != nil {
		t.Fatal(err)
	}
	req := gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR}
	id, err := v.gate.Create(ctx, gate.CreateRequest{Request: req, Values: map[string]string{"full_name": "Rina Sari", "email": "rina@example.com", "loyalty_tier": "gold"}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := v.gate.Read(ctx, gate.ReadRequest{Request: req, Subject: id, Fields: []string{"loyalty_tier"}})
	if err != nil || rec.Values["loyalty_tier"] != "gold" {
		t.Fatalf("read: %v %v", err, rec)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ yaml, want string }{
		"UnknownKey":   {"adress: x\n", "line 1: unknown field adress"},
		"BadAddr":      {"addr: nope\n", "config: addr"},
		"BadClass":     {"fields:\n  - {name: x1, kind: attribute, class: secret, type: text, max_len: 5}\n", "x1"},
		"DuplicateKey": {"fields:\n  - {name: email, kind: field, class: general, type: email, max_len: 5}\n", "email"},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name+".yaml")
			os.WriteFile(p, []byte(tc.yaml), 0o600)
			_, err := loadConfig(p, true, func(string) string { return "" })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v; want it to mention %q", err, tc.want)
			}
		})
	}
	t.Run("Env", func(t *testing.T) {
		c, err := loadConfig(filepath.Join(dir, "none.yaml"), false, func(k string) string {
			return map[string]string{"JAGA_ADDR": "127.0.0.1:9999", "JAGA_LOG_LEVEL": "debug"}[k]
		})
		if err != nil || c.Addr != "127.0.0.1:9999" || c.LogLevel != "debug" {
			t.Fatalf("%v %+v", err, c)
		}
	})
}

// TestConfigDatabase: the database URL comes from the file, JAGA_DATABASE_URL,
// JAGA_DATABASE_URL_FILE or --db (in rising precedence); a URL that is not PostgreSQL's
// is refused without being echoed (it may hold a password).
func TestConfigDatabase(t *testing.T) {
	dir := t.TempDir()
	const fileURL, envURL, flagURL = "postgres://file@db/jaga", "postgres://env@db/jaga", "postgresql://flag@db/jaga"
	if err := os.WriteFile(filepath.Join(dir, "jaga.yaml"), []byte("database: "+fileURL+"\ndatabase_max_conns: 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "db-url")
	if err := os.WriteFile(secret, []byte(envURL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	load := func(vars map[string]string, db string) (config, error) {
		e := &env{getenv: func(k string) string { return vars[k] }}
		f := &vaultFlags{dir: dir, db: db}
		_, c, err := f.load(e)
		return c, err
	}
	for name, tc := range map[string]struct {
		env  map[string]string
		flag string
		want string
	}{
		"File":    {nil, "", fileURL},
		"Env":     {map[string]string{"JAGA_DATABASE_URL": envURL}, "", envURL},
		"EnvFile": {map[string]string{"JAGA_DATABASE_URL_FILE": secret}, "", envURL},
		"Flag":    {map[string]string{"JAGA_DATABASE_URL": envURL}, flagURL, flagURL},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := load(tc.env, tc.flag)
			if err != nil || c.Database != tc.want || c.DatabaseMaxConns != 5 {
				t.Fatalf("%v: database %q, max conns %d; want %q", err, c.Database, c.DatabaseMaxConns, tc.want)
			}
		})
	}
	t.Run("ErrNotPostgres", func(t *testing.T) {
		_, err := load(map[string]string{"JAGA_DATABASE_URL": "mysql://jaga:hunter22@db/jaga"}, "")
		if err == nil || !strings.Contains(err.Error(), "config: database") || strings.Contains(err.Error(), "hunter22") {
			t.Fatalf("got %v; want a database error without the URL", err)
		}
	})
	t.Run("ErrMaxConns", func(t *testing.T) {
		if _, err := load(map[string]string{"JAGA_DATABASE_MAX_CONNS": "many"}, ""); err == nil || !strings.Contains(err.Error(), "JAGA_DATABASE_MAX_CONNS") {
			t.Fatalf("got %v", err)
		}
	})
}
