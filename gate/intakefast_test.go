package gate

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"jaga"
)

// TestAppendMergeRowReadsBack checks that the hand-written merge record plaintext
// decodes to what json.Marshal's encoding decodes to, for values with quotes,
// backslashes, control characters and non-ASCII text, nil maps and keys, and times
// with and without fractions of a second and zones.
func TestAppendMergeRowReadsBack(t *testing.T) {
	wib := jaga.WIB
	cases := []quarantined{
		{Values: map[string]string{"full_name": `Siti "Nur" \ Aisyah`, "email": "siti@example.com", "address": "Jl. Merdeka\tNo. 1\n", "x": "Bàli ’s"},
			Channel: jaga.ChannelImport, CollectedAt: time.Date(2024, 9, 15, 23, 59, 0, 0, wib), Key: []string{"crm", "source_id", `a"b`}},
		{Values: map[string]string{}, Channel: "", CollectedAt: time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC), Key: nil},
		{Values: nil, Channel: jaga.ChannelWebForm, Key: []string{}},
	}
	for i, c := range cases {
		std, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		var want, got quarantined
		if err := json.Unmarshal(std, &want); err != nil {
			t.Fatal(err)
		}
		fast := appendMergeRow(nil, c.Values, c.Channel, c.CollectedAt, c.Key)
		if err := json.Unmarshal(fast, &got); err != nil {
			t.Fatalf("case %d: %v in %s", i, err, fast)
		}
		if !reflect.DeepEqual(got, want) || !got.CollectedAt.Equal(want.CollectedAt) {
			t.Errorf("case %d: got %+v, want %+v", i, got, want)
		}
	}
}

// TestSortedKeysRemembersOnlyTheSameSet checks that a remembered key order is reused
// only for a map with exactly those keys, not for one of the same size with others.
func TestSortedKeysRemembersOnlyTheSameSet(t *testing.T) {
	a := map[string]string{}
	for _, k := range []string{"k", "c", "a", "h", "e", "g", "b", "d", "f"} {
		a[k] = "x"
	}
	b := maps.Clone(a)
	delete(b, "k")
	b["z"] = "y"
	for range 3 {
		for _, m := range []map[string]string{a, b, a} {
			got := sortedKeys(m)
			want := slices.Sorted(maps.Keys(m))
			if !slices.Equal(got, want) {
				t.Fatalf("sortedKeys = %v, want %v", got, want)
			}
		}
	}
}
