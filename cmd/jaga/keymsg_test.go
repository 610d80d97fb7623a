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
