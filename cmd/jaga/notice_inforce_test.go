package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"jaga"
	"jaga/gate"
)

// TestNoticeInForceWIB: an in-force date given as YYYY-MM-DD starts at 00:00 WIB, the
// day as an Indonesian controller means it (it used to start at 00:00 UTC, seven hours
// later), and the CLI says so.
func TestNoticeInForceWIB(t *testing.T) {
	dir := t.TempDir()
	MustOpenVault(t, dir).Close()
	dpo, _ := addStaff(t, dir, "dpo")
	t.Setenv("JAGA_KEY", dpo)
	if code, _, errs := run(t, "notices", "generate", "notice-2023-03", "--dir", dir); code != 0 {
		t.Fatalf("generate: %d %s", code, errs)
	}
	code, _, errs := run(t, "notices", "approve", "notice-2023-03", "--in-force", "2023-03-01", "--dir", dir)
	if code != 0 || !strings.Contains(errs, "in force from 2023-03-01 00:00 WIB") {
		t.Fatalf("approve: %d %s", code, errs)
	}
	v := MustOpenVault(t, dir)
	defer v.Close()
	n, ok := v.gate.Notice("notice-2023-03")
	if want := time.Date(2023, 2, 28, 17, 0, 0, 0, time.UTC); !ok || !n.InForceAt.Equal(want) {
		t.Fatalf("in force at %v, want %v (00:00 WIB)", n.InForceAt, want)
	}
}

// TestDemoNoDraftNoticeFlags: with the demo's notices in force from 00:00 WIB, the
// bundled customers' consents all name a notice in force when they were given; line
// 2059 (a web-form consent at 06:35 WIB on notice-id-v2's first day) was flagged
// consent_service_improvement_draft_notice while in-force dates started at 00:00 UTC.
func TestDemoNoDraftNoticeFlags(t *testing.T) {
	v, dpo := MustDemoVault(t, t.TempDir())
	defer v.Close()
	req := gate.Request{Actor: dpo, Purpose: jaga.PurposeDSR}
	seen := 0
	for after := int64(0); ; {
		flags, err := v.gate.ReviewFlags(context.Background(), req, jaga.ReviewFlagFilter{After: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(flags) == 0 {
			break
		}
		for _, f := range flags {
			seen++
			if strings.HasSuffix(f.Reason, "_draft_notice") {
				t.Errorf("flag %s on %s (%s line %d): the bundled consents name notices in force", f.Reason, f.Subject, f.File, f.Line)
			}
		}
		after = flags[len(flags)-1].ID
	}
	t.Logf("%d review flags in all", seen)
}
