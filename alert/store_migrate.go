package alert

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout of alerts.db this code reads and writes (see
// the bucket layout in store.go). A file without a version is of layout 1.
//
//	1  matches held the whole paragraph; a "seen" bucket per alert; webhook
//	   deliveries carried their matches inside
//	2  a match keeps its paragraph in texts; deliveries name a Seq range
const SchemaVersion = 2

var keySchema = []byte("schema")

// migrate brings a store of an older layout to SchemaVersion, once, inside
// OpenStore's transaction: a crash leaves the old file as it was. A store of
// a newer layout is refused rather than misread.
func migrate(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	v := uint64(1)
	if b := meta.Get(keySchema); len(b) == 8 {
		v = binary.BigEndian.Uint64(b)
	}
	if v > SchemaVersion {
		return fmt.Errorf("alert: the store has layout %d, newer than this program's %d: use a newer dialoguesearch", v, SchemaVersion)
	}
	if v == 1 {
		if err := migrateV1(tx); err != nil {
			return fmt.Errorf("alert: migrate from layout 1: %w", err)
		}
	}
	if v == SchemaVersion {
		return nil
	}
	return meta.Put(keySchema, itob(SchemaVersion))
}

// migrateV1 moves whole matches' paragraphs into texts, drops the seen
// buckets, and turns the matches carried inside a delivery into the Seq
// range they were recorded under.
func migrateV1(tx *bolt.Tx) error {
	texts := tx.Bucket(bucketTexts)
	matches := tx.Bucket(bucketMatches)
	var alertIDs [][]byte
	if err := matches.ForEach(func(k, v []byte) error {
		if v == nil {
			alertIDs = append(alertIDs, append([]byte(nil), k...))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, id := range alertIDs {
		mb := matches.Bucket(id)
		type entry struct {
			key []byte
			m   Match
		}
		var whole []entry
		err := mb.ForEach(func(k, v []byte) error {
			var m Match
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("corrupt match %x of %s: %w", k, id, err)
			}
			if m.Text != "" {
				whole = append(whole, entry{append([]byte(nil), k...), m})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range whole {
			if tk := textKey(e.m.ParagraphID, e.m.TextHash); texts.Get(tk) == nil {
				if err := putJSON(texts, tk, e.m.paraText); err != nil {
					return err
				}
			}
			if err := putJSON(mb, e.key, e.m.matchRef); err != nil {
				return err
			}
		}
	}
	if tx.Bucket([]byte("seen")) != nil {
		if err := tx.DeleteBucket([]byte("seen")); err != nil {
			return err
		}
	}
	// A layout-1 delivery carried the matches of one run of one alert,
	// recorded under consecutive Seqs: it becomes their range.
	out := tx.Bucket(bucketOutbox)
	type oldDelivery struct {
		Delivery
		Matches []Match `json:"matches"`
	}
	changed := map[string]*oldDelivery{}
	err := out.ForEach(func(k, v []byte) error {
		var d oldDelivery
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("corrupt delivery %x: %w", k, err)
		}
		if len(d.Matches) == 0 || d.Last != 0 {
			return nil
		}
		d.First, d.Last = d.Matches[0].Seq, d.Matches[0].Seq
		for _, m := range d.Matches {
			d.First, d.Last = min(d.First, m.Seq), max(d.Last, m.Seq)
		}
		changed[string(k)] = &d
		return nil
	})
	if err != nil {
		return err
	}
	for k, d := range changed {
		if err := putJSON(out, []byte(k), &d.Delivery); err != nil {
			return err
		}
	}
	return nil
}
