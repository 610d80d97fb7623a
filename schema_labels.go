package jaga

import (
	"unicode"
	"unicode/utf8"
)

// Label languages: the portal's and console's two languages, Bahasa Indonesia first.
const (
	LangID = "id"
	LangEN = "en"
)

// MaxLabelLen is the longest field label, in bytes of UTF-8: a label names a field in a
// table cell or a form's option, it does not explain it.
const MaxLabelLen = 80

// Label returns f's label in lang ("id" or "en"), else its Bahasa Indonesia label,
// else its English one, else f.Name: a field a company added in config without labels
// is shown by its name.
func (f FieldSpec) Label(lang string) string {
	for _, l := range [...]string{lang, LangID, LangEN} {
		if s := f.Labels[l]; s != "" {
			return s
		}
	}
	return f.Name
}

// Label returns the label in lang (FieldSpec.Label) of the field or attribute named
// name, or name itself when the schema has no such field (one removed from config
// that an old audit event still names).
func (s *Schema) Label(name, lang string) string {
	if f, ok := s.Field(name); ok {
		return f.Label(lang)
	}
	if name == FieldPurchases {
		return PurchasesLabel(lang)
	}
	return name
}

// checkLabels refuses a label in a language other than id or en, a blank one, one
// longer than MaxLabelLen bytes, one that is not UTF-8, or one holding a control,
// format (such as a bidirectional override) or line-separator character: a label is
// short plain text shown to customers. The error names the field and the language,
// never the label.
func checkLabels(f FieldSpec) error {
	for lang, l := range f.Labels {
		switch lang {
		case LangID, LangEN:
		default:
			return FieldError(f.Name, "label language %q is not id or en", lang)
		}
		switch {
		case len(l) > MaxLabelLen:
			return FieldError(f.Name, "label %s is %d bytes, more than %d", lang, len(l), MaxLabelLen)
		case !utf8.ValidString(l):
			return FieldError(f.Name, "label %s is not valid UTF-8", lang)
		}
		blank := true
		for _, r := range l {
			if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
				return FieldError(f.Name, "label %s holds a control character (U+%04X)", lang, r)
			}
			if !unicode.IsSpace(r) {
				blank = false
			}
		}
		if blank {
			return FieldError(f.Name, "label %s is blank", lang)
		}
	}
	return nil
}

// defaultLabels returns a new map of the Bahasa Indonesia and English labels of a
// default field or attribute. The attributes are the columns of the public "Customer
// Personality Analysis" data set (marketing_campaign.csv); amounts are totals of the
// last two years, as that data set defines them.
func defaultLabels(name string) map[string]string {
	l, ok := defaultLabelText[name]
	if !ok {
		return nil
	}
	return map[string]string{LangID: l[0], LangEN: l[1]}
}

// defaultLabelText holds {Bahasa Indonesia, English} per default field and attribute.
var defaultLabelText = map[string][2]string{
	"full_name":         {"Nama lengkap", "Full name"},
	"email":             {"Alamat email", "E-mail address"},
	"phone":             {"Nomor HP", "Mobile phone number"},
	"nik":               {"NIK (Nomor Induk Kependudukan)", "National identity number (NIK)"},
	"birth_date":        {"Tanggal lahir", "Date of birth"},
	"gender":            {"Jenis kelamin", "Gender"},
	"address":           {"Alamat", "Address"},
	"domicile_province": {"Provinsi domisili", "Province of residence"},
	"domicile_city":     {"Kota/kabupaten domisili", "City or regency of residence"},

	"year_birth":     {"Tahun lahir", "Year of birth"},
	"education":      {"Pendidikan", "Education"},
	"marital_status": {"Status perkawinan", "Marital status"},
	"income":         {"Pendapatan rumah tangga per tahun", "Yearly household income"},
	"kidhome":        {"Jumlah anak kecil di rumah", "Number of children at home"},
	"teenhome":       {"Jumlah anak remaja di rumah", "Number of teenagers at home"},
	"dt_customer":    {"Tanggal mulai menjadi pelanggan", "Date you became a customer"},
	"recency":        {"Hari sejak pembelian terakhir", "Days since your last purchase"},

	"mnt_wines":          {"Belanja anggur (2 tahun terakhir)", "Spent on wine (last 2 years)"},
	"mnt_fruits":         {"Belanja buah (2 tahun terakhir)", "Spent on fruit (last 2 years)"},
	"mnt_meat_products":  {"Belanja daging (2 tahun terakhir)", "Spent on meat (last 2 years)"},
	"mnt_fish_products":  {"Belanja ikan (2 tahun terakhir)", "Spent on fish (last 2 years)"},
	"mnt_sweet_products": {"Belanja makanan manis (2 tahun terakhir)", "Spent on sweets (last 2 years)"},
	"mnt_gold_prods":     {"Belanja produk emas (2 tahun terakhir)", "Spent on gold products (last 2 years)"},

	"num_deals_purchases":   {"Jumlah pembelian dengan diskon", "Purchases made with a discount"},
	"num_web_purchases":     {"Jumlah pembelian lewat situs web", "Purchases through the website"},
	"num_catalog_purchases": {"Jumlah pembelian lewat katalog", "Purchases from the catalogue"},
	"num_store_purchases":   {"Jumlah pembelian langsung di toko", "Purchases in a store"},
	"num_web_visits_month":  {"Kunjungan ke situs web (bulan terakhir)", "Visits to the website (last month)"},

	"accepted_cmp1": {"Menerima penawaran kampanye ke-1", "Accepted the offer of campaign 1"},
	"accepted_cmp2": {"Menerima penawaran kampanye ke-2", "Accepted the offer of campaign 2"},
	"accepted_cmp3": {"Menerima penawaran kampanye ke-3", "Accepted the offer of campaign 3"},
	"accepted_cmp4": {"Menerima penawaran kampanye ke-4", "Accepted the offer of campaign 4"},
	"accepted_cmp5": {"Menerima penawaran kampanye ke-5", "Accepted the offer of campaign 5"},
	"response":      {"Menerima penawaran kampanye terakhir", "Accepted the offer of the last campaign"},
	"complain":      {"Pernah mengajukan keluhan (2 tahun terakhir)", "Made a complaint (last 2 years)"},

	// Constant in every row of the source data set, which does not define them; the
	// usual reading is the cost of contacting a customer and the revenue of an accepted offer.
	"z_cost_contact": {"Biaya kontak (nilai tetap data sumber)", "Contact cost (fixed value in the source data)"},
	"z_revenue":      {"Pendapatan per tanggapan (nilai tetap data sumber)", "Revenue per response (fixed value in the source data)"},
}
