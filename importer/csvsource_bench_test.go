package importer

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// BenchmarkCSVSource reads customers_id.csv (2,240 records, UTF-8) and the same file
// in Windows-1252 with the CSV source: the record-by-record encoding check and decoding
// (textRecord) is on this path. Reports MB/s of the file as stored.
func BenchmarkCSVSource(b *testing.B) {
	utf, err := os.ReadFile(filepath.Join("..", "..", "shared", "data", "intake", "customers_id.csv"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatal(err)
		}
		b.Skip(err)
	}
	cp, err := charmap.Windows1252.NewEncoder().Bytes(bytes.ReplaceAll(utf, []byte("\u2019"), []byte("'")))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		in   []byte
	}{{"UTF-8", utf}, {"Windows-1252", cp}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.in)))
			for b.Loop() {
				s, err := newCSVSource(bytes.NewReader(c.in))
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := s.next(); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
