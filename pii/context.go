package pii

// Context words, in Bahasa Indonesia and English, by the kind they point to. They are
// matched as whole words after lower-casing (ASCII) and after taking off the possessive
// and pronoun suffixes Bahasa glues to nouns (-nya, -ku, -mu, with or without a
// hyphen), so "NIK-nya", "rekeningnya" and "nomor paspormu" match.
var contextWords = map[string]Kind{
	"nik": NIK, "ktp": NIK, "e-ktp": NIK, "ektp": NIK, "ktp-el": NIK, "kependudukan": NIK, "penduduk": NIK, "identitas": NIK, "kitas": NIK,
	"kk": KK, "keluarga": KK,
	"npwp": NPWP, "pajak": NPWP, "taxpayer": NPWP,
	"telp": Phone, "telepon": Phone, "telpon": Phone, "tlp": Phone, "hp": Phone, "handphone": Phone,
	"ponsel": Phone, "wa": Phone, "whatsapp": Phone, "phone": Phone, "mobile": Phone, "tel": Phone,
	"hubungi": Phone, "kontak": Phone, "contact": Phone, "call": Phone, "sms": Phone,
	"kartu": Card, "kredit": Card, "credit": Card, "card": Card, "visa": Card, "mastercard": Card,
	"debit": Card, "cc": Card, "amex": Card, "jcb": Card,
	"rek": BankAccount, "rekening": BankAccount, "norek": BankAccount, "account": BankAccount,
	"acct": BankAccount, "bank": BankAccount, "bca": BankAccount, "bni": BankAccount, "bri": BankAccount,
	"mandiri": BankAccount, "btn": BankAccount, "cimb": BankAccount, "permata": BankAccount,
	"danamon": BankAccount, "bsi": BankAccount, "transfer": BankAccount, "tabungan": BankAccount,
	"bpjs": BPJS, "jkn": BPJS, "kis": BPJS, "kesehatan": BPJS, "ketenagakerjaan": BPJS,
	"paspor": Passport, "passport": Passport,
	"plat": Plate, "nopol": Plate, "kendaraan": Plate, "mobil": Plate, "motor": Plate, "polisi": Plate,
	"tnkb": Plate, "plate": Plate, "vehicle": Plate,
}

// abbreviations may end in a dot without ending the sentence.
var abbreviations = map[string]bool{"no": true, "nmr": true, "nr": true, "nomor": true, "num": true, "tgl": true}

// contextReach is how far back (bytes) context words are looked for.
const contextReach = 48

// ctx is what the words before a candidate say: for each kind, how many words back its
// nearest keyword is (0 = none) and the keyword.
type ctx struct {
	dist [numKinds]uint8
	word [numKinds]string
}

func (c *ctx) has(k Kind) bool { return c.dist[k] != 0 }

// nearer reports whether a's keyword is closer than b's (a must be present).
func (c *ctx) nearer(a, b Kind) bool {
	return c.dist[a] != 0 && (c.dist[b] == 0 || c.dist[a] < c.dist[b])
}

// readContext reads the words in buf[start-contextReach:start], nearest first.
func readContext(buf []byte, start int) (c ctx) {
	lo := max(0, start-contextReach)
	var w [24]byte
	n := uint8(0)
	j := start
	for j > lo {
		// Skip to the end of the previous word. A sentence end (". ", "! ", "? ", a
		// line break) stops the search unless the word before it is an
		// abbreviation: "No. Rek. 123", "Telp. 0812…".
		stop := false
		for j > lo && !isWordByte(buf[j-1]) {
			switch buf[j-1] {
			case '\n':
				return c
			case '.', '!', '?':
				stop = j < start && (buf[j] == ' ' || buf[j] == '\t')
			}
			j--
		}
		e := j
		for j > lo && isWordByte(buf[j-1]) {
			j--
		}
		if e == j {
			break
		}
		if j == lo && lo > 0 && isWordByte(buf[lo-1]) {
			break // cut-off word
		}
		n++
		if e-j > len(w) {
			if stop {
				break
			}
			continue
		}
		lw := w[:e-j]
		for k := range lw {
			b := buf[j+k]
			if b >= 'A' && b <= 'Z' {
				b += 'a' - 'A'
			}
			lw[k] = b
		}
		k, word := lookupContext(lw)
		if k != 0 && c.dist[k] == 0 {
			c.dist[k], c.word[k] = n, word
		}
		if stop && k == 0 && !abbreviations[string(lw)] {
			break
		}
	}
	return c
}

// lookupContext finds a context word, with Bahasa suffixes taken off.
func lookupContext(w []byte) (Kind, string) {
	for {
		if e, ok := contextIndex[string(w)]; ok {
			return e.kind, e.word
		}
		switch {
		case hasSuffix(w, "-nya"):
			w = w[:len(w)-4]
		case hasSuffix(w, "nya") && len(w) > 5:
			w = w[:len(w)-3]
		case (hasSuffix(w, "-ku") || hasSuffix(w, "-mu")) && len(w) > 4:
			w = w[:len(w)-3]
		case (hasSuffix(w, "ku") || hasSuffix(w, "mu")) && len(w) > 5:
			w = w[:len(w)-2]
		default:
			return 0, ""
		}
	}
}

// contextIndex maps a context word to its kind and to the map's own copy of the word,
// so Evidence.Context holds a constant string and never a slice of the text.
var contextIndex = func() map[string]struct {
	kind Kind
	word string
} {
	m := make(map[string]struct {
		kind Kind
		word string
	}, len(contextWords))
	for w, k := range contextWords {
		m[w] = struct {
			kind Kind
			word string
		}{k, w}
	}
	return m
}()

func hasSuffix(w []byte, s string) bool {
	return len(w) >= len(s) && string(w[len(w)-len(s):]) == s
}

// isWordByte: ASCII letters, digits (a number is a word between a context word and
// the value) and the hyphen inside affixed words ("NIK-nya", "e-KTP").
func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-'
}
