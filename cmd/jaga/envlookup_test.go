package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// unsetenv removes the variable name for the rest of the test (t.Setenv restores it
// after): a variable set to "" no longer counts as unset.
func unsetenv(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "")
	if err := os.Unsetenv(name); err != nil {
		t.Fatal(err)
	}
}

// mapEnv is an env whose variables are vars: a key present with "" is set but empty.
func mapEnv(vars map[string]string) *env {
	return &env{
		getenv:    func(k string) string { return vars[k] },
		lookupenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
	}
}

// TestEmptyDatabaseEnv: JAGA_DATABASE_URL or JAGA_DATABASE_URL_FILE exported empty (a
// deployment template whose secret did not render) is an error with a hint, through
// Main and the process environment, and no SQLite vault is created in its place.
func TestEmptyDatabaseEnv(t *testing.T) {
	for _, tc := range []struct{ name, value, hint string }{
		{"JAGA_DATABASE_URL", "", "jaga: hint: unset JAGA_DATABASE_URL to use SQLite in DIR/data, or set it to the PostgreSQL database's postgres:// URL"},
		{"JAGA_DATABASE_URL", " \t", "jaga: hint: unset JAGA_DATABASE_URL"},
		{"JAGA_DATABASE_URL_FILE", "", "jaga: hint: unset JAGA_DATABASE_URL_FILE to use SQLite in DIR/data, or set it to the file"},
	} {
		t.Run(tc.name+"="+strconv.Quote(tc.value), func(t *testing.T) {
			unsetenv(t, "JAGA_DATABASE_URL")
			unsetenv(t, "JAGA_DATABASE_URL_FILE")
			unsetenv(t, "JAGA_DIR")
			t.Setenv(tc.name, tc.value)
			dir := filepath.Join(t.TempDir(), "vault")
			out, errs, code := runMain(t, "actors", "add", "--dir", dir, "--name", "Rina", "--role", "support")
			if code != 1 || !strings.Contains(errs, "jaga: error: config: "+tc.name+" is set but empty\n") || !strings.Contains(errs, tc.hint) {
				t.Errorf("exit %d, stdout %q, stderr %q; want the empty %s refused with %q", code, out, errs, tc.name, tc.hint)
			}
			if _, err := os.Stat(filepath.Join(dir, "data", "jaga.db")); !os.IsNotExist(err) {
				t.Errorf("a SQLite database was created in its place (%v)", err)
			}
		})
	}
	t.Run("Unset", func(t *testing.T) {
		c, err := loadConfigEnv(filepath.Join(t.TempDir(), "jaga.yaml"), false, mapEnv(nil).lookup)
		if err != nil || c.Database != "" {
			t.Fatalf("%v; database %q, want SQLite", err, c.Database)
		}
	})
	t.Run("EmptyOverYAML", func(t *testing.T) {
		// An empty override of a database: in jaga.yaml is refused too, not read as
		// "use the file's".
		vdir := t.TempDir()
		p := filepath.Join(vdir, "jaga.yaml")
		if err := os.WriteFile(p, []byte("database: postgres://jaga@db.internal/jaga\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := loadConfigEnv(p, true, mapEnv(map[string]string{"JAGA_DATABASE_URL": ""}).lookup)
		if err == nil || !strings.Contains(err.Error(), "JAGA_DATABASE_URL is set but empty") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("WithDBFlag", func(t *testing.T) {
		e := mapEnv(map[string]string{"JAGA_DATABASE_URL": ""})
		_, _, err := (&vaultFlags{dir: t.TempDir(), db: "postgres://jaga@db.internal/jaga"}).load(e)
		if err == nil || !strings.Contains(err.Error(), "JAGA_DATABASE_URL is set but empty") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("StoreCopy", func(t *testing.T) {
		unsetenv(t, "JAGA_DATABASE_URL_FILE")
		t.Setenv("JAGA_DATABASE_URL", "")
		_, errs, code := runMain(t, "store", "copy", "--dir", t.TempDir())
		if code != 1 || !strings.Contains(errs, "JAGA_DATABASE_URL is set but empty") {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
	})
}

// TestEmptyEnv: JAGA_DIR exported empty is refused unless --dir is given; JAGA_KEY
// exported empty says so; the other variables count an empty value as unset (README,
// "Empty variables").
func TestEmptyEnv(t *testing.T) {
	t.Run("JAGA_DIR", func(t *testing.T) {
		e := mapEnv(map[string]string{"JAGA_DIR": ""})
		if d, err := e.dir(""); err == nil || !strings.Contains(err.Error(), "JAGA_DIR is set but empty") || !strings.Contains(err.Error(), "hint: unset JAGA_DIR to use ./jaga-data") {
			t.Errorf("dir %q, err %v", d, err)
		}
		if d, err := e.dir("/srv/jaga"); err != nil || d != "/srv/jaga" {
			t.Errorf("--dir given: dir %q, err %v", d, err)
		}
		if d, err := mapEnv(nil).dir(""); err != nil || d != "jaga-data" {
			t.Errorf("unset: dir %q, err %v", d, err)
		}
		if d, err := mapEnv(map[string]string{"JAGA_DIR": "/srv/v"}).dir(""); err != nil || d != "/srv/v" {
			t.Errorf("set: dir %q, err %v", d, err)
		}
	})
	t.Run("JAGA_DIRThroughMain", func(t *testing.T) {
		t.Chdir(t.TempDir())
		t.Setenv("JAGA_DIR", "")
		_, errs, code := runMain(t, "actors", "list")
		if code != 1 || !strings.Contains(errs, "jaga: error: config: JAGA_DIR is set but empty\njaga: hint: unset JAGA_DIR") {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
		if _, err := os.Stat("jaga-data"); !os.IsNotExist(err) {
			t.Errorf("./jaga-data created (%v)", err)
		}
	})
	t.Run("JAGA_KEY", func(t *testing.T) {
		k := &staffKey{need: "a dpo's key"}
		c := &cobra.Command{Use: "x"}
		k.add(c, "the dpo")
		for _, tc := range []struct {
			vars map[string]string
			want string
		}{
			{map[string]string{"JAGA_KEY": ""}, "JAGA_KEY is set but empty\nhint: put a dpo's key in JAGA_KEY, or unset JAGA_KEY and pass --key-file FILE"},
			{map[string]string{"JAGA_KEY": "  \n"}, "JAGA_KEY is set but empty"},
			{map[string]string{}, "an API key is required\nhint: set JAGA_KEY"},
		} {
			if _, err := mapEnv(tc.vars).resolveKey(c, k); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%q: err %v, want %q", tc.vars, err, tc.want)
			}
		}
	})
	t.Run("OthersEmptyIsUnset", func(t *testing.T) {
		vars := map[string]string{}
		for _, k := range []string{"JAGA_ADDR", "JAGA_POLICY_FILE", "JAGA_LOG_LEVEL", "JAGA_KEY_RELOAD", "JAGA_PUBLIC_URL", "JAGA_PORTAL_URL",
			"JAGA_SMTP_HOST", "JAGA_SMTP_PORT", "JAGA_SMTP_PASSWORD", "JAGA_DATABASE_MAX_CONNS", "JAGA_AUDIT_CHECKPOINT_EVERY", "JAGA_AUDIT_WITNESS_URL"} {
			vars[k] = ""
		}
		c, err := loadConfigEnv(filepath.Join(t.TempDir(), "jaga.yaml"), false, mapEnv(vars).lookup)
		d := defaultConfig()
		if err != nil || c.Addr != d.Addr || c.LogLevel != d.LogLevel || c.SMTPPort != d.SMTPPort || c.KeyReload != d.KeyReload || c.Database != "" {
			t.Errorf("%v; config %+v, want the defaults", err, c)
		}
	})
}
