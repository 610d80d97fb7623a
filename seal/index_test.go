package seal_test

import (
	"bytes"
	"sync"
	"testing"

	"jaga/seal"
)

func TestBlindIndex(t *testing.T) {
	k := MustOpen(t, MustKeysDir(t))
	other := MustOpen(t, MustKeysDir(t))
	const email = "siti.rahayu@example.co.id"

	t.Run("Deterministic", func(t *testing.T) {
		a, b := k.BlindIndex("email", email), k.BlindIndex("email", email)
		if len(a) != seal.IndexSize {
			t.Fatalf("%d bytes, want %d", len(a), seal.IndexSize)
		}
		if !bytes.Equal(a, b) {
			t.Error("two indexes of one value differ")
		}
		a[0] ^= 1
		if bytes.Equal(a, k.BlindIndex("email", email)) {
			t.Error("the result shares memory with the cache")
		}
	})

	t.Run("DiffersPerValue", func(t *testing.T) {
		if bytes.Equal(k.BlindIndex("email", email), k.BlindIndex("email", "siti.rahayu@example.co.i")) {
			t.Error("two values give one index")
		}
		if bytes.Equal(k.BlindIndex("email", ""), k.BlindIndex("email", "\x00")) {
			t.Error("empty and NUL give one index")
		}
	})

	t.Run("DiffersPerField", func(t *testing.T) {
		if bytes.Equal(k.BlindIndex("email", "6281234567890"), k.BlindIndex("phone", "6281234567890")) {
			t.Error("two fields give one index for one value")
		}
	})

	t.Run("DiffersPerVault", func(t *testing.T) {
		if bytes.Equal(k.BlindIndex("email", email), other.BlindIndex("email", email)) {
			t.Error("two vaults give one index")
		}
		if bytes.Equal(k.ImportKey("a.csv", "1"), other.ImportKey("a.csv", "1")) {
			t.Error("two vaults give one import key")
		}
	})

	t.Run("DoesNotContainValue", func(t *testing.T) {
		if bytes.Contains([]byte(email), k.BlindIndex("email", email)[:6]) {
			t.Error("index contains the value")
		}
	})

	t.Run("ImportKey", func(t *testing.T) {
		a := k.ImportKey("ab", "c")
		if len(a) != seal.IndexSize {
			t.Fatalf("%d bytes, want %d", len(a), seal.IndexSize)
		}
		if !bytes.Equal(a, k.ImportKey("ab", "c")) {
			t.Error("not deterministic")
		}
		distinct := [][]string{{"ab", "c"}, {"a", "bc"}, {"abc"}, {"abc", ""}, {"", "abc"}, {}, {""}, {"", ""}}
		seen := map[string]int{}
		for i, parts := range distinct {
			key := string(k.ImportKey(parts...))
			if j, dup := seen[key]; dup {
				t.Errorf("ImportKey(%q) = ImportKey(%q)", parts, distinct[j])
			}
			seen[key] = i
		}
		if bytes.Equal(k.ImportKey("email"), k.BlindIndex("email", "")) {
			t.Error("an import key equals a blind index")
		}
		// ImportKeyFunc is ImportKey over the parts it is given.
		for _, parts := range distinct {
			got := k.ImportKeyFunc(func(add func(string)) {
				for _, p := range parts {
					add(p)
				}
			})
			if !bytes.Equal(got, k.ImportKey(parts...)) {
				t.Errorf("ImportKeyFunc(%q) differs from ImportKey", parts)
			}
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		want := map[string][]byte{}
		fields := []string{"email", "phone", "nik", "f1", "f2", "f3"}
		for _, f := range fields {
			want[f] = other.BlindIndex(f, email)
		}
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 200 {
					f := fields[(g+i)%len(fields)]
					if got := other.BlindIndex(f, email); !bytes.Equal(got, want[f]) {
						t.Errorf("field %s: index changed under concurrency", f)
						return
					}
					other.ImportKey("src", f)
				}
			})
		}
		wg.Wait()
	})

	t.Run("ManyFields", func(t *testing.T) {
		// More fields than the cache holds still give stable indexes.
		first := map[int][]byte{}
		for round := range 2 {
			for i := range 300 {
				f := "field_" + string(rune('a'+i%26)) + string(rune('a'+i/26))
				got := k.BlindIndex(f, email)
				if round == 0 {
					first[i] = got
				} else if !bytes.Equal(got, first[i]) {
					t.Fatalf("field %s: index changed", f)
				}
			}
		}
	})
}
