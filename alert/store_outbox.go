package alert

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

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
	First     uint64    `json:"first"`
	Last      uint64    `json:"last"`
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
	if d.Last == 0 {
		return 0
	}
	return int(d.Last - d.First + 1)
}

// MaxDeliveryMatches caps the matches of one webhook delivery: a run with
// more for one alert is split into several deliveries, each with its own
// idempotency key, so a payload stays a size a receiver accepts.
const MaxDeliveryMatches = 100

// enqueue adds d to the outbox under the next sequence number, within tx.
func enqueue(tx *bolt.Tx, d *Delivery) error {
	out := tx.Bucket(bucketOutbox)
	seq, err := out.NextSequence()
	if err != nil {
		return err
	}
	d.Seq = seq
	return putJSON(out, itob(seq), d)
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
