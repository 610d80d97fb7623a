package main

import (
	"github.com/spf13/cobra"

	"jaga"
	"jaga/gate"
)

// openTokenSession opens the existing vault of vf and starts a token session of its
// gate for `jaga scan --redact-mode token`: the operator at the console, purpose
// service_provision, the command as reason. done closes the vault.
func openTokenSession(cmd *cobra.Command, e *env, vf *vaultFlags) (*gate.TokenSession, func(), error) {
	v, err := e.open(cmd, vf, true)
	if err != nil {
		return nil, nil, err // "no vault in DIR" with its hint
	}
	s, err := v.gate.NewTokenSession(cmd.Context(), gate.Request{Actor: cliActor, Purpose: jaga.PurposeServiceProvision, Reason: "jaga scan --redact"})
	if err != nil {
		v.Close()
		return nil, nil, err
	}
	return s, func() { v.Close() }, nil
}
