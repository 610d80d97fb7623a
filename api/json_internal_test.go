package api

import (
	"encoding/json"
	"testing"
	"time"
)

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr", "\x00\x01\x1f\x7f",
		"Jl. Merdeka • No. 17", "line\u2028sep\u2029para", "emoji 🇮🇩", "<script>&amp;"} {
		got := appendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("%q: %s is not JSON: %v", s, got, err)
			continue
		}
		if back != s {
			t.Errorf("%q: round trip gave %q", s, back)
		}
	}
	if got := string(appendString(nil, "a\xffb")); got != `"a\ufffdb"` {
		t.Errorf("invalid UTF-8: %s", got)
	}
}

func TestAppendTime(t *testing.T) {
	tm := time.Date(2024, 5, 1, 9, 30, 0, 123456000, time.FixedZone("WIB", 7*3600))
	want, _ := json.Marshal(tm.UTC())
	if got := appendTime(nil, tm); string(got) != string(want) {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestErrorStatus(t *testing.T) {
	for code, want := range map[string]int{"invalid": 400, "unprocessable": 422, "unauthorized": 401, "forbidden": 403,
		"not_found": 404, "conflict": 409, "rate_limit": 429, "internal": 500, "something_else": 500} {
		if got := ErrorStatus(code); got != want {
			t.Errorf("ErrorStatus(%s) = %d, want %d", code, got, want)
		}
	}
}
