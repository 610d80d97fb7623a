package seal_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"

	"jaga"
	"jaga/seal"
)

func TestAD(t *testing.T) {
	s := Subject(7)
	if got, want := string(seal.FieldAD(s, "email")), "jaga/field/v1|"+string(s)+"|email"; got != want {
		t.Errorf("FieldAD = %q, want %q", got, want)
	}
	if got, want := string(seal.PurchaseAD(s)), "jaga/purchase/v1|"+string(s); got != want {
		t.Errorf("PurchaseAD = %q, want %q", got, want)
	}
}

func TestDEK(t *testing.T) {
	k := MustOpen(t, MustKeysDir(t))
	s1, s2 := Subject(1), Subject(2)
	d1, w1 := MustNewDEK(t, k, s1)
	d2, w2 := MustNewDEK(t, k, s2)
	value := []byte("Siti Rahayu Wulandari")

	t.Run("RoundTrip", func(t *testing.T) {
		if len(w1) != seal.WrappedDEKSize {
			t.Fatalf("wrapped DEK is %d bytes, want %d", len(w1), seal.WrappedDEKSize)
		}
		for _, pt := range [][]byte{value, {}, bytes.Repeat([]byte{0xAB}, 4096)} {
			ct, err := d1.Seal(seal.FieldAD(s1, "full_name"), pt)
			if err != nil {
				t.Fatal(err)
			}
			if len(ct) != len(pt)+seal.Overhead {
				t.Errorf("ciphertext is %d bytes, want %d", len(ct), len(pt)+seal.Overhead)
			}
			if len(pt) > 0 && bytes.Contains(ct, pt) {
				t.Error("ciphertext contains the plaintext")
			}
			again, err := k.OpenDEK(s1, w1)
			if err != nil {
				t.Fatalf("OpenDEK: %v", err)
			}
			got, err := again.Open(seal.FieldAD(s1, "full_name"), ct)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, pt) {
				t.Fatal("round trip changed the value")
			}
		}
	})

	t.Run("FreshNonces", func(t *testing.T) {
		a, _ := d1.Seal(seal.FieldAD(s1, "email"), value)
		b, _ := d1.Seal(seal.FieldAD(s1, "email"), value)
		if bytes.Equal(a, b) {
			t.Error("two seals of one value are equal")
		}
		_, w := MustNewDEK(t, k, s1)
		if bytes.Equal(w, w1) {
			t.Error("two DEKs of one subject are equal")
		}
	})

	t.Run("Purchase", func(t *testing.T) {
		ct, err := d1.Seal(seal.PurchaseAD(s1), []byte(`{"sku":"W-1","qty":2}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d1.Open(seal.PurchaseAD(s1), ct); err != nil {
			t.Fatal(err)
		}
		if _, err := d1.Open(seal.FieldAD(s1, jaga.FieldPurchases), ct); !errors.Is(err, seal.ErrDecrypt) {
			t.Errorf("a purchase opened as a field: %v", err)
		}
	})

	ct, err := d1.Seal(seal.FieldAD(s1, "email"), value)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ErrMovedToOtherField", func(t *testing.T) {
		if _, err := d1.Open(seal.FieldAD(s1, "phone"), ct); !errors.Is(err, seal.ErrDecrypt) {
			t.Errorf("Open under another field: %v, want ErrDecrypt", err)
		}
	})

	t.Run("ErrMovedToOtherSubject", func(t *testing.T) {
		// The row of subject 2 gets subject 1's ciphertext: subject 2's DEK and AD.
		if _, err := d2.Open(seal.FieldAD(s2, "email"), ct); !errors.Is(err, seal.ErrDecrypt) {
			t.Errorf("Open as another subject: %v, want ErrDecrypt", err)
		}
		// Even with subject 1's DEK, the AD names the subject.
		if _, err := d1.Open(seal.FieldAD(s2, "email"), ct); !errors.Is(err, seal.ErrDecrypt) {
			t.Errorf("Open with another subject's AD: %v, want ErrDecrypt", err)
		}
	})

	t.Run("ErrWrappedDEKMovedToOtherSubject", func(t *testing.T) {
		if _, err := k.OpenDEK(s2, w1); !errors.Is(err, seal.ErrDecrypt) {
			t.Errorf("OpenDEK(s2, w1): %v, want ErrDecrypt", err)
		}
		if _, err := k.OpenDEK(s1, w2); !errors.Is(err, seal.ErrDecrypt) {
			t.Errorf("OpenDEK(s1, w2): %v, want ErrDecrypt", err)
		}
	})

	t.Run("ErrShort", func(t *testing.T) {
		for n := 0; n < seal.Overhead; n++ {
			if _, err := d1.Open(seal.FieldAD(s1, "email"), ct[:n]); !errors.Is(err, seal.ErrDecrypt) {
				t.Errorf("Open(%d bytes): %v, want ErrDecrypt", n, err)
			}
		}
		if _, err := d1.Open(seal.FieldAD(s1, "email"), nil); !errors.Is(err, seal.ErrDecrypt) {
			t.Errorf("Open(nil): %v", err)
		}
	})

	t.Run("ErrTampered", func(t *testing.T) {
		for i := range ct {
			bad := bytes.Clone(ct)
			bad[i] ^= 0x01
			if _, err := d1.Open(seal.FieldAD(s1, "email"), bad); !errors.Is(err, seal.ErrDecrypt) {
				t.Fatalf("byte %d flipped: %v, want ErrDecrypt", i, err)
			}
		}
		if _, err := d1.Open(seal.FieldAD(s1, "email"), append(bytes.Clone(ct), 0)); !errors.Is(err, seal.ErrDecrypt) {
			t.Errorf("byte appended: %v", err)
		}
	})

	t.Run("ErrInvalidSubject", func(t *testing.T) {
		for _, s := range []jaga.SubjectID{"", "sub_1", "3273010101800019", jaga.SubjectID("sub_" + string(bytes.Repeat([]byte("A"), 32)))} {
			if _, _, err := k.NewDEK(s); jaga.ErrorCode(err) != jaga.EINVALID {
				t.Errorf("NewDEK(%q): %v, want EINVALID", s, err)
			}
			if _, err := k.OpenDEK(s, w1); jaga.ErrorCode(err) != jaga.EINVALID {
				t.Errorf("OpenDEK(%q): %v, want EINVALID", s, err)
			}
		}
	})

	t.Run("ErrorsHoldNoValue", func(t *testing.T) {
		_, err := d2.Open(seal.FieldAD(s2, "email"), ct)
		if bytes.Contains([]byte(err.Error()), value) {
			t.Errorf("error %q holds the value", err)
		}
	})
}

func TestOpenDEKBad(t *testing.T) {
	k := MustOpen(t, MustKeysDir(t))
	other := MustOpen(t, MustKeysDir(t))
	s := Subject(1)
	_, w := MustNewDEK(t, k, s)
	_, foreign := MustNewDEK(t, other, s)

	random := func(n int) []byte {
		b := make([]byte, n)
		rand.Read(b)
		return b
	}
	withPrefix := func(b []byte) []byte { // random body under this vault's KEK ID
		copy(b, w[:5])
		return b
	}
	cases := map[string][]byte{
		"Nil":             nil,
		"Empty":           {},
		"OneByte":         {0x01},
		"PrefixOnly":      bytes.Clone(w[:5]),
		"Truncated":       bytes.Clone(w[:len(w)-1]),
		"Extended":        append(bytes.Clone(w), 0),
		"Random":          random(seal.WrappedDEKSize),
		"RandomLong":      random(1000),
		"RandomKnownKEK":  withPrefix(random(seal.WrappedDEKSize)),
		"LegacyPrefix":    append([]byte{0x00}, w[1:]...),
		"NoPrefix":        append(bytes.Clone(w[5:]), 0, 0, 0, 0, 0),
		"ForeignVault":    foreign,
		"ZerosKnownKEK":   withPrefix(make([]byte, seal.WrappedDEKSize)),
		"DoubledTruncate": bytes.Clone(w[:seal.WrappedDEKSize/2]),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			d, err := k.OpenDEK(s, b)
			if err == nil || d != nil {
				t.Fatalf("OpenDEK = %v, %v; want an error", d, err)
			}
			if !errors.Is(err, seal.ErrDecrypt) && !errors.Is(err, seal.ErrUnknownKEK) {
				t.Errorf("error %v wraps neither ErrDecrypt nor ErrUnknownKEK", err)
			}
		})
	}
	t.Run("ForeignVaultIsUnknownKEK", func(t *testing.T) {
		if _, err := k.OpenDEK(s, foreign); !errors.Is(err, seal.ErrUnknownKEK) {
			t.Errorf("OpenDEK(foreign) = %v, want ErrUnknownKEK", err)
		}
	})
	t.Run("EveryByteTampered", func(t *testing.T) {
		for i := range w {
			for _, bit := range []byte{0x01, 0x80} {
				bad := bytes.Clone(w)
				bad[i] ^= bit
				if _, err := k.OpenDEK(s, bad); err == nil {
					t.Fatalf("byte %d ^ %#x: opened", i, bit)
				}
			}
		}
	})
	t.Run("EveryLength", func(t *testing.T) {
		for n := range len(w) {
			if _, err := k.OpenDEK(s, w[:n]); !errors.Is(err, seal.ErrDecrypt) {
				t.Fatalf("%d bytes: %v, want ErrDecrypt", n, err)
			}
		}
	})
}

func FuzzOpenDEK(f *testing.F) {
	k := MustOpen(f, MustKeysDir(f))
	seal.SetMissGap(k, 0) // let unknown key IDs reload every time: the slow path, fuzzed too
	s := Subject(1)
	_, w := MustNewDEK(f, k, s)
	f.Add(w)
	f.Add(w[:len(w)-1])
	f.Add([]byte{})
	f.Add([]byte{0x01, 0, 0, 0, 0})
	f.Add(append([]byte{0x00}, w[1:]...))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := k.OpenDEK(s, b)
		if bytes.Equal(b, w) {
			if err != nil {
				t.Fatalf("the valid wrap failed: %v", err)
			}
			return
		}
		if err == nil || d != nil {
			t.Fatalf("OpenDEK(%x) opened", b)
		}
		if _, _, err := k.Rewrap(jaga.WrappedSubjectDEK, string(s), b); err == nil && len(b) != seal.WrappedDEKSize {
			t.Fatalf("Rewrap(%x) accepted a wrong size", b)
		}
	})
}

// TestAESGCMVectors checks the field AEAD against the AES-256 test cases 13-16 of
// McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)" (2005), also in NIST's
// GCM test vectors. Tink's API draws the nonce itself and cannot fix it, so only opening
// is checked against the vectors: the stored form is nonce ‖ ciphertext ‖ tag.
func TestAESGCMVectors(t *testing.T) {
	h := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const (
		k1516 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
		p15   = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" +
			"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
		c15 = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa" +
			"8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
	)
	for _, tc := range []struct {
		name                string
		key, iv, p, a, c, t string
	}{
		{"Case13", "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
			"", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
		{"Case14", "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
			"00000000000000000000000000000000", "", "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
		{"Case15", k1516, "cafebabefacedbaddecaf888", p15, "", c15, "b094dac5d93471bdec1a502270e3cc6c"},
		{"Case16", k1516, "cafebabefacedbaddecaf888", p15[:120], "feedfacedeadbeeffeedfacedeadbeefabaddad2",
			c15[:120], "76fc6ece0f4e1768cddf8853bb2d551b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := seal.DEKFromKey(Subject(1), h(tc.key))
			if err != nil {
				t.Fatal(err)
			}
			stored := append(append(h(tc.iv), h(tc.c)...), h(tc.t)...)
			got, err := d.Open(h(tc.a), stored)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, h(tc.p)) {
				t.Fatalf("plaintext %x, want %s", got, tc.p)
			}
			stored[len(stored)-1] ^= 1
			if _, err := d.Open(h(tc.a), stored); !errors.Is(err, seal.ErrDecrypt) {
				t.Errorf("a wrong tag opened: %v", err)
			}
		})
	}
}
