package gate

import (
	"encoding/json"
	"testing"
)

// TestAppendAttributesIsJSON checks the hand-written encoder against encoding/json,
// including quotes, backslashes, control characters and non-ASCII text.
func TestAppendAttributesIsJSON(t *testing.T) {
	for _, m := range []map[string]string{
		{},
		{"income": "58138", "education": "Graduation"},
		{"a": `quote " and \ backslash`, "b": "line\nbreak\ttab\x01", "c": "Désa Mëkar – 日本 😀"},
	} {
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got := appendAttributes(nil, m)
		var back map[string]string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q is not JSON: %v", got, err)
		}
		if len(back) != len(m) {
			t.Fatalf("round trip lost keys")
		}
		for k, v := range m {
			if back[k] != v {
				t.Errorf("key %s: %q != %q", k, back[k], v)
			}
		}
		if len(m) < 3 && string(got) != string(want) {
			t.Errorf("got %s, json.Marshal gives %s", got, want)
		}
	}
}
