// Command jaga runs the Jaga vault: serve, demo, import, actors, keys and audit. Run
// `jaga help` for the commands. Messages go to stderr as `jaga: error: …` and
// `jaga: hint: …` and never contain personal data.
package main

import "os"

func main() {
	ctx, stop := signalContext()
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
