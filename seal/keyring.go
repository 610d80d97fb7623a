package seal

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// minMissReload is the shortest time between two reloads of kek.json caused by a wrapped
// DEK under an unknown key ID, so that garbage input cannot make seal re-read the file on
// every call.
const minMissReload = 100 * time.Millisecond

// Keyring holds the keys of one vault, read from its keys directory. It is safe for
// concurrent use. Its String and Format print only "[keyring <dir>]", never a key.
type Keyring struct {
	dir string

	kek         atomic.Pointer[kekState] // read lock-free on every wrap and unwrap
	kekMu       sync.Mutex               // serialises reloads and KEK changes in this process
	lastMiss    time.Time                // last reload caused by an unknown key ID; guarded by kekMu
	missGap     time.Duration            // minMissReload; tests shorten it
	reloads     atomic.Int64             // kek.json parses after Open
	missReloads atomic.Int64             // reloads caused by unknown key IDs
	logger      atomic.Pointer[slog.Logger]
	blind       macSet   // per-field blind-index keys
	importMAC   *macPool // import-key MAC
	audit       Signer
	consent     Signer

	journalKey []byte
	journalMu  sync.Mutex
}

// Open opens the keys directory keysDir (a vault's "<vault>/keys"), creating it with
// fresh keys on first run: the directory with mode 0700 (and missing parents), every file
// with mode 0600, written atomically. It returns an EINVALID *jaga.Error, whose message
// ends in a hint (see Hint), when keysDir or a file in it can be accessed by group or
// others, when it is not a directory, when some key files are missing or when one does
// not parse, and when keysDir is empty or is an existing directory that holds other
// files but no keys; other failures (I/O) are returned wrapped.
func Open(keysDir string) (*Keyring, error) {
	if keysDir == "" {
		return nil, invalid("no keys directory given", "set the vault directory; its keys live in <vault>/keys")
	}
	dir := filepath.Clean(keysDir)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := initDir(dir); err != nil {
			return nil, err
		}
		if fi, err = os.Stat(dir); err != nil {
			return nil, fmt.Errorf("seal: open keys directory: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("seal: open keys directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, invalid(fmt.Sprintf("keys directory %s is not a directory", dir), "")
	}
	if err := checkPerm(dir, dir, fi); err != nil {
		return nil, err
	}
	if err := initIfEmpty(dir); err != nil {
		return nil, err
	}

	k := &Keyring{dir: dir, missGap: minMissReload}
	if err := k.load(); err != nil {
		k.Close()
		return nil, err
	}
	return k, nil
}

// initIfEmpty creates the keys in an existing, empty directory (an operator may create
// keys/ by hand, or mount it). A directory holding some key files is left for load to
// check; one holding only other files is refused, since it is probably not a keys
// directory (keys must never land inside data/, invariant 3).
func initIfEmpty(dir string) error {
	kek := filepath.Join(dir, KEKFile)
	if _, err := os.Lstat(kek); !errors.Is(err, fs.ErrNotExist) {
		return nil // the usual case; kek.json is written last
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	for _, name := range files {
		if _, err := os.Lstat(filepath.Join(dir, name)); !errors.Is(err, fs.ErrNotExist) {
			return nil // initialised meanwhile, or incomplete: load tells
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("seal: read keys directory: %w", err)
	}
	if len(entries) > 0 {
		return invalid(fmt.Sprintf("%s holds %s but no keys: it is not a keys directory", dir, entries[0].Name()),
			"point jaga at the vault's keys/ directory, or at an empty or new one")
	}
	return createKeys(dir)
}

// load reads every key file of k.dir.
func (k *Keyring) load() error {
	for _, name := range files {
		if name == ErasureJournalFile {
			// Opened on use; it must exist, so that deleting it is noticed.
			if _, err := readKeyFileInfo(k.dir, name); err != nil {
				return err
			}
			continue
		}
		b, err := readKeyFile(k.dir, name)
		if err != nil {
			return err
		}
		err = k.parse(name, b)
		clear(b)
		if err != nil {
			return err
		}
	}
	return nil
}

// parse installs the key file name with contents b.
func (k *Keyring) parse(name string, b []byte) error {
	switch name {
	case KEKFile:
		st, err := parseKEK(b)
		if err != nil {
			return damaged(k.dir, name, err)
		}
		k.kek.Store(st)
	case IndexKeyFile:
		key, err := decodeSecret(indexKeyHeader, b)
		if err != nil {
			return damaged(k.dir, name, err)
		}
		err = k.setIndexKey(key)
		clear(key)
		return err
	case JournalKeyFile:
		key, err := decodeSecret(journalKeyHeader, b)
		if err != nil {
			return damaged(k.dir, name, err)
		}
		k.journalKey = key
	case AuditKeyFile, ConsentKeyFile:
		priv, err := decodeEd25519(b)
		if err != nil {
			return damaged(k.dir, name, err)
		}
		s := newSigner(name, priv)
		if name == AuditKeyFile {
			k.audit = s
		} else {
			k.consent = s
		}
	}
	return nil
}

// readKeyFileInfo checks that dir/name exists as a regular file only its owner can
// access, without reading it.
func readKeyFileInfo(dir, name string) (fs.FileInfo, error) {
	path := filepath.Join(dir, name)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, missing(dir, name)
	} else if err != nil {
		return nil, fmt.Errorf("seal: stat %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, invalid(fmt.Sprintf("key file %s is not a regular file", path), "restore "+shellQuote(dir)+" from a backup")
	}
	return fi, checkPerm(dir, path, fi)
}

// Dir returns the keys directory, cleaned.
func (k *Keyring) Dir() string { return k.dir }

// SetLogger sets where WatchReload and reloads caused by unknown key IDs report
// failures (key IDs and paths only, never a key); nil means slog.Default().
func (k *Keyring) SetLogger(l *slog.Logger) { k.logger.Store(l) }

func (k *Keyring) log() *slog.Logger {
	if l := k.logger.Load(); l != nil {
		return l
	}
	return slog.Default()
}

// Close forgets the index and journal keys held in memory (best effort: Tink's KEK
// primitives and the signing keys keep their own copies until collected). A closed
// Keyring must not be used.
func (k *Keyring) Close() error {
	k.journalMu.Lock()
	clear(k.journalKey)
	k.journalMu.Unlock()
	k.blind.close()
	return nil
}

// String returns "[keyring <dir>]".
func (k *Keyring) String() string { return "[keyring " + k.dir + "]" }

// GoString returns the same as String.
func (k *Keyring) GoString() string { return k.String() }

// Format prints String for every verb, so that no fmt verb reaches a key.
func (k *Keyring) Format(f fmt.State, _ rune) { io.WriteString(f, k.String()) }

// lockDir takes the cross-process lock of the keys directory (flock on the directory
// itself, whose inode does not change when kek.json is replaced).
func lockDir(dir string) (unlock func(), err error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("seal: lock keys directory: %w", err)
	}
	if err := lockFile(d, true); err != nil {
		d.Close()
		return nil, fmt.Errorf("seal: lock keys directory: %w", err)
	}
	return func() { unlockFile(d); d.Close() }, nil
}
