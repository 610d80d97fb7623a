package gate

import (
	"strings"
	"testing"
)

// TestDecodeOpenedQuotesNothing: decrypted data that does not decode gives an error
// that holds none of it (encoding/json's errors quote a character or a value).
func TestDecodeOpenedQuotesNothing(t *testing.T) {
	var m map[string]string
	for _, pt := range []string{`{"full_name": Zainab}`, `{"phone": 6281234567890}`, `Zainab`} {
		err := decodeOpened([]byte(pt), &m)
		if err == nil {
			t.Fatalf("%d bytes decoded", len(pt))
		}
		for _, v := range []string{"Z", "6281234567890", "number"} {
			if strings.Contains(err.Error(), v) {
				t.Errorf("error %q quotes the data (%q)", err, v)
			}
		}
	}
}
