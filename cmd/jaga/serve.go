package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"jaga"
	"jaga/dsr"
	"jaga/gate"
	"jaga/intake"
	"jaga/notify"
	"jaga/server"
)

// deskJobs alerts on requests due within 24 h or overdue and carries out erasures
// scheduled at the end of the retention floor, at start and every 15 minutes, until ctx
// ends.
func deskJobs(ctx context.Context, v *vault, desk *dsr.Desk) {
	t := time.NewTicker(15 * time.Minute)
	defer t.Stop()
	for {
		if _, err := desk.CheckDeadlines(ctx); err != nil && ctx.Err() == nil {
			v.log.Error("request desk: deadline check", "error", err.Error())
		}
		if _, err := desk.RunScheduled(ctx, deskActor); err != nil && ctx.Err() == nil {
			v.log.Error("request desk: scheduled erasures", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// deskActor is the actor of the desk's own jobs (scheduled erasures).
var deskActor = &jaga.Actor{ID: jaga.ActorIDDesk, Name: "request desk", Kind: jaga.ActorSystem, Role: jaga.RoleDPO}

func serveCmd(e *env) *cobra.Command {
	var vf vaultFlags
	var addr string
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the JSON API (/v1) for the vault in --dir",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, cfg, err := vf.load(e)
			if err != nil {
				return err
			}
			if addr != "" {
				cfg.Addr = addr
			}
			_, statErr := os.Stat(filepath.Join(dir, "keys"))
			v, err := openVault(cmd.Context(), dir, cfg, e.stderr)
			newKeys := errors.Is(statErr, fs.ErrNotExist)
			if err != nil {
				if newKeys && errors.Is(err, gate.ErrForeignKeys) {
					fmt.Fprintf(e.stderr, "jaga: warning: no keys were in %s: created new ones in keys/, but the database already holds a vault\n", dir)
				}
				return err
			}
			switch {
			case newKeys && v.gate.Binding() == gate.BindingNew:
				// A mistyped --dir would otherwise serve an empty vault without a word.
				fmt.Fprintf(e.stderr, "jaga: warning: no vault was in %s: created a new, empty one (check --dir or JAGA_DIR if you meant an existing vault)\n", dir)
			case newKeys:
				fmt.Fprintf(e.stderr, "jaga: warning: no keys were in %s: created new ones in keys/; the database already held a vault without a binding and is now bound to them\n", dir)
			}
			defer v.Close()
			return serve(cmd.Context(), e, v, cfg.Addr, nil, nil)
		},
	}
	vf.add(c)
	c.Flags().StringVar(&addr, "addr", "", "listen address HOST:PORT (default from config, 127.0.0.1:8080)")
	return c
}

// serve listens on addr (listen) and serves there (serveOn).
func serve(ctx context.Context, e *env, v *vault, addr string, ready func(addr string), peek func(jaga.Redacted, notify.Message)) error {
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	return serveOn(ctx, e, v, ln, ready, peek)
}

// serveOn reloads keys/ in the background, calls ready with ln's bound address, and
// serves on ln until ctx is cancelled; ln is closed when it returns.
func serveOn(ctx context.Context, e *env, v *vault, ln net.Listener, ready func(addr string), peek func(jaga.Redacted, notify.Message)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go v.keys.WatchReload(ctx, v.cfg.KeyReload)
	desk, p, err := deskAndPortal(v, peek)
	if err != nil {
		ln.Close()
		return err
	}
	go deskJobs(ctx, v, desk)
	go deletionJobs(ctx, v)
	go v.watchSIGHUP(ctx)
	bound := ln.Addr().String()
	ic := intake.Config{Gate: v.gate, Logger: v.log, BaseURL: v.cfg.PublicURL}
	if ic.BaseURL == "" {
		ic.BaseURL = "http://" + bound
	}
	// Double opt-in mail goes through the same mailer as sign-in codes and notices.
	// Without smtp_host that mailer only logs: `jaga serve` then has no intake mailer,
	// so double opt-in forms answer 503 instead of claiming a mail went out; the demo
	// (peek set) keeps the log-only mailer and prints the confirmation link.
	ic.Mailer = sender(v, peek).Mailer
	if v.cfg.SMTPHost == "" && peek == nil {
		ic.Mailer = nil
		fmt.Fprintln(e.stderr, "jaga: warning: smtp_host is not set: portal sign-in codes and notices are only logged, double opt-in sign-ups are refused")
	}
	srv := server.New(server.Config{Gate: v.gate, Logger: v.log, Desk: desk, Portal: p, ReloadPolicy: v.reloadPolicy, Intake: intake.New(ic),
		Ping: v.store.Ping})
	fmt.Fprintf(e.stderr, "jaga: listening on http://%s\n", bound)
	portalURL := v.cfg.PortalURL
	if portalURL == "" {
		portalURL = "http://" + bound
	}
	fmt.Fprintf(e.stderr, "jaga: privacy portal at %s/privasi/ (English: /privacy/)\n", portalURL)
	if ready != nil {
		ready(bound)
	}
	return srv.Serve(ctx, ln)
}
