// Command genwilayah writes normalize/wilayah/{districts.txt,regions.tsv,NOTICE} from the
// Kemendagri region codes in shared/data/wilayah (see package wilayahgen). It is run by
// `go generate ./normalize` from the repository root:
//
//	genwilayah -src ../../shared/data/wilayah -out wilayah
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"jaga/normalize/internal/wilayahgen"
)

func main() {
	src := flag.String("src", "", "directory of the wilayah data (wilayah_kecamatan_history.csv, …)")
	out := flag.String("out", "wilayah", "directory to write the tables to")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "genwilayah: error:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	if src == "" {
		return fmt.Errorf("-src is required")
	}
	files, err := wilayahgen.Generate(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
