package sqlstore

import (
	"testing"
	"time"
)

func TestTime(t *testing.T) {
	wita := time.FixedZone("WITA", 8*3600)
	for _, tt := range []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"Zero", time.Time{}, time.Time{}},
		{"UTC", time.Date(2025, 1, 2, 3, 4, 5, 6789, time.UTC), time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)},
		{"Zone", time.Date(2025, 1, 2, 11, 0, 0, 0, wita), time.Date(2025, 1, 2, 3, 0, 0, 0, time.UTC)},
		{"Epoch", time.Unix(0, 0), time.Unix(0, 0).UTC()},
		{"BeforeEpoch", time.Date(1945, 8, 17, 10, 0, 0, 0, time.UTC), time.Date(1945, 8, 17, 10, 0, 0, 0, time.UTC)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := TimeValue(tt.in)
			var got time.Time
			if err := (Time{&got}).Scan(v); err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) || got != Truncate(tt.in) || !tt.want.IsZero() && got.Location() != time.UTC {
				t.Fatalf("round trip of %v = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
	t.Run("Sortable", func(t *testing.T) {
		a, b := TimeValue(time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)).(int64), TimeValue(time.Date(2000, 1, 1, 0, 0, 0, 1000, time.UTC)).(int64)
		if a >= b {
			t.Fatal("encoding does not sort in time order")
		}
	})
	t.Run("ErrType", func(t *testing.T) {
		var got time.Time
		if err := (Time{&got}).Scan("2025-01-01"); err == nil {
			t.Fatal("Scan of a string succeeded")
		}
	})
}

func TestRebind(t *testing.T) {
	d := &Dialect{NumberedParams: true}
	if got := d.rebind(`SELECT a FROM t WHERE b = ? AND c IN (?,?)`); got != `SELECT a FROM t WHERE b = $1 AND c IN ($2,$3)` {
		t.Fatalf("rebind = %s", got)
	}
	if got := (&Dialect{}).rebind(`x = ?`); got != `x = ?` {
		t.Fatalf("rebind without numbering = %s", got)
	}
}

func TestChunk(t *testing.T) {
	db := New(Config{Dialect: &Dialect{MaxParams: 32766}})
	tpl := &rowsTemplate{width: 8, max: 256}
	for _, tt := range []struct {
		n    int
		want []int
	}{
		{1, []int{1}},
		{7, []int{4, 2, 1}},
		{256, []int{256}},
		{2000, []int{256, 256, 256, 256, 256, 256, 256, 128, 64, 16}},
	} {
		var got []int
		for n := tt.n; n > 0; {
			k := db.chunk(tpl, n)
			got = append(got, k)
			n -= k
		}
		if len(got) != len(tt.want) {
			t.Fatalf("chunks of %d = %v, want %v", tt.n, got, tt.want)
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Fatalf("chunks of %d = %v, want %v", tt.n, got, tt.want)
			}
		}
	}
	if k := New(Config{Dialect: &Dialect{MaxParams: 100}}).chunk(tpl, 1000); k*tpl.width > 100 {
		t.Fatalf("chunk %d rows × %d exceeds MaxParams", k, tpl.width)
	}
}
