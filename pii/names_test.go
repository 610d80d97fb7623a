package pii

import (
	"testing"
)

// nameFloors are the regression floors (precision, recall) on the test half; the
// measured values are in the test log and the package README.
var nameFloors = map[Kind][2]float64{Person: {0.65, 0.83}, Place: {0.55, 0.55}}

// TestNamesIDNER measures the person and place detector on idner_news_2k, split by
// idnerHalves: tuned on the development half, reported on the test half. A finding is
// correct when kind, start and end all match a gold span (PER → Person, LOC → Place).
func TestNamesIDNER(t *testing.T) {
	dev, test := idnerHalves(t)
	sc := MustScanner(Options{Names: true, Kinds: []Kind{Person, Place}})
	for _, half := range []struct {
		name  string
		sents []idnerSentence
	}{{"dev", dev}, {"test", test}} {
		var tp, pred, gold [numKinds]int
		for _, s := range half.sents {
			want := map[[3]int]bool{}
			for _, sp := range s.Spans {
				k := map[string]Kind{"PER": Person, "LOC": Place}[sp.Type]
				if k == 0 {
					continue
				}
				want[[3]int{int(k), sp.Start, sp.End}] = true
				gold[k]++
			}
			for _, f := range sc.Scan([]byte(s.Text)) {
				pred[f.Kind]++
				if want[[3]int{int(f.Kind), int(f.Start), int(f.End)}] {
					tp[f.Kind]++
				} else if testing.Verbose() && half.name == "dev" {
					t.Logf("dev: %s %q", f.Kind, s.Text[f.Start:f.End])
				}
			}
		}
		for _, k := range []Kind{Person, Place} {
			p, r := ratio(tp[k], pred[k]), ratio(tp[k], gold[k])
			t.Logf("IDNER %-4s %-6s gold %3d  predicted %3d  correct %3d  precision %.3f  recall %.3f", half.name, k, gold[k], pred[k], tp[k], p, r)
			if half.name == "test" && (p < nameFloors[k][0] || r < nameFloors[k][1]) {
				t.Errorf("%s on the test half: precision %.3f recall %.3f below the floor %.2f/%.2f", k, p, r, nameFloors[k][0], nameFloors[k][1])
			}
		}
	}
}

func TestAddressesAndNames(t *testing.T) {
	sc := MustScanner(Options{Names: true})
	for _, c := range []struct{ text, want string }{
		{"Alamat: Jl. Merdeka No. 5 RT 01/RW 02, Kel. Gambir, Kec. Gambir, Jakarta Pusat. Terima kasih",
			"address:Jl. Merdeka No. 5 RT 01/RW 02, Kel. Gambir, Kec. Gambir, Jakarta Pusat"},
		{"kirim ke Jalan Situbondo nomor 10 besok", "address:Jalan Situbondo nomor 10"},
		{"Menurut Presiden Joko Widodo, rapat di Surabaya ditunda.", "person:Joko Widodo place:Surabaya"},
		{"jalan kaki ke pasar", ""},
	} {
		if g := got(sc, c.text); g != c.want {
			t.Errorf("%q: got %q, want %q", c.text, g, c.want)
		}
	}
}
