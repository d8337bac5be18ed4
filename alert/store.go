package alert

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
)

// StoreFile is the alert store's file name inside the data dir. Copying this
// one file (while no server runs, or with `dialoguesearch alerts backup`
// semantics: bbolt files are consistent between transactions) backs up every
// alert, match and pending delivery.
const StoreFile = "alerts.db"

// Bucket layout of alerts.db:
//
//	alerts      id -> Alert (JSON)
//	matches     id -> bucket: seq (8 bytes, big endian) -> matchRef (JSON)
//	texts       paragraph id + "\x00" + text hash -> paraText (JSON)
//	seen        id -> bucket: record id + "\x00" + text hash -> seq (stores
//	            written before a match was deduplicated by the paragraphs
//	            bucket; only deleted now)
//	paragraphs  record id + "\x00" + text hash of every paragraph text checked
//	outbox      seq -> Delivery (JSON): webhook posts and emails not yet sent
//
// A match keeps only what is particular to its alert (the snippet); the
// paragraph it matched is kept once in texts, however many alerts it
// matched: a new record matching thousands of alerts writes its text once,
// not once per alert. Matches written before texts existed hold the whole
// paragraph and are read as they are.
var (
	bucketAlerts     = []byte("alerts")
	bucketMatches    = []byte("matches")
	bucketTexts      = []byte("texts")
	bucketSeen       = []byte("seen")
	bucketParagraphs = []byte("paragraphs")
	bucketOutbox     = []byte("outbox")
)

// Match is one new paragraph that matched an alert, recorded once.
type Match struct {
	Seq         uint64         `json:"seq"` // per alert, increasing: newest has the highest
	AlertID     string         `json:"alert_id"`
	ParagraphID string         `json:"paragraph_id"`
	TextHash    string         `json:"text_hash"`
	Found       time.Time      `json:"matched_at"`
	RecordID    string         `json:"record_id"`
	Title       string         `json:"title"`
	Date        corpus.Date    `json:"date"`
	Meeting     corpus.Meeting `json:"meeting"`
	Section     string         `json:"section"`
	N           int            `json:"n"`
	Speakers    []string       `json:"speakers"`
	Topics      []string       `json:"topics"`
	Text        string         `json:"text"`
	SnippetHTML string         `json:"snippet_html"`
	Expansions  []string       `json:"expansions"`
	// URL links to the paragraph in its record; filled when shown, not stored.
	URL string `json:"url,omitempty"`
}

// matchRef is a Match as the matches bucket keeps it: the paragraph's text
// and record data are in the texts bucket under textKey.
type matchRef struct {
	Seq         uint64    `json:"seq"`
	ParagraphID string    `json:"paragraph_id"`
	TextHash    string    `json:"text_hash"`
	Found       time.Time `json:"matched_at"`
	RecordID    string    `json:"record_id"`
	N           int       `json:"n"`
	SnippetHTML string    `json:"snippet_html"`
	Expansions  []string  `json:"expansions"`
}

// paraText is a matched paragraph as the texts bucket keeps it.
type paraText struct {
	Title    string         `json:"title"`
	Date     corpus.Date    `json:"date"`
	Meeting  corpus.Meeting `json:"meeting"`
	Section  string         `json:"section"`
	Speakers []string       `json:"speakers"`
	Topics   []string       `json:"topics"`
	Text     string         `json:"text"`
}

func textKey(paragraphID, textHash string) []byte {
	return []byte(paragraphID + "\x00" + textHash)
}

// Delivery channels.
const (
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
)

// Delivery is one notification waiting in the outbox. It is removed only
// after the peer accepted it, so a crash or restart loses none; its Key is
// sent as the Idempotency-Key so a receiver can drop a repeat.
type Delivery struct {
	Seq     uint64 `json:"seq"`
	Key     string `json:"key"`
	AlertID string `json:"alert_id"`
	Channel string `json:"channel"`
	// First and Last are the Seq range of the alert's matches it carries,
	// read from the matches bucket when it is sent.
	First uint64 `json:"first"`
	Last  uint64 `json:"last"`
	// Matches is set on deliveries queued before First/Last existed, and
	// on a delivery being sent.
	Matches   []Match   `json:"matches,omitempty"`
	Created   time.Time `json:"created"`
	Attempts  int       `json:"attempts"`
	NextAt    time.Time `json:"next_at"`
	LastError string    `json:"last_error,omitempty"`
	// Dead is set after MaxAttempts failures: kept for the operator to see
	// (`dialoguesearch alerts list`), no longer retried.
	Dead bool `json:"dead,omitempty"`
}

// Count is the number of matches d carries.
func (d *Delivery) Count() int {
	if len(d.Matches) > 0 || d.Last == 0 {
		return len(d.Matches)
	}
	return int(d.Last - d.First + 1)
}

// MaxDeliveryMatches caps the matches of one webhook delivery: a run with
// more for one alert is split into several deliveries, each with its own
// idempotency key, so a payload stays a size a receiver accepts.
const MaxDeliveryMatches = 100

// Store is the bbolt file holding alerts, matches and the outbox.
type Store struct {
	db *bolt.DB
}

// OpenStore opens or creates the store at path. It fails quickly with
// failure.Unavailable when another process holds the file.
func OpenStore(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("alert: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, failure.Wrap(failure.Unavailable, err,
			fmt.Sprintf("the alert store %s is in use by another process (a running server?)", path))
	}
	if err != nil {
		return nil, fmt.Errorf("alert: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketAlerts, bucketMatches, bucketTexts, bucketSeen, bucketParagraphs, bucketOutbox} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("alert: init %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Path is the store's file.
func (s *Store) Path() string { return s.db.Path() }

func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("alert: corrupt entry %q: %w", key, err)
	}
	return true, nil
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// PutAlert creates or replaces an alert.
func (s *Store) PutAlert(a *Alert) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketAlerts), []byte(a.ID), a)
	})
}

// Alert returns the alert with id, or failure.NotFound.
func (s *Store) Alert(id string) (*Alert, error) {
	var a Alert
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketAlerts), []byte(id), &a)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, failure.New(failure.NotFound, "no alert %q", id)
	}
	return &a, nil
}

// Alerts returns every alert, oldest first.
func (s *Store) Alerts() ([]*Alert, error) {
	var out []*Alert
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAlerts).ForEach(func(k, v []byte) error {
			var a Alert
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("alert: corrupt alert %q: %w", k, err)
			}
			out = append(out, &a)
			return nil
		})
	})
	sortAlerts(out)
	return out, err
}

// DeleteAlert removes an alert with its matches and pending deliveries.
func (s *Store) DeleteAlert(id string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		alerts := tx.Bucket(bucketAlerts)
		if alerts.Get([]byte(id)) == nil {
			return failure.New(failure.NotFound, "no alert %q", id)
		}
		if err := alerts.Delete([]byte(id)); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketMatches, bucketSeen} {
			b := tx.Bucket(name)
			if b.Bucket([]byte(id)) != nil {
				if err := b.DeleteBucket([]byte(id)); err != nil {
					return err
				}
			}
		}
		out := tx.Bucket(bucketOutbox)
		var drop [][]byte
		err := out.ForEach(func(k, v []byte) error {
			var d Delivery
			if json.Unmarshal(v, &d) == nil && d.AlertID == id {
				drop = append(drop, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range drop {
			if err := out.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// unchecked returns the paragraphs of keys (paragraph id -> check key, see
// checkKey) whose text has not yet been checked against the alerts; record
// marks them checked.
func (s *Store) unchecked(keys map[string]string) (map[string]bool, error) {
	out := map[string]bool{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketParagraphs)
		for id, k := range keys {
			if b.Get([]byte(k)) == nil {
				out[id] = true
			}
		}
		return nil
	})
	return out, err
}

// checkKey identifies a paragraph's text within its record. Keying by
// record and text (not by paragraph number) means a paragraph that only
// moved, because one was inserted above it, is not new.
func checkKey(recordID, textHash string) string { return recordID + "\x00" + textHash }

// record stores, in one transaction, the paragraphs as checked (checked:
// paragraph id -> check key; the matched ones are marked too), each alert's
// new matches (skipping paragraph texts checked by an earlier run, and a
// text repeated within the run), each matched paragraph's
// text once, and webhook deliveries (at most MaxDeliveryMatches matches
// each) per alert with a webhook and new matches. It returns the matches
// actually added, per alert.
func (s *Store) record(checked map[string]string, found map[string][]Match, now time.Time) (map[string][]Match, error) {
	ids := make([]string, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	in := make(chan alertMatches, len(ids))
	for _, id := range ids {
		in <- alertMatches{alertID: id, ms: found[id]}
	}
	close(in)
	return s.recordStream(checked, in, now)
}

// alertMatches is one alert's matches of a run on their way to the store,
// or (err set) the news that the run failed.
type alertMatches struct {
	alertID string
	ms      []Match
	err     error
}

// recordStream is record with the matches arriving on in while the run is
// still matching: the transaction is written alongside, and committed once
// in is closed. An entry with err set rolls everything back. It always
// reads in to the end.
func (s *Store) recordStream(checked map[string]string, in <-chan alertMatches, now time.Time) (map[string][]Match, error) {
	defer func() {
		for range in {
		}
	}()
	added := map[string][]Match{}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // snippets are HTML: keep them readable and short
	encode := func(v any) ([]byte, error) {
		buf.Reset()
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		// bbolt keeps the value until the commit: a copy per Put.
		return bytes.Clone(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		// A paragraph text checked by an earlier run has had its matches
		// recorded then: none is recorded again (OnIndexed does not even
		// match it; this guards the store itself).
		paras := tx.Bucket(bucketParagraphs)
		old := map[string]bool{} // check key -> checked before this run
		isOld := func(k string) (bool, error) {
			o, ok := old[k]
			if !ok {
				o = paras.Get([]byte(k)) != nil
				old[k] = o
				if !o {
					if err := paras.Put([]byte(k), []byte{1}); err != nil {
						return false, err
					}
				}
			}
			return o, nil
		}
		for _, k := range checked {
			if _, err := isOld(k); err != nil {
				return err
			}
		}
		alerts, texts := tx.Bucket(bucketAlerts), tx.Bucket(bucketTexts)
		written := map[string]bool{}
		for am := range in {
			if am.err != nil {
				return am.err
			}
			alertID, ms := am.alertID, am.ms
			raw := alerts.Get([]byte(alertID))
			if raw == nil {
				continue // deleted meanwhile
			}
			var a struct {
				WebhookURL string `json:"webhook_url"`
			}
			if err := json.Unmarshal(raw, &a); err != nil {
				return fmt.Errorf("alert: corrupt alert %q: %w", alertID, err)
			}
			mb, err := tx.Bucket(bucketMatches).CreateBucketIfNotExists([]byte(alertID))
			if err != nil {
				return err
			}
			mb.FillPercent = 0.9     // appended in seq order: pack the pages
			var seen map[string]bool // the same text twice in one record
			for _, m := range ms {
				key := checkKey(m.RecordID, m.TextHash)
				o, err := isOld(key)
				if err != nil {
					return err
				}
				if o || seen[key] {
					continue
				}
				if seen == nil {
					seen = map[string]bool{}
				}
				seen[key] = true
				seq, err := mb.NextSequence()
				if err != nil {
					return err
				}
				m.Seq, m.AlertID, m.Found = seq, alertID, now
				tk := textKey(m.ParagraphID, m.TextHash)
				if !written[string(tk)] {
					written[string(tk)] = true
					if texts.Get(tk) == nil {
						v, err := encode(paraText{
							Title: m.Title, Date: m.Date, Meeting: m.Meeting, Section: m.Section,
							Speakers: m.Speakers, Topics: m.Topics, Text: m.Text,
						})
						if err != nil {
							return err
						}
						if err := texts.Put(tk, v); err != nil {
							return err
						}
					}
				}
				v, err := encode(matchRef{
					Seq: seq, ParagraphID: m.ParagraphID, TextHash: m.TextHash, Found: now,
					RecordID: m.RecordID, N: m.N, SnippetHTML: m.SnippetHTML, Expansions: m.Expansions,
				})
				if err != nil {
					return err
				}
				if err := mb.Put(itob(seq), v); err != nil {
					return err
				}
				added[alertID] = append(added[alertID], m)
			}
			if a.WebhookURL == "" {
				continue
			}
			for chunk := range slices.Chunk(added[alertID], MaxDeliveryMatches) {
				first, last := chunk[0].Seq, chunk[len(chunk)-1].Seq
				d := &Delivery{
					Key:     fmt.Sprintf("%s-webhook-%d-%d", alertID, first, last),
					AlertID: alertID, Channel: ChannelWebhook,
					First: first, Last: last, Created: now, NextAt: now,
				}
				if err := enqueue(tx, d); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("alert: record matches: %w", err)
	}
	return added, nil
}

// readMatch decodes a stored match of alertID, joining its paragraph from
// texts.
func readMatch(tx *bolt.Tx, alertID string, v []byte) (Match, error) {
	var m Match
	if err := json.Unmarshal(v, &m); err != nil {
		return m, fmt.Errorf("alert: corrupt match: %w", err)
	}
	m.AlertID = alertID
	if m.Text != "" {
		return m, nil // written before texts existed: whole
	}
	if raw := tx.Bucket(bucketTexts).Get(textKey(m.ParagraphID, m.TextHash)); raw != nil {
		var p paraText
		if err := json.Unmarshal(raw, &p); err != nil {
			return m, fmt.Errorf("alert: corrupt text of %s: %w", m.ParagraphID, err)
		}
		m.Title, m.Date, m.Meeting, m.Section = p.Title, p.Date, p.Meeting, p.Section
		m.Speakers, m.Topics, m.Text = p.Speakers, p.Topics, p.Text
	}
	return m, nil
}

// matchRange returns alert id's matches with Seq first..last, oldest first.
func (s *Store) matchRange(alertID string, first, last uint64) ([]Match, error) {
	var out []Match
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMatches).Bucket([]byte(alertID))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(itob(first)); k != nil && binary.BigEndian.Uint64(k) <= last; k, v = c.Next() {
			m, err := readMatch(tx, alertID, v)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

func enqueue(tx *bolt.Tx, d *Delivery) error {
	out := tx.Bucket(bucketOutbox)
	seq, err := out.NextSequence()
	if err != nil {
		return err
	}
	d.Seq = seq
	return putJSON(out, itob(seq), d)
}

// MatchCount is the number of matches recorded for an alert.
func (s *Store) MatchCount(alertID string) (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketMatches).Bucket([]byte(alertID)); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	return n, err
}

// Matches returns an alert's matches newest first, skipping offset, at most
// limit, with the total.
func (s *Store) Matches(alertID string, offset, limit int) ([]Match, int, error) {
	var out []Match
	total := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMatches).Bucket([]byte(alertID))
		if b == nil {
			return nil
		}
		total = b.Stats().KeyN
		c := b.Cursor()
		i := 0
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			if i++; i <= offset {
				continue
			}
			m, err := readMatch(tx, alertID, v)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, total, err
}

// queueEmail moves an alert's matches after its email cursor into an email
// delivery when due(alert) says a digest is due, in one transaction. It
// returns the delivery, or nil when nothing was queued.
func (s *Store) queueEmail(alertID string, now time.Time, due func(*Alert) bool) (*Delivery, error) {
	var queued *Delivery
	err := s.db.Update(func(tx *bolt.Tx) error {
		alerts := tx.Bucket(bucketAlerts)
		var a Alert
		ok, err := getJSON(alerts, []byte(alertID), &a)
		if err != nil || !ok || a.Email == "" || !a.Active || !due(&a) {
			return err
		}
		mb := tx.Bucket(bucketMatches).Bucket([]byte(alertID))
		if mb == nil {
			return nil
		}
		k, _ := mb.Cursor().Last()
		if k == nil || binary.BigEndian.Uint64(k) <= a.EmailCursor {
			return nil
		}
		first, last := a.EmailCursor+1, binary.BigEndian.Uint64(k)
		d := &Delivery{
			Key:     fmt.Sprintf("%s-email-%d-%d", alertID, first, last),
			AlertID: alertID, Channel: ChannelEmail, First: first, Last: last, Created: now, NextAt: now,
		}
		if err := enqueue(tx, d); err != nil {
			return err
		}
		a.EmailCursor, a.LastEmail = last, now
		queued = d
		return putJSON(alerts, []byte(alertID), &a)
	})
	return queued, err
}

// lastMatchSeq is the Seq of an alert's newest match, 0 when none.
func (s *Store) lastMatchSeq(alertID string) (uint64, error) {
	var seq uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketMatches).Bucket([]byte(alertID)); b != nil {
			if k, _ := b.Cursor().Last(); k != nil {
				seq = binary.BigEndian.Uint64(k)
			}
		}
		return nil
	})
	return seq, err
}

// Outbox returns every pending delivery, oldest first.
func (s *Store) Outbox() ([]*Delivery, error) {
	var out []*Delivery
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			var d Delivery
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("alert: corrupt delivery: %w", err)
			}
			out = append(out, &d)
			return nil
		})
	})
	return out, err
}

// delivered removes a delivery from the outbox.
func (s *Store) delivered(seq uint64) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).Delete(itob(seq))
	})
}

// failed records a failed attempt and when to try again.
func (s *Store) failed(d *Delivery) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		out := tx.Bucket(bucketOutbox)
		if out.Get(itob(d.Seq)) == nil {
			return nil // delivered or dropped meanwhile
		}
		return putJSON(out, itob(d.Seq), d)
	})
}
