package main

import (
	"strings"
	"testing"

	"jaga"
)

// TestKeyMessages: a key file whose key sits below a blank first line, an empty --key
// and a key followed by other words on its line are each refused with a message that
// says what is wrong (not "is empty", "an API key is required" after the ps warning,
// or a bare "invalid API key"), and none of them echoes the key or the other words.
func TestKeyMessages(t *testing.T) {
	kv := newKeyVault(t)
	dpo := kv.keys[jaga.RoleDPO]
	for _, c := range []struct {
		name   string
		args   []string
		env    string // JAGA_KEY, when not ""
		stdin  string
		want   []string
		absent []string
	}{
		{"SecondLine", []string{"--key-file", keyFile(t, "\n"+dpo+"\n", 0o600)}, "", "",
			[]string{"the first line is empty; the key must be on the first line"}, []string{"is empty\n"}},
		{"SecondLineStdin", []string{"--key-file", "-"}, "", " \n" + dpo + "\n",
			[]string{"--key-file - (stdin): the first line is empty"}, nil},
		{"BlankFile", []string{"--key-file", keyFile(t, "\n \n\n", 0o600)}, "", "",
			[]string{"is empty\n"}, []string{"first line is empty"}},
		{"EmptyKeyFlag", []string{"--key", ""}, "", "",
			[]string{"jaga: error: --key is empty\n"}, []string{"process list", "required"}},
		{"BlankKeyFlag", []string{"--key", "  "}, "", "",
			[]string{"jaga: error: --key is empty\n"}, []string{"process list", "required"}},
		{"ExtraWordsFile", []string{"--key-file", keyFile(t, dpo+"  zebra quokka\n", 0o600)}, "", "",
			[]string{"holds more than one word: an API key contains no spaces"}, []string{"invalid API key", "zebra", "quokka"}},
		{"ExtraWordsEnv", nil, dpo + "  zebra quokka", "",
			[]string{"jaga: error: JAGA_KEY holds more than one word"}, []string{"invalid API key", "zebra", "quokka"}},
		{"ExtraWordsFlag", []string{"--key", dpo + "\tzebra"}, "", "",
			[]string{"jaga: error: --key holds more than one word"}, []string{"invalid API key", "zebra"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv("JAGA_KEY", c.env)
			} else {
				unsetenv(t, "JAGA_KEY")
			}
			for _, cmd := range [][]string{{"dsr", "list"}, {"quarantine", "list"}} {
				code, out, errs := kv.run(t, c.stdin, append(append([]string{}, cmd...), c.args...)...)
				if code != 1 {
					t.Errorf("%v: exit %d, stdout %q, stderr %q; want a refusal", cmd, code, out, errs)
				}
				for _, w := range c.want {
					if !strings.Contains(errs, w) {
						t.Errorf("%v: stderr %q does not say %q", cmd, errs, w)
					}
				}
				for _, a := range append(c.absent, dpo, dpo[len(dpo)-8:]) {
					if strings.Contains(errs, a) || strings.Contains(out, a) {
						t.Errorf("%v: output holds %q: %q %q", cmd, a, out, errs)
					}
				}
			}
		})
	}
}

// TestUnknownKeySource: a key no staff member of the vault has is refused naming where
// it came from (--key-file FILE, $JAGA_KEY, --key, --key-file - for stdin), with the
// command that makes a key, for every command that acts as a staff member; never with
// the key or a part of it.
func TestUnknownKeySource(t *testing.T) {
	kv := newKeyVault(t)
	const unknown = "jaga_Zq9xWvQpLm3Rt7Yb0123456789"
	file := keyFile(t, unknown+"\n", 0o600)
	hint := "jaga: hint: 'jaga actors add --dir " + kv.dir + " --name NAME --role ROLE' adds a staff member and prints their key once"
	for _, c := range []struct {
		name, env, stdin, from string
		args                   []string
	}{
		{"KeyFile", "", "", "--key-file " + file, []string{"--key-file", file}},
		{"Stdin", "", unknown + "\n", "--key-file - (stdin)", []string{"--key-file", "-"}},
		{"Env", unknown, "", "$JAGA_KEY", nil},
		{"Flag", "", "", "--key", []string{"--key", unknown}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv("JAGA_KEY", c.env)
			} else {
				unsetenv(t, "JAGA_KEY")
			}
			for _, cmd := range [][]string{{"dsr", "list"}, {"quarantine", "list"}, {"notices", "approve", "notice-id-v3", "--in-force", "2024-10-17"}} {
				code, out, errs := kv.run(t, c.stdin, append(append([]string{}, cmd...), c.args...)...)
				want := "jaga: error: invalid API key (given by " + c.from + "): no staff member of the vault " + kv.dir + " has this key\n"
				if code != 1 || !strings.Contains(errs, want) || !strings.Contains(errs, hint) {
					t.Errorf("%v: exit %d, stderr %q; want exit 1 and %q with %q", cmd, code, errs, want, hint)
				}
				if strings.Contains(out+errs, unknown[5:15]) {
					t.Errorf("%v: the output holds the key: %q %q", cmd, out, errs)
				}
			}
		})
	}
}
