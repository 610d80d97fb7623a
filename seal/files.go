package seal

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// maxKeyFileSize bounds what is read from a key file, so that a wrong path cannot make
// Open read a huge file.
const maxKeyFileSize = 1 << 20

// permHint is the hint for a keys directory or key file that group or others can reach.
func permHint(dir string) string {
	q := shellQuote(dir)
	return fmt.Sprintf("chmod 700 %s && chmod 600 %s/*", q, q)
}

// checkPerm refuses a keys directory or key file that group or others may access
// (mode & 0077 != 0). Windows has no such mode bits; there the check is skipped.
func checkPerm(dir, path string, fi fs.FileInfo) error {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		return nil
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		what := "key file"
		if fi.IsDir() {
			what = "keys directory"
		}
		return invalid(fmt.Sprintf("%s %s is accessible by group or others (mode %04o), refusing to use it", what, path, perm), permHint(dir))
	}
	return nil
}

// readKeyFile reads dir/name after checking, on the open file, that it is a regular
// file only its owner can access.
func readKeyFile(dir, name string) ([]byte, error) {
	path := filepath.Join(dir, name)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, missing(dir, name)
	} else if err != nil {
		return nil, fmt.Errorf("seal: open %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("seal: stat %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, invalid(fmt.Sprintf("key file %s is not a regular file", path), "restore "+shellQuote(dir)+" from a backup")
	}
	if err := checkPerm(dir, path, fi); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("seal: read %s: %w", path, err)
	}
	if len(b) > maxKeyFileSize {
		return nil, invalid(fmt.Sprintf("key file %s is larger than %d bytes", path, maxKeyFileSize), "restore "+shellQuote(dir)+" from a backup")
	}
	return b, nil
}

// missing is the error for a key file that is not there in a directory that holds
// others: regenerating it would silently lose data (an index key that no longer matches
// the database, a KEK that opens nothing), so seal refuses.
func missing(dir, name string) error {
	return invalid(fmt.Sprintf("keys directory %s is incomplete: %s is missing", dir, name),
		"restore "+shellQuote(dir)+" from a backup; only if the vault holds no data yet, remove the directory and start again")
}

// damaged is the error for a key file that does not parse.
func damaged(dir, name string, cause error) error {
	e := invalid(fmt.Sprintf("key file %s is damaged", filepath.Join(dir, name)), "restore "+shellQuote(dir)+" from a backup")
	return fmt.Errorf("%w: %w", e, cause)
}

// writeFileAtomic replaces dir/name with data, mode 0600: a temporary file in dir is
// written, synced and renamed over the old one, then dir is synced, so that a crash
// leaves either the old or the new file, never a torn one.
func writeFileAtomic(dir, name string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return fmt.Errorf("seal: write %s: %w", name, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("seal: write %s: %w", name, err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("seal: write %s: %w", name, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("seal: sync %s: %w", name, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("seal: write %s: %w", name, err)
	}
	if err = os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("seal: write %s: %w", name, err)
	}
	return syncDir(dir)
}

// syncDir makes the entries of dir (a rename, a new file) durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be opened for sync there; NTFS journals renames
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("seal: sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("seal: sync directory: %w", err)
	}
	return nil
}

// Secret files (index.key, journal.key) are two lines: a header naming what the key is
// for and the format version, then the key in standard base64.
const (
	indexKeyHeader   = "jaga index key v1"
	journalKeyHeader = "jaga journal key v1"
)

func encodeSecret(header string, key []byte) []byte {
	return []byte(header + "\n" + base64.StdEncoding.EncodeToString(key) + "\n")
}

func decodeSecret(header string, b []byte) ([]byte, error) {
	lines := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	if len(lines) != 2 || string(lines[0]) != header {
		return nil, fmt.Errorf("want two lines, the first %q", header)
	}
	key := make([]byte, base64.StdEncoding.DecodedLen(len(lines[1])))
	n, err := base64.StdEncoding.Decode(key, lines[1])
	if err != nil || n != KeySize {
		clear(key)
		return nil, fmt.Errorf("want %d bytes in base64 on line 2", KeySize)
	}
	return key[:n], nil
}

const pemPrivateKey = "PRIVATE KEY"

func encodeEd25519(priv ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	defer clear(der)
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Bytes: der}), nil
}

func decodeEd25519(b []byte) (ed25519.PrivateKey, error) {
	block, rest := pem.Decode(b)
	if block == nil || block.Type != pemPrivateKey || len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("want one PEM block of type PRIVATE KEY")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	clear(block.Bytes)
	if err != nil {
		return nil, errors.New("not a PKCS #8 private key")
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, errors.New("not an Ed25519 key")
	}
	return priv, nil
}

// createKeys writes a fresh set of key files into the existing, empty directory dir.
func createKeys(dir string) error {
	kek, err := newKEKKeyset()
	if err != nil {
		return err
	}
	index := randomKey()
	defer clear(index)
	journal := randomKey()
	defer clear(journal)
	contents := map[string][]byte{
		KEKFile:            kek,
		IndexKeyFile:       encodeSecret(indexKeyHeader, index),
		JournalKeyFile:     encodeSecret(journalKeyHeader, journal),
		ErasureJournalFile: nil,
	}
	for _, name := range []string{AuditKeyFile, ConsentKeyFile} {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return fmt.Errorf("seal: generate %s: %w", name, err)
		}
		contents[name], err = encodeEd25519(priv)
		clear(priv)
		if err != nil {
			return fmt.Errorf("seal: encode %s: %w", name, err)
		}
	}
	for _, name := range files {
		err := writeFileAtomic(dir, name, contents[name])
		clear(contents[name])
		if err != nil {
			return err
		}
	}
	return nil
}

// initDir creates the keys directory dir (mode 0700) with fresh keys, all or nothing:
// the keys are written into a temporary directory beside it that is then renamed into
// place. When another process wins the race, its directory is kept and nil returned.
func initDir(dir string) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return fmt.Errorf("seal: create %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".init-*")
	if err != nil {
		return fmt.Errorf("seal: create keys directory: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := os.Chmod(tmp, 0o700); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("seal: create keys directory: %w", err)
	}
	if err := createKeys(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if fi, serr := os.Stat(dir); serr == nil && fi.IsDir() {
			return nil // created meanwhile by another process: use that one
		}
		return fmt.Errorf("seal: create keys directory: %w", err)
	}
	return syncDir(parent)
}

func randomKey() []byte {
	k := make([]byte, KeySize)
	rand.Read(k) // never fails (crypto/rand, Go 1.24+)
	return k
}
