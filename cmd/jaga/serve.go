package main

import (
	"context"
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"jaga/intake"
	"jaga/server"
)

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
			v, err := openVault(cmd.Context(), dir, cfg, e.stderr)
			if err != nil {
				return err
			}
			defer v.Close()
			return serve(cmd.Context(), e, v, cfg.Addr, nil)
		},
	}
	vf.add(c)
	c.Flags().StringVar(&addr, "addr", "", "listen address HOST:PORT (default from config, 127.0.0.1:8080)")
	return c
}

// serve listens on addr, reloads keys/ in the background, calls ready with the bound
// address, and serves until ctx is cancelled.
func serve(ctx context.Context, e *env, v *vault, addr string, ready func(addr string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return withHint(fmt.Errorf("listen: %w", err), "pick another address with --addr HOST:PORT (port 0 picks a free one)")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go v.keys.WatchReload(ctx, v.cfg.KeyReload)
	bound := ln.Addr().String()
	ic := intake.Config{Gate: v.gate, Logger: v.log, BaseURL: v.cfg.PublicURL}
	if ic.BaseURL == "" {
		ic.BaseURL = "http://" + bound
	}
	if v.cfg.SMTPAddr != "" {
		ic.Mailer = intake.SMTPMailer{Addr: v.cfg.SMTPAddr, From: v.cfg.SMTPFrom}
	}
	srv := server.New(server.Config{Gate: v.gate, Logger: v.log, Intake: intake.New(ic)})
	fmt.Fprintf(e.stderr, "jaga: listening on http://%s\n", bound)
	if ready != nil {
		ready(bound)
	}
	return srv.Serve(ctx, ln)
}
