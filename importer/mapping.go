// Package importer reads customer and purchase files (CSV for now) into the vault through
// the gate: it maps columns to schema fields, attributes, consents and provenance, reports
// every bad row with its file, line and column (never its value), and is idempotent — a
// row's key (its source ID, or the file and line) is stored as a keyed hash, so
// re-running an import creates no duplicates.
//
// importer may import the root package, gate, normalize and the standard library; it
// never imports seal or a store.
package importer

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v4"

	"jaga"
)

// TargetKind is what a column feeds.
type TargetKind string

// Target kinds of a column mapping.
const (
	TargetField       TargetKind = "field"        // a schema field or attribute (Name)
	TargetConsent     TargetKind = "consent"      // a Y/N consent to purpose Name
	TargetEvidence    TargetKind = "evidence"     // the consent evidence reference of the row
	TargetChannel     TargetKind = "channel"      // the row's collection channel
	TargetCollectedAt TargetKind = "collected_at" // when the data was collected (RFC 3339)
	TargetSourceID    TargetKind = "source_id"    // the row's ID in its source system
	TargetIgnore      TargetKind = "ignore"       // not imported
	TargetNotice      TargetKind = "notice"       // the privacy-notice version shown (web form)
	TargetGPC         TargetKind = "gpc"          // the browser sent Sec-GPC: 1 (true/false)
	TargetCollector   TargetKind = "collector"    // the staff member who collected the row
	// Purchase columns.
	TargetCustomer TargetKind = "customer" // the customer's source ID in a purchase file
	TargetPurchase TargetKind = "purchase" // a purchase attribute (Name: invoice_no, …)
)

// Target is where one column goes.
type Target struct {
	Kind TargetKind
	Name string
}

// String returns "kind" or "kind:name".
func (t Target) String() string {
	if t.Name == "" {
		return string(t.Kind)
	}
	return string(t.Kind) + ":" + t.Name
}

// ParseTarget parses "field:email", "consent:cross_selling", "email" (a field name),
// "channel", "collected_at", "source_id", "evidence", "customer", "purchase:invoice_no"
// or "ignore".
func ParseTarget(s string) (Target, error) {
	kind, name, hasName := strings.Cut(strings.TrimSpace(s), ":")
	switch TargetKind(kind) {
	case TargetEvidence, TargetChannel, TargetCollectedAt, TargetSourceID, TargetIgnore, TargetCustomer, TargetNotice, TargetGPC, TargetCollector:
		if hasName {
			return Target{}, fmt.Errorf("target %q takes no name", kind)
		}
		return Target{Kind: TargetKind(kind)}, nil
	case TargetField, TargetConsent, TargetPurchase:
		if name == "" {
			return Target{}, fmt.Errorf("target %q needs a name", kind)
		}
		return Target{Kind: TargetKind(kind), Name: name}, nil
	}
	if !hasName && kind != "" {
		return Target{Kind: TargetField, Name: kind}, nil
	}
	return Target{}, fmt.Errorf("unknown target %q", s)
}

// Mapping maps column headers (compared case-insensitively after trimming) to targets.
// Columns it does not name are guessed (GuessTarget).
type Mapping struct {
	Columns map[string]Target
}

// LoadMapping reads a YAML mapping file of the form
//
//	columns:
//	  "No. HP/WA": phone
//	  "Setuju Penawaran (Y/T)": consent:cross_selling
//
// Errors name the file, line and column; a YAML syntax error is placed where the parser
// found it (go.yaml.in/yaml/v4's mark: v3 names the line where the enclosing block
// began, often a line or more above the mistake).
func LoadMapping(path string) (*Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Columns yaml.Node `yaml:"columns"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, mappingSyntaxError(path, err)
	}
	m := &Mapping{Columns: map[string]Target{}}
	n := &doc.Columns
	if n.Kind == 0 {
		return nil, fmt.Errorf("%s: no columns: section", path)
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d:%d: columns must be a mapping of header to target", path, n.Line, n.Column)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		t, err := ParseTarget(v.Value)
		if err != nil {
			return nil, fmt.Errorf("%s:%d:%d: column %q: %w", path, v.Line, v.Column, safeMember(k.Value), err)
		}
		m.Columns[headerKey(k.Value)] = t
	}
	return m, nil
}

// mappingSyntaxError places a YAML error of the mapping file at path as
// "path:LINE:COLUMN: problem (context that starts at line N)".
func mappingSyntaxError(path string, err error) error {
	var le *yaml.LoadError
	if !errors.As(err, &le) || le.Mark.Line <= 0 {
		return fmt.Errorf("%s: %w", path, err)
	}
	msg := le.Message
	if le.ContextMsg != "" && le.ContextMark.Line > 0 {
		msg += fmt.Sprintf(" (%s that starts at line %d)", le.ContextMsg, le.ContextMark.Line)
	}
	return fmt.Errorf("%s:%d:%d: %s", path, le.Mark.Line, le.Mark.Column, msg)
}

// fileKind returns the kind of a file with column targets (given, when not ""): a
// file with a customer column (customer_source_id, customer_id) is a purchase file
// when it has purchase columns or no field column; one with fields and no purchase
// columns is a people file — a CRM export keyed by customer_id — whose customer column
// is then its source ID (ignored if it has one already). targets is changed to match.
func fileKind(given Kind, targets []Target) Kind {
	customer, source, fields, purchases := -1, false, false, false
	for i, t := range targets {
		switch t.Kind {
		case TargetCustomer:
			if customer < 0 {
				customer = i
			}
		case TargetSourceID:
			source = true
		case TargetField:
			fields = true
		case TargetPurchase:
			purchases = true
		}
	}
	kind := given
	if kind == "" {
		kind = KindSubjects
		if customer >= 0 && (purchases || !fields) {
			kind = KindPurchases
		}
	}
	if kind == KindSubjects {
		for i, t := range targets {
			if t.Kind != TargetCustomer {
				continue
			}
			if i == customer && !source {
				targets[i] = Target{Kind: TargetSourceID}
			} else {
				targets[i] = Target{Kind: TargetIgnore}
			}
		}
	}
	return kind
}

func headerKey(h string) string { return strings.ToLower(strings.TrimSpace(h)) }

// GuessTarget guesses a column's target from its header: a Bahasa Indonesia or English
// label (guessLabel: "No. HP/WA" → phone, "Setuju Penawaran (Y/T)" → consent to
// cross_selling, "Tgl Kunjungan" → collected_at, …), a schema field or attribute
// name (also CamelCase and Title_Case forms such as MntWines or Year_Birth),
// consent_<purpose>, consent_evidence, channel, collected_at, source_id/ID, and the
// purchase columns customer_source_id, invoice_no, stock_code, description, quantity,
// invoice_date and unit_price. ok is false when nothing fits.
func GuessTarget(schema *jaga.Schema, header string) (Target, bool) {
	if t, ok := guessLabel(header); ok {
		return t, true
	}
	h := snake(strings.TrimSpace(header))
	switch h {
	case "channel":
		return Target{Kind: TargetChannel}, true
	case "collected_at":
		return Target{Kind: TargetCollectedAt}, true
	case "source_id", "id":
		return Target{Kind: TargetSourceID}, true
	case "consent_evidence":
		return Target{Kind: TargetEvidence}, true
	case "customer_source_id", "customer_id":
		return Target{Kind: TargetCustomer}, true
	case "invoice_no", "stock_code", "description", "quantity", "invoice_date", "unit_price":
		return Target{Kind: TargetPurchase, Name: h}, true
	}
	if p, ok := strings.CutPrefix(h, "consent_"); ok {
		return Target{Kind: TargetConsent, Name: p}, true
	}
	if _, ok := schema.Field(h); ok {
		return Target{Kind: TargetField, Name: h}, true
	}
	return Target{}, false
}

// snake turns "MntMeatProducts", "Year_Birth", "AcceptedCmp3" and "Z_CostContact" into
// snake_case.
func snake(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case unicode.IsUpper(r):
			if i > 0 && rs[i-1] != '_' && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
		case r == ' ' || r == '-' || r == '.':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
