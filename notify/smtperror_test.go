package notify

import (
	"errors"
	"net/textproto"
	"strings"
	"testing"
)

// TestSMTPErrorKeepsNoAddress: a server reply that quotes the recipient is reduced to
// its status code.
func TestSMTPErrorKeepsNoAddress(t *testing.T) {
	err := smtpError("end of data", &textproto.Error{Code: 550, Msg: "5.1.1 <rina.wati@example.com>: mailbox unavailable"})
	if strings.Contains(err.Error(), "rina") || !strings.Contains(err.Error(), "550") {
		t.Fatalf("error %q", err)
	}
	if err := smtpError("body", errors.New("broken pipe")); !strings.Contains(err.Error(), "broken pipe") {
		t.Fatalf("a local error keeps its text: %q", err)
	}
}
