package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"jaga"
	"jaga/importer"
)

// intakeDir is the shared fixture directory of issue 4 (../shared/data/intake).
func intakeDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "data", "intake")
	if _, err := os.Stat(filepath.Join(dir, "customers_id.csv")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("intake fixtures missing: %v", err)
		}
		t.Skipf("intake fixtures missing: %v", err)
	}
	return dir
}

var peopleFiles = []string{"customers_id.csv", "door_to_door_export.csv", "expo_signups_2024.xlsx", "web_form_events.jsonl"}

// outcome is what one run of the four people files gives: the partition of source rows
// (file:line) into subjects, as sorted groups, and each group's consent state.
type outcome struct {
	groups   []string // each group: its rows sorted and joined, then the groups sorted
	consents map[string]string
	rep      *importer.Report
}

func importPeople(t *testing.T, order []string) outcome {
	t.Helper()
	ctx := context.Background()
	dir := intakeDir(t)
	g, st := MustGate(t)
	rep := importer.NewReport()
	sess := g.NewIntakeSession(0)
	for _, f := range order {
		r, err := importer.ImportFile(ctx, g, filepath.Join(dir, f), importer.Options{Actor: importer_, AllLines: true, Session: sess, DeriveBirthDate: true})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		rep.Add(r)
	}
	if sum := rep.Created + rep.Merged + rep.Unchanged + rep.Quarantined + rep.Rejected; sum != rep.RowsRead {
		t.Fatalf("order %v: created %d + merged %d + unchanged %d + quarantined %d + rejected %d = %d; rows read %d",
			order, rep.Created, rep.Merged, rep.Unchanged, rep.Quarantined, rep.Rejected, sum, rep.RowsRead)
	}
	if len(rep.Lines) != rep.RowsRead {
		t.Fatalf("%d lines reported for %d rows read", len(rep.Lines), rep.RowsRead)
	}
	bySubject := map[jaga.SubjectID][]string{}
	for _, l := range rep.Lines {
		if l.Status == "created" || l.Status == "merged" {
			bySubject[l.Subject] = append(bySubject[l.Subject], fmt.Sprintf("%s:%d", l.File, l.Line))
		}
	}
	out := outcome{consents: map[string]string{}, rep: rep}
	err := st.View(ctx, func(tx jaga.Tx) error {
		for id, rows := range bySubject {
			sort.Strings(rows)
			key := strings.Join(rows, ",")
			out.groups = append(out.groups, key)
			var state []string
			for _, p := range []string{"service_improvement", "cross_selling"} {
				c, err := tx.CurrentConsent(ctx, id, p)
				if err != nil {
					return err
				}
				if c == nil {
					state = append(state, p+"=none")
					continue
				}
				state = append(state, fmt.Sprintf("%s=%s%s/%s", p, c.Status, map[bool]string{true: "+" + c.Flag, false: ""}[c.Flag != ""], c.Evidence))
			}
			out.consents[key] = strings.Join(state, " ")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out.groups)
	return out
}

// TestPeopleFilesAnyOrder imports the four people files of ../shared/data/intake into
// an empty vault in four orders (as given, reversed, and two rotations): the partition
// of source rows into subjects and every subject's consent state are the same, and the
// report accounts for every row.
func TestPeopleFilesAnyOrder(t *testing.T) {
	orders := [][]string{
		peopleFiles,
		{peopleFiles[3], peopleFiles[2], peopleFiles[1], peopleFiles[0]},
		{peopleFiles[2], peopleFiles[0], peopleFiles[3], peopleFiles[1]},
		{peopleFiles[1], peopleFiles[3], peopleFiles[0], peopleFiles[2]},
	}
	first := importPeople(t, orders[0])
	r := first.rep
	t.Logf("rows %d: created %d, merged %d, unchanged %d, quarantined %d %v, rejected %d %v, review %v",
		r.RowsRead, r.Created, r.Merged, r.Unchanged, r.Quarantined, r.QuarantinedBy, r.Rejected, r.RejectedBy, r.ReviewBy)
	for _, f := range r.Files {
		t.Logf("%s: %s", f.File, f.Detected)
	}
	for _, order := range orders[1:] {
		got := importPeople(t, order)
		if !slices.Equal(got.groups, first.groups) {
			a, b := diff(first.groups, got.groups)
			t.Fatalf("order %v: partition differs:\n only first: %v\n only this: %v", order, a[:min(5, len(a))], b[:min(5, len(b))])
		}
		for k, v := range first.consents {
			if got.consents[k] != v {
				t.Fatalf("order %v: consent of %s: %s; first order %s", order, k, got.consents[k], v)
			}
		}
	}
}

func diff(a, b []string) (onlyA, onlyB []string) {
	for _, x := range a {
		if !slices.Contains(b, x) {
			onlyA = append(onlyA, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			onlyB = append(onlyB, x)
		}
	}
	return
}
