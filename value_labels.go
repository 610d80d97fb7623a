package jaga

// PurchasesLabel is what a customer reads for the pseudo-field "purchases"
// (FieldPurchases: the subject's purchase lines, read as a whole) in lang, Bahasa
// Indonesia unless lang is "en".
func PurchasesLabel(lang string) string {
	if lang == LangEN {
		return "Purchase history"
	}
	return "Riwayat pembelian"
}

// valueLabelText holds {Bahasa Indonesia, English} words per coded value of a default
// field: gender (TypeGender stores F or M) and the bundled data set's marital status
// (English words in marketing_campaign.csv; its jokes "Absurd" and "YOLO" stay as they
// are, as does education, whose codes do not map to Indonesian degrees one to one).
var valueLabelText = map[string]map[string][2]string{
	"gender": {"F": {"Perempuan", "Female"}, "M": {"Laki-laki", "Male"}},
	"marital_status": {
		"Single": {"Lajang", "Single"}, "Married": {"Menikah", "Married"}, "Together": {"Tinggal bersama pasangan", "Living with a partner"},
		"Divorced": {"Cerai", "Divorced"}, "Widow": {"Janda/duda", "Widowed"}, "Alone": {"Sendiri", "Alone"}},
}

// ValueLabel returns the words a customer reads for the stored value v of field f in
// lang ("id" or "en"): "Perempuan" / "Female" for gender F, and so on for the coded
// values of the default fields; any other value is returned as it is (it is the
// customer's own text or a number).
func (f FieldSpec) ValueLabel(v, lang string) string {
	l, ok := valueLabelText[f.Name][v]
	if !ok {
		return v
	}
	if lang == LangEN {
		return l[1]
	}
	return l[0]
}
