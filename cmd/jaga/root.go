package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"jaga"
)

// env is what every command gets: its streams and the process environment (injectable
// for tests; no globals).
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// lookupenv, if set, tells a variable set to "" from an unset one (os.LookupEnv);
	// see lookup.
	lookupenv func(string) (string, bool)
}

// exitError carries a process exit status through cobra without printing again.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Main runs the jaga command line with args and returns the process exit status: 0 on
// success, 1 on failure, 2 on a usage error, 128 + the signal's number (130 for SIGINT,
// 143 for SIGTERM) when a signal cancelled ctx (signalContext) and stopped the command.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, lookupenv: os.LookupEnv}
	root := &cobra.Command{
		Use:           "jaga",
		Short:         "Jaga keeps customers' personal data encrypted and uses it only as they agreed",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(serveCmd(e), demoCmd(e), importCmd(e), actorsCmd(e), keysCmd(e), auditCmd(e), dsrCmd(e), scanCmd(e), storeCmd(e))
	root.AddCommand(purposesCmd(e), noticesCmd(e), consentsCmd(e))
	root.AddCommand(quarantineCmd(e), subjectsCmd(e))
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// A command stopped by Ctrl-C or SIGTERM says so, not "context canceled", with the
	// hint the command attached (how to resume), and exits 128 + the signal's number.
	if ie, ok := interruption(ctx); ok && errors.Is(err, context.Canceled) {
		errorf(stderr, "%s", ie.Error())
		if _, hint, ok := strings.Cut(err.Error(), "\nhint: "); ok {
			hintf(stderr, "%s", hint)
		}
		return ie.exitCode()
	}
	if ive := (*pflag.InvalidValueError)(nil); errors.As(err, &ive) {
		errorf(stderr, "%s", flagValueMessage(ive))
		hintf(stderr, "run 'jaga help' for usage")
		return 2
	}
	if ue := (usageError{}); errors.As(err, &ue) {
		errorf(stderr, "%s", ue.msg)
		hintf(stderr, "%s", ue.hint)
		return 2
	}
	msg := err.Error()
	if je := jaga.AsError(err); je != nil {
		msg = jaga.ErrorMessage(err)
		if je.Field != "" {
			msg = je.Field + ": " + msg
		}
		msg = databaseCause(msg, err)
	}
	// The gate names the purpose by its HTTP header; on the command line it is an
	// argument or flag.
	msg = strings.ReplaceAll(msg, "Jaga-Purpose", "purpose")
	if strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "required flag") || strings.Contains(msg, "accepts ") || strings.HasPrefix(msg, "invalid argument") {
		errorf(stderr, "%s", msg)
		hintf(stderr, "run 'jaga help' for usage")
		return 2
	}
	msg, hint, ok := strings.Cut(msg, "\nhint: ")
	if !ok {
		msg, hint, _ = strings.Cut(msg, "; hint: ")
	}
	errorf(stderr, "%s", msg)
	if hint != "" {
		hintf(stderr, "%s", hint)
	}
	return 1
}

// errorf prints "jaga: error: …" (lower-case, no trailing period, no personal data;
// STYLE.md rule 11).
func errorf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "jaga: error: "+format+"\n", args...)
}

// hintf prints "jaga: hint: …".
func hintf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "jaga: hint: "+format+"\n", args...)
}

// withHint attaches a hint that Main prints on its own line.
func withHint(err error, hint string) error {
	return fmt.Errorf("%w\nhint: %s", err, hint)
}

// dir returns --dir, else $JAGA_DIR, else ./jaga-data. JAGA_DIR set but empty (or
// only white space) is an error when --dir is not given: a deployment whose variable did
// not render would otherwise open, or create, a different vault in ./jaga-data.
func (e *env) dir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if d, set := e.lookup("JAGA_DIR"); set {
		if strings.TrimSpace(d) == "" {
			return "", emptyEnvError("JAGA_DIR", "unset JAGA_DIR to use ./jaga-data, or set it (or --dir) to the vault directory")
		}
		return d, nil
	}
	return "jaga-data", nil
}
