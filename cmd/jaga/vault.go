package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"jaga"
	"jaga/gate"
	"jaga/policy"
	"jaga/seal"
	"jaga/sqlstore/postgres"
	"jaga/sqlstore/sqlite"
)

// vault is an opened vault directory: keys/ (key files, erasure journal) beside data/
// (database and WAL), never inside it (DESIGN.md invariant 3).
type vault struct {
	dir   string
	cfg   config
	keys  *seal.Keyring
	store jaga.Store
	gate  *gate.Gate
	log   *slog.Logger
}

// openVault opens (creating on first use) the vault at dir, loads the policy and schema,
// starts the gate and re-applies the erasure journal before anything is served
// (invariant 4).
func openVault(ctx context.Context, dir string, cfg config, logw io.Writer) (*vault, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("vault directory: %w", err)
	}
	log := newLogger(logw, cfg.LogLevel)
	keys, err := seal.Open(filepath.Join(dir, "keys"))
	if err != nil {
		return nil, err
	}
	keys.SetLogger(log)
	st, err := openStore(ctx, dir, cfg)
	if err != nil {
		keys.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	pol := policy.Default()
	if cfg.PolicyFile != "" {
		if pol, err = policy.Load(cfg.PolicyFile); err != nil {
			st.Close()
			keys.Close()
			return nil, err
		}
	}
	schema, err := jaga.DefaultSchema().Extend(cfg.Fields)
	if err == nil {
		err = pol.Check(schema, jaga.DefaultPurposes())
	}
	if err != nil {
		st.Close()
		keys.Close()
		return nil, err
	}
	g, err := gate.New(gate.Config{Store: st, Keys: keys, Policy: pol, Schema: schema, Logger: log, Audit: auditLogConfig(cfg.Audit), Controller: cfg.Controller.gate()})
	if err != nil {
		st.Close()
		keys.Close()
		return nil, foreignKeysHint(err, cfg)
	}
	v := &vault{dir: dir, cfg: cfg, keys: keys, store: st, gate: g, log: log}
	n, err := g.ReplayErasures(ctx)
	if err != nil {
		v.Close()
		return nil, withHint(fmt.Errorf("re-applying the erasure journal: %w", err), "the journal in keys/ must verify before Jaga serves; restore keys/ from its own backup")
	}
	if n > 0 {
		log.Warn("erasure journal re-applied: subjects from an older backup erased again", "count", n)
	}
	return v, nil
}

// foreignKeysHint adds to gate.New's refusal of keys/ that do not belong to the
// database what the operator can do; other errors are returned as they are. It never
// names the database URL.
func foreignKeysHint(err error, cfg config) error {
	if !errors.Is(err, gate.ErrForeignKeys) {
		return err
	}
	if cfg.Database != "" {
		return withHint(err, "use the keys/ directory of the nodes already serving this database (copy or mount it, docs/postgres.md), or point --db at this vault's own database")
	}
	return withHint(err, "data/ and keys/ of a vault belong together: restore this vault's own keys/ from its backup, or start a new vault in a new, empty --dir")
}

// openStore opens the vault's database: PostgreSQL when cfg.Database is a URL, else
// the SQLite file DIR/data/jaga.db.
func openStore(ctx context.Context, dir string, cfg config) (jaga.Store, error) {
	if cfg.Database != "" {
		return postgres.Open(ctx, cfg.Database, postgres.Options{MaxConns: cfg.DatabaseMaxConns})
	}
	return sqlite.Open(ctx, filepath.Join(dir, "data", "jaga.db"), sqlite.Options{})
}

// Close stops the gate and closes the database and keys.
func (v *vault) Close() error {
	return errors.Join(v.gate.Close(), v.store.Close(), v.keys.Close())
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// cliActor is the actor of commands run by an operator at the console (imports,
// actor management): a service identity limited by the policy like any other.
var cliActor = &jaga.Actor{ID: "act_cli", Name: "jaga cli", Kind: jaga.ActorSystem, Role: jaga.RoleService}
