package alert

import (
	"context"
	"io"
	"mime/quotedprintable"
	"regexp"
	"strings"
	"testing"
	"time"

	"dialoguesearch/alert/alerttest"
)

var confirmLink = regexp.MustCompile(`/alerts/([a-z0-9]+)/confirm\?code=([a-z0-9]+)`)

// confirmByMail follows the confirmation link of msg for alert id.
func confirmByMail(t *testing.T, svc *Service, msg alerttest.Message, id string) {
	t.Helper()
	body := mailBody(t, msg)
	m := confirmLink.FindStringSubmatch(body)
	if m == nil || m[1] != id {
		t.Fatalf("no confirmation link for %s in:\n%s", id, body)
	}
	if _, err := svc.ConfirmEmail(id, m[2]); err != nil {
		t.Fatalf("confirm: %v", err)
	}
}

func mailBody(t *testing.T, msg alerttest.Message) string {
	t.Helper()
	raw := string(msg.Data)
	_, body, _ := strings.Cut(raw, "\r\n\r\n")
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// No digest goes to an address before it is confirmed (double opt-in); a
// changed address must be confirmed again; the unsubscribe code removes
// the address and nothing else.
func TestEmailDoubleOptIn(t *testing.T) {
	srv := alerttest.StartSMTP(t)
	var clk clock
	clk.set(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	svc, err := Open(t.TempDir(), Config{
		BaseURL: "http://search.example", Now: clk.now,
		Mail: MailConfig{Addr: srv.Addr, Username: srv.User, Password: srv.Password, From: "alerts@x.test", TLS: srv.ClientTLS},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	v, err := svc.Create(Input{Settings: Settings{Name: "OPCON now", Search: Search{Query: "OPCON"}, Email: "someone@example.org", Frequency: Immediate}})
	if err != nil {
		t.Fatal(err)
	}
	if !v.EmailPending {
		t.Fatal("a new address is not pending confirmation")
	}
	msgs := srv.WaitFor(t, 1, 5*time.Second)
	if body := mailBody(t, msgs[0]); !strings.Contains(body, "http://search.example/alerts/"+v.ID+"/confirm?code=") || msgs[0].To[0] != "someone@example.org" {
		t.Fatalf("confirmation mail to %v:\n%s", msgs[0].To, body)
	}
	ctx := context.Background()
	clk.add(time.Minute)
	if _, err := svc.store.record(nil, map[string][]Match{v.ID: {testMatch(0)}}, clk.now()); err != nil {
		t.Fatal(err)
	}
	if rep, _ := svc.DeliverDue(ctx); rep.Queued != 0 || rep.Sent != 0 {
		t.Fatalf("a digest went to an unconfirmed address: %+v", rep)
	}
	if _, err := svc.ConfirmEmail(v.ID, "wrong"); err == nil {
		t.Fatal("a wrong code confirmed the address")
	}
	confirmByMail(t, svc, msgs[0], v.ID)
	if rep, _ := svc.DeliverDue(ctx); rep.Sent != 1 {
		t.Fatalf("after confirmation: %+v, want the digest sent", rep)
	}
	msgs = srv.WaitFor(t, 2, 5*time.Second)
	digest := mailBody(t, msgs[1])
	m := regexp.MustCompile(`/alerts/` + v.ID + `/unsubscribe\?code=([a-z0-9]+)`).FindStringSubmatch(digest)
	if m == nil || !strings.Contains(string(msgs[1].Data), "List-Unsubscribe-Post: List-Unsubscribe=One-Click") {
		t.Fatalf("digest without an unsubscribe link:\n%s", msgs[1].Data)
	}

	// A new address is pending again and gets its own confirmation.
	a, _ := svc.store.Alert(v.ID)
	if _, err := svc.Update(v.ID, a.ManageToken, Input{Settings: Settings{Email: "other@example.org"}, Set: map[string]bool{"email": true}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Get(v.ID, a.ManageToken); !got.EmailPending {
		t.Error("a changed address is not pending")
	}
	msgs = srv.WaitFor(t, 3, 5*time.Second)
	if msgs[2].To[0] != "other@example.org" {
		t.Errorf("confirmation went to %v", msgs[2].To)
	}
	confirmByMail(t, svc, msgs[2], v.ID)

	// Unsubscribe: the code of the mail, no token.
	if err := svc.Unsubscribe(v.ID, "nope"); err == nil {
		t.Fatal("a wrong unsubscribe code worked")
	}
	if err := svc.Unsubscribe(v.ID, m[1]); err != nil {
		t.Fatal(err)
	}
	got, _ := svc.Get(v.ID, a.ManageToken)
	if got.Email != "" || !got.Active {
		t.Errorf("after unsubscribe: email %q active %v; want no email, alert still active", got.Email, got.Active)
	}
}
