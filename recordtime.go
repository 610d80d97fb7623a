package jaga

import "time"

// EarliestRecordTime is the earliest consent or collection time accepted:
// 1970-01-01T00:00:00Z (the Unix epoch, before any record Jaga keeps; stored times count
// from it).
var EarliestRecordTime = time.Unix(0, 0).UTC()

// MaxRecordTimeAhead is how far past the server clock a consent or collection time may
// lie (24 hours): room for clocks that disagree and a local time sent without its zone,
// not for a date in the future.
const MaxRecordTimeAhead = 24 * time.Hour

const recordTimeBounds = "a consent or collection time lies between 1970-01-01T00:00:00Z and 24 hours after the server clock"

// CheckRecordTime checks a consent or collection time that a caller gave (an API member,
// a CLI or import value: when a person gave, refused or withdrew a consent, or when their
// data was collected) for member field against the server clock now: t must not be
// before EarliestRecordTime nor more than MaxRecordTimeAhead after now. A time outside is
// a typing or conversion mistake (the zero time of year 0001, a two-digit year read as
// 1925, a date a day off), and stored it would misdate the proof of consent (UU PDP Art
// 24, R-9) and the order of a subject's decisions. The zero time is before the earliest:
// a caller that was given no time must not call it. It returns nil or an EUNPROCESSABLE
// *Error naming field, whose message holds no value, only the bounds.
func CheckRecordTime(field string, t, now time.Time) error {
	switch {
	case t.Before(EarliestRecordTime):
		return FieldError(field, "the time is before 1970-01-01T00:00:00Z; %s", recordTimeBounds)
	case t.After(now.Add(MaxRecordTimeAhead)):
		return FieldError(field, "the time is more than 24 hours after the server clock; %s", recordTimeBounds)
	}
	return nil
}

// WIB is Waktu Indonesia Barat, UTC+7 (Jakarta, Sumatra, Java, West and Central
// Kalimantan), the zone in which Jaga reads a calendar date given without a time, such
// as a notice's in-force date: an Indonesian controller's "in force from 1 March"
// starts at 00:00 WIB (28 February 17:00 UTC), not at midnight UTC seven hours later.
// Fixed offset: Indonesia keeps no daylight saving time.
var WIB = time.FixedZone("WIB", 7*3600)
