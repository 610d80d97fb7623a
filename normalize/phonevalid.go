package normalize

import (
	"regexp"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// idDesc is one number description of libphonenumber's metadata for region ID: the
// lengths it allows (none listed: any) and its national number pattern, compiled once.
type idDesc struct {
	lengths []int32
	re      *regexp.Regexp
}

func (d *idDesc) match(nsn string) bool {
	if d == nil {
		return false
	}
	if len(d.lengths) > 0 {
		ok := false
		for _, l := range d.lengths {
			if int32(len(nsn)) == l {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return d.re.MatchString(nsn)
}

// idMetadata holds region ID's general description and the descriptions of every
// number type, in libphonenumber's order; nil if the metadata cannot be read.
type idMetadata struct {
	general *idDesc
	types   []*idDesc
}

var idMeta = sync.OnceValue(func() *idMetadata {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil || coll == nil {
		return nil
	}
	for _, m := range coll.GetMetadata() {
		if m.GetId() != PhoneRegion {
			continue
		}
		desc := func(d *phonenumbers.PhoneNumberDesc) *idDesc {
			if d == nil {
				return nil
			}
			re, err := regexp.Compile("^(?:" + d.GetNationalNumberPattern() + ")$")
			if err != nil {
				return nil
			}
			return &idDesc{lengths: d.PossibleLength, re: re}
		}
		md := &idMetadata{general: desc(m.GetGeneralDesc())}
		if md.general == nil {
			return nil
		}
		for _, d := range []*phonenumbers.PhoneNumberDesc{m.GetPremiumRate(), m.GetTollFree(), m.GetSharedCost(), m.GetVoip(),
			m.GetPersonalNumber(), m.GetPager(), m.GetUan(), m.GetVoicemail(), m.GetFixedLine(), m.GetMobile()} {
			md.types = append(md.types, desc(d))
		}
		return md
	}
	return nil
})

// validNSN reports what libphonenumber's IsValidNumberForRegion reports for +62 and
// nsn, a national significant number of digits without a leading 0: that it matches
// region ID's general description and the description of some number type (possible
// lengths and national number pattern of PhoneNumberMetadata_ID). It reads the
// library's own metadata and compiles each pattern once, where the library builds
// each pattern string and looks it up in a locked cache twice per type and number
// (23 allocations a number, most of an import's phone time). Without the metadata it
// asks the library.
func validNSN(nsn string, n uint64) bool {
	md := idMeta()
	if md == nil {
		cc := int32(62)
		return phonenumbers.IsValidNumberForRegion(&phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &n}, PhoneRegion)
	}
	if !md.general.match(nsn) {
		return false
	}
	for _, d := range md.types {
		if d.match(nsn) {
			return true
		}
	}
	return false
}
