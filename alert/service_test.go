package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dialoguesearch/alert/alerttest"
	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// clock is a settable time for the service.
type clock struct{ t atomic.Pointer[time.Time] }

func (c *clock) now() time.Time      { return *c.t.Load() }
func (c *clock) set(t time.Time)     { c.t.Store(&t) }
func (c *clock) add(d time.Duration) { c.set(c.now().Add(d)) }

func TestDailyDigestThroughSMTP(t *testing.T) {
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
	v, err := svc.Create(Input{Settings: Settings{Name: "daily OPCON", Search: Search{Query: "OPCON"}, Email: "analyst@example.org", Frequency: Daily}})
	if err != nil {
		t.Fatal(err)
	}
	confirmByMail(t, svc, srv.WaitFor(t, 1, 5*time.Second)[0], v.ID)
	ctx := context.Background()
	m1, m2 := testMatch(0), testMatch(0)
	m2.ParagraphID, m2.TextHash = "2026-01-01-scm-57-p9", "8899aabbccddeeff"
	clk.add(time.Hour)
	if _, err := svc.store.record(nil, map[string][]Match{v.ID: {m1}}, clk.now()); err != nil {
		t.Fatal(err)
	}
	if rep, _ := svc.DeliverDue(ctx); rep.Sent != 0 {
		t.Fatalf("a daily digest went out after 1 hour: %+v", rep)
	}
	clk.add(10 * time.Hour)
	svc.store.record(nil, map[string][]Match{v.ID: {m2}}, clk.now())
	clk.add(14 * time.Hour) // 25 h after creation
	rep, err := svc.DeliverDue(ctx)
	if err != nil || rep.Queued != 1 || rep.Sent != 1 {
		t.Fatalf("digest after 25 h: %+v %v", rep, err)
	}
	msgs := srv.WaitFor(t, 2, 5*time.Second)
	if body := string(msgs[1].Data); !containsAll(body, "found 2 new matches", "daily OPCON") {
		t.Errorf("digest:\n%s", body)
	}
	// Nothing new: no second digest, however long we wait.
	clk.add(72 * time.Hour)
	if rep, _ := svc.DeliverDue(ctx); rep.Sent != 0 {
		t.Fatalf("empty digest sent: %+v", rep)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Fatalf("%d messages, want the confirmation and one digest", n)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

// A failing webhook is retried with exponential backoff, not before its
// time, and given up after MaxAttempts.
func TestWebhookBackoff(t *testing.T) {
	var calls atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer recv.Close()
	var clk clock
	clk.set(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	svc, v := webhookAlert(t, Config{Now: clk.now, WebhookAllowPrivate: true, RetryBase: time.Minute, RetryMax: time.Hour, MaxAttempts: 3}, recv.URL)
	svc.store.record(nil, map[string][]Match{v.ID: {testMatch(0)}}, clk.now())
	ctx := context.Background()
	step := func(advance time.Duration, wantCalls int32) *Delivery {
		t.Helper()
		clk.add(advance)
		if _, err := svc.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got := calls.Load(); got != wantCalls {
			t.Fatalf("after +%v: %d calls, want %d", advance, got, wantCalls)
		}
		box, _ := svc.Store().Outbox()
		if len(box) != 1 {
			t.Fatalf("outbox holds %d", len(box))
		}
		return box[0]
	}
	d := step(0, 1)
	if d.Attempts != 1 || d.LastError == "" {
		t.Fatalf("after the first failure: %+v", d)
	}
	step(30*time.Second, 1) // before the first retry delay (1 min)
	d = step(40*time.Second, 2)
	step(90*time.Second, 2) // second delay is 2 min (+ up to 10%)
	d = step(45*time.Second, 3)
	if !d.Dead {
		t.Fatalf("after MaxAttempts the delivery is not dead: %+v", d)
	}
	step(48*time.Hour, 3) // dead: never retried
}

// A run with more matches for one alert than MaxDeliveryMatches goes out as
// several webhook deliveries, each under the cap with its own idempotency
// key and signature, together carrying every match once.
func TestWebhookDeliveriesCapped(t *testing.T) {
	type post struct {
		key     string
		payload WebhookPayload
	}
	var mu sync.Mutex
	var posts []post
	var a *Alert
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !VerifySignature(a.WebhookSecret, body, r.Header.Get(SignatureHeader)) {
			t.Errorf("bad signature")
		}
		var p WebhookPayload
		if err := json.Unmarshal(body, &p); err != nil {
			t.Errorf("payload: %v", err)
		}
		mu.Lock()
		posts = append(posts, post{r.Header.Get(IdempotencyHeader), p})
		mu.Unlock()
	}))
	defer recv.Close()
	svc, v := webhookAlert(t, Config{WebhookAllowPrivate: true}, recv.URL)
	a, _ = svc.store.Alert(v.ID)
	const n = 2*MaxDeliveryMatches + 50
	var ms []Match
	for i := range n {
		m := testMatch(0)
		m.ParagraphID, m.N = fmt.Sprintf("2026-01-01-scm-57-p%d", i+1), i+1
		m.TextHash = fmt.Sprintf("%016x", i)
		m.Text = fmt.Sprintf("Paragraph %d on wartime operational control.", i+1)
		ms = append(ms, m)
	}
	if _, err := svc.store.record(nil, map[string][]Match{v.ID: ms}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if rep, err := svc.DeliverDue(context.Background()); err != nil || rep.Sent != 3 {
		t.Fatalf("deliver: %+v %v", rep, err)
	}
	keys := map[string]bool{}
	got := map[string]string{}
	for _, p := range posts {
		if len(p.payload.Matches) > MaxDeliveryMatches || len(p.payload.Matches) == 0 {
			t.Errorf("delivery %s carries %d matches (cap %d)", p.key, len(p.payload.Matches), MaxDeliveryMatches)
		}
		if keys[p.key] {
			t.Errorf("idempotency key %s used twice", p.key)
		}
		keys[p.key] = true
		for _, m := range p.payload.Matches {
			if _, dup := got[m.ParagraphID]; dup {
				t.Errorf("%s delivered twice", m.ParagraphID)
			}
			got[m.ParagraphID] = m.Text
		}
	}
	if len(posts) != 3 || len(got) != n {
		t.Fatalf("%d posts carrying %d distinct matches, want 3 carrying %d", len(posts), len(got), n)
	}
	if want := "Paragraph 7 on wartime operational control."; got["2026-01-01-scm-57-p7"] != want {
		t.Errorf("p7 text %q, want %q", got["2026-01-01-scm-57-p7"], want)
	}
	if box, _ := svc.store.Outbox(); len(box) != 0 {
		t.Errorf("outbox keeps %d deliveries", len(box))
	}
}

// Matches are written while the run is still matching; a run that fails
// part way records nothing (not even its paragraphs as checked), so the
// next run finds them all.
func TestFailedRunRecordsNothing(t *testing.T) {
	svc, err := Open(t.TempDir(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	good := activeAlert("good", Search{Query: "OPCON"})
	broken := activeAlert("broken", Search{Query: `"unclosed phrase`}) // saved before validation existed
	good.ManageToken, broken.ManageToken = "t", "t"
	for _, a := range []*Alert{good, broken} {
		if err := svc.store.PutAlert(a); err != nil {
			t.Fatal(err)
		}
	}
	rec := newRecord()
	src := recordMap{rec.ID: rec}
	var paras []indexer.Hit
	keys := map[string]string{}
	for _, p := range rec.Paragraphs {
		id := corpus.ParagraphID(rec.ID, p.N)
		paras = append(paras, indexer.Hit{Paragraph: indexer.Paragraph{ID: id, RecordID: rec.ID}})
		keys[id] = checkKey(rec.ID, textHash(p.Text))
	}
	ctx := context.Background()
	if _, err := svc.OnIndexed(ctx, src, paras); err == nil {
		t.Fatal("a run with a broken alert succeeded")
	}
	if n, _ := svc.store.MatchCount(good.ID); n != 0 {
		t.Fatalf("the failed run recorded %d matches", n)
	}
	if un, _ := svc.store.unchecked(keys); len(un) != len(keys) {
		t.Fatalf("the failed run marked %d of %d paragraphs checked", len(keys)-len(un), len(keys))
	}
	if err := svc.store.DeleteAlert(broken.ID); err != nil {
		t.Fatal(err)
	}
	n, err := svc.OnIndexed(ctx, src, paras)
	if err != nil || n != 1 {
		t.Fatalf("second run: %d matches, %v; want 1", n, err)
	}
	if n, _ := svc.OnIndexed(ctx, src, paras); n != 0 {
		t.Fatalf("third run recorded %d matches again", n)
	}
}

// webhookAlert opens a service with cfg in a new data dir and creates an
// OPCON alert that posts to url.
func webhookAlert(t *testing.T, cfg Config, url string) (*Service, *View) {
	t.Helper()
	svc, err := Open(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	v, err := svc.Create(Input{Settings: Settings{Search: Search{Query: "OPCON"}, WebhookURL: url}})
	if err != nil {
		t.Fatal(err)
	}
	return svc, v
}
