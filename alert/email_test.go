package alert

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"dialoguesearch/alert/alerttest"
)

func testAlert() *Alert {
	return &Alert{
		ID: "abc123", ManageToken: "tok-xyz", WebhookSecret: "whsec",
		Settings: Settings{Name: "OPCON watch", Search: Search{Query: "OPCON"},
			Email: "analyst@example.org", Frequency: Immediate, Active: true},
		Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func testMatch(seq uint64) Match {
	return Match{
		matchRef: matchRef{
			Seq: seq, ParagraphID: "2026-01-01-scm-57-p3", TextHash: "0011223344556677",
			Found: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC), RecordID: "2026-01-01-scm-57", N: 3,
			SnippetHTML: "The ministers discussed wartime <mark>operational control</mark> transition &amp; more.",
			Expansions:  []string{"OPCON → operational control"},
		},
		paraText: paraText{
			Title: "57th SCM Joint Communiqué", Date: "2026-01-01", Section: "Alliance",
			Text: "The ministers discussed wartime operational control transition.",
		},
	}
}

func TestSendMailSTARTTLSAuth(t *testing.T) {
	srv := alerttest.StartSMTP(t)
	cfg := MailConfig{Addr: srv.Addr, Username: srv.User, Password: srv.Password, From: "alerts@dialoguesearch.test", TLS: srv.ClientTLS, Timeout: 5 * time.Second}
	a := testAlert()
	msg := digest(cfg, a, []Match{testMatch(1)}, "http://search.example", "k1", time.Now())
	if err := sendMail(cfg, a.Email, msg); err != nil {
		t.Fatalf("sendMail: %v", err)
	}
	got := srv.WaitFor(t, 1, 5*time.Second)[0]
	if !got.TLS {
		t.Error("message was not sent over STARTTLS")
	}
	if got.AuthUser != srv.User {
		t.Errorf("auth user = %q, want %q", got.AuthUser, srv.User)
	}
	if len(got.To) != 1 || got.To[0] != a.Email {
		t.Errorf("rcpt = %v", got.To)
	}
	m, err := mail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mimeDecoder)
	subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
	if !strings.Contains(subject, "OPCON watch") {
		t.Errorf("subject %q lacks the alert name", subject)
	}
	for _, want := range []string{
		`"OPCON watch"`, // why: the alert's name
		`"OPCON"`,       // why: its query
		"wartime [operational control] transition & more.", // the snippet, marks as brackets
		"http://search.example/records/2026-01-01-scm-57#p3",
		"Alert page: http://search.example/alerts/abc123?token=tok-xyz",
		"Stop this alert: http://search.example/alerts/abc123/stop?token=tok-xyz",
		"OPCON → operational control",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("email body lacks %q:\n%s", want, body)
		}
	}
}

func TestSendMailRefusesWithoutTLS(t *testing.T) {
	srv := alerttest.StartSMTP(t)
	// Wrong CA: STARTTLS fails, and nothing is sent in the clear.
	cfg := MailConfig{Addr: srv.Addr, Username: srv.User, Password: srv.Password, From: "a@b.test", Timeout: 5 * time.Second}
	err := sendMail(cfg, "x@example.org", []byte("Subject: x\r\n\r\nx\r\n"))
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v, want a STARTTLS failure", err)
	}
	// Wrong password: refused.
	cfg = MailConfig{Addr: srv.Addr, Username: srv.User, Password: "nope", From: "a@b.test", TLS: srv.ClientTLS, Timeout: 5 * time.Second}
	if err := sendMail(cfg, "x@example.org", []byte("Subject: x\r\n\r\nx\r\n")); err == nil {
		t.Fatal("sendMail with a wrong password succeeded")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("server accepted %d messages", n)
	}
}

type mimeDecoder = mime.WordDecoder
