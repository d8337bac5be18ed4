package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"dialoguesearch/alert"
	"dialoguesearch/alert/alerttest"
	"dialoguesearch/app"
	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

const testAdminToken = "admin-secret-token"

// recordKIDD25 says "operational control", never the acronym OPCON.
const recordKIDD25 = `Joint Press Statement for the 25th Korea-U.S. Integrated Defense Dialogue

September 16, 2025

The U.S. Department of Defense and the Republic of Korea Ministry of National Defense held the 25th Korea-U.S. Integrated Defense Dialogue (KIDD) on September 16, 2025 in Seoul.

Both sides reviewed the progress made toward the transition of wartime operational control to the future Combined Forces Command and reaffirmed the conditions agreed for it.

The two sides discussed cooperation on space and cyber security and agreed to meet again next year.
`

// recordKIDD26 also speaks of operational control.
const recordKIDD26 = `Joint Press Statement for the 26th Korea-U.S. Integrated Defense Dialogue

March 3, 2026

The U.S. Department of Defense and the Republic of Korea Ministry of National Defense held the 26th Korea-U.S. Integrated Defense Dialogue (KIDD) on March 3, 2026 in Washington.

The delegations assessed the verification of full operational capability of the future Combined Forces Command, a step on the way to the transfer of wartime operational control.

Both sides committed to strengthening combined exercises.
`

// alertEnv is a real server on a loopback port with a real index of the
// default corpus, the alert service in the same data dir, a real SMTP
// server and a webhook receiver.
type alertEnv struct {
	t       *testing.T
	dataDir string
	base    string
	srv     *Server
	app     *app.App
	svc     *alert.Service
	served  chan error
	smtp    *alerttest.SMTPServer
	allowPv bool
}

func startAlertEnv(t *testing.T, dataDir string, smtp *alerttest.SMTPServer, allowPrivate bool) *alertEnv {
	t.Helper()
	return startAlertEnvWith(t, dataDir, smtp, app.Config{Alerts: alert.Config{WebhookAllowPrivate: allowPrivate}})
}

// startAlertEnvWith starts the environment with cfg (DataDir and the alert
// service's timings are set here): the App is opened and built as serve
// does it (the corpus' paragraphs are checked, and no alert fires for them).
func startAlertEnvWith(t *testing.T, dataDir string, smtp *alerttest.SMTPServer, cfg app.Config) *alertEnv {
	t.Helper()
	allowPrivate := cfg.Alerts.WebhookAllowPrivate
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg.DataDir, cfg.WatchInterval = dataDir, 100*time.Millisecond
	cfg.Alerts = alert.Config{
		BaseURL: base, WebhookAllowPrivate: allowPrivate,
		RetryBase: 100 * time.Millisecond, RetryMax: time.Second, PollInterval: 100 * time.Millisecond,
		WebhookTimeout: 2 * time.Second,
	}
	if smtp != nil {
		cfg.Alerts.Mail = alert.MailConfig{Addr: smtp.Addr, Username: smtp.User, Password: smtp.Password,
			From: "alerts@dialoguesearch.test", TLS: smtp.ClientTLS, Timeout: 5 * time.Second}
	}
	a, err := app.Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	up, err := a.Build(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(up.Skipped) > 0 {
		t.Fatalf("corpus problems: %v", up.Skipped)
	}
	svc, _ := a.Alerts()
	a.Start(context.Background(), nil)
	srv := New(Config{AdminToken: testAdminToken}, Deps{App: a})
	env := &alertEnv{t: t, dataDir: dataDir, base: base, srv: srv, app: a, svc: svc, served: make(chan error, 1), smtp: smtp, allowPv: allowPrivate}
	go func() { env.served <- srv.Start(ln) }()
	t.Cleanup(env.stop)
	return env
}

func (e *alertEnv) stop() {
	if e.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		e.t.Errorf("shutdown: %v", err)
	}
	if err := <-e.served; err != nil {
		e.t.Errorf("serve: %v", err)
	}
	if err := e.app.Close(ctx); err != nil {
		e.t.Errorf("close app: %v", err)
	}
	e.srv = nil
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (e *alertEnv) do(method, path, token, contentType string, body io.Reader, out any) int {
	e.t.Helper()
	req, err := http.NewRequest(method, e.base+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

var confirmLinkRE = regexp.MustCompile(`(/alerts/[a-z0-9]+/confirm)\?code=([a-z0-9]+)`)

// confirmEmail follows the confirmation link of the n-th mail as a person
// does: the link's page (GET, which changes nothing), then its button.
func (e *alertEnv) confirmEmail(smtp *alerttest.SMTPServer, n int, id string) {
	e.t.Helper()
	msg := smtp.WaitFor(e.t, n, 10*time.Second)[n-1]
	m := confirmLinkRE.FindStringSubmatch(decodeQP(e.t, msg.Data))
	if m == nil || m[1] != "/alerts/"+id+"/confirm" {
		e.t.Fatalf("mail %d has no confirmation link for %s:\n%s", n, id, msg.Data)
	}
	if code := e.do("GET", m[0], "", "", nil, nil); code != http.StatusOK {
		e.t.Fatalf("confirmation page: %d", code)
	}
	if a, err := e.svc.Store().Alert(id); err != nil || !a.EmailPending {
		e.t.Fatal("opening the confirmation link (GET) confirmed the address")
	}
	form := url.Values{"code": {m[2]}}.Encode()
	if code := e.do("POST", m[1], "", "application/x-www-form-urlencoded", strings.NewReader(form), nil); code != http.StatusOK {
		e.t.Fatalf("confirm: %d", code)
	}
}

func (e *alertEnv) ingest(text string) ingestAnswer {
	e.t.Helper()
	var ans ingestAnswer
	if code := e.do("POST", "/api/records", testAdminToken, "text/plain; charset=utf-8", strings.NewReader(text), &ans); code != http.StatusCreated {
		e.t.Fatalf("ingest: status %d", code)
	}
	return ans
}

type createdAlert struct {
	ID            string `json:"id"`
	ManageToken   string `json:"manage_token"`
	FeedURL       string `json:"feed_url"`
	WebhookSecret string `json:"webhook_secret"`
}

func (e *alertEnv) createAlert(body string) createdAlert {
	e.t.Helper()
	var a createdAlert
	if code := e.do("POST", "/api/alerts", "", "application/json", strings.NewReader(body), &a); code != http.StatusCreated {
		e.t.Fatalf("create alert: status %d", code)
	}
	if len(a.ID) < 20 || a.ManageToken == "" || a.FeedURL != e.base+"/alerts/"+a.ID+".atom" {
		e.t.Fatalf("create alert: %+v", a)
	}
	return a
}

// receiver is a webhook endpoint on a fixed loopback address that can be
// taken down and brought back. It counts successful deliveries per
// idempotency key and checks every signature.
type receiver struct {
	t      *testing.T
	addr   string
	secret string
	mu     sync.Mutex
	keys   map[string]int
	bodies []alert.WebhookPayload
	srv    *http.Server
}

func newReceiver(t *testing.T) *receiver {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{t: t, addr: ln.Addr().String(), keys: map[string]int{}}
	r.serve(ln)
	t.Cleanup(r.down)
	return r
}

func (r *receiver) URL() string { return "http://" + r.addr + "/hook" }

func (r *receiver) serve(ln net.Listener) {
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if !alert.VerifySignature(r.secret, body, req.Header.Get(alert.SignatureHeader)) {
			r.t.Errorf("webhook: bad signature %q", req.Header.Get(alert.SignatureHeader))
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		key := req.Header.Get(alert.IdempotencyHeader)
		if key == "" {
			r.t.Error("webhook without Idempotency-Key")
		}
		r.keys[key]++
		var p alert.WebhookPayload
		if err := json.Unmarshal(body, &p); err != nil {
			r.t.Errorf("webhook payload: %v", err)
		}
		r.bodies = append(r.bodies, p)
	})}
	go r.srv.Serve(ln)
}

func (r *receiver) down() {
	if r.srv != nil {
		r.srv.Close()
		r.srv = nil
	}
}

func (r *receiver) up() {
	var ln net.Listener
	var err error
	for range 50 { // the port may linger a moment after Close
		if ln, err = net.Listen("tcp", r.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		r.t.Fatalf("receiver back on %s: %v", r.addr, err)
	}
	r.serve(ln)
}

func (r *receiver) snapshot() (map[string]int, []alert.WebhookPayload) {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys := map[string]int{}
	for k, v := range r.keys {
		keys[k] = v
	}
	return keys, append([]alert.WebhookPayload(nil), r.bodies...)
}

func waitUntil(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type matchesAnswer struct {
	Total   int           `json:"total"`
	Matches []alert.Match `json:"matches"`
}

func TestAlertsEndToEnd(t *testing.T) {
	dataDir := t.TempDir()
	smtp := alerttest.StartSMTP(t)
	recv := newReceiver(t)
	env := startAlertEnv(t, dataDir, smtp, true)

	// The shipped corpus mentions OPCON: the preview says so, but a new
	// alert does not fire for it.
	var pv alert.Preview
	if code := env.do("GET", "/api/alerts/preview?q=OPCON", "", "", nil, &pv); code != 200 || pv.Paragraphs == 0 || pv.Records == 0 {
		t.Fatalf("preview: %d %+v", code, pv)
	}
	if !strings.Contains(pv.Message, fmt.Sprintf("%d paragraph", pv.Paragraphs)) {
		t.Errorf("preview message %q", pv.Message)
	}
	a := env.createAlert(fmt.Sprintf(`{"name":"OPCON watch","q":"OPCON","email":"analyst@example.org","webhook_url":%q,"frequency":"immediate"}`, recv.URL()))
	env.confirmEmail(smtp, 1, a.ID)
	recv.mu.Lock()
	recv.secret = a.WebhookSecret
	recv.mu.Unlock()
	var ms matchesAnswer
	if env.do("GET", "/api/alerts/"+a.ID+"/matches", a.ManageToken, "", nil, &ms); ms.Total != 0 {
		t.Fatalf("new alert has %d matches from the old corpus", ms.Total)
	}

	// A new record that says "operational control", not OPCON.
	ans := env.ingest(recordKIDD25)
	if ans.ID == "" || ans.Paragraphs < 2 || ans.AlertMatches != 1 {
		t.Fatalf("ingest: %+v, want 1 alert match", ans)
	}
	if _, err := os.Stat(filepath.Join(dataDir, app.IngestDirName, ans.ID+".txt")); err != nil {
		t.Errorf("original not kept: %v", err)
	}

	// Matches API.
	if code := env.do("GET", "/api/alerts/"+a.ID+"/matches", a.ManageToken, "", nil, &ms); code != 200 || ms.Total != 1 {
		t.Fatalf("matches: %d %+v", code, ms)
	}
	m := ms.Matches[0]
	if m.RecordID != ans.ID || !strings.Contains(m.SnippetHTML, "<mark>") || !strings.Contains(strings.ToLower(m.Text), "operational control") {
		t.Errorf("match: %+v", m)
	}
	if !strings.HasPrefix(m.URL, env.base+"/records/"+ans.ID+"#p") {
		t.Errorf("match url %q", m.URL)
	}

	// Atom feed, parsed by a real feed parser.
	resp, err := http.Get(a.FeedURL)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("feed content type %q", ct)
	}
	feed, err := gofeed.NewParser().Parse(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("feed: %v", err)
	}
	if len(feed.Items) != 1 || feed.Items[0].Link != m.URL || !strings.Contains(feed.Items[0].Content, "<mark>") {
		t.Fatalf("feed items: %+v", feed.Items)
	}

	// Webhook and email.
	waitUntil(t, "the webhook", 10*time.Second, func() bool { k, _ := recv.snapshot(); return len(k) == 1 })
	_, bodies := recv.snapshot()
	if p := bodies[0]; p.Alert.Name != "OPCON watch" || p.Alert.Query != "OPCON" || len(p.Matches) != 1 || p.Matches[0].ParagraphID != m.ParagraphID {
		t.Errorf("webhook payload: %+v", p)
	}
	mails := smtp.WaitFor(t, 2, 10*time.Second)
	body := decodeQP(t, mails[1].Data)
	for _, want := range []string{"OPCON watch", `"OPCON"`, "[operational control]", "/alerts/" + a.ID + "?token=" + a.ManageToken, "/alerts/" + a.ID + "/stop?token=" + a.ManageToken} {
		if !strings.Contains(body, want) {
			t.Errorf("email lacks %q:\n%s", want, body)
		}
	}

	// The same record again: nothing new anywhere.
	if again := env.ingest(recordKIDD25); again.AlertMatches != 0 || again.ID != ans.ID {
		t.Fatalf("re-ingest: %+v, want 0 alert matches", again)
	}
	time.Sleep(500 * time.Millisecond) // several delivery passes
	if keys, _ := recv.snapshot(); len(keys) != 1 {
		t.Fatalf("re-ingest fired the webhook: %v", keys)
	}
	if n := len(smtp.Messages()); n != 2 {
		t.Fatalf("re-ingest sent email: %d messages", n)
	}

	// Receiver down; another record; the delivery fails and waits in the outbox.
	recv.down()
	if ans2 := env.ingest(recordKIDD26); ans2.AlertMatches != 1 {
		t.Fatalf("second record: %+v", ans2)
	}
	waitUntil(t, "a failed webhook attempt", 10*time.Second, func() bool {
		box, err := env.svc.Store().Outbox()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range box {
			if d.Channel == alert.ChannelWebhook && d.Attempts > 0 {
				return true
			}
		}
		return false
	})

	// Restart the server (the alert store is closed and reopened), bring
	// the receiver back on the same address.
	env.stop()
	recv.up()
	env = startAlertEnv(t, dataDir, smtp, true)
	waitUntil(t, "the retried webhook", 15*time.Second, func() bool { k, _ := recv.snapshot(); return len(k) == 2 })
	time.Sleep(700 * time.Millisecond) // time for any duplicate to show up
	keys, _ := recv.snapshot()
	for k, n := range keys {
		if n != 1 {
			t.Errorf("key %s delivered %d times, want once", k, n)
		}
	}
	if box, _ := env.svc.Store().Outbox(); len(box) != 0 {
		t.Errorf("outbox still holds %d deliveries", len(box))
	}
	if env.do("GET", "/api/alerts/"+a.ID+"/matches", a.ManageToken, "", nil, &ms); ms.Total != 2 || ms.Matches[0].RecordID == ans.ID {
		t.Errorf("after restart: %d matches, newest %s", ms.Total, ms.Matches[0].RecordID)
	}
	// The email of the second record went out too (two digests and the
	// confirmation in all).
	smtp.WaitFor(t, 3, 10*time.Second)
}

func decodeQP(t *testing.T, msg []byte) string {
	t.Helper()
	s := string(msg)
	if i := strings.Index(s, "\r\n\r\n"); i >= 0 {
		s = s[i+4:]
	}
	s = strings.ReplaceAll(s, "=\r\n", "")
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '=' && i+2 < len(s) {
			var b byte
			if _, err := fmt.Sscanf(s[i+1:i+3], "%02X", &b); err == nil {
				out.WriteByte(b)
				i += 2
				continue
			}
		}
		out.WriteByte(s[i])
	}
	return out.String()
}

func TestAlertsBadInput(t *testing.T) {
	dataDir := t.TempDir()
	env := startAlertEnv(t, dataDir, nil, false)

	type errAnswer struct {
		Error struct {
			Code, Message, Param string
		} `json:"error"`
	}
	post := func(body string) (int, errAnswer) {
		var e errAnswer
		code := env.do("POST", "/api/alerts", "", "application/json", strings.NewReader(body), &e)
		return code, e
	}
	for _, tc := range []struct {
		name, body, param string
	}{
		{"malformed query", `{"q":"(OPCON AND"}`, "q"},
		{"no query nor filter", `{"name":"x"}`, "q"},
		{"bad webhook scheme", `{"q":"OPCON","webhook_url":"ftp://example.org/x"}`, "webhook_url"},
		{"webhook not a URL", `{"q":"OPCON","webhook_url":"hook"}`, "webhook_url"},
		{"loopback webhook", `{"q":"OPCON","webhook_url":"http://127.0.0.1:9/x"}`, "webhook_url"},
		{"metadata webhook", `{"q":"OPCON","webhook_url":"http://169.254.169.254/latest"}`, "webhook_url"},
		{"bad email", `{"q":"OPCON","email":"not an address"}`, "email"},
		{"bad frequency", `{"q":"OPCON","frequency":"hourly"}`, "frequency"},
		{"bad date", `{"q":"OPCON","from":"2024-13-01"}`, "from"},
		{"unknown field", `{"q":"OPCON","speakers":["Austin"]}`, "speakers"},
		{"not json", `{"q":`, "body"},
	} {
		code, e := post(tc.body)
		if code != http.StatusBadRequest || e.Error.Param != tc.param {
			t.Errorf("%s: %d %+v, want 400 naming %q", tc.name, code, e.Error, tc.param)
		}
	}

	a := env.createAlert(`{"name":"Austin on OPCON","q":"OPCON","speaker":["Lloyd J. Austin III"],"topic":["OPCON transition"]}`)
	var v alert.View
	if code := env.do("GET", "/api/alerts/"+a.ID, a.ManageToken, "", nil, &v); code != 200 || v.Filters["speaker"][0] != "Lloyd J. Austin III" || v.Filters["topic"][0] != "OPCON transition" {
		t.Fatalf("get: %d %+v", code, v)
	}
	if v.ManageToken != "" || v.WebhookSecret != "" {
		t.Error("GET shows the secrets")
	}
	// Token via ?token= works too.
	if code := env.do("GET", "/api/alerts/"+a.ID+"?token="+a.ManageToken, "", "", nil, nil); code != 200 {
		t.Errorf("?token=: %d", code)
	}
	for _, tok := range []string{"", "wrong-token", testAdminToken} {
		if code := env.do("GET", "/api/alerts/"+a.ID, tok, "", nil, nil); code != http.StatusForbidden {
			t.Errorf("GET with token %q: %d, want 403", tok, code)
		}
		if code := env.do("DELETE", "/api/alerts/"+a.ID, tok, "", nil, nil); code != http.StatusForbidden {
			t.Errorf("DELETE with token %q: %d, want 403", tok, code)
		}
		if code := env.do("GET", "/api/alerts/"+a.ID+"/matches", tok, "", nil, nil); code != http.StatusForbidden {
			t.Errorf("matches with token %q: %d, want 403", tok, code)
		}
	}
	if code := env.do("GET", "/api/alerts/NOSUCHALERT", a.ManageToken, "", nil, nil); code != http.StatusNotFound {
		t.Errorf("unknown alert: %d, want 404", code)
	}
	if code := env.do("GET", "/alerts/NOSUCHALERT.atom", "", "", nil, nil); code != http.StatusNotFound {
		t.Errorf("unknown feed: %d, want 404", code)
	}

	// PATCH changes only what it names; a bad value is a 400 and changes nothing.
	if code := env.do("PATCH", "/api/alerts/"+a.ID, a.ManageToken, "application/json", strings.NewReader(`{"name":"Renamed","frequency":"weekly"}`), &v); code != 200 || v.Name != "Renamed" || v.Query != "OPCON" || v.Frequency != "weekly" {
		t.Fatalf("patch: %d %+v", code, v)
	}
	if code := env.do("PATCH", "/api/alerts/"+a.ID, a.ManageToken, "application/json", strings.NewReader(`{"q":"(("}`), nil); code != 400 {
		t.Errorf("patch bad query: %d", code)
	}
	env.do("GET", "/api/alerts/"+a.ID, a.ManageToken, "", nil, &v)
	if v.Query != "OPCON" {
		t.Errorf("a rejected patch changed q to %q", v.Query)
	}

	// Admin list.
	if code := env.do("GET", "/api/alerts", "", "", nil, nil); code != http.StatusForbidden {
		t.Errorf("list without admin token: %d", code)
	}
	var list struct {
		Total  int          `json:"total"`
		Alerts []alert.View `json:"alerts"`
	}
	if code := env.do("GET", "/api/alerts", testAdminToken, "", nil, &list); code != 200 || list.Total != 1 || list.Alerts[0].ManageToken != "" {
		t.Errorf("admin list: %d %+v", code, list)
	}

	// Ingest: admin only, 413 over 2 MB, 422 for an unparsable file with
	// nothing changed, multipart accepted.
	if code := env.do("POST", "/api/records", "", "text/plain", strings.NewReader(recordKIDD25), nil); code != http.StatusForbidden {
		t.Errorf("ingest without token: %d", code)
	}
	if code := env.do("POST", "/api/records", "nope", "text/plain", strings.NewReader(recordKIDD25), nil); code != http.StatusForbidden {
		t.Errorf("ingest with a wrong token: %d", code)
	}
	big := bytes.Repeat([]byte("The alliance stands firm. "), (10<<20)/26+10)
	if code := env.do("POST", "/api/records", testAdminToken, "text/plain", bytes.NewReader(big), nil); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized record: %d, want 413", code)
	}
	before := env.index().Stats()
	var e errAnswer
	if code := env.do("POST", "/api/records", testAdminToken, "text/plain", bytes.NewReader([]byte("\x00\x01\x02binary\x00")), &e); code != http.StatusUnprocessableEntity || e.Error.Message == "" {
		t.Errorf("unparsable record: %d %+v, want 422 with a reason", code, e)
	}
	if after := env.index().Stats(); after.Records != before.Records || after.Paragraphs != before.Paragraphs {
		t.Errorf("a 422 changed the index: %+v -> %+v", before, after)
	}
	if ents, _ := os.ReadDir(filepath.Join(dataDir, app.IngestDirName)); len(ents) != 0 {
		t.Errorf("a 422 left files: %v", ents)
	}
	var mpBody bytes.Buffer
	mw := multipart.NewWriter(&mpBody)
	fw, _ := mw.CreateFormFile("file", "kidd-25.txt")
	fw.Write([]byte(recordKIDD25))
	mw.Close()
	var ans ingestAnswer
	if code := env.do("POST", "/api/records", testAdminToken, mw.FormDataContentType(), &mpBody, &ans); code != 201 || ans.Paragraphs < 2 {
		t.Errorf("multipart ingest: %d %+v", code, ans)
	}
	var rec corpus.Record
	if code := env.do("GET", "/api/records/"+ans.ID, "", "", nil, &rec); code != 200 {
		t.Errorf("ingested record not served: %d", code)
	}
	// text/html: parsed as HTML (the page's navigation is noise), kept as .html.
	page := "<!doctype html><html><head><title>26th KIDD</title></head><body><nav><a href=\"/\">Home</a></nav><main>" +
		strings.ReplaceAll("<p>"+strings.ReplaceAll(strings.TrimSpace(recordKIDD26), "\n\n", "</p><p>")+"</p>", "\n", " ") +
		"</main></body></html>"
	var hans ingestAnswer
	if code := env.do("POST", "/api/records", testAdminToken, "text/html; charset=utf-8", strings.NewReader(page), &hans); code != 201 || hans.Paragraphs < 2 {
		t.Errorf("html ingest: %d %+v", code, hans)
	}
	if _, err := os.Stat(filepath.Join(dataDir, app.IngestDirName, hans.ID+".html")); err != nil {
		t.Errorf("html original not kept: %v", err)
	}

	// Delete, then it is gone.
	if code := env.do("DELETE", "/api/alerts/"+a.ID, a.ManageToken, "", nil, nil); code != http.StatusNoContent {
		t.Errorf("delete: %d", code)
	}
	if code := env.do("GET", "/api/alerts/"+a.ID, a.ManageToken, "", nil, nil); code != http.StatusNotFound {
		t.Errorf("deleted alert: %d, want 404", code)
	}
}

// serve --watch: a record file dropped into the corpus dir is indexed and
// fires the alerts; a changed file fires only for its changed paragraph.
func TestAlertsWatchCorpus(t *testing.T) {
	corpusDir := shippedCorpusDir(t, "2023-11-13-scm-55-joint-communique.txt", "2024-10-30-scm-56-fact-sheet.txt")
	env := startAlertEnvWith(t, t.TempDir(), nil, app.Config{Watch: true, CorpusDir: corpusDir})
	a := env.createAlert(`{"name":"OPCON","q":"OPCON"}`)
	matches := func() matchesAnswer {
		var ms matchesAnswer
		env.do("GET", "/api/alerts/"+a.ID+"/matches", a.ManageToken, "", nil, &ms)
		return ms
	}
	// The watcher's first pass sees the corpus the build indexed: nothing fires.
	time.Sleep(400 * time.Millisecond)
	if ms := matches(); ms.Total != 0 {
		t.Fatalf("the existing corpus fired %d matches", ms.Total)
	}
	file := filepath.Join(corpusDir, "kidd-25.txt")
	if err := os.WriteFile(file, []byte(recordKIDD25), 0o644); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the watched file's match", 10*time.Second, func() bool { return matches().Total == 1 })

	// Change only the last paragraph (not about OPCON), then the OPCON one.
	changed := strings.Replace(recordKIDD25, "agreed to meet again next year", "agreed to meet again in spring", 1)
	os.WriteFile(file, []byte(changed), 0o644)
	time.Sleep(600 * time.Millisecond)
	if ms := matches(); ms.Total != 1 {
		t.Fatalf("a change to another paragraph fired: %d matches", ms.Total)
	}
	// A paragraph inserted above the OPCON one moves it: not new.
	changed = strings.Replace(changed, "September 16, 2025\n\n", "September 16, 2025\n\nThe meeting opened with remarks by both delegation heads.\n\n", 1)
	os.WriteFile(file, []byte(changed), 0o644)
	time.Sleep(600 * time.Millisecond)
	if ms := matches(); ms.Total != 1 {
		t.Fatalf("a moved paragraph fired again: %d matches", ms.Total)
	}
	changed = strings.Replace(changed, "reaffirmed the conditions", "restated the conditions", 1)
	os.WriteFile(file, []byte(changed), 0o644)
	waitUntil(t, "the changed paragraph's match", 10*time.Second, func() bool { return matches().Total == 2 })
}

// serve --watch: a file deleted from the corpus dir removes its record from
// the index (from the records list, the record page and search); a file
// renamed keeps its record; the other records stay as they were.
func TestWatchRemovesDeletedFiles(t *testing.T) {
	shipped := []string{"2023-11-13-scm-55-joint-communique.txt", "2024-10-30-scm-56-fact-sheet.txt", "2024-04-11-kidd-24-joint-press-statement.txt"}
	corpusDir := shippedCorpusDir(t, shipped...)
	env := startAlertEnvWith(t, t.TempDir(), nil, app.Config{Watch: true, CorpusDir: corpusDir})
	records := func() map[string]bool {
		var ans struct {
			Records []struct {
				ID string `json:"id"`
			} `json:"records"`
		}
		if code := env.do("GET", "/api/records", "", "", nil, &ans); code != 200 {
			t.Fatalf("records: %d", code)
		}
		ids := map[string]bool{}
		for _, r := range ans.Records {
			ids[r.ID] = true
		}
		return ids
	}
	before := records()
	if len(before) != 3 {
		t.Fatalf("%d records at start, want 3", len(before))
	}
	time.Sleep(400 * time.Millisecond) // the watcher's first pass learns the files
	file := filepath.Join(corpusDir, "kidd-25.txt")
	if err := os.WriteFile(file, []byte(recordKIDD25), 0o644); err != nil {
		t.Fatal(err)
	}
	var newID string
	waitUntil(t, "the new file indexed", 10*time.Second, func() bool {
		for id := range records() {
			if !before[id] {
				newID = id
				return true
			}
		}
		return false
	})
	var sr struct {
		Total int `json:"total"`
	}
	env.do("GET", "/api/search?q=KIDD&series=KIDD", "", "", nil, &sr)
	kiddHits := sr.Total

	// Delete the new file and one of the corpus files the build indexed;
	// rename another.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(corpusDir, shipped[1])); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(corpusDir, shipped[2]), filepath.Join(corpusDir, "renamed.txt")); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the deleted files' records removed", 10*time.Second, func() bool { return len(records()) == 2 })
	after := records()
	if after[newID] {
		t.Errorf("record %s of the deleted file is still listed", newID)
	}
	for id := range before {
		if strings.Contains(id, "scm-56") == after[id] {
			t.Errorf("record %s: listed %v after its file (scm-56 deleted, kidd-24 renamed)", id, after[id])
		}
	}
	if code := env.do("GET", "/api/records/"+newID, "", "", nil, nil); code != http.StatusNotFound {
		t.Errorf("record page of a deleted file: %d, want 404", code)
	}
	env.do("GET", "/api/search?q=KIDD&series=KIDD", "", "", nil, &sr)
	if sr.Total == 0 || sr.Total >= kiddHits {
		t.Errorf("KIDD search finds %d paragraphs after the 25th KIDD's file went (%d before): want fewer, not none", sr.Total, kiddHits)
	}
	// Nothing comes back on later passes.
	time.Sleep(400 * time.Millisecond)
	if n := len(records()); n != 2 {
		t.Errorf("%d records after more passes, want 2", n)
	}
}

// The alert pages: Save as alert with a preview, the alert's page, stop,
// My alerts; all through the real router, as a browser without JavaScript
// would use them.
func TestAlertPages(t *testing.T) {
	env := startAlertEnv(t, t.TempDir(), nil, false)
	get := func(path string) (int, string) {
		resp, err := http.Get(env.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// The search page offers "Save as alert" with the search in the link.
	if code, body := get("/?q=OPCON"); code != 200 || !strings.Contains(body, `href="/alerts/new?q=OPCON`) {
		t.Errorf("search page: %d, no Save as alert link", code)
	}
	code, body := get("/alerts/new?q=OPCON&series=SCM")
	if code != 200 || !strings.Contains(body, "would have matched") || !strings.Contains(body, `name="series" value="SCM"`) {
		t.Fatalf("new alert page: %d\n%s", code, body)
	}
	// Submit the form (no redirects followed, to see where it leads).
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(env.base+"/alerts/new", map[string][]string{"q": {"OPCON"}, "series": {"SCM"}, "name": {"OPCON at the SCM"}, "frequency": {"daily"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "token=") {
		t.Fatalf("create by form: %d %q", resp.StatusCode, loc)
	}
	code, body = get(loc)
	if code != 200 || !strings.Contains(body, "Alert: OPCON at the SCM") || !strings.Contains(body, ".atom") || !strings.Contains(body, "alerts.js") {
		t.Fatalf("alert page: %d\n%s", code, body)
	}
	id := strings.TrimPrefix(loc[:strings.Index(loc, "?")], "/alerts/")
	token := loc[strings.Index(loc, "token=")+len("token="):]
	if code, _ := get("/alerts/" + id); code != http.StatusForbidden {
		t.Errorf("alert page without token: %d, want 403", code)
	}
	// The stop link shows a confirmation; only the POST stops.
	if code, body := get("/alerts/" + id + "/stop?token=" + token); code != 200 || !strings.Contains(body, "Stop this alert") {
		t.Fatalf("stop page: %d", code)
	}
	var v alert.View
	env.do("GET", "/api/alerts/"+id, token, "", nil, &v)
	if !v.Active {
		t.Fatal("viewing the stop page stopped the alert")
	}
	resp, err = client.PostForm(env.base+"/alerts/"+id+"/stop", map[string][]string{"token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	env.do("GET", "/api/alerts/"+id, token, "", nil, &v)
	if resp.StatusCode != http.StatusSeeOther || v.Active {
		t.Fatalf("stop: %d, active %v", resp.StatusCode, v.Active)
	}
	// A stopped alert matches nothing new.
	if ans := env.ingest(recordKIDD25); ans.AlertMatches != 0 {
		t.Errorf("a stopped alert matched %d", ans.AlertMatches)
	}
	if code, body := get("/alerts"); code != 200 || !strings.Contains(body, "My alerts") {
		t.Errorf("my alerts: %d", code)
	}
}

// The alert routes' answers match the OpenAPI document.
func TestAlertsOpenAPIConformance(t *testing.T) {
	env := startAlertEnv(t, t.TempDir(), nil, false)
	doc := loadOpenAPI(t, env.srv)
	a := env.createAlert(`{"name":"OPCON","q":"OPCON","speaker":["Lloyd J. Austin III"]}`)
	big := strings.Repeat("x", MaxIngestBytes+10)
	for _, tc := range []struct {
		method, route, target, token, ctype, body string
		status                                    int
	}{
		{"POST", "/api/alerts", "/api/alerts", "", "application/json", `{"q":"NCG","email":"a@example.org","frequency":"daily"}`, 201},
		{"POST", "/api/alerts", "/api/alerts", "", "application/json", `{"q":"(("}`, 400},
		{"GET", "/api/alerts", "/api/alerts", testAdminToken, "", "", 200},
		{"GET", "/api/alerts", "/api/alerts", "wrong", "", "", 403},
		{"GET", "/api/alerts/preview", "/api/alerts/preview?q=OPCON&series=SCM", "", "", "", 200},
		{"POST", "/api/alerts/preview", "/api/alerts/preview", "", "application/json", `{"q":"OPCON"}`, 200},
		{"GET", "/api/alerts/preview", "/api/alerts/preview?q=%22open", "", "", "", 400},
		{"GET", "/api/alerts/:id", "/api/alerts/" + a.ID, a.ManageToken, "", "", 200},
		{"GET", "/api/alerts/:id", "/api/alerts/" + a.ID, "nope", "", "", 403},
		{"GET", "/api/alerts/:id", "/api/alerts/unknown", a.ManageToken, "", "", 404},
		{"PATCH", "/api/alerts/:id", "/api/alerts/" + a.ID, a.ManageToken, "application/json", `{"name":"x"}`, 200},
		{"PATCH", "/api/alerts/:id", "/api/alerts/" + a.ID, a.ManageToken, "application/json", `{"frequency":"hourly"}`, 400},
		{"POST", "/api/records", "/api/records", testAdminToken, "text/plain", recordKIDD26, 201},
		{"POST", "/api/records", "/api/records", testAdminToken, "text/plain", "", 422},
		{"POST", "/api/records", "/api/records", testAdminToken, "text/plain", big, 413},
		{"POST", "/api/records", "/api/records", "", "text/plain", recordKIDD26, 403},
		{"GET", "/api/alerts/:id/matches", "/api/alerts/" + a.ID + "/matches?size=5", a.ManageToken, "", "", 200},
		{"GET", "/api/alerts/:id/matches", "/api/alerts/" + a.ID + "/matches?size=500", a.ManageToken, "", "", 400},
		{"DELETE", "/api/alerts/:id", "/api/alerts/unknown", a.ManageToken, "", "", 404},
	} {
		t.Run(tc.method+" "+tc.target[:min(len(tc.target), 50)], func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, env.base+tc.target, strings.NewReader(tc.body))
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			sch := doc.responseSchema(t, tc.route, tc.method, tc.status, resp.Header.Get("Content-Type"))
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			for _, e := range doc.validate(v, sch, "$") {
				t.Error(e)
			}
		})
	}
	// The feed: documented content type.
	resp, err := http.Get(a.FeedURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	doc.responseSchema(t, "/alerts/:id.atom", "GET", 200, resp.Header.Get("Content-Type"))
}

// index is the App's ready index.
func (e *alertEnv) index() *indexer.Index {
	e.t.Helper()
	idx, err := e.app.Index()
	if err != nil {
		e.t.Fatal(err)
	}
	return idx
}

// shippedCorpusDir is a new corpus directory holding the named files of the
// default corpus.
func shippedCorpusDir(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range names {
		b, err := fs.ReadFile(corpus.Default(), name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
