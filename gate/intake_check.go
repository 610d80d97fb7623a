package gate

import (
	"slices"

	"jaga"
)

// Reasons returns the validation problems of the batch's row i (0-based, in the order
// PrepareIntake got the rows): a row with any is quarantined by CommitIntake. Preparing
// stores nothing, so a caller that must not keep a failing row (a web form answered to
// the person who is present, who corrects it at once) drops the batch instead of
// committing it. The reasons name fields and hold no value (invariant 6). It panics on
// an index out of range, as a slice does.
func (b *IntakeBatch) Reasons(i int) []jaga.RowReason {
	return slices.Clone(b.rows[i].reasons)
}
