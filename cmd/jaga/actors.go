package main

import (
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
)

func actorsCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "actors", Short: "Manage staff and service actors and their API keys"}
	var dir, cfgPath, name, role string
	add := &cobra.Command{
		Use:   "add --name NAME --role ROLE",
		Short: "Create an actor and print its API key (shown once; only its hash is stored)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := e.open(cmd, dir, cfgPath, false)
			if err != nil {
				return err
			}
			defer v.Close()
			a, key, err := v.gate.CreateActor(cmd.Context(), gate.Request{Actor: cliActor, Purpose: jaga.PurposeSecurity}, name, jaga.Role(role))
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, key)
			fmt.Fprintf(e.stderr, "jaga: created actor %s (%s, role %s); the key above is shown once\n", a.ID, a.Name, a.Role)
			return nil
		},
	}
	add.Flags().StringVar(&name, "name", "", "display name (staff or integration name)")
	add.Flags().StringVar(&role, "role", "", "role: admin, dpo, support, marketer, analyst, auditor or service")
	_ = add.MarkFlagRequired("name")
	_ = add.MarkFlagRequired("role")
	list := &cobra.Command{
		Use:   "list",
		Short: "List actors (never their keys)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := e.open(cmd, dir, cfgPath, true)
			if err != nil {
				return err
			}
			defer v.Close()
			as, err := v.gate.Actors(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED")
			for _, a := range as {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.ID, a.Name, a.Role, a.CreatedAt.Format("2006-01-02 15:04Z"))
			}
			return tw.Flush()
		},
	}
	for _, sc := range []*cobra.Command{add, list} {
		sc.Flags().StringVar(&dir, "dir", "", "vault directory (default $JAGA_DIR, else ./jaga-data)")
		sc.Flags().StringVar(&cfgPath, "config", "", "config file (default DIR/jaga.yaml)")
	}
	c.AddCommand(add, list)
	return c
}

// open loads the config and opens the vault for a command with --dir and --config.
// Commands that only read (audit verify, keys, actors list) pass existing, so that a
// mistyped --dir is an error instead of a new empty vault.
func (e *env) open(cmd *cobra.Command, dirFlag, cfgFlag string, existing bool) (*vault, error) {
	dir := e.dir(dirFlag)
	if existing {
		if _, err := os.Stat(filepath.Join(dir, "keys")); err != nil {
			return nil, withHint(fmt.Errorf("no vault in %s", dir), "name the vault with --dir DIR or JAGA_DIR")
		}
	}
	path, explicit := configPath(dir, cfgFlag)
	cfg, err := loadConfig(path, explicit, e.getenv)
	if err != nil {
		return nil, err
	}
	return openVault(cmd.Context(), dir, cfg, e.stderr)
}
