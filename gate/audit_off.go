//go:build jaga_noaudit

package gate

// auditEnabled is false only in the jaga_noaudit build, which exists to measure what
// audit costs (BenchmarkRead with and without it). Never ship it.
const auditEnabled = false
