package pii

import (
	"encoding/json"
	"os"
	"testing"
)

// synthTypes maps the presidio-research entity types Jaga supports to its kinds.
var synthTypes = map[string]Kind{
	"CREDIT_CARD": Card, "PHONE_NUMBER": Phone, "EMAIL_ADDRESS": Email, "IP_ADDRESS": IP, "DOMAIN_NAME": URL,
}

// synthFloors are the regression floors (precision, recall) per kind on
// synth_dataset_v2.json, a little under the measured values reported in the test log.
var synthFloors = map[Kind][2]float64{
	Card:  {0.97, 0.97},
	Email: {0.97, 0.97},
	IP:    {0.97, 0.97},
	URL:   {0.97, 0.97},
	Phone: {0.80, 0.10},
}

// TestSynthDataset measures precision and recall per kind on Presidio's synthetic
// English sentences (../shared/data/pii/presidio_research/synth_dataset_v2.json). A
// finding counts as correct when it overlaps a gold span of the same type; findings
// of kinds the dataset does not label (NIK, NPWP, …) are all false positives.
func TestSynthDataset(t *testing.T) {
	path := sharedFile(t, "pii/presidio_research/synth_dataset_v2.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Text  string `json:"full_text"`
		Spans []struct {
			Type  string `json:"entity_type"`
			Start int    `json:"start_position"`
			End   int    `json:"end_position"`
		} `json:"spans"`
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatal(err)
	}
	var tp, fp, gold, found [numKinds]int
	for _, row := range rows {
		type span struct {
			k          Kind
			start, end int64
		}
		var g []span
		for _, sp := range row.Spans {
			if k, ok := synthTypes[sp.Type]; ok {
				g = append(g, span{k, int64(byteOffset(row.Text, sp.Start)), int64(byteOffset(row.Text, sp.End))})
				gold[k]++
			}
		}
		matched := make([]bool, len(g))
		for _, f := range Scan(row.Text) {
			hit := false
			for i, s := range g {
				if s.k == f.Kind && f.Start < s.end && s.start < f.End {
					hit = true
					if !matched[i] {
						matched[i] = true
						found[f.Kind]++
					}
				}
			}
			if hit {
				tp[f.Kind]++
				continue
			}
			fp[f.Kind]++
			t.Logf("false positive %s %q", f.Kind, row.Text[f.Start:f.End])
		}
		for i, s := range g {
			if !matched[i] {
				t.Logf("missed %s %q", s.k, row.Text[s.start:s.end])
			}
		}
	}
	for _, k := range IdentifierKinds {
		if tp[k]+fp[k]+gold[k] == 0 {
			continue
		}
		p, r := ratio(tp[k], tp[k]+fp[k]), ratio(found[k], gold[k])
		t.Logf("SYNTH %-12s gold %4d  predicted %4d  precision %.3f  recall %.3f", k, gold[k], tp[k]+fp[k], p, r)
		floor, supported := synthFloors[k]
		if !supported {
			if fp[k] > 0 {
				t.Errorf("%s: %d false positives in an English dataset without any", k, fp[k])
			}
			continue
		}
		if p < floor[0] || r < floor[1] {
			t.Errorf("%s: precision %.3f recall %.3f below the floor %.2f/%.2f", k, p, r, floor[0], floor[1])
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
