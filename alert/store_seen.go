package alert

import (
	"errors"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// bucketSeen holds the alerts' watermark: record id -> the hash of the
// record version whose paragraphs the alerts have checked. The index's
// versions (indexer.Index.Versions) against these say what the alerts have
// not seen yet, across failures and restarts.
var bucketSeen = []byte("seen")

// ErrInjectedFault is the error of a write failed on purpose by
// Service.SetWriteFault.
var ErrInjectedFault = errors.New("alert: injected write fault")

// Seen returns the record versions the alerts have checked.
func (s *Service) Seen() (map[string]string, error) {
	out := map[string]string{}
	err := s.store.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSeen)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			out[string(k)] = string(v)
			return nil
		})
	})
	return out, err
}

// SetSeen records that the alerts have checked the paragraphs of these
// record versions (and of no others): the watermark after a complete run.
func (s *Service) SetSeen(versions map[string]string) error {
	if err := s.store.fault(); err != nil {
		return err
	}
	return s.store.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSeen) != nil {
			if err := tx.DeleteBucket(bucketSeen); err != nil {
				return err
			}
		}
		b, err := tx.CreateBucket(bucketSeen)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(versions))
		for id := range versions {
			ids = append(ids, id)
		}
		slices.Sort(ids) // bbolt appends keys in order, moves the rest
		for _, id := range ids {
			if err := b.Put([]byte(id), []byte(versions[id])); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetWriteFault makes every later write of matches and of the watermark
// fail with ErrInjectedFault while fail returns true: fault injection for
// tests of what a failing alerts.db does to the rest (a real one cannot be
// made to fail on cue). nil removes it.
func (s *Service) SetWriteFault(fail func() bool) {
	s.store.faultMu.Lock()
	defer s.store.faultMu.Unlock()
	s.store.failWrites = fail
}

func (s *Store) fault() error {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if s.failWrites != nil && s.failWrites() {
		return ErrInjectedFault
	}
	return nil
}
