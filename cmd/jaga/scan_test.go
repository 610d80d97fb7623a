package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runJaga(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestScanCommand(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("NIK-nya 3171011708450001, NPWP 01.312.166.0-091.000, surel siti@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	clean := filepath.Join(dir, "clean.log")
	if err := os.WriteFile(clean, []byte("2024-05-01T10:00:00Z INFO order INV/2024/05/000123 shipped\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("Summary", func(t *testing.T) {
		code, out, errs := runJaga(t, "scan", dir)
		if code != 0 || !strings.Contains(out, "nik 1, npwp 1, email 1") || !strings.Contains(out, "TOTAL") {
			t.Fatalf("exit %d\n%s%s", code, out, errs)
		}
		if strings.Contains(out, "3171011708450001") || strings.Contains(out, "siti@") {
			t.Fatal("the report prints a value")
		}
	})
	t.Run("FailOn", func(t *testing.T) {
		code, _, errs := runJaga(t, "scan", "--fail-on", "nik,npwp", dir)
		if code != exitFound || !strings.Contains(errs, "jaga: error: found nik (1), npwp (1)") {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
		if code, _, _ := runJaga(t, "scan", "--fail-on", "nik", clean); code != 0 {
			t.Fatalf("clean file: exit %d", code)
		}
		if code, _, errs := runJaga(t, "scan", "--fail-on", "nikk", dir); code != 1 || !strings.Contains(errs, "unknown kind") {
			t.Fatalf("unknown kind: exit %d %q", code, errs)
		}
	})
	t.Run("JSON", func(t *testing.T) {
		code, out, _ := runJaga(t, "scan", "--json", notes)
		var rep struct {
			Files []struct {
				Hits []struct {
					Kind       string
					Start, End int
				}
			}
			Totals map[string]int
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 {
			t.Fatalf("exit %d, %v\n%s", code, err, out)
		}
		if len(rep.Files) != 1 || len(rep.Files[0].Hits) != 3 || rep.Files[0].Hits[0].Kind != "nik" || rep.Files[0].Hits[0].Start != 8 {
			t.Fatalf("%+v", rep)
		}
	})
	t.Run("RedactStdout", func(t *testing.T) {
		code, out, errs := runJaga(t, "scan", "--redact", "-", "--redact-mode", "label", notes)
		if code != 0 || out != "NIK-nya [NIK], NPWP [NPWP], surel [EMAIL]\n" || !strings.Contains(errs, "TOTAL") {
			t.Fatalf("exit %d\nstdout %q\nstderr %s", code, out, errs)
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		if code, _, errs := runJaga(t, "scan"); code != 1 || !strings.Contains(errs, "jaga: hint:") {
			t.Fatalf("exit %d %q", code, errs)
		}
		if code, _, _ := runJaga(t, "scan", "--db", "mysql://x", "--table", "t"); code != 1 {
			t.Fatalf("exit %d", code)
		}
	})
}
