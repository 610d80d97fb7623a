package seal

import (
	"context"
	"fmt"

	"jaga"
)

// Rewrap re-wraps subject's wrapped DEK under the primary KEK when it is wrapped under
// another one, returning the new wrapped DEK and changed=true; a DEK already under the
// primary is returned as it is with changed=false (and is not opened). Field ciphertext
// never changes: the DEK itself stays the same. Errors are those of OpenDEK.
func (k *Keyring) Rewrap(subject jaga.SubjectID, wrapped []byte) (out []byte, changed bool, err error) {
	if err := checkSubject(subject); err != nil {
		return nil, false, err
	}
	id, err := wrappedKEK(subject, wrapped)
	if err != nil {
		return nil, false, err
	}
	if id == k.kek.Load().primary {
		return wrapped, false, nil
	}
	raw, err := k.unwrap(subject, wrapped)
	if err != nil {
		return nil, false, err
	}
	defer clear(raw)
	out, err = k.kek.Load().aead.Encrypt(raw, dekAD(subject))
	if err != nil {
		return nil, false, fmt.Errorf("seal: re-wrap DEK of %s: %w", subject, err)
	}
	return out, true, nil
}

// RewrapStats counts one RewrapAll run: wrapped DEKs scanned, DEKs re-wrapped (in a dry
// run: that would be re-wrapped), and the primary KEK they were re-wrapped under.
type RewrapStats struct {
	Scanned   int
	Rewrapped int
	Primary   uint32
}

// RewrapLock is the name of the store job lock (jaga.Store.TryLock) a re-wrap run holds.
const RewrapLock = "kek_rewrap"

// DefaultRewrapBatch is the batch size RewrapAll uses when given zero or less.
const DefaultRewrapBatch = 500

// RewrapAll re-wraps, under the primary KEK, every wrapped DEK of st that is wrapped under
// another KEK (DESIGN.md rotation, after PromoteKEK): it first reloads kek.json, then pages
// through the subjects in ID order, batch at a time (DefaultRewrapBatch when batch <= 0).
// Each batch is read and rewritten in one Update transaction (Tx.WrappedDEKs then
// Tx.SetWrappedDEK), so that an erasure cannot slip between the read and the write; a dry
// run reads in View transactions and writes nothing. It stops at the first error or when
// ctx is cancelled, returning the counts of the batches committed so far with the error
// (ctx.Err() on cancel). Running it again resumes: DEKs already under the primary are
// skipped. The caller writes the audit event of the run (jaga.ActionKeyRotation).
//
// A run that writes holds the store's job lock RewrapLock for its duration, so that of
// several nodes sharing one database only one re-wraps at a time; while another holds
// it, RewrapAll returns ECONFLICT at once and changes nothing.
func RewrapAll(ctx context.Context, k *Keyring, st jaga.Store, batch int, dryRun bool) (RewrapStats, error) {
	var stats RewrapStats
	if batch <= 0 {
		batch = DefaultRewrapBatch
	}
	if !dryRun {
		release, ok, err := st.TryLock(ctx, RewrapLock)
		if err != nil {
			return stats, err
		}
		if !ok {
			return stats, jaga.Errorf(jaga.ECONFLICT, "another node is re-wrapping data keys; run again when it has finished")
		}
		defer release()
	}
	if err := k.Reload(); err != nil {
		return stats, err
	}
	stats.Primary = k.PrimaryKEK()
	var after jaga.SubjectID
	for {
		if err := ctx.Err(); err != nil {
			return stats, err
		}
		var n, changed int
		var last jaga.SubjectID
		run := func(tx jaga.Tx) error {
			n, changed = 0, 0
			recs, err := tx.WrappedDEKs(ctx, after, batch)
			if err != nil {
				return err
			}
			for _, r := range recs {
				out, ok, err := k.Rewrap(r.Subject, r.WrappedDEK)
				if err != nil {
					return err
				}
				if ok {
					changed++
					if !dryRun {
						if err := tx.SetWrappedDEK(ctx, r.Subject, out); err != nil {
							return err
						}
					}
				}
			}
			n = len(recs)
			if n > 0 {
				last = recs[n-1].Subject
			}
			return nil
		}
		var err error
		if dryRun {
			err = st.View(ctx, run)
		} else {
			err = st.Update(ctx, run)
		}
		if err != nil {
			return stats, err
		}
		stats.Scanned += n
		stats.Rewrapped += changed
		if n < batch {
			return stats, nil
		}
		if last <= after {
			return stats, fmt.Errorf("seal: re-wrap: store listed %s after %s, not in ID order", last, after)
		}
		after = last
	}
}
