package sqlstore

import "time"

// Timestamps are stored as INTEGER (SQLite) or BIGINT (PostgreSQL): microseconds since
// 1970-01-01T00:00:00Z, UTC. The encoding sorts in time order under plain integer
// comparison, takes at most 8 bytes (SQLite stores small integers in fewer), is the
// precision of PostgreSQL's timestamptz, and is the same on every dialect, so the store
// suite compares identical values everywhere. The zero time.Time is stored as NULL and
// read back as the zero time. Times read back are in UTC; sub-microsecond digits are
// truncated on the way in.

// TimeValue returns the database value of t: its Unix time in microseconds, or nil for
// the zero time.
func TimeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// Time is a scan destination for a timestamp column (see TimeValue).
type Time struct{ T *time.Time }

// Scan implements sql.Scanner.
func (t Time) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*t.T = time.Time{}
	case int64:
		*t.T = TimeFromMicros(x)
	default:
		return errScanType
	}
	return nil
}

// TimeFromMicros returns the UTC time of a stored microsecond count.
func TimeFromMicros(us int64) time.Time {
	return time.UnixMicro(us).UTC()
}

// Truncate returns t as it will read back from the store: in UTC, truncated to the
// microsecond. The zero time stays zero.
func Truncate(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return TimeFromMicros(t.UnixMicro())
}
