package normalize_test

import (
	"testing"

	"jaga"
	"jaga/normalize"
)

func TestYesNo(t *testing.T) {
	for _, c := range []struct {
		in   string
		want normalize.Answer
		err  bool
	}{
		{"Y", normalize.AnswerYes, false}, {"y", normalize.AnswerYes, false}, {"Ya", normalize.AnswerYes, false},
		{"YA", normalize.AnswerYes, false}, {"Yes", normalize.AnswerYes, false}, {"1", normalize.AnswerYes, false},
		{"true", normalize.AnswerYes, false}, {"TRUE", normalize.AnswerYes, false}, {" y ", normalize.AnswerYes, false},
		{"T", normalize.AnswerNo, false}, {"t", normalize.AnswerNo, false}, {"Tidak", normalize.AnswerNo, false},
		{"TIDAK", normalize.AnswerNo, false}, {"N", normalize.AnswerNo, false}, {"No", normalize.AnswerNo, false},
		{"0", normalize.AnswerNo, false}, {"false", normalize.AnswerNo, false}, {"\tn\r\n", normalize.AnswerNo, false},
		{"", normalize.AnswerAbsent, false}, {"   ", normalize.AnswerAbsent, false},
		{"Y/T", 0, true}, {"✓", 0, true}, {"x", 0, true}, {"ya tidak", 0, true}, {"2", 0, true},
		{"yess", 0, true}, {"tidakkkkkkkk", 0, true}, {"\xff", 0, true}, {"-", 0, true},
	} {
		got, err := normalize.YesNo(c.in)
		if c.err {
			if err == nil {
				t.Errorf("%q: got %v, want an error", c.in, got)
				continue
			}
			checkErr(t, c.in, "consent", err)
			if got != normalize.AnswerAbsent {
				t.Errorf("%q: error with answer %v", c.in, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	if normalize.AnswerYes.String() != "yes" || normalize.AnswerNo.String() != "no" || normalize.AnswerAbsent.String() != "absent" {
		t.Error("Answer.String")
	}
}

// FuzzYesNo checks that YesNo never panics, that errors carry a reason, and that the
// answer's own name reads back as the same answer.
func FuzzYesNo(f *testing.F) {
	for _, s := range []string{"Y", "T", "Ya", "Tidak", "", " ", "1", "0", "true", "false", "\xff", "yes "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		a, err := normalize.YesNo(raw)
		if err != nil {
			if e := jaga.AsError(err); e == nil || e.Reason != "consent_invalid" || a != normalize.AnswerAbsent {
				t.Fatalf("YesNo(%q) = %v, %#v", raw, a, err)
			}
			return
		}
		if a == normalize.AnswerAbsent {
			return
		}
		if again, err := normalize.YesNo(a.String()); err != nil || again != a {
			t.Fatalf("YesNo(%q) = %v; YesNo(%q) = %v, %v", raw, a, a.String(), again, err)
		}
	})
}
