package alert

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
)

func openTestStore(t *testing.T, path string) *Store {
	t.Helper()
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestStoreRecordsMatchOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), StoreFile)
	st := openTestStore(t, path)
	a := testAlert()
	a.WebhookURL = "http://127.0.0.1:1/hook"
	if err := st.PutAlert(a); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	m := testMatch(0)
	added, err := st.record(map[string]string{m.ParagraphID: checkKey(m.RecordID, m.TextHash)}, map[string][]Match{a.ID: {m}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(added[a.ID]) != 1 || added[a.ID][0].Seq != 1 {
		t.Fatalf("first record: added %+v", added)
	}
	// The same (alert, paragraph, hash) again: nothing new, no delivery.
	added, err = st.record(nil, map[string][]Match{a.ID: {m}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(added[a.ID]) != 0 {
		t.Fatalf("repeat recorded %d matches", len(added[a.ID]))
	}
	// The same text moved to another paragraph (one was inserted above it):
	// nothing new either.
	moved := m
	moved.ParagraphID, moved.N = "2026-01-01-scm-57-p4", 4
	if added, _ = st.record(nil, map[string][]Match{a.ID: {moved}}, now); len(added[a.ID]) != 0 {
		t.Fatalf("a moved paragraph recorded %d matches", len(added[a.ID]))
	}
	// Changed text: a new match.
	m2 := m
	m2.TextHash = "ffffffffffffffff"
	added, err = st.record(nil, map[string][]Match{a.ID: {m2}}, now)
	if err != nil || len(added[a.ID]) != 1 {
		t.Fatalf("changed text: added %v, err %v", added, err)
	}
	box, _ := st.Outbox()
	if len(box) != 2 {
		t.Fatalf("outbox holds %d deliveries, want 2 (one per run with new matches)", len(box))
	}
	if box[0].Key == box[1].Key {
		t.Fatalf("two deliveries share key %q", box[0].Key)
	}
	un, err := st.unchecked(map[string]string{m.ParagraphID: checkKey(m.RecordID, m.TextHash), "other-p1": checkKey("other", "aa")})
	if err != nil {
		t.Fatal(err)
	}
	if un[m.ParagraphID] || !un["other-p1"] {
		t.Fatalf("unchecked = %v", un)
	}

	// Everything survives a reopen (a restart).
	st.Close()
	st = openTestStore(t, path)
	defer st.Close()
	ms, total, err := st.Matches(a.ID, 0, 10)
	if err != nil || total != 2 || len(ms) != 2 || ms[0].Seq != 2 {
		t.Fatalf("after reopen: %d matches (total %d, err %v), newest first want seq 2", len(ms), total, err)
	}
	ms, _, _ = st.Matches(a.ID, 1, 10)
	if len(ms) != 1 || ms[0].Seq != 1 {
		t.Fatalf("page 2: %+v", ms)
	}
	if box, _ := st.Outbox(); len(box) != 2 {
		t.Fatalf("outbox after reopen: %d", len(box))
	}

	if err := st.DeleteAlert(a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Alert(a.ID); failure.KindOf(err) != failure.NotFound {
		t.Fatalf("deleted alert: err %v", err)
	}
	if box, _ := st.Outbox(); len(box) != 0 {
		t.Fatalf("outbox keeps %d deliveries of a deleted alert", len(box))
	}
	if err := st.DeleteAlert(a.ID); failure.KindOf(err) != failure.NotFound {
		t.Fatalf("delete twice: %v", err)
	}
}

func TestStoreHeldByAnotherOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), StoreFile)
	st := openTestStore(t, path)
	defer st.Close()
	start := time.Now()
	_, err := OpenStore(path)
	if failure.KindOf(err) != failure.Unavailable {
		t.Fatalf("second open: %v, want Unavailable", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("second open took %v", d)
	}
}

func TestQueueEmailDigests(t *testing.T) {
	st := openTestStore(t, filepath.Join(t.TempDir(), StoreFile))
	defer st.Close()
	a := testAlert()
	a.Frequency = Daily
	a.LastEmail = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st.PutAlert(a)
	m1, m2 := testMatch(0), testMatch(0)
	m2.ParagraphID, m2.TextHash = "2026-01-01-scm-57-p4", "8899aabbccddeeff"
	if _, err := st.record(nil, map[string][]Match{a.ID: {m1, m2}}, a.LastEmail); err != nil {
		t.Fatal(err)
	}
	due := func(now time.Time) func(*Alert) bool { return func(a *Alert) bool { return emailDue(a, now) } }
	early := a.LastEmail.Add(23 * time.Hour)
	if d, err := st.queueEmail(a.ID, early, due(early)); err != nil || d != nil {
		t.Fatalf("daily digest queued after 23h: %v %v", d, err)
	}
	later := a.LastEmail.Add(25 * time.Hour)
	d, err := st.queueEmail(a.ID, later, due(later))
	if err != nil || d == nil || d.Count() != 2 {
		t.Fatalf("daily digest after 25h: %+v %v", d, err)
	}
	// Nothing new since: no second digest, even when due.
	much := later.Add(48 * time.Hour)
	if d, err := st.queueEmail(a.ID, much, due(much)); err != nil || d != nil {
		t.Fatalf("empty digest queued: %+v %v", d, err)
	}
}

// A paragraph matching many alerts is stored once (texts), and every
// alert's matches read back whole: text, record data and its own snippet.
func TestStoreKeepsParagraphOnce(t *testing.T) {
	st := openTestStore(t, filepath.Join(t.TempDir(), StoreFile))
	defer st.Close()
	found := map[string][]Match{}
	for i := range 3 {
		a := testAlert()
		a.ID = fmt.Sprintf("alert-%d", i)
		if err := st.PutAlert(a); err != nil {
			t.Fatal(err)
		}
		m := testMatch(0)
		m.Speakers, m.Topics = []string{"Lloyd J. Austin III"}, []string{"opcon"}
		m.Meeting = corpus.Meeting{Series: "SCM", Number: 57, Name: "57th SCM"}
		m.SnippetHTML = fmt.Sprintf("snippet of alert %d", i)
		found[a.ID] = []Match{m}
	}
	now := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	if _, err := st.record(nil, found, now); err != nil {
		t.Fatal(err)
	}
	texts := 0
	st.db.View(func(tx *bolt.Tx) error {
		texts = tx.Bucket(bucketTexts).Stats().KeyN
		return nil
	})
	if texts != 1 {
		t.Errorf("texts holds %d entries for one paragraph matched by 3 alerts", texts)
	}
	for id, ms := range found {
		got, total, err := st.Matches(id, 0, 10)
		if err != nil || total != 1 || len(got) != 1 {
			t.Fatalf("%s: %d matches (total %d): %v", id, len(got), total, err)
		}
		want := ms[0]
		want.Seq, want.AlertID, want.Found = 1, id, now
		if !reflect.DeepEqual(got[0], want) {
			t.Errorf("%s read back\n%+v\nwant\n%+v", id, got[0], want)
		}
	}
}

// A store of layout 1 (whole matches, a seen bucket, deliveries carrying
// their matches) is migrated once on open: its matches read back and its
// delivery is sent as before.
func TestStoreReadsOldLayout(t *testing.T) {
	recv := make(chan WebhookPayload, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p WebhookPayload
		json.NewDecoder(r.Body).Decode(&p)
		recv <- p
	}))
	defer srv.Close()
	dir := t.TempDir()
	a := testAlert()
	a.WebhookURL = srv.URL
	old := testMatch(1)
	old.AlertID = a.ID
	writeLayout1(t, filepath.Join(dir, StoreFile), a, old)

	svc, err := Open(dir, Config{WebhookAllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ms, _, err := svc.store.Matches(a.ID, 0, 10)
	if err != nil || len(ms) != 1 || !reflect.DeepEqual(ms[0], old) {
		t.Fatalf("old match read back %+v (%v), want %+v", ms, err, old)
	}
	box, _ := svc.store.Outbox()
	if len(box) != 1 || box[0].Count() != 1 {
		t.Fatalf("old delivery: %+v", box)
	}
	var version uint64
	svc.store.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketMeta).Get(keySchema); len(b) == 8 {
			version = binary.BigEndian.Uint64(b)
		}
		if tx.Bucket([]byte("seen")) != nil {
			t.Error("the seen bucket of layout 1 is still there")
		}
		return nil
	})
	if version != SchemaVersion {
		t.Errorf("schema version after migration = %d, want %d", version, SchemaVersion)
	}
	if rep, err := svc.DeliverDue(context.Background()); err != nil || rep.Sent != 1 {
		t.Fatalf("deliver: %+v %v", rep, err)
	}
	if p := <-recv; len(p.Matches) != 1 || p.Matches[0].Text != old.Text {
		t.Fatalf("payload %+v", p)
	}
}

// writeLayout1 writes a store as the first layout had it: alert a with
// the whole match m and a webhook delivery carrying m.
func writeLayout1(t *testing.T, path string, a *Alert, m Match) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"alerts", "matches", "texts", "seen", "paragraphs", "outbox"} {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		if err := putJSON(tx.Bucket(bucketAlerts), []byte(a.ID), a); err != nil {
			return err
		}
		mb, err := tx.Bucket(bucketMatches).CreateBucket([]byte(a.ID))
		if err != nil {
			return err
		}
		mb.SetSequence(1)
		if err := putJSON(mb, itob(1), m); err != nil {
			return err
		}
		out := tx.Bucket(bucketOutbox)
		out.SetSequence(1)
		return putJSON(out, itob(1), map[string]any{
			"seq": 1, "key": a.ID + "-webhook-1-1", "alert_id": a.ID, "channel": ChannelWebhook,
			"matches": []Match{m}, "created": time.Now(), "next_at": time.Now(),
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A store written by a newer program is refused, not misread.
func TestStoreRefusesNewerLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), StoreFile)
	st := openTestStore(t, path)
	st.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, itob(SchemaVersion+1)) })
	st.Close()
	if _, err := OpenStore(path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open of a newer layout: %v", err)
	}
}
