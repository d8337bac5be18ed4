package alert

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

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
//	paragraphs  record id + "\x00" + text hash of every paragraph text checked
//	outbox      seq -> Delivery (JSON): webhook posts and emails not yet sent
//	meta        "schema" -> the layout's version (8 bytes, big endian)
//	seen        record id -> record version hash checked by the alerts (store_seen.go)
//
// A match keeps only what is particular to its alert (the snippet); the
// paragraph it matched is kept once in texts, however many alerts it
// matched: a new record matching thousands of alerts writes its text once,
// not once per alert. OpenStore migrates a file of an older layout once
// (store_migrate.go), so reads know only this one.
var (
	bucketAlerts     = []byte("alerts")
	bucketMatches    = []byte("matches")
	bucketTexts      = []byte("texts")
	bucketParagraphs = []byte("paragraphs")
	bucketOutbox     = []byte("outbox")
	bucketMeta       = []byte("meta")
)

// Store is the bbolt file holding alerts, matches and the outbox.
type Store struct {
	db *bolt.DB

	faultMu    sync.Mutex
	failWrites func() bool // Service.SetWriteFault
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
		for _, b := range [][]byte{bucketAlerts, bucketMatches, bucketTexts, bucketParagraphs, bucketOutbox, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return migrate(tx)
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
		if matches := tx.Bucket(bucketMatches); matches.Bucket([]byte(id)) != nil {
			if err := matches.DeleteBucket([]byte(id)); err != nil {
				return err
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
