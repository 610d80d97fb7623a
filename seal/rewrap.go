package seal

import (
	"context"
	"fmt"

	"jaga"
)

// wrapAD returns the associated data a key of kind named id is wrapped with (see
// jaga.WrappedKeyKind) and a name for it in errors. The DEK kinds need a subject-shaped
// ID; EINVALID for an invalid ID or an unknown kind.
func wrapAD(kind jaga.WrappedKeyKind, id string) (ad []byte, name string, err error) {
	switch kind {
	case jaga.WrappedSubjectDEK, jaga.WrappedQuarantineDEK, jaga.WrappedSignupDEK, jaga.WrappedPendingPurchaseDEK:
		s := jaga.SubjectID(id)
		if err := checkSubject(s); err != nil {
			return nil, "", err
		}
		return dekAD(s), "DEK of " + id, nil
	case jaga.WrappedRequestKey:
		if id == "" {
			return nil, "", jaga.Errorf(jaga.EINVALID, "a request key needs a request ID")
		}
		return []byte(requestKeyADPrefix + id), "key of request " + id, nil
	case jaga.WrappedTokenKey:
		if id == "" {
			return nil, "", jaga.Errorf(jaga.EINVALID, "a token key needs a token ID")
		}
		return []byte(tokenKeyADPrefix + id), "key of token " + id, nil
	}
	return nil, "", &jaga.Error{Code: jaga.EINVALID, Field: "kind", Message: "unknown wrapped key kind"}
}

// Rewrap re-wraps a key of kind named id (a subject's DEK, a quarantined row's, a
// request's or a token's key: see jaga.WrappedKeyKind) under the primary KEK when it is
// wrapped under another one, with the same associated data, returning the new wrapped
// key and changed=true; a key already under the primary is returned as it is with
// changed=false (and is not opened). The key itself stays the same, so nothing sealed
// under it changes. Errors: EINVALID for an unknown kind or an invalid ID, else those of
// OpenDEK (ErrDecrypt, ErrUnknownKEK).
func (k *Keyring) Rewrap(kind jaga.WrappedKeyKind, id string, wrapped []byte) (out []byte, changed bool, err error) {
	ad, name, err := wrapAD(kind, id)
	if err != nil {
		return nil, false, err
	}
	kek, err := wrappedKEK(name, wrapped)
	if err != nil {
		return nil, false, err
	}
	if kek == k.kek.Load().primary {
		return wrapped, false, nil
	}
	raw, err := k.unwrapAD(name, ad, wrapped)
	if err != nil {
		return nil, false, err
	}
	defer clear(raw)
	out, err = k.kek.Load().aead.Encrypt(raw, ad)
	if err != nil {
		return nil, false, fmt.Errorf("seal: re-wrap %s: %w", name, err)
	}
	return out, true, nil
}

// RewrapCount counts the keys of one kind in a RewrapAll run: scanned, and re-wrapped
// (in a dry run: that would be re-wrapped).
type RewrapCount struct {
	Scanned   int
	Rewrapped int
}

// RewrapStats counts one RewrapAll run: wrapped keys scanned and re-wrapped (in a dry
// run: that would be re-wrapped) over every kind, the same per kind in ByKind (every
// jaga.WrappedKeyKind reached has an entry), and the primary KEK they were re-wrapped
// under.
type RewrapStats struct {
	Scanned   int
	Rewrapped int
	ByKind    map[jaga.WrappedKeyKind]RewrapCount
	Primary   uint32
}

// RewrapLock is the name of the store job lock (jaga.Store.TryLock) a re-wrap run holds.
const RewrapLock = "kek_rewrap"

// DefaultRewrapBatch is the batch size RewrapAll uses when given zero or less.
const DefaultRewrapBatch = 500

// RewrapAll re-wraps, under the primary KEK, every key of st wrapped under another KEK
// (DESIGN.md rotation, after PromoteKEK) — subjects' DEKs, quarantined rows', pending
// sign-ups' and pending purchases' DEKs, request keys and token keys, each with its own
// associated data (jaga.WrappedKeyKinds, in that order) — so that the old KEK protects
// nothing any more and can be retired (RetireKEK). It first reloads kek.json, then pages
// through each kind in ID order, batch at a time (DefaultRewrapBatch when batch <= 0).
// Each batch is read and rewritten in one Update transaction (Tx.WrappedKeys then
// Tx.SetWrappedKey), so that an erasure cannot slip between the read and the write; a
// dry run reads in View transactions and writes nothing. It stops at the first error or
// when ctx is cancelled, returning the counts of the batches committed so far with the
// error (ctx.Err() on cancel). Running it again resumes: keys already under the primary
// are skipped. The caller writes the audit event of the run (jaga.ActionKeyRotation).
//
// A run that writes holds the store's job lock RewrapLock for its duration, so that of
// several nodes sharing one database only one re-wraps at a time; while another holds
// it, RewrapAll returns ECONFLICT at once and changes nothing.
func RewrapAll(ctx context.Context, k *Keyring, st jaga.Store, batch int, dryRun bool) (RewrapStats, error) {
	stats := RewrapStats{ByKind: map[jaga.WrappedKeyKind]RewrapCount{}}
	if batch <= 0 {
		batch = DefaultRewrapBatch
	}
	if !dryRun {
		release, err := lockRewrap(ctx, st)
		if err != nil {
			return stats, err
		}
		defer release()
	}
	if err := k.Reload(); err != nil {
		return stats, err
	}
	stats.Primary = k.PrimaryKEK()
	for _, kind := range jaga.WrappedKeyKinds() {
		stats.ByKind[kind] = RewrapCount{}
		var c RewrapCount // of the batch in hand, counted once it commits
		err := eachWrappedKeyBatch(ctx, st, kind, batch, !dryRun, func(tx jaga.Tx, recs []jaga.WrappedKeyRecord) error {
			c = RewrapCount{Scanned: len(recs)}
			for _, r := range recs {
				out, ok, err := k.Rewrap(r.Kind, r.ID, r.Wrapped)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				c.Rewrapped++
				if !dryRun {
					if err := tx.SetWrappedKey(ctx, r.Kind, r.ID, out); err != nil {
						return err
					}
				}
			}
			return nil
		}, func() {
			kc := stats.ByKind[kind]
			kc.Scanned += c.Scanned
			kc.Rewrapped += c.Rewrapped
			stats.ByKind[kind] = kc
			stats.Scanned += c.Scanned
			stats.Rewrapped += c.Rewrapped
		})
		if err != nil {
			return stats, err
		}
	}
	return stats, nil
}

// lockRewrap takes the store's job lock RewrapLock; ECONFLICT when another holds it.
func lockRewrap(ctx context.Context, st jaga.Store) (release func(), err error) {
	release, ok, err := st.TryLock(ctx, RewrapLock)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, jaga.Errorf(jaga.ECONFLICT, "another node is re-wrapping or retiring keys; run again when it has finished")
	}
	return release, nil
}

// eachWrappedKeyBatch pages through the wrapped keys of kind in ID order, batch at a
// time, calling fn with each non-empty page inside the transaction that read it (Update
// when write, else View) and committed, if not nil, once that transaction committed
// after fn. It stops at fn's first error, a store error or ctx's
// cancellation, and when the store lists IDs out of order (which would loop).
func eachWrappedKeyBatch(ctx context.Context, st jaga.Store, kind jaga.WrappedKeyKind, batch int, write bool, fn func(jaga.Tx, []jaga.WrappedKeyRecord) error, committed func()) error {
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var n int
		var last string
		run := func(tx jaga.Tx) error {
			recs, err := tx.WrappedKeys(ctx, kind, after, batch)
			if err != nil {
				return err
			}
			n = len(recs)
			if n == 0 {
				return nil
			}
			last = recs[n-1].ID
			return fn(tx, recs)
		}
		var err error
		if write {
			err = st.Update(ctx, run)
		} else {
			err = st.View(ctx, run)
		}
		if err != nil {
			return err
		}
		if n > 0 && committed != nil {
			committed()
		}
		if n < batch {
			return nil
		}
		if last <= after {
			return fmt.Errorf("seal: re-wrap: store listed %s key %s after %s, not in ID order", kind, last, after)
		}
		after = last
	}
}
