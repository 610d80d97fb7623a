package strictjson_test

import (
	"testing"

	"jaga/strictjson"
)

func TestDuplicateKey(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{`{"email":"nobody@x.org","email":"v.rahmawati@example.com"}`, "email"},
		{`{"email":"a","EMAIL":"b"}`, "email"},
		{`{"em\u0061il":"a","email":"b"}`, "email"},
		{`{"fields":{"full_name":"a","full_name":"b"}}`, "full_name"},
		{`{"a":[{"x":1},{"x":2}],"b":{"x":{"y":1},"z":[1,{"y":2,"y":3}]}}`, "y"},
		{`{"a":{"x":1},"x":2}`, ""},
		{`{"a":[{"x":1},{"x":2}]}`, ""},
		{`{"a":"a","b":"a","c":{"a":"b"}}`, ""},
		{`[{"a":1},{"a":1}]`, ""},
		{`{}`, ""},
	} {
		got, ok := strictjson.DuplicateKey([]byte(tc.in))
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("DuplicateKey(%s) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}
