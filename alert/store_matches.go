package alert

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"dialoguesearch/corpus"
)

// Match is one new paragraph that matched an alert, recorded once: what is
// particular to the alert (matchRef, kept in the matches bucket) and the
// paragraph (paraText, kept once in the texts bucket however many alerts it
// matched).
type Match struct {
	matchRef
	AlertID string `json:"alert_id"`
	paraText
	// URL links to the paragraph in its record; filled when shown, not stored.
	URL string `json:"url,omitempty"`
}

// matchRef is a Match as the matches bucket keeps it: the paragraph's text
// and record data are in the texts bucket under textKey.
type matchRef struct {
	Seq         uint64    `json:"seq"` // per alert, increasing: newest has the highest
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

// textKey is the key of a paragraph text in the texts bucket.
func textKey(paragraphID, textHash string) []byte {
	return []byte(paragraphID + "\x00" + textHash)
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
	if err := s.fault(); err != nil {
		return nil, err
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
		// In key order: bbolt inserts each key into its leaf's sorted list
		// (split only at the commit), so keys in map order move half the
		// list on every Put (1.0 s of CPU for a fresh build's 47,991
		// paragraphs), keys in order append.
		keys := make([]string, 0, len(checked))
		for _, k := range checked {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
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
						v, err := encode(m.paraText)
						if err != nil {
							return err
						}
						if err := texts.Put(tk, v); err != nil {
							return err
						}
					}
				}
				v, err := encode(m.matchRef)
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
	m := Match{AlertID: alertID}
	if err := json.Unmarshal(v, &m.matchRef); err != nil {
		return m, fmt.Errorf("alert: corrupt match: %w", err)
	}
	if raw := tx.Bucket(bucketTexts).Get(textKey(m.ParagraphID, m.TextHash)); raw != nil {
		if err := json.Unmarshal(raw, &m.paraText); err != nil {
			return m, fmt.Errorf("alert: corrupt text of %s: %w", m.ParagraphID, err)
		}
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
