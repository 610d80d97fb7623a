package auditlog

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"jaga"
)

type testKey struct{ priv ed25519.PrivateKey }

func (k testKey) Sign(m []byte) []byte         { return ed25519.Sign(k.priv, m) }
func (k testKey) PublicKey() ed25519.PublicKey { return k.priv.Public().(ed25519.PublicKey) }

func newKey(t *testing.T) testKey {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{priv}
}

func subject(i int) jaga.SubjectID { return jaga.SubjectID(fmt.Sprintf("sub_%032x", i)) }

func TestEncodeRoundTrip(t *testing.T) {
	ev := &jaga.AuditEvent{Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), ActorID: "act_1", Role: jaga.RoleSupport,
		Action: jaga.ActionRead, Purpose: jaga.PurposeCustomerSupport, Reason: "TICKET-7", Subjects: []jaga.SubjectID{subject(2), subject(1)},
		FieldsRequested: []string{"phone", "email"}, FieldsReturned: []string{"phone"}, Decision: "allow",
		Decisions: map[string]jaga.Decision{"phone": jaga.Mask("last3"), "email": jaga.Deny("no_consent")}, RequestID: "req_1", Count: 2}
	b, err := Encode(ev)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ev) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, ev)
	}
	t.Run("ErrNotCanonical", func(t *testing.T) {
		for name, bad := range map[string][]byte{
			"Trailing": append(bytes.Clone(b), 0),
			"Version":  append([]byte{2}, b[1:]...),
			"Short":    b[:len(b)-3],
			"LongVarint": func() []byte { // time re-encoded with a redundant continuation byte
				x := []byte{1, 0x80, 0x00}
				return append(x, b[1+len(varintOf(ev.Time.UnixMicro())):]...)
			}(),
		} {
			if _, err := Decode(bad); err == nil {
				t.Errorf("%s: decoded", name)
			}
		}
	})
	t.Run("ErrNotSubjectID", func(t *testing.T) {
		if _, err := Encode(&jaga.AuditEvent{Subjects: []jaga.SubjectID{"rina@example.com"}}); err == nil {
			t.Fatal("encoded a subject that is not an ID")
		}
	})
}

func varintOf(v int64) []byte {
	b := make([]byte, 0, 10)
	for u := uint64(v<<1) ^ uint64(v>>63); ; u >>= 7 {
		if u < 0x80 {
			return append(b, byte(u))
		}
		b = append(b, byte(u)|0x80)
	}
}

// TestBulkSubjects checks that an event about many subjects holds only their root and
// that each subject's proof leads to it.
func TestBulkSubjects(t *testing.T) {
	var ids []jaga.SubjectID
	for i := 100; i > 0; i-- {
		ids = append(ids, subject(i))
	}
	ev := &jaga.AuditEvent{Action: jaga.ActionImport, Subjects: ids, Decision: "allow"}
	r, err := Record(ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Data) > 100 || ev.SubjectCount != 100 || len(r.Members) != 1600 {
		t.Fatalf("bulk record: %d bytes, count %d, %d member bytes", len(r.Data), ev.SubjectCount, len(r.Members))
	}
	var root tlog.Hash
	copy(root[:], ev.SubjectRoot)
	members, err := recordSubjects(r)
	if err != nil || len(members) != 100 {
		t.Fatalf("members %d, %v", len(members), err)
	}
	for pos, s := range members {
		p, err := SubjectProof(members, pos)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(p, 100, root, int64(pos), SubjectLeaf(s)); err != nil {
			t.Fatalf("%s at %d: %v", s, pos, err)
		}
	}
	if p, _ := SubjectProof(members, 3); tlog.CheckRecord(p, 100, root, 3, SubjectLeaf(subject(5000))) == nil {
		t.Fatal("a proof holds for another subject")
	}
}

func TestCheckpointSignature(t *testing.T) {
	k := newKey(t)
	s, err := NewNoteSigner(DefaultOrigin(k.PublicKey()), k)
	if err != nil {
		t.Fatal(err)
	}
	c := Checkpoint{Origin: s.Name(), Size: 7, Root: tlog.RecordHash([]byte("x"))}
	msg, err := SignCheckpoint(c, s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenCheckpoint(msg, s.VerifierKey())
	if err != nil || got != c {
		t.Fatalf("open: %+v %v", got, err)
	}
	other, _ := NewNoteSigner(DefaultOrigin(k.PublicKey()), newKey(t))
	if _, err := OpenCheckpoint(msg, other.VerifierKey()); err == nil {
		t.Fatal("opened with another key")
	}
	forged := bytes.Replace(msg, []byte("\n7\n"), []byte("\n8\n"), 1)
	if _, err := OpenCheckpoint(forged, s.VerifierKey()); err == nil {
		t.Fatal("opened a changed checkpoint")
	}
	if notes := splitNotes(append(append(bytes.Clone(msg), '\n'), msg...)); len(notes) != 2 || !bytes.Equal(notes[1], msg) {
		t.Fatalf("split %q", notes)
	}
}

func TestWitnesses(t *testing.T) {
	k := newKey(t)
	s, _ := NewNoteSigner("jaga.test/log", k)
	sign := func(size int64, root string) []byte {
		m, err := SignCheckpoint(Checkpoint{Origin: s.Name(), Size: size, Root: tlog.RecordHash([]byte(root))}, s)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ctx := context.Background()
	t.Run("File", func(t *testing.T) {
		w := FileWitness{Path: filepath.Join(t.TempDir(), "w", "checkpoint")}
		if err := w.Witness(ctx, sign(5, "a")); err != nil {
			t.Fatal(err)
		}
		if err := w.Witness(ctx, sign(9, "b")); err != nil {
			t.Fatal(err)
		}
		if err := w.Witness(ctx, sign(6, "c")); err == nil || !strings.Contains(err.Error(), "rolled back") {
			t.Fatalf("smaller checkpoint: %v", err)
		}
		if err := w.Witness(ctx, sign(9, "d")); err == nil || !strings.Contains(err.Error(), "forked") {
			t.Fatalf("forked checkpoint: %v", err)
		}
		notes, err := ReadWitness(w.Path)
		if err != nil {
			t.Fatal(err)
		}
		if c, err := OpenCheckpoint(notes[0], s.VerifierKey()); err != nil || c.Size != 9 {
			t.Fatalf("witness holds %+v %v", c, err)
		}
	})
	t.Run("HTTP", func(t *testing.T) {
		got := make(chan []byte, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			got <- b
		}))
		defer srv.Close()
		m := sign(3, "a")
		if err := (HTTPWitness{URL: srv.URL}).Witness(ctx, m); err != nil {
			t.Fatal(err)
		}
		if b := <-got; !bytes.Equal(b, m) {
			t.Fatalf("witness got %q", b)
		}
		bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusConflict) }))
		defer bad.Close()
		if err := (HTTPWitness{URL: bad.URL}).Witness(ctx, m); err == nil || !strings.Contains(err.Error(), "409") {
			t.Fatalf("refusing witness: %v", err)
		}
	})
}
