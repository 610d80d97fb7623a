package main

import (
	"fmt"
	"strings"
)

// envLookup reads one environment variable: its value and whether it is set at all
// (os.LookupEnv's shape), so that a variable exported empty — a deployment template
// whose secret did not render — can be told from one that is unset.
type envLookup func(name string) (value string, set bool)

// lookup reads the variable name through e.lookupenv, or, for an env built with
// getenv alone (tests), takes "" for unset.
func (e *env) lookup(name string) (string, bool) {
	if e.lookupenv != nil {
		return e.lookupenv(name)
	}
	return lookupFrom(e.getenv)(name)
}

// lookupFrom makes an envLookup of getenv, which cannot tell "" from unset: every
// empty variable counts as unset.
func lookupFrom(getenv func(string) string) envLookup {
	return func(name string) (string, bool) {
		v := getenv(name)
		return v, v != ""
	}
}

// getenvOf is lookup without the "set" answer: "" for unset and empty alike, for the
// variables whose empty value means "not given" (README, "Empty variables").
func getenvOf(lookup envLookup) func(string) string {
	return func(name string) string {
		v, _ := lookup(name)
		return v
	}
}

// emptyEnvError is the refusal of a variable that is set to "" (or only white space)
// where an empty value would silently pick another vault or database; hint says what
// to do instead.
func emptyEnvError(name, hint string) error {
	return withHint(fmt.Errorf("config: %s is set but empty", name), hint)
}

// databaseURLEnv returns the database connection string the environment gives:
// JAGA_DATABASE_URL, else the content of the file JAGA_DATABASE_URL_FILE names
// (readDatabaseFile), else "" when neither is set. Either set but empty (or only
// white space) is an error with a hint rather than SQLite in DIR/data: a node that
// shares keys/ with the others but writes to a database of its own loses their data.
func databaseURLEnv(lookup envLookup) (string, error) {
	if v, set := lookup("JAGA_DATABASE_URL"); set {
		if strings.TrimSpace(v) == "" {
			return "", emptyEnvError("JAGA_DATABASE_URL",
				"unset JAGA_DATABASE_URL to use SQLite in DIR/data, or set it to the PostgreSQL database's postgres:// URL")
		}
		return v, nil
	}
	if f, set := lookup("JAGA_DATABASE_URL_FILE"); set {
		if strings.TrimSpace(f) == "" {
			return "", emptyEnvError("JAGA_DATABASE_URL_FILE",
				"unset JAGA_DATABASE_URL_FILE to use SQLite in DIR/data, or set it to the file (mode 0600) that holds the postgres:// URL")
		}
		return readDatabaseFile(f)
	}
	return "", nil
}
