package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jaga"
	"jaga/dsr"
	"jaga/notify"
	"jaga/notify/smtptest"
)

func TestSMTP(t *testing.T) {
	srv := smtptest.Start(t)
	m := &notify.SMTP{Host: srv.Host, Port: srv.Port, From: "privasi@toko.example"}
	err := m.Mail(context.Background(), jaga.Redact("siti.rahayu@example.co.id"), notify.Message{Subject: "Kode masuk Anda", Body: "Kode: 123456\n.line starting with a dot"})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := srv.WaitFor("siti.rahayu@example.co.id", "Kode: 123456", time.Second)
	if !ok {
		t.Fatalf("no message; got %+v", srv.Messages())
	}
	if got.From != "privasi@toko.example" || !strings.Contains(got.Data, "\n.line starting with a dot") || strings.Contains(got.Data, "..line") || !strings.Contains(got.Data, "Subject: Kode masuk Anda") {
		t.Fatalf("message %+v", got)
	}
	t.Run("ErrUnreachable", func(t *testing.T) {
		bad := &notify.SMTP{Host: "127.0.0.1", Port: 1, From: "a@b.example"}
		err := bad.Mail(context.Background(), jaga.Redact("siti.rahayu@example.co.id"), notify.Message{})
		if err == nil || strings.Contains(err.Error(), "siti") {
			t.Fatalf("error %v", err)
		}
	})
}

func TestHTTPTexter(t *testing.T) {
	var got map[string]string
	var auth string
	prov := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		json.NewDecoder(r.Body).Decode(&got)
		if got["to"] == "+620000" {
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer prov.Close()
	tx := &notify.HTTPTexter{URL: prov.URL, Token: "tok", Channel: "whatsapp"}
	if err := tx.Text(context.Background(), jaga.Redact("+6281234567890"), "Kode: 654321"); err != nil {
		t.Fatal(err)
	}
	if got["to"] != "+6281234567890" || got["body"] != "Kode: 654321" || got["channel"] != "whatsapp" || auth != "Bearer tok" {
		t.Fatalf("provider got %v %q", got, auth)
	}
	err := tx.Text(context.Background(), jaga.Redact("+620000"), "x")
	if err == nil || !strings.Contains(err.Error(), "400") || strings.Contains(err.Error(), "+620000") {
		t.Fatalf("error %v", err)
	}
}

func TestNotice(t *testing.T) {
	srv := smtptest.Start(t)
	s := notify.Sender{Mailer: &notify.SMTP{Host: srv.Host, Port: srv.Port, From: "privasi@toko.example"}}
	n := dsr.Notice{RequestID: "dsr_0190", Type: jaga.DSRErase, Status: jaga.DSRFulfilled, Outcome: "erased", At: time.Date(2025, 3, 13, 16, 30, 0, 0, time.UTC)}
	if err := s.Notify(context.Background(), dsr.Contact{Email: jaga.Redact("budi@example.com")}, n); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.WaitFor("budi@example.com", "2025-03-13 23:30 WIB", time.Second); !ok {
		t.Fatalf("notice not received: %+v", srv.Messages())
	}
	if err := s.Notify(context.Background(), dsr.Contact{}, n); jaga.ErrorCode(err) != jaga.EUNPROCESSABLE {
		t.Fatalf("nowhere to send: %v", err)
	}
}
