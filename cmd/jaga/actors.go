package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
	"jaga/sqlstore/postgres"
)

func actorsCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "actors", Short: "Manage staff and service actors and their API keys"}
	var vf vaultFlags
	var name, role string
	add := &cobra.Command{
		Use:   "add --name NAME --role ROLE",
		Short: "Create an actor and print its API key (shown once; only its hash is stored)",
		Args:  cobra.NoArgs,
		RunE: e.withVault(&vf, false, func(cmd *cobra.Command, v *vault, args []string) error {
			a, key, err := v.gate.CreateActor(cmd.Context(), gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, name, jaga.Role(role))
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, key)
			fmt.Fprintf(e.stderr, "jaga: created actor %s (%s, role %s); the key above is shown once\n", a.ID, a.Name, a.Role)
			return nil
		}),
	}
	add.Flags().StringVar(&name, "name", "", "display name (staff or integration name): printable text, 1 to 100 bytes")
	add.Flags().StringVar(&role, "role", "", "role: admin, dpo, support, marketer, analyst, auditor or service (portal and subject are Jaga's own)")
	_ = add.MarkFlagRequired("name")
	_ = add.MarkFlagRequired("role")
	list := &cobra.Command{
		Use:   "list",
		Short: "List actors (never their keys)",
		Args:  cobra.NoArgs,
		RunE: e.withVault(&vf, true, func(cmd *cobra.Command, v *vault, args []string) error {
			as, err := v.gate.Actors(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED")
			for _, a := range as {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.ID, shownName(a.Name), a.Role, a.CreatedAt.Format("2006-01-02 15:04Z"))
			}
			return tw.Flush()
		}),
	}
	vf.add(add)
	vf.add(list)
	c.AddCommand(add, list)
	return c
}

// shownName returns a stored display name as a terminal may print it: as stored when it
// is jaga.PrintableText, else quoted with its control characters escaped ("a\x1b[2J"),
// so that a name stored before names were checked cannot move the cursor, clear the
// screen or break the table.
func shownName(s string) string {
	if jaga.PrintableText(s) {
		return s
	}
	return strconv.Quote(s)
}

// dbPasswordWarning is printed when --db carries a password.
const dbPasswordWarning = "jaga: warning: a database password given with --db is visible to other users of this machine in the process list (and kept in shell history); put the URL in a file of mode 0600 and name it with JAGA_DATABASE_URL_FILE"

// vaultFlags are the --dir, --config and --db flags of every command that opens a vault.
type vaultFlags struct{ dir, config, db string }

func (f *vaultFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&f.dir, "dir", "", "vault directory (default $JAGA_DIR, else ./jaga-data)")
	c.Flags().StringVar(&f.config, "config", "", "config file (default DIR/jaga.yaml)")
	c.Flags().StringVar(&f.db, "db", "", "database: a postgres:// URL or key/value string (default $JAGA_DATABASE_URL or $JAGA_DATABASE_URL_FILE, else SQLite in DIR/data)")
}

// load resolves the vault directory (--dir, else $JAGA_DIR, else ./jaga-data) and reads
// its configuration.
func (f *vaultFlags) load(e *env) (string, config, error) {
	dir, err := e.dir(f.dir)
	if err != nil {
		return dir, config{}, err
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return dir, config{}, withHint(fmt.Errorf("the vault directory %s is a file, not a directory", dir),
			"--dir (or JAGA_DIR) names the directory that holds keys/ and data/; give that directory, or a new path for a new vault")
	}
	path, explicit := configPath(dir, f.config)
	cfg, err := loadConfigEnv(path, explicit, e.lookup)
	if err == nil && f.db != "" {
		if postgres.IsConnString(f.db) && postgres.HasPassword(f.db) {
			fmt.Fprintln(e.stderr, dbPasswordWarning)
		}
		cfg.Database = f.db
		err = cfg.Validate()
	}
	return dir, cfg, err
}

// open loads the config and opens the vault. Commands that only read (audit verify,
// keys, actors list) pass existing, so that a mistyped --dir is an error instead of a
// new empty vault.
func (e *env) open(cmd *cobra.Command, f *vaultFlags, existing bool) (*vault, error) {
	dir, cfg, err := f.load(e)
	if err != nil {
		return nil, err
	}
	if existing {
		if _, err := os.Stat(filepath.Join(dir, "keys")); err != nil {
			return nil, withHint(fmt.Errorf("no vault in %s", dir), "name the vault with --dir DIR or JAGA_DIR")
		}
	}
	return openVault(cmd.Context(), dir, cfg, e.stderr)
}

// withVault makes a command's RunE that opens the vault of f (an existing one when
// existing, see open), runs fn with it and closes it.
func (e *env) withVault(f *vaultFlags, existing bool, fn func(cmd *cobra.Command, v *vault, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		v, err := e.open(cmd, f, existing)
		if err != nil {
			return err
		}
		defer v.Close()
		return fn(cmd, v, args)
	}
}
