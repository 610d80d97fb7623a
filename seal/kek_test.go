package seal_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"jaga"
	"jaga/seal"
)

// kekOf returns the KEK ID in a wrapped DEK's Tink prefix.
func kekOf(w []byte) uint32 { return binary.BigEndian.Uint32(w[1:5]) }

// MustAddKEK adds a KEK and returns its ID.
func MustAddKEK(tb testing.TB, k *seal.Keyring) uint32 {
	tb.Helper()
	id, err := k.AddKEK()
	if err != nil {
		tb.Fatalf("AddKEK: %v", err)
	}
	return id
}

// MustPromoteKEK promotes KEK id.
func MustPromoteKEK(tb testing.TB, k *seal.Keyring, id uint32) {
	tb.Helper()
	if err := k.PromoteKEK(id); err != nil {
		tb.Fatalf("PromoteKEK(%d): %v", id, err)
	}
}

// mustSameDEK checks that a and b are one key: what a seals, b opens.
func mustSameDEK(tb testing.TB, s jaga.SubjectID, a, b *seal.DEK) {
	tb.Helper()
	ct, err := a.Seal(seal.FieldAD(s, "email"), []byte("x@example.com"))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := b.Open(seal.FieldAD(s, "email"), ct); err != nil {
		tb.Fatalf("the DEKs differ: %v", err)
	}
}

func TestRotation(t *testing.T) {
	dir := MustKeysDir(t)
	a := MustOpen(t, dir)
	b := MustOpen(t, dir) // another node, opened before the rotation
	s1, s2, s3 := Subject(1), Subject(2), Subject(3)

	id1 := a.PrimaryKEK()
	d1, w1 := MustNewDEK(t, a, s1)
	if kekOf(w1) != id1 {
		t.Fatalf("wrapped under %d, want the primary %d", kekOf(w1), id1)
	}

	id2 := MustAddKEK(t, a)
	if id2 == id1 {
		t.Fatal("AddKEK reused the key ID")
	}
	t.Run("AddedNotPrimary", func(t *testing.T) {
		want := []seal.KeyInfo{{ID: id1, Primary: true, Status: "enabled"}, {ID: id2, Primary: false, Status: "enabled"}}
		if got := a.KEKs(); !slices.Equal(got, want) {
			t.Errorf("KEKs = %+v, want %+v", got, want)
		}
		if a.PrimaryKEK() != id1 {
			t.Error("AddKEK changed the primary")
		}
		_, w := MustNewDEK(t, a, s2)
		if kekOf(w) != id1 {
			t.Error("new DEK wrapped under the non-primary KEK")
		}
		if got := mode(t, filepath.Join(dir, seal.KEKFile)); got != 0o600 {
			t.Errorf("kek.json mode %04o after AddKEK, want 0600", got)
		}
	})

	MustPromoteKEK(t, a, id2)
	d3, w3 := MustNewDEK(t, a, s3)

	t.Run("Promoted", func(t *testing.T) {
		if a.PrimaryKEK() != id2 || kekOf(w3) != id2 {
			t.Fatalf("primary %d, wrap under %d; want %d", a.PrimaryKEK(), kekOf(w3), id2)
		}
		if err := a.PromoteKEK(id2); err != nil {
			t.Errorf("promoting the primary again: %v", err)
		}
	})

	t.Run("OtherNodeReloadsOnUnknownKEK", func(t *testing.T) {
		if b.PrimaryKEK() != id1 {
			t.Fatalf("node b knows the new KEK before reloading")
		}
		got, err := b.OpenDEK(s3, w3)
		if err != nil {
			t.Fatalf("node b cannot open a DEK under the new KEK: %v", err)
		}
		mustSameDEK(t, s3, d3, got)
		if b.PrimaryKEK() != id2 {
			t.Errorf("node b primary %d after reload, want %d", b.PrimaryKEK(), id2)
		}
		if seal.MissReloads(b) != 1 {
			t.Errorf("node b reloaded %d times, want 1", seal.MissReloads(b))
		}
	})

	t.Run("OldWrapsStillOpen", func(t *testing.T) {
		for _, k := range []*seal.Keyring{a, b, MustOpen(t, dir)} {
			got, err := k.OpenDEK(s1, w1)
			if err != nil {
				t.Fatalf("%v: OpenDEK of a DEK under the old KEK: %v", k, err)
			}
			mustSameDEK(t, s1, d1, got)
		}
	})

	t.Run("Rewrap", func(t *testing.T) {
		out, changed, err := a.Rewrap(jaga.WrappedSubjectDEK, string(s1), w1)
		if err != nil || !changed {
			t.Fatalf("Rewrap(old) = changed %v, %v; want changed", changed, err)
		}
		if kekOf(out) != id2 || len(out) != seal.WrappedDEKSize {
			t.Errorf("re-wrapped under %d, want %d", kekOf(out), id2)
		}
		got, err := b.OpenDEK(s1, out)
		if err != nil {
			t.Fatal(err)
		}
		mustSameDEK(t, s1, d1, got) // field ciphertext needs no change

		same, changed, err := a.Rewrap(jaga.WrappedSubjectDEK, string(s3), w3)
		if err != nil || changed || !bytes.Equal(same, w3) {
			t.Errorf("Rewrap(under primary) = changed %v, %v; want unchanged", changed, err)
		}
		if _, _, err := a.Rewrap(jaga.WrappedSubjectDEK, string(s2), w1); !errors.Is(err, seal.ErrDecrypt) {
			t.Errorf("Rewrap for another subject: %v, want ErrDecrypt", err)
		}
		if _, _, err := a.Rewrap(jaga.WrappedSubjectDEK, string(s1), w1[:10]); !errors.Is(err, seal.ErrDecrypt) {
			t.Errorf("Rewrap of a truncated wrap: %v, want ErrDecrypt", err)
		}
	})

	t.Run("ErrPromoteUnknown", func(t *testing.T) {
		var unknown uint32 = 1
		for unknown == id1 || unknown == id2 {
			unknown++
		}
		if err := a.PromoteKEK(unknown); jaga.ErrorCode(err) != jaga.ENOTFOUND {
			t.Errorf("PromoteKEK(unknown) = %v, want ENOTFOUND", err)
		}
	})

	t.Run("ChangesBuildOnDisk", func(t *testing.T) {
		// b, still with a stale view, adds a key: a's promotion must survive.
		c := MustOpen(t, dir)
		id3 := MustAddKEK(t, a)
		id4 := MustAddKEK(t, c)
		k := MustOpen(t, dir)
		var ids []uint32
		for _, ki := range k.KEKs() {
			ids = append(ids, ki.ID)
		}
		if want := []uint32{id1, id2, id3, id4}; !slices.Equal(ids, want) {
			t.Errorf("KEKs %v, want %v", ids, want)
		}
		if k.PrimaryKEK() != id2 {
			t.Errorf("primary %d, want %d", k.PrimaryKEK(), id2)
		}
	})
}

func TestReloadRateLimit(t *testing.T) {
	dir := MustKeysDir(t)
	a := MustOpen(t, dir)
	b := MustOpen(t, dir)
	seal.SetMissGap(b, time.Hour)
	s := Subject(1)
	other := MustOpen(t, MustKeysDir(t))
	_, foreign := MustNewDEK(t, other, s)
	for range 3 {
		if _, err := b.OpenDEK(s, foreign); !errors.Is(err, seal.ErrUnknownKEK) {
			t.Fatalf("OpenDEK(foreign) = %v, want ErrUnknownKEK", err)
		}
	}
	if n := seal.MissReloads(b); n != 1 {
		t.Errorf("%d reloads for 3 unknown key IDs within the gap, want 1", n)
	}
	// Within the gap, a real rotation is not seen yet; Reload fixes that.
	MustPromoteKEK(t, a, MustAddKEK(t, a))
	_, w := MustNewDEK(t, a, s)
	if _, err := b.OpenDEK(s, w); !errors.Is(err, seal.ErrUnknownKEK) {
		t.Errorf("OpenDEK within the gap = %v, want ErrUnknownKEK", err)
	}
	if err := b.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.OpenDEK(s, w); err != nil {
		t.Errorf("OpenDEK after Reload: %v", err)
	}
}

func TestReload(t *testing.T) {
	t.Run("UnchangedFileNotParsed", func(t *testing.T) {
		k := MustOpen(t, MustKeysDir(t))
		for range 3 {
			if err := k.Reload(); err != nil {
				t.Fatal(err)
			}
		}
		if n := seal.Reloads(k); n != 0 {
			t.Errorf("%d parses of an unchanged kek.json, want 0", n)
		}
	})

	t.Run("ErrDamagedKeepsKeys", func(t *testing.T) {
		dir := MustKeysDir(t)
		k := MustOpen(t, dir)
		s := Subject(1)
		_, w := MustNewDEK(t, k, s)
		if err := os.WriteFile(filepath.Join(dir, seal.KEKFile), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		wantInvalid(t, k.Reload(), "restore")
		if _, err := k.OpenDEK(s, w); err != nil {
			t.Errorf("keys lost after a failed reload: %v", err)
		}
	})

	t.Run("ErrFileMode", func(t *testing.T) {
		dir := MustKeysDir(t)
		k := MustOpen(t, dir)
		if err := os.Chmod(filepath.Join(dir, seal.KEKFile), 0o640); err != nil {
			t.Fatal(err)
		}
		wantInvalid(t, k.Reload(), "chmod 600")
	})
}

func TestWatchReload(t *testing.T) {
	dir := MustKeysDir(t)
	a := MustOpen(t, dir)
	b := MustOpen(t, dir)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		b.WatchReload(ctx, 5*time.Millisecond)
		close(done)
	}()
	id := MustAddKEK(t, a)
	deadline := time.Now().Add(10 * time.Second)
	for !slices.ContainsFunc(b.KEKs(), func(ki seal.KeyInfo) bool { return ki.ID == id }) {
		if time.Now().After(deadline) {
			t.Fatal("node b did not learn of the new KEK")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("WatchReload did not stop on cancel")
	}
}
