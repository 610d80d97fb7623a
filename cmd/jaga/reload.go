package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"jaga"
	"jaga/gate"
	"jaga/policy"
)

// reloadPolicy reads the vault's policy file again and, when it parses and passes its
// checks against the schema and the purpose registry, makes it the policy of the next
// decision. A policy that does not parse is refused with file, line and reason, and the
// old one stays. The built-in policy (no policy_file) has nothing to reload. A role that
// may not reload is refused (403, audited) before the configuration is looked at.
func (v *vault) reloadPolicy(ctx context.Context, req gate.Request) error {
	// The role first (audited): a role that may not reload learns nothing of the
	// configuration.
	if err := v.gate.CheckPolicyReload(ctx, req); err != nil {
		return err
	}
	if v.cfg.PolicyFile == "" {
		return jaga.Errorf(jaga.EINVALID, "no policy_file is configured; the built-in policy has nothing to reload")
	}
	p, err := policy.Load(v.cfg.PolicyFile)
	if err != nil {
		return err
	}
	return v.gate.ReloadPolicy(ctx, req, p)
}

// watchSIGHUP reloads the policy on every SIGHUP until ctx ends, logging the outcome
// (a refused policy's message names file, line and reason; never a personal value).
func (v *vault) watchSIGHUP(ctx context.Context) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	defer signal.Stop(ch)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ch:
			err := v.reloadPolicy(ctx, gate.Request{Actor: &jaga.SystemActor, Purpose: jaga.PurposeSecurity})
			if err != nil {
				v.log.Error("policy reload refused; the previous policy stays", "error", jaga.ErrorMessage(err))
				continue
			}
			v.log.Info("policy reloaded", "file", v.cfg.PolicyFile)
		}
	}
}
