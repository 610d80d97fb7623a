// Package piigen generates mixed Bahasa Indonesia / English text with personal data in
// it, for the pii benchmarks and tests: ordinary sentences full of numbers that are not
// personal data (dates, times, amounts, order numbers, percentages, UUIDs) and, on
// average, one identifier per Every bytes, at most a quarter of them phone numbers.
// Every identifier is synthetic but valid (NIKs pass the structure check, cards pass
// Luhn, NPWPs carry their check digit). The output depends only on the seed.
package piigen

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"

	"jaga/normalize"
)

// nikDistricts are the real district codes (every edition) synthetic NIKs start with, so
// that they pass normalize.NIKValid's district check.
var nikDistricts = normalize.DistrictCodes()

// Every is the average distance in bytes between two identifiers.
const Every = 4096

var (
	bahasa = []string{
		"Pelanggan datang ke toko pada %s pukul %s dan membeli %d barang seharga Rp%d.%03d.",
		"Menurut laporan, penjualan naik %d,%d persen dibandingkan tahun %d.",
		"Pesanan nomor %d dikirim dari gudang Cikarang dan tiba dalam %d hari.",
		"Rapat tim pemasaran diadakan setiap hari Senin di lantai %d gedung utama.",
		"Kami mohon maaf atas keterlambatan pengiriman, paket akan tiba sebelum tanggal %s.",
		"Harga promo berlaku sampai %s untuk semua produk kategori rumah tangga.",
		"Stok beras di gudang tinggal %d karung, pemesanan ulang dijadwalkan minggu depan.",
		"Tim dukungan pelanggan menyelesaikan %d tiket kemarin dengan rata-rata %d menit.",
	}
	english = []string{
		"The customer called on %s at %s about order %d, which had %d items.",
		"Revenue grew by %d.%d percent compared with %d, according to the quarterly report.",
		"Request %s completed in %d ms with status 200.",
		"Please review the attached spreadsheet before the meeting on %s.",
		"The warehouse shipped %d parcels today; the backlog is down to %d.",
		"Our support team closed ticket %d after %d replies.",
		"Invoice INV/%d/%02d/%06d was paid in full on %s.",
	}
	context = map[string][]string{
		"nik":   {"NIK pelanggan: %s", "nomor KTP-nya %s", "NIK %s"},
		"phone": {"hubungi %s", "WA: %s", "phone %s", "no hp %s"},
		"email": {"email %s", "surel: %s", "contact %s"},
		"card":  {"kartu kredit %s", "card number %s"},
		"npwp":  {"NPWP %s", "NPWP perusahaan %s"},
		"ip":    {"login dari %s", "client IP %s"},
		"url":   {"lihat %s", "see %s"},
		"bank":  {"transfer ke rekening BCA %s", "no. rek %s"},
		"plate": {"mobil %s parkir di basement", "plat nomor %s"},
	}
	kinds = []string{"phone", "nik", "email", "card", "npwp", "ip", "url", "bank", "plate", "phone", "nik", "email"}
)

// Generator writes generated text.
type Generator struct {
	r    *rand.Rand
	next int // bytes until the next identifier
	// Counts is the number of identifiers written per kind, by the pii kind names
	// ("nik", "phone", "email", "card", "npwp", "ip", "url", "bank_account", "plate").
	Counts map[string]int
}

// New returns a Generator for seed.
func New(seed uint64) *Generator {
	g := &Generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), Counts: map[string]int{}}
	g.next = g.gap()
	return g
}

func (g *Generator) gap() int { return Every/2 + g.r.IntN(Every) }

// Fill appends about n bytes of text to dst (whole sentences) and returns it.
func (g *Generator) Fill(dst []byte, n int) []byte {
	target := len(dst) + n
	for len(dst) < target {
		before := len(dst)
		if g.next <= 0 {
			k := kinds[g.r.IntN(len(kinds))]
			forms := context[k]
			dst = fmt.Appendf(dst, forms[g.r.IntN(len(forms))], g.value(k))
			dst = append(dst, ". "...)
			g.next = g.gap()
			if k == "bank" {
				k = "bank_account"
			}
			g.Counts[k]++
		} else {
			dst = g.sentence(dst)
			if g.r.IntN(8) == 0 {
				dst = append(dst, '\n')
			}
		}
		g.next -= len(dst) - before
	}
	return dst
}

func (g *Generator) date() string {
	return fmt.Sprintf("%04d-%02d-%02d", 2015+g.r.IntN(11), 1+g.r.IntN(12), 1+g.r.IntN(28))
}

func (g *Generator) clock() string {
	return fmt.Sprintf("%02d:%02d", g.r.IntN(24), g.r.IntN(60))
}

func (g *Generator) sentence(dst []byte) []byte {
	r := g.r
	if r.IntN(2) == 0 {
		switch i := r.IntN(len(bahasa)); i {
		case 0:
			return fmt.Appendf(dst, bahasa[i]+" ", g.date(), g.clock(), 1+r.IntN(20), r.IntN(900)+1, r.IntN(1000))
		case 1:
			return fmt.Appendf(dst, bahasa[i]+" ", r.IntN(40), r.IntN(10), 2015+r.IntN(10))
		case 2:
			return fmt.Appendf(dst, bahasa[i]+" ", 100000+r.IntN(900000), 1+r.IntN(7))
		case 3:
			return fmt.Appendf(dst, bahasa[i]+" ", 1+r.IntN(30))
		case 4, 5:
			return fmt.Appendf(dst, bahasa[i]+" ", g.date())
		case 6, 7:
			return fmt.Appendf(dst, strings.Replace(bahasa[i], "%d", fmt.Sprint(r.IntN(500)), 1)+" ", r.IntN(60))
		}
	}
	switch i := r.IntN(len(english)); i {
	case 0:
		return fmt.Appendf(dst, english[i]+" ", g.date(), g.clock(), 100000+r.IntN(900000), 1+r.IntN(9))
	case 1:
		return fmt.Appendf(dst, english[i]+" ", r.IntN(40), r.IntN(10), 2015+r.IntN(10))
	case 2:
		return fmt.Appendf(dst, english[i]+" ", fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<16), r.IntN(1<<16), r.Uint64()&(1<<48-1)), r.IntN(2000))
	case 3:
		return fmt.Appendf(dst, english[i]+" ", g.date())
	case 4, 5:
		return fmt.Appendf(dst, english[i]+" ", r.IntN(5000), r.IntN(50))
	default:
		return fmt.Appendf(dst, english[i]+" ", 2015+r.IntN(10), 1+r.IntN(12), r.IntN(1000000), g.date())
	}
}

// value returns a synthetic, valid identifier of kind k.
func (g *Generator) value(k string) string {
	r := g.r
	switch k {
	case "nik":
		district := nikDistricts[r.IntN(len(nikDistricts))]
		day := 1 + r.IntN(28)
		if r.IntN(2) == 0 {
			day += 40
		}
		return fmt.Sprintf("%s%02d%02d%02d%04d", district, day, 1+r.IntN(12), r.IntN(100), 1+r.IntN(9999))
	case "phone":
		switch r.IntN(3) {
		case 0:
			return fmt.Sprintf("08%d%d-%04d-%04d", 1+r.IntN(3), r.IntN(10), r.IntN(10000), r.IntN(10000))
		case 1:
			return fmt.Sprintf("+62 81%d %04d %04d", 1+r.IntN(3), r.IntN(10000), r.IntN(10000))
		default:
			return fmt.Sprintf("0812%08d", r.IntN(100000000))
		}
	case "email":
		users := []string{"budi.santoso", "siti", "agus_w", "dewi.lestari", "john.doe", "rina99"}
		domains := []string{"example.com", "contoh.co.id", "example.org", "mail.example.net"}
		return users[r.IntN(len(users))] + "@" + domains[r.IntN(len(domains))]
	case "card":
		d := []byte(fmt.Sprintf("4%014d", r.Int64N(1e14)))
		return string(appendCheck(d))
	case "npwp":
		d := appendCheck([]byte(fmt.Sprintf("0%07d", r.IntN(1e7))))
		s := string(d) + fmt.Sprintf("%03d000", r.IntN(1000))
		return s[0:2] + "." + s[2:5] + "." + s[5:8] + "." + s[8:9] + "-" + s[9:12] + "." + s[12:15]
	case "ip":
		if r.IntN(4) == 0 {
			return fmt.Sprintf("2001:db8::%x:%x", r.IntN(65536), r.IntN(65536))
		}
		return fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254))
	case "url":
		return fmt.Sprintf("https://www.example.co.id/pelanggan/%d?ref=email", r.IntN(100000))
	case "bank":
		return fmt.Sprintf("%010d", r.Int64N(1e10))
	case "plate":
		return fmt.Sprintf("%s %d %s", []string{"B", "D", "AB", "L"}[r.IntN(4)], 1+r.IntN(9999), []string{"XYZ", "AB", "KJT"}[r.IntN(3)])
	}
	panic("piigen: unknown kind " + k)
}

// appendCheck appends the Luhn check digit to the digits d.
func appendCheck(d []byte) []byte {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if (len(d)-i)%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return append(d, byte('0'+(10-sum%10)%10))
}

// Reader returns a reader of n bytes of generated text.
func Reader(seed uint64, n int64) io.Reader {
	return &reader{g: New(seed), left: n}
}

type reader struct {
	g    *Generator
	buf  []byte
	back []byte // buf's backing array, reused
	left int64
}

func (r *reader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if len(r.buf) == 0 {
		r.buf = r.g.Fill(r.back[:0], 64<<10)
		r.back = r.buf
	}
	n := copy(p, r.buf)
	if int64(n) > r.left {
		n = int(r.left)
	}
	r.buf = r.buf[n:]
	r.left -= int64(n)
	return n, nil
}
