package importer

import (
	"sort"
	"strings"
	"unicode"

	"jaga"
)

// labelKey reduces a header to lower-case words of letters and digits: "No. HP/WA" →
// "no hp wa", "Setuju Penawaran (Y/T)" → "setuju penawaran y t".
func labelKey(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// labels maps header labels, as labelKey writes them, to targets: the Bahasa Indonesia
// and English names Indonesian forms and spreadsheets use.
var labels = map[string]Target{
	"no": {Kind: TargetIgnore}, "nomor": {Kind: TargetIgnore}, "no urut": {Kind: TargetIgnore},
	"user agent": {Kind: TargetIgnore}, "user_agent": {Kind: TargetIgnore},

	"nama": {TargetField, "full_name"}, "nama lengkap": {TargetField, "full_name"}, "name": {TargetField, "full_name"},
	"full name": {TargetField, "full_name"}, "nama pelanggan": {TargetField, "full_name"},

	"no hp": {TargetField, "phone"}, "no hp wa": {TargetField, "phone"}, "hp": {TargetField, "phone"},
	"no wa": {TargetField, "phone"}, "nomor hp": {TargetField, "phone"}, "no telp": {TargetField, "phone"},
	"telepon": {TargetField, "phone"}, "no telepon": {TargetField, "phone"}, "handphone": {TargetField, "phone"},
	"phone number": {TargetField, "phone"}, "mobile": {TargetField, "phone"}, "whatsapp": {TargetField, "phone"},

	"email": {TargetField, "email"}, "e mail": {TargetField, "email"}, "surel": {TargetField, "email"},
	"alamat email": {TargetField, "email"},

	"nik": {TargetField, "nik"}, "no ktp": {TargetField, "nik"}, "nomor ktp": {TargetField, "nik"},
	"nomor induk kependudukan": {TargetField, "nik"},

	"kota": {TargetField, "domicile_city"}, "kota kab": {TargetField, "domicile_city"},
	"kabupaten kota": {TargetField, "domicile_city"}, "kab kota": {TargetField, "domicile_city"}, "city": {TargetField, "domicile_city"},
	"provinsi": {TargetField, "domicile_province"}, "province": {TargetField, "domicile_province"},

	"tanggal lahir": {TargetField, "birth_date"}, "tgl lahir": {TargetField, "birth_date"},
	"birth date": {TargetField, "birth_date"}, "date of birth": {TargetField, "birth_date"}, "dob": {TargetField, "birth_date"},

	"l p": {TargetField, "gender"}, "jenis kelamin": {TargetField, "gender"}, "sex": {TargetField, "gender"},
	"alamat": {TargetField, "address"},

	"petugas": {Kind: TargetCollector}, "staff": {Kind: TargetCollector}, "collector": {Kind: TargetCollector},
	"no formulir": {Kind: TargetEvidence}, "nomor formulir": {Kind: TargetEvidence}, "form no": {Kind: TargetEvidence},
	"form number": {Kind: TargetEvidence},

	"tgl kunjungan": {Kind: TargetCollectedAt}, "tanggal kunjungan": {Kind: TargetCollectedAt},
	"visit date": {Kind: TargetCollectedAt}, "submitted at": {Kind: TargetCollectedAt}, "tanggal daftar": {Kind: TargetCollectedAt},

	"notice version": {Kind: TargetNotice}, "gpc": {Kind: TargetGPC}, "sec gpc": {Kind: TargetGPC},
}

// guessLabel guesses a target from a Bahasa Indonesia or English header label. Consent
// columns are recognised by their words: an offer or marketing column ("Setuju
// Penawaran (Y/T)", "Bersedia dihubungi untuk penawaran (Y/T)") is consent to
// cross_selling; a service column ("Setuju Layanan (Y/T)") consent to
// service_improvement.
func guessLabel(h string) (Target, bool) {
	k := labelKey(h)
	if t, ok := labels[k]; ok {
		return t, true
	}
	// "(Y/T)", "(Y/N)" mark a yes/no column.
	base := strings.TrimSuffix(strings.TrimSuffix(k, " y t"), " y n")
	yn := base != k
	words := strings.Fields(base)
	has := func(ws ...string) bool {
		for _, w := range words {
			for _, x := range ws {
				if w == x {
					return true
				}
			}
		}
		return false
	}
	switch {
	case has("penawaran", "promosi", "offers", "offer", "marketing") && (yn || has("setuju", "bersedia", "consent", "agree")):
		return Target{Kind: TargetConsent, Name: "cross_selling"}, true
	case has("layanan", "service") && (yn || has("setuju", "bersedia", "consent", "agree")):
		return Target{Kind: TargetConsent, Name: "service_improvement"}, true
	}
	return Target{}, false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// channelLabels maps channel values as source files write them (labelKey form: lower
// case, words) to channels: Jaga's own names written with spaces or hyphens, and the
// Bahasa Indonesia and English words Indonesian exports use.
var channelLabels = map[string]jaga.Channel{
	"web form": jaga.ChannelWebForm, "webform": jaga.ChannelWebForm, "formulir web": jaga.ChannelWebForm,
	"form web": jaga.ChannelWebForm, "formulir online": jaga.ChannelWebForm, "situs web": jaga.ChannelWebForm,
	"website":      jaga.ChannelWebForm,
	"email signup": jaga.ChannelEmailSignup, "email sign up": jaga.ChannelEmailSignup, "pendaftaran email": jaga.ChannelEmailSignup,
	"newsletter": jaga.ChannelEmailSignup, "buletin": jaga.ChannelEmailSignup,
	"api":        jaga.ChannelAPI,
	"exhibition": jaga.ChannelExhibition, "expo": jaga.ChannelExhibition, "pameran": jaga.ChannelExhibition,
	"bazar": jaga.ChannelExhibition, "event": jaga.ChannelExhibition, "acara": jaga.ChannelExhibition,
	"door to door": jaga.ChannelDoorToDoor, "d2d": jaga.ChannelDoorToDoor, "dari pintu ke pintu": jaga.ChannelDoorToDoor,
	"kunjungan rumah": jaga.ChannelDoorToDoor, "sales lapangan": jaga.ChannelDoorToDoor,
	"store visit": jaga.ChannelStoreVisit, "store": jaga.ChannelStoreVisit, "toko": jaga.ChannelStoreVisit,
	"kunjungan toko": jaga.ChannelStoreVisit, "gerai": jaga.ChannelStoreVisit, "outlet": jaga.ChannelStoreVisit,
	"import": jaga.ChannelImport, "impor": jaga.ChannelImport,
}

// channelValue reads a channel column's value: a channel name as Jaga writes it, or a
// label of channelLabels, in any case and with spaces, hyphens or underscores.
func channelValue(v string) (jaga.Channel, bool) {
	if c := jaga.Channel(strings.ToLower(strings.TrimSpace(v))); c.Valid() {
		return c, true
	}
	c, ok := channelLabels[labelKey(strings.ReplaceAll(v, "_", " "))]
	return c, ok
}

// channelNames lists the channels for an error message.
func channelNames() string {
	names := make([]string, len(jaga.Channels))
	for i, c := range jaga.Channels {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}
