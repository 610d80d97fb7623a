package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
	"jaga/seal"
)

// The commands that act as a staff member (jaga dsr …, jaga quarantine …, jaga subjects
// …, the consent commands of one subject or purpose, and those that change notices or
// purposes; asStaff) take that person's API key in one of three ways, exactly one of
// which is used: --key KEY, --key-file FILE (or - for stdin), else $JAGA_KEY. A key on the
// command line can be read by every local user in the process list (ps,
// /proc/PID/cmdline) and stays in shell history, so --key still works for scripts but
// warns; the environment of a process and a file of mode 0600 are readable by its owner
// only.

// keyWarning is printed to stderr whenever --key is used.
const keyWarning = "jaga: warning: a key given with --key is visible to other users of this machine in the process list (and kept in shell history); use JAGA_KEY or --key-file"

// maxKeyLine bounds what --key-file reads: an API key is far shorter (gate.Authenticate
// refuses one over 200 bytes), and a wrong file must not be read whole.
const maxKeyLine = 4096

// staffKey holds a command's --key and --key-file flags. need says whose key the command
// wants, for the hint when none is given (e.g. "a dpo's key").
type staffKey struct {
	key, file string
	need      string
	// from says, once resolveKey returned the key, where it came from: "--key",
	// "--key-file FILE", "--key-file - (stdin)" or "$JAGA_KEY" (for messages).
	from string
}

// keyHelp is the paragraph of a key-taking command's long help that says how to give
// the key.
const keyHelp = `The staff member's API key is read from $JAGA_KEY or, with --key-file FILE, from the
first line of a file only its owner may read or write (chmod 600; - reads stdin).
--key KEY works too but warns: other users of this machine see the key in the
process list, and it stays in shell history. A key that is unknown, or whose role may
not run the command, is refused and the refusal is audited (never the key).`

// add registers --key and --key-file on c and appends keyHelp to its long help; who
// names the staff member in the flags' help.
func (k *staffKey) add(c *cobra.Command, who string) {
	c.Flags().StringVar(&k.key, "key", "", "`KEY` is the API key of "+who+" (discouraged: visible to other users in the process list; use $JAGA_KEY or --key-file)")
	c.Flags().StringVar(&k.file, "key-file", "", "read the API key of "+who+" from the first line of `FILE` (mode 0600; - for stdin)")
	c.Long = strings.TrimSpace(cmp.Or(c.Long, c.Short) + "\n\n" + keyHelp)
}

// resolveKey returns the key cmd was given: --key (with keyWarning on stderr), --key-file,
// else $JAGA_KEY. Errors: both flags given, an empty --key (before the warning, which
// would be beside the point), a key file that is unreadable, reachable by group or
// others, empty or with the key below a blank first line, a key of more than one word
// (oneWord), and no key at all. No error quotes the key.
func (e *env) resolveKey(cmd *cobra.Command, k *staffKey) (string, error) {
	byFlag, byFile := cmd.Flags().Changed("key"), cmd.Flags().Changed("key-file")
	var key string
	switch {
	case byFlag && byFile:
		return "", withHint(fmt.Errorf("--key and --key-file are both given"), "give the key one way only: --key-file FILE (or JAGA_KEY)")
	case byFlag:
		if key = strings.TrimSpace(k.key); key == "" {
			return "", withHint(fmt.Errorf("--key is empty"), "put "+k.need+" in JAGA_KEY or in a file for --key-file FILE (mode 0600)")
		}
		fmt.Fprintln(e.stderr, keyWarning)
		if err := oneWord("--key", key); err != nil {
			return "", err
		}
		k.from = "--key"
	case byFile:
		var err error
		if key, err = readKeyFile(k.file, e.stdin); err != nil {
			return "", err
		}
		k.from = "--key-file " + k.file
		if k.file == "-" {
			k.from = "--key-file - (stdin)"
		}
	default:
		k.from = "$JAGA_KEY"
		v, set := e.lookup("JAGA_KEY")
		if key = strings.TrimSpace(v); set && key == "" {
			return "", withHint(fmt.Errorf("JAGA_KEY is set but empty"), "put "+k.need+" in JAGA_KEY, or unset JAGA_KEY and pass --key-file FILE")
		}
		if err := oneWord("JAGA_KEY", key); err != nil {
			return "", err
		}
	}
	if key == "" {
		return "", withHint(fmt.Errorf("an API key is required"), "set JAGA_KEY or pass --key-file FILE with "+k.need)
	}
	return key, nil
}

// readKeyFile returns the first line of path, trimmed; path "-" reads stdin. A file that
// group or others may read or write (mode & 0o077 != 0, checked on the open file) is
// refused with the chmod that fixes it, as the vault's keys/ are (seal); so is an empty
// first line. Errors name the file, never its content.
func readKeyFile(path string, stdin io.Reader) (string, error) {
	name := "--key-file " + path
	r := stdin
	if path == "-" {
		name = "--key-file - (stdin)"
	} else {
		f, err := openPrivate("--key-file", path, "a key file")
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	br := bufio.NewReader(io.LimitReader(r, maxKeyLine))
	line, err := br.ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	key := strings.TrimSpace(line)
	if key == "" {
		rest, err := io.ReadAll(br)
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		if strings.TrimSpace(string(rest)) != "" {
			return "", withHint(fmt.Errorf("%s: the first line is empty; the key must be on the first line", name),
				"remove the blank line(s) before the key: only the first line is read")
		}
		return "", withHint(fmt.Errorf("%s is empty", name), "write the API key (jaga actors add prints it once) on the file's first line")
	}
	if err := oneWord(name, key); err != nil {
		return "", err
	}
	return key, nil
}

// oneWord refuses key, as given by source (e.g. "--key-file FILE" or "JAGA_KEY"), when
// it holds white space inside: an API key is one word (gate.APIKeyPrefix and base64url
// characters), so what follows a space is a typo or a comment, and the key would be
// refused as unknown. The error names the source, never a word of its content.
func oneWord(source, key string) error {
	if strings.ContainsFunc(key, unicode.IsSpace) {
		return withHint(fmt.Errorf("%s holds more than one word: an API key contains no spaces", source),
			"give the key alone, without comments or other words")
	}
	return nil
}

// openPrivate opens path, a file that holds a secret, given by setting (e.g.
// "--key-file" or "JAGA_DATABASE_URL_FILE"); what names what the file should be, for the
// error on a directory. A file that group or others may read or write (mode & 0o077 !=
// 0, checked on the open file) is refused with the chmod that fixes it, as the vault's
// keys/ are (seal). Errors name the setting and the file, never the content.
func openPrivate(setting, path, what string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", setting, err)
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkPrivate(setting+" "+path, path, fi, what)
	} else {
		err = fmt.Errorf("%s: %w", setting, err)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkPrivate refuses fi, the file path named name in errors, when it is a directory
// or group or others may read or write it (on systems with Unix permissions), with the
// chmod that fixes it.
func checkPrivate(name, path string, fi os.FileInfo, what string) error {
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory, not %s", name, what)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" && runtime.GOOS != "plan9" {
		return withHint(fmt.Errorf("%s can be read or written by group or others (mode %04o): refusing to use it", name, perm),
			"chmod 600 "+seal.ShellQuote(path))
	}
	return nil
}

// actAs authenticates key, given by from (staffKey.from: "--key-file FILE",
// "$JAGA_KEY" or "--key"), as the staff member of a command. A key that does not
// authenticate is refused through the gate (gate.Refuse), so the refusal leaves an audit
// event with action and reason (the command's name), as a refusal inside the gate does;
// neither the key nor anything derived from it is in the event or the error. The error
// names from and says how a staff member gets a key.
func actAs(ctx context.Context, v *vault, key, from, action, reason string) (*jaga.Actor, error) {
	actor, err := v.gate.Authenticate(ctx, key)
	if jaga.ErrorCode(err) == jaga.EUNAUTHORIZED {
		err = v.gate.Refuse(ctx, gate.Request{Reason: reason}, action, err)
		if jaga.ErrorCode(err) == jaga.EUNAUTHORIZED {
			je := jaga.AsError(err)
			err = &jaga.Error{Code: je.Code, Field: je.Field, Message: fmt.Sprintf(
				"%s (given by %s): no staff member of the vault %s has this key; hint: "+
					"'jaga actors add --dir %s --name NAME --role ROLE' adds a staff member and prints their key once; "+
					"a key works only in the vault it was made in",
				jaga.ErrorMessage(err), from, v.dir, seal.ShellQuote(v.dir))}
		}
		return nil, err
	}
	return actor, err
}
