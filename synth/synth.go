// Package synth generates synthetic customer files for load tests and benchmarks: the
// bundled customers (demodata) scaled to any number of subjects, every one of the nine
// identity fields filled, identities varied per row so that emails, phones and NIKs are
// distinct and well-formed. Values are synthetic (example.* e-mail domains); never
// contact them.
//
// synth may import the root package, demodata and the standard library.
package synth

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"

	"jaga/demodata"
)

// Header is the column header of Write's output: the bundled file's columns plus
// birth_date and address.
func Header() ([]string, error) {
	base, err := baseRows()
	if err != nil {
		return nil, err
	}
	return append(append([]string(nil), base[0]...), "birth_date", "address"), nil
}

func baseRows() ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(demodata.CustomersCSV))
	return r.ReadAll()
}

var (
	streets  = []string{"Jl. Merdeka", "Jl. Sudirman", "Jl. Diponegoro", "Jl. Gatot Subroto", "Jl. Ahmad Yani", "Jl. Pahlawan", "Jl. Veteran", "Jl. Kartini"}
	prefixes = []string{"812", "813", "821", "822", "852", "853", "857", "858", "877", "878", "896", "897", "898", "899", "881", "882"}
	given    = []string{"Agus", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gita", "Hadi", "Indah", "Joko", "Kartika", "Lestari", "Made", "Nur", "Putu", "Rina", "Sari", "Tono", "Wati", "Yusuf"}
	family   = []string{"Santoso", "Wijaya", "Saputra", "Rahmawati", "Hidayat", "Kusuma", "Pratama", "Siregar", "Nasution", "Gunawan", "Setiawan", "Lubis", "Harahap", "Wibowo", "Sihombing"}
)

// Write writes a header and n synthetic customer rows as CSV to w, deterministic for a
// seed. Row i copies the marketing columns, channel, consents and domicile of bundled
// row i mod 2,240 and gets its own name, e-mail, phone, NIK (the bundled row's district
// code with its own birth date and serial), birth date and address; source_id is
// "syn-<i>".
func Write(w io.Writer, n int, seed uint64) error {
	rows, err := baseRows()
	if err != nil {
		return err
	}
	head, body := rows[0], rows[1:]
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string(nil), head...), "birth_date", "address")); err != nil {
		return err
	}
	out := make([]string, len(head)+2)
	for i := 0; i < n; i++ {
		b := body[i%len(body)]
		copy(out, b)
		g, f := given[rng.IntN(len(given))], family[rng.IntN(len(family))]
		female := b[col["gender"]] == "F"
		year, _ := strconv.Atoi(b[col["Year_Birth"]])
		if year < 1900 || year > 2010 {
			year = 1960 + rng.IntN(40)
		}
		month, day := 1+rng.IntN(12), 1+rng.IntN(28)
		nikDay := day
		if female {
			nikDay += 40
		}
		region := b[col["nik"]][:6]
		out[col["source_id"]] = "syn-" + strconv.Itoa(i)
		out[col["full_name"]] = g + " " + f
		out[col["email"]] = fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(g), strings.ToLower(f), i)
		out[col["phone"]] = fmt.Sprintf("0%s%08d", prefixes[rng.IntN(len(prefixes))], rng.IntN(100_000_000))
		out[col["nik"]] = fmt.Sprintf("%s%02d%02d%02d%04d", region, nikDay, month, year%100, 1+i%9999)
		out[len(head)] = fmt.Sprintf("%04d-%02d-%02d", year, month, day)
		out[len(head)+1] = fmt.Sprintf("%s No. %d, RT %03d/RW %03d", streets[rng.IntN(len(streets))], 1+rng.IntN(200), 1+rng.IntN(20), 1+rng.IntN(15))
		if err := cw.Write(out); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteWithDuplicates writes a header and n rows in the shape of Write, of which every
// second row (odd i) is another record of an earlier person, written differently, as a
// second source system would: its own source_id ("dup-<i>"), the name in capitals, the
// e-mail with a capital and stray spaces, the phone as "+62 8xx-xxxx-xxxx", "62…" or
// "(08xx) xxxx-xxxx", the NIK in groups of 4-6 digits, the birth date as DD/MM/YYYY.
// The person is drawn uniformly from those written before, so most duplicates land in
// an earlier import batch. About n/2 distinct people result.
func WriteWithDuplicates(w io.Writer, n int, seed uint64) error {
	var buf bytes.Buffer
	if err := Write(&buf, (n+1)/2, seed); err != nil {
		return err
	}
	r := csv.NewReader(&buf)
	all, err := r.ReadAll()
	if err != nil {
		return err
	}
	head, orig := all[0], all[1:]
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	rng := rand.New(rand.NewPCG(seed^0x51ed2701, seed))
	cw := csv.NewWriter(w)
	if err := cw.Write(head); err != nil {
		return err
	}
	out := make([]string, len(head))
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			if err := cw.Write(orig[i/2]); err != nil {
				return err
			}
			continue
		}
		src := orig[rng.IntN(i/2+1)]
		copy(out, src)
		out[col["source_id"]] = "dup-" + strconv.Itoa(i)
		out[col["full_name"]] = strings.ToUpper(src[col["full_name"]])
		e := src[col["email"]]
		out[col["email"]] = "  " + strings.ToUpper(e[:1]) + e[1:] + " "
		p := src[col["phone"]][1:] // 8xxxxxxxxxx
		switch i % 3 {
		case 0:
			out[col["phone"]] = "+62 " + p[:3] + "-" + p[3:7] + "-" + p[7:]
		case 1:
			out[col["phone"]] = "62" + p
		default:
			out[col["phone"]] = "(0" + p[:3] + ") " + p[3:7] + "-" + p[7:]
		}
		k := src[col["nik"]]
		out[col["nik"]] = k[:6] + " " + k[6:12] + " " + k[12:]
		bd := src[col["birth_date"]]
		out[col["birth_date"]] = bd[8:10] + "/" + bd[5:7] + "/" + bd[:4]
		if err := cw.Write(out); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
