package gate

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"

	"jaga"
	"jaga/normalize"
)

// sourceConsents completes the consent records made from one intake row: the file and
// line they came from, which order records of the same instant (jaga.CompareConsents;
// issue 4: later collection time, then file name, then line), and the local zone.
func sourceConsents(cs []*jaga.Consent, file string, line int, values map[string]string) {
	if name := sourceFileName(file); name != "" {
		for _, c := range cs {
			if c.SourceFile == "" {
				c.SourceFile = name
				if c.SourceRow == 0 {
					c.SourceRow = line
				}
			}
		}
	}
	provinceZone(cs, values)
}

// provinceZone gives records whose time carried no Indonesian offset (a source time in
// UTC, or none) the zone of the subject's domicile province, when known (DESIGN.md: a
// subject's local zone comes from the domicile province; R-7: time UTC and local).
func provinceZone(cs []*jaga.Consent, values map[string]string) {
	zone, looked := "", false
	for _, c := range cs {
		if c.Zone != "" {
			continue
		}
		if !looked {
			looked = true
			if r, ok := normalize.Province(values["domicile_province"]); ok {
				zone = jaga.ZoneOfProvince(r.ProvinceCode)
			}
		}
		c.Zone = zone
	}
}

// sourceFileName is the base name of an intake file as a consent record keeps it. A
// name that looks like personal data (a customer's name or number in the file name) is
// replaced by "file-" and 16 hex digits of its SHA-256: still one fixed key per file.
func sourceFileName(file string) string {
	if file == "" {
		return ""
	}
	name := filepath.Base(file)
	if len(name) > 100 || jaga.LooksPersonal(name) {
		h := sha256.Sum256([]byte(name))
		return "file-" + hex.EncodeToString(h[:8])
	}
	return name
}
