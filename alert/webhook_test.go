package alert

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"dialoguesearch/failure"
)

func TestForbiddenIP(t *testing.T) {
	for _, tc := range []struct {
		ip   string
		want bool
	}{
		{"127.0.0.1", true}, {"::1", true}, {"10.1.2.3", true}, {"192.168.0.9", true},
		{"172.16.5.4", true}, {"169.254.169.254", true}, {"100.64.0.1", true}, {"0.0.0.0", true},
		{"::ffff:127.0.0.1", true}, {"fe80::1", true}, {"fc00::1", true}, {"224.0.0.1", true},
		{"::127.0.0.1", true}, {"::10.0.0.1", true}, {"64:ff9b::8.8.8.8", true}, {"64:ff9b::7f00:1", true},
		{"64:ff9b:1::1", true}, {"198.18.0.1", true}, {"198.19.255.254", true}, {"255.255.255.255", true},
		{"2002:7f00:1::", true}, {"2002:c0a8:1::1", true}, {"2002:808:808::1", false},
		{"93.184.216.34", false}, {"2606:2800:220:1:248:1893:25c8:1946", false}, {"8.8.8.8", false},
	} {
		if got := forbiddenIP(netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Errorf("forbiddenIP(%s) = %v, want %v", tc.ip, got, tc.want)
		}
	}
}

func TestCheckWebhookURL(t *testing.T) {
	for _, tc := range []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://93.184.216.34/hook", false, true},
		{"http://[2606:2800:220:1:248:1893:25c8:1946]:8080/x", false, true},
		{"ftp://93.184.216.34/hook", false, false},
		{"not a url", false, false},
		{"/relative/path", false, false},
		{"https://user:pw@93.184.216.34/hook", false, false},
		{"http://127.0.0.1:9000/hook", false, false},
		{"http://localhost:9000/hook", false, false},
		{"http://app.localhost/hook", false, false},
		{"http://10.0.0.5/hook", false, false},
		{"http://169.254.169.254/latest/meta-data", false, false},
		{"http://[::1]/hook", false, false},
		{"http://[::127.0.0.1]/hook", false, false},
		{"http://[64:ff9b::a9fe:a9fe]/hook", false, false},
		{"http://198.18.0.10/hook", false, false},
		{"http://255.255.255.255/hook", false, false},
		{"http://127.0.0.1:9000/hook", true, true},
		{"http://localhost:9000/hook", true, true},
	} {
		err := checkWebhookURL(tc.url, tc.allowPrivate)
		if (err == nil) != tc.ok {
			t.Errorf("checkWebhookURL(%q, %v) = %v, want ok=%v", tc.url, tc.allowPrivate, err, tc.ok)
		}
		if err != nil && failure.KindOf(err) != failure.BadInput {
			t.Errorf("checkWebhookURL(%q): kind %v, want BadInput", tc.url, failure.KindOf(err))
		}
	}
}

// The dialer checks the address actually connected to, after resolution:
// a name that resolves to loopback (here "localhost") is refused at
// delivery time even if it passed when the alert was saved.
func TestWebhookClientRefusesPrivateAtDial(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	a := testAlert()
	a.WebhookURL = "http://localhost:" + srv.URL[len("http://127.0.0.1:"):] + "/hook"
	d := &Delivery{Key: "k"}
	err := postWebhook(context.Background(), newWebhookClient(false, 2*time.Second), a, d, []byte(`{}`))
	if !errors.Is(err, errPrivateTarget) {
		t.Fatalf("post to loopback: err = %v, want errPrivateTarget", err)
	}
	if hits.Load() != 0 {
		t.Fatalf("receiver was reached %d times", hits.Load())
	}
	if err := postWebhook(context.Background(), newWebhookClient(true, 2*time.Second), a, d, []byte(`{}`)); err != nil {
		t.Fatalf("post with allow-private: %v", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("hits = %d, want 1", hits.Load())
	}
}

func TestWebhookSignedAndKeyed(t *testing.T) {
	var gotSig, gotKey string
	var gotBody []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotSig, gotKey = r.Header.Get(SignatureHeader), r.Header.Get(IdempotencyHeader)
		gotBody = make([]byte, r.ContentLength)
		r.Body.Read(gotBody)
	}))
	defer srv.Close()
	a := testAlert()
	a.WebhookURL = srv.URL
	body, err := webhookBody(PayloadAlert{ID: a.ID, Name: a.Name, Search: Search{Query: a.Query}}, []Match{testMatch(1)})
	if err != nil {
		t.Fatal(err)
	}
	if err := postWebhook(context.Background(), newWebhookClient(true, 2*time.Second), a, &Delivery{Key: "abc123-webhook-1-1"}, body); err != nil {
		t.Fatal(err)
	}
	if gotKey != "abc123-webhook-1-1" {
		t.Errorf("Idempotency-Key = %q", gotKey)
	}
	if !VerifySignature(a.WebhookSecret, gotBody, gotSig) {
		t.Errorf("signature %q does not verify", gotSig)
	}
	if VerifySignature("other secret", gotBody, gotSig) {
		t.Error("signature verifies under another secret")
	}
}

func TestWebhookNon2xxFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/", http.StatusFound)
	}))
	defer srv.Close()
	a := testAlert()
	a.WebhookURL = srv.URL
	if err := postWebhook(context.Background(), newWebhookClient(true, 2*time.Second), a, &Delivery{Key: "k"}, []byte(`{}`)); err == nil {
		t.Fatal("a redirect counted as delivered")
	}
}
