package sqlstore

import (
	"bytes"
	"reflect"
	"testing"
)

func TestEncodeSealed(t *testing.T) {
	for _, tt := range []struct {
		name string
		m    map[string][]byte
		want []byte
	}{
		{"Nil", nil, []byte{0x01, 0x00}},
		{"Empty", map[string][]byte{}, []byte{0x01, 0x00}},
		{"Sorted", map[string][]byte{"b": {0xff}, "a": {}}, []byte{0x01, 0x02, 0x01, 'a', 0x00, 0x01, 'b', 0x01, 0xff}},
		{"LongValue", map[string][]byte{"x": bytes.Repeat([]byte{7}, 200)},
			append([]byte{0x01, 0x01, 0x01, 'x', 0xc8, 0x01}, bytes.Repeat([]byte{7}, 200)...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := EncodeSealed(tt.m)
			if !bytes.Equal(got, tt.want) {
				t.Fatalf("EncodeSealed = %x, want %x", got, tt.want)
			}
			back, err := DecodeSealed(got)
			if err != nil {
				t.Fatal(err)
			}
			if len(back) != len(tt.m) {
				t.Fatalf("DecodeSealed = %v", back)
			}
			for k, v := range tt.m {
				if !bytes.Equal(back[k], v) {
					t.Fatalf("DecodeSealed[%q] = %x, want %x", k, back[k], v)
				}
			}
		})
	}
}

func TestDecodeSealedCapacity(t *testing.T) {
	m, err := DecodeSealed(EncodeSealed(map[string][]byte{"a": {1, 2}, "b": {3, 4}}))
	if err != nil {
		t.Fatal(err)
	}
	// Appending to one value must not overwrite the next in the shared buffer.
	_ = append(m["a"], 9, 9, 9)
	if !bytes.Equal(m["b"], []byte{3, 4}) {
		t.Fatalf("b = %x after append to a", m["b"])
	}
}

func TestDecodeSealedErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		b    []byte
	}{
		{"Nil", nil},
		{"VersionOnly", []byte{0x01}},
		{"UnknownVersion", []byte{0x02, 0x00}},
		{"BadCount", []byte{0x01, 0x80}},
		{"CountTooLarge", []byte{0x01, 0x05, 0x01, 'a', 0x00}},
		{"HugeCount", []byte{0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"TruncatedName", []byte{0x01, 0x01, 0x05, 'a', 'b', 0x00}},
		{"TruncatedValue", []byte{0x01, 0x01, 0x01, 'a', 0x05, 1, 2}},
		{"HugeLength", []byte{0x01, 0x01, 0x01, 'a', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00}},
		{"EmptyName", []byte{0x01, 0x01, 0x00, 0x01, 0x07, 0x00}},
		{"InvalidUTF8Name", []byte{0x01, 0x01, 0x01, 0xff, 0x00, 0x00}},
		{"Duplicate", []byte{0x01, 0x02, 0x01, 'a', 0x00, 0x01, 'a', 0x00}},
		{"Trailing", []byte{0x01, 0x01, 0x01, 'a', 0x00, 0x00}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if m, err := DecodeSealed(tt.b); err == nil {
				t.Fatalf("DecodeSealed(%x) = %v, want an error", tt.b, m)
			}
		})
	}
}

// FuzzDecodeSealed checks that no input panics and that whatever decodes encodes back
// to the same bytes (the encoding is canonical: sorted, no duplicates, no trailing data).
func FuzzDecodeSealed(f *testing.F) {
	f.Add([]byte{0x01, 0x00})
	f.Add(EncodeSealed(map[string][]byte{"email": []byte("ciphertext"), "phone": {}, "nik": {0, 1, 2}}))
	f.Add([]byte{0x01, 0x02, 0x01, 'a', 0x00, 0x01, 'a', 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeSealed(b)
		if err != nil {
			return
		}
		if again := EncodeSealed(m); !bytes.Equal(again, b) {
			// Only a non-canonical order of names may differ.
			m2, err := DecodeSealed(again)
			if err != nil || !reflect.DeepEqual(m, m2) {
				t.Fatalf("re-encoding %x gave %x", b, again)
			}
		}
	})
}

// FuzzSealedRoundTrip encodes maps built from fuzz input and decodes them back.
func FuzzSealedRoundTrip(f *testing.F) {
	f.Add("email", []byte("v1"), "phone", []byte{})
	f.Fuzz(func(t *testing.T, k1 string, v1 []byte, k2 string, v2 []byte) {
		m := map[string][]byte{k1: v1, k2: v2}
		got, err := DecodeSealed(EncodeSealed(m))
		valid := k1 != "" && k2 != "" && isUTF8(k1) && isUTF8(k2)
		if !valid {
			return // names that DecodeSealed refuses; the store never writes them
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(m) {
			t.Fatalf("got %d entries, want %d", len(got), len(m))
		}
		for k, v := range m {
			if !bytes.Equal(got[k], v) {
				t.Fatalf("%q: got %x, want %x", k, got[k], v)
			}
		}
	})
}

func isUTF8(s string) bool { return bytes.Equal([]byte(s), []byte(string([]rune(s)))) }

func BenchmarkEncodeSealed(b *testing.B) {
	m := sampleSealed()
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendSealed(buf[:0], m)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkDecodeSealed(b *testing.B) {
	enc := EncodeSealed(sampleSealed())
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := DecodeSealed(enc); err != nil {
			b.Fatal(err)
		}
	}
}

// sampleSealed is 37 values of 40 bytes under the default schema's name lengths.
func sampleSealed() map[string][]byte {
	m := map[string][]byte{}
	for i := range 37 {
		m["field_name_"+string(rune('a'+i%26))+string(rune('a'+i/26))] = bytes.Repeat([]byte{byte(i)}, 40)
	}
	return m
}
