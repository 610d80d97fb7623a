//go:build !jaga_noaudit

package gate

// auditEnabled is true in every build but the benchmark-only jaga_noaudit build
// (DESIGN.md invariant 1: audit cannot be switched off).
const auditEnabled = true
