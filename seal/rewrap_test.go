package seal_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"jaga"
	"jaga/seal"
)

// memStore is an in-memory jaga.Store holding only wrapped keys by kind, for RewrapAll,
// CountKEKUsage and RetireKEK. (The SQLite store lives in sqlstore, which seal must not
// import; cmd/jaga's TestKeysRetire runs the same against a real SQLite vault.) Every
// other Tx method panics through the nil embedded interface.
type memStore struct {
	mu      sync.Mutex
	keys    map[jaga.WrappedKeyKind]map[string][]byte
	updates int
	failAt  string // SetWrappedKey fails for this ID
	locks   map[string]bool
}

// TryLock is the job lock of one process.
func (s *memStore) TryLock(ctx context.Context, name string) (func(), bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locks[name] {
		return nil, false, nil
	}
	if s.locks == nil {
		s.locks = map[string]bool{}
	}
	s.locks[name] = true
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.locks, name)
	}, true, nil
}

type memTx struct {
	jaga.Tx
	s        *memStore
	readOnly bool
	writes   []jaga.WrappedKeyRecord
}

func (s *memStore) Update(ctx context.Context, fn func(jaga.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := &memTx{s: s}
	if err := fn(tx); err != nil {
		return err
	}
	for _, w := range tx.writes {
		s.keys[w.Kind][w.ID] = w.Wrapped
	}
	s.updates++
	return nil
}

func (s *memStore) View(ctx context.Context, fn func(jaga.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fn(&memTx{s: s, readOnly: true})
}

func (s *memStore) Compact(context.Context) error { return nil }
func (s *memStore) Dialect() string               { return "memory" }
func (s *memStore) Close() error                  { return nil }

// Ping: the store is in memory, always reachable.
func (s *memStore) Ping(context.Context) error { return nil }

func (tx *memTx) WrappedKeys(ctx context.Context, kind jaga.WrappedKeyKind, after string, limit int) ([]jaga.WrappedKeyRecord, error) {
	if !kind.Valid() {
		return nil, jaga.Errorf(jaga.EINVALID, "unknown kind")
	}
	var ids []string
	for id := range tx.s.keys[kind] {
		if id > after {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var out []jaga.WrappedKeyRecord
	for _, id := range ids[:min(limit, len(ids))] {
		out = append(out, jaga.WrappedKeyRecord{Kind: kind, ID: id, Wrapped: bytes.Clone(tx.s.keys[kind][id])})
	}
	return out, nil
}

func (tx *memTx) SetWrappedKey(ctx context.Context, kind jaga.WrappedKeyKind, id string, wrapped []byte) error {
	if tx.readOnly {
		return jaga.Errorf(jaga.EINTERNAL, "write in a read-only transaction")
	}
	if id == tx.s.failAt {
		return jaga.Errorf(jaga.EINTERNAL, "disk full")
	}
	tx.writes = append(tx.writes, jaga.WrappedKeyRecord{Kind: kind, ID: id, Wrapped: bytes.Clone(wrapped)})
	return nil
}

// rewrapFixture is a keys directory and a memStore holding keys of every kind, made
// under the first KEK, after which another process added and promoted a second one.
type rewrapFixture struct {
	dir      string
	k        *seal.Keyring
	st       *memStore
	old, new uint32
	keys     map[jaga.WrappedKeyKind]map[string]*seal.DEK
	perKind  map[jaga.WrappedKeyKind]int
}

// nSubjects is the number of subjects of a rewrapFixture; every other kind has 3 keys.
const nSubjects = 25

func newRewrapFixture(t *testing.T) *rewrapFixture {
	t.Helper()
	f := &rewrapFixture{dir: MustKeysDir(t), st: &memStore{keys: map[jaga.WrappedKeyKind]map[string][]byte{}},
		keys: map[jaga.WrappedKeyKind]map[string]*seal.DEK{}, perKind: map[jaga.WrappedKeyKind]int{}}
	f.k = MustOpen(t, f.dir)
	f.old = f.k.PrimaryKEK()
	for _, kind := range jaga.WrappedKeyKinds() {
		f.st.keys[kind], f.keys[kind] = map[string][]byte{}, map[string]*seal.DEK{}
		n := 3
		if kind == jaga.WrappedSubjectDEK {
			n = nSubjects
		}
		for i := range n {
			var (
				id  string
				d   *seal.DEK
				w   []byte
				err error
			)
			switch kind {
			case jaga.WrappedRequestKey:
				id = fmt.Sprintf("dsr_%032x", i)
				d, w, err = f.k.NewRequestKey(id)
			case jaga.WrappedTokenKey:
				id = fmt.Sprintf("%032x", 0xabc0+i)
				d, w, err = f.k.NewTokenKey(id)
			default: // DEK kinds: IDs of the subject's shape, distinct across kinds
				id = string(Subject(1000*len(f.perKind) + i))
				d, w, err = f.k.NewDEK(jaga.SubjectID(id))
			}
			if err != nil {
				t.Fatal(err)
			}
			f.st.keys[kind][id], f.keys[kind][id] = w, d
		}
		f.perKind[kind] = n
	}
	// Rotate through another process's Keyring: RewrapAll must reload first.
	other := MustOpen(t, f.dir)
	f.new = MustAddKEK(t, other)
	MustPromoteKEK(t, other, f.new)
	return f
}

// open opens a wrapped key of kind with k, as the gate does for that kind.
func openKey(k *seal.Keyring, kind jaga.WrappedKeyKind, id string, w []byte) (*seal.DEK, error) {
	switch kind {
	case jaga.WrappedRequestKey:
		return k.OpenRequestKey(id, w)
	case jaga.WrappedTokenKey:
		return k.OpenTokenKey(id, w)
	}
	return k.OpenDEK(jaga.SubjectID(id), w)
}

// under counts the stored keys wrapped under KEK id.
func (f *rewrapFixture) under(id uint32) int {
	c := 0
	for _, m := range f.st.keys {
		for _, w := range m {
			if kekOf(w) == id {
				c++
			}
		}
	}
	return c
}

func (f *rewrapFixture) total() int {
	n := 0
	for _, c := range f.perKind {
		n += c
	}
	return n
}

// mustAllOpen checks that every stored key opens with k (as its kind's Open does) and
// is the key it was made as.
func (f *rewrapFixture) mustAllOpen(t *testing.T, k *seal.Keyring) {
	t.Helper()
	for kind, m := range f.st.keys {
		for id, w := range m {
			got, err := openKey(k, kind, id, w)
			if err != nil {
				t.Fatalf("%s %s: %v", kind, id, err)
			}
			mustSameDEK(t, jaga.SubjectID(id), f.keys[kind][id], got)
		}
	}
}

func TestRewrapAll(t *testing.T) {
	t.Run("DryRun", func(t *testing.T) {
		f := newRewrapFixture(t)
		stats, err := seal.RewrapAll(t.Context(), f.k, f.st, 10, true)
		if err != nil {
			t.Fatal(err)
		}
		if stats.Scanned != f.total() || stats.Rewrapped != f.total() || stats.Primary != f.new {
			t.Errorf("stats %+v, want %d", stats, f.total())
		}
		if f.under(f.new) != 0 || f.st.updates != 0 {
			t.Error("a dry run changed the store")
		}
	})

	t.Run("OK", func(t *testing.T) {
		f := newRewrapFixture(t)
		// One subject already under the new KEK.
		if err := f.k.Reload(); err != nil {
			t.Fatal(err)
		}
		s := Subject(nSubjects)
		d, w := MustNewDEK(t, f.k, s)
		if kekOf(w) != f.new {
			t.Fatal("not wrapped under the new KEK after Reload")
		}
		f.st.keys[jaga.WrappedSubjectDEK][string(s)], f.keys[jaga.WrappedSubjectDEK][string(s)] = w, d
		stats, err := seal.RewrapAll(t.Context(), f.k, f.st, 10, false)
		if err != nil {
			t.Fatal(err)
		}
		total := f.total()
		if stats.Scanned != total+1 || stats.Rewrapped != total || stats.Primary != f.new {
			t.Errorf("stats %+v, want %d scanned, %d re-wrapped", stats, total+1, total)
		}
		for _, kind := range jaga.WrappedKeyKinds() {
			want := seal.RewrapCount{Scanned: f.perKind[kind], Rewrapped: f.perKind[kind]}
			if kind == jaga.WrappedSubjectDEK {
				want.Scanned++
			}
			if got := stats.ByKind[kind]; got != want {
				t.Errorf("%s: %+v, want %+v", kind, got, want)
			}
		}
		// Subjects in batches of 10 (3), every other kind in one batch each (5).
		if f.st.updates != 8 {
			t.Errorf("%d transactions, want 8", f.st.updates)
		}
		if got := f.under(f.new); got != total+1 {
			t.Errorf("%d keys under the new KEK, want %d", got, total+1)
		}
		f.mustAllOpen(t, f.k)
		again, err := seal.RewrapAll(t.Context(), f.k, f.st, 0, false)
		if err != nil || again.Rewrapped != 0 || again.Scanned != total+1 {
			t.Errorf("second run = %+v, %v; want nothing re-wrapped", again, err)
		}
	})

	t.Run("ErrLocked", func(t *testing.T) {
		// Another node holds the re-wrap lock: nothing is re-wrapped twice at once.
		f := newRewrapFixture(t)
		release, ok, err := f.st.TryLock(t.Context(), seal.RewrapLock)
		if err != nil || !ok {
			t.Fatal("control: lock not taken")
		}
		if _, err := seal.RewrapAll(t.Context(), f.k, f.st, 10, false); jaga.ErrorCode(err) != jaga.ECONFLICT {
			t.Fatalf("RewrapAll while locked = %v, want ECONFLICT", err)
		}
		if f.under(f.new) != 0 {
			t.Fatal("RewrapAll changed keys while another held the lock")
		}
		release()
		if _, err := seal.RewrapAll(t.Context(), f.k, f.st, 10, false); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := f.st.TryLock(t.Context(), seal.RewrapLock); !ok {
			t.Fatal("RewrapAll did not release its lock")
		}
	})

	t.Run("ErrCancelled", func(t *testing.T) {
		f := newRewrapFixture(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		stats, err := seal.RewrapAll(ctx, f.k, f.st, 10, false)
		if !errors.Is(err, context.Canceled) || stats.Scanned != 0 || f.under(f.new) != 0 {
			t.Errorf("RewrapAll(cancelled) = %+v, %v", stats, err)
		}
	})

	t.Run("ErrStopsAtBatchAndResumes", func(t *testing.T) {
		f := newRewrapFixture(t)
		f.st.failAt = string(Subject(15))
		stats, err := seal.RewrapAll(t.Context(), f.k, f.st, 10, false)
		if err == nil {
			t.Fatal("no error")
		}
		if stats.Scanned != 10 || stats.Rewrapped != 10 || f.under(f.new) != 10 {
			t.Errorf("stats %+v, %d under the new KEK: want the first batch only", stats, f.under(f.new))
		}
		f.st.failAt = ""
		stats, err = seal.RewrapAll(t.Context(), f.k, f.st, 10, false)
		if err != nil || stats.Rewrapped != f.total()-10 || f.under(f.old) != 0 {
			t.Errorf("resumed run = %+v, %v; %d keys left under the old KEK", stats, err, f.under(f.old))
		}
	})

	t.Run("ErrDamagedKey", func(t *testing.T) {
		// A token key moved to another token, a request key relabelled as a token key.
		for name, move := range map[string]func(f *rewrapFixture){
			"MovedToken": func(f *rewrapFixture) {
				m := f.st.keys[jaga.WrappedTokenKey]
				ids := slices.Sorted(maps.Keys(m))
				m[ids[0]] = m[ids[1]]
			},
			"RequestAsToken": func(f *rewrapFixture) {
				id := fmt.Sprintf("dsr_%032x", 0)
				f.st.keys[jaga.WrappedTokenKey][id] = f.st.keys[jaga.WrappedRequestKey][id]
			},
		} {
			t.Run(name, func(t *testing.T) {
				f := newRewrapFixture(t)
				move(f)
				if _, err := seal.RewrapAll(t.Context(), f.k, f.st, 10, false); !errors.Is(err, seal.ErrDecrypt) {
					t.Errorf("RewrapAll = %v, want ErrDecrypt", err)
				}
			})
		}
	})
}

// TestRewrapKinds: Rewrap binds each kind's own associated data, so a key re-wrapped
// as another kind, or for another ID, does not open.
func TestRewrapKinds(t *testing.T) {
	f := newRewrapFixture(t)
	if err := f.k.Reload(); err != nil {
		t.Fatal(err)
	}
	for _, kind := range jaga.WrappedKeyKinds() {
		for id, w := range f.st.keys[kind] {
			out, changed, err := f.k.Rewrap(kind, id, w)
			if err != nil || !changed || kekOf(out) != f.new {
				t.Fatalf("%s: Rewrap = changed %v, %v", kind, changed, err)
			}
			got, err := openKey(f.k, kind, id, out)
			if err != nil {
				t.Fatalf("%s: open after Rewrap: %v", kind, err)
			}
			mustSameDEK(t, jaga.SubjectID(id), f.keys[kind][id], got)
			break
		}
	}
	req := fmt.Sprintf("dsr_%032x", 1)
	if _, _, err := f.k.Rewrap(jaga.WrappedTokenKey, req, f.st.keys[jaga.WrappedRequestKey][req]); !errors.Is(err, seal.ErrDecrypt) {
		t.Errorf("Rewrap of a request key as a token key = %v, want ErrDecrypt", err)
	}
	if _, _, err := f.k.Rewrap("purchase", req, f.st.keys[jaga.WrappedRequestKey][req]); jaga.ErrorCode(err) != jaga.EINVALID {
		t.Errorf("Rewrap of an unknown kind = %v, want EINVALID", err)
	}
	if _, _, err := f.k.Rewrap(jaga.WrappedQuarantineDEK, "q1", make([]byte, seal.WrappedDEKSize)); jaga.ErrorCode(err) != jaga.EINVALID {
		t.Errorf("Rewrap of a DEK with an ID not of a subject's shape = %v, want EINVALID", err)
	}
}

func TestCountKEKUsage(t *testing.T) {
	f := newRewrapFixture(t)
	u, err := seal.CountKEKUsage(t.Context(), f.st, 7)
	if err != nil {
		t.Fatal(err)
	}
	if u.Total(f.old) != f.total() || u.Total(f.new) != 0 || len(u.Unreadable) != 0 {
		t.Fatalf("before re-wrap: old %d, new %d, unreadable %v", u.Total(f.old), u.Total(f.new), u.Unreadable)
	}
	if got, want := u.Describe(f.old), "25 subject, 3 quarantine, 3 signup, 3 pending_purchase, 3 request, 3 token"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	if _, err := seal.RewrapAll(t.Context(), f.k, f.st, 7, false); err != nil {
		t.Fatal(err)
	}
	f.st.keys[jaga.WrappedTokenKey]["00"] = []byte{1, 2, 3}
	if u, err = seal.CountKEKUsage(t.Context(), f.st, 0); err != nil {
		t.Fatal(err)
	}
	if u.Total(f.old) != 0 || u.Describe(f.old) != "none" || u.Total(f.new) != f.total() || u.Unreadable[jaga.WrappedTokenKey] != 1 {
		t.Errorf("after re-wrap: old %d, new %d, unreadable %v", u.Total(f.old), u.Total(f.new), u.Unreadable)
	}
}

func TestRetireKEK(t *testing.T) {
	t.Run("ErrInUse", func(t *testing.T) {
		f := newRewrapFixture(t)
		_, err := seal.RetireKEK(t.Context(), f.k, f.st, f.old, 0)
		if jaga.ErrorCode(err) != jaga.ECONFLICT {
			t.Fatalf("RetireKEK before the re-wrap = %v, want ECONFLICT", err)
		}
		for _, want := range []string{fmt.Sprintf("kek %d still wraps %d keys", f.old, f.total()), "25 subject", "3 quarantine", "3 token"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		if !slices.ContainsFunc(MustOpen(t, f.dir).KEKs(), func(ki seal.KeyInfo) bool { return ki.ID == f.old }) {
			t.Fatal("the KEK in use was removed")
		}
		// Only the subjects re-wrapped (what RewrapAll did before every kind was): still refused.
		for id, w := range f.st.keys[jaga.WrappedSubjectDEK] {
			out, _, err := f.k.Rewrap(jaga.WrappedSubjectDEK, id, w)
			if err != nil {
				t.Fatal(err)
			}
			f.st.keys[jaga.WrappedSubjectDEK][id] = out
		}
		if _, err := seal.RetireKEK(t.Context(), f.k, f.st, f.old, 0); jaga.ErrorCode(err) != jaga.ECONFLICT || strings.Contains(err.Error(), "subject") {
			t.Errorf("RetireKEK with only subjects re-wrapped = %v, want ECONFLICT naming the other kinds", err)
		}
	})

	t.Run("ErrPrimary", func(t *testing.T) {
		f := newRewrapFixture(t)
		if _, err := seal.RetireKEK(t.Context(), f.k, f.st, f.new, 0); jaga.ErrorCode(err) != jaga.EINVALID {
			t.Errorf("RetireKEK(primary) = %v, want EINVALID", err)
		}
	})

	t.Run("ErrUnknown", func(t *testing.T) {
		f := newRewrapFixture(t)
		unknown := uint32(1)
		for unknown == f.old || unknown == f.new {
			unknown++
		}
		if _, err := seal.RetireKEK(t.Context(), f.k, f.st, unknown, 0); jaga.ErrorCode(err) != jaga.ENOTFOUND {
			t.Errorf("RetireKEK(unknown) = %v, want ENOTFOUND", err)
		}
	})

	t.Run("ErrLocked", func(t *testing.T) {
		f := newRewrapFixture(t)
		release, _, _ := f.st.TryLock(t.Context(), seal.RewrapLock)
		defer release()
		if _, err := seal.RetireKEK(t.Context(), f.k, f.st, f.old, 0); jaga.ErrorCode(err) != jaga.ECONFLICT {
			t.Errorf("RetireKEK while a re-wrap runs = %v, want ECONFLICT", err)
		}
	})

	t.Run("OK", func(t *testing.T) {
		f := newRewrapFixture(t)
		oldWraps := map[jaga.WrappedKeyKind]map[string][]byte{}
		for kind, m := range f.st.keys {
			oldWraps[kind] = maps.Clone(m)
		}
		if _, err := seal.RewrapAll(t.Context(), f.k, f.st, 10, false); err != nil {
			t.Fatal(err)
		}
		if _, err := seal.RetireKEK(t.Context(), f.k, f.st, f.old, 0); err != nil {
			t.Fatal(err)
		}
		fresh := MustOpen(t, f.dir)
		for _, k := range []*seal.Keyring{f.k, fresh} {
			if ids := k.KEKs(); len(ids) != 1 || ids[0].ID != f.new || !ids[0].Primary {
				t.Errorf("KEKs after retiring %d: %+v", f.old, ids)
			}
		}
		if m := mode(t, filepath.Join(f.dir, seal.KEKFile)); m != 0o600 {
			t.Errorf("kek.json mode %o, want 600", m)
		}
		f.mustAllOpen(t, fresh)
		// A copy of a key wrapped under the retired KEK (an old backup) no longer opens.
		for kind, m := range oldWraps {
			for id, w := range m {
				if _, err := openKey(fresh, kind, id, w); !errors.Is(err, seal.ErrUnknownKEK) {
					t.Errorf("%s %s under the retired KEK: %v, want ErrUnknownKEK", kind, id, err)
				}
				break
			}
		}
		if _, err := os.Stat(filepath.Join(f.dir, seal.KEKFile)); err != nil {
			t.Fatal(err)
		}
	})
}
