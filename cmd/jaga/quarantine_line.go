package main

import "strconv"

// quarantineLine is the LINE column of `jaga quarantine list`: the 1-based line of the
// row in its file, or "-" for a row that has no line (a web-form post or a confirmed
// sign-up, whose FILE column is form:<form>), which a 0 would make look like a line.
func quarantineLine(line int) string {
	if line < 1 {
		return "-"
	}
	return strconv.Itoa(line)
}
