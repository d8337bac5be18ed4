package indexer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"

	"dialoguesearch/corpus"
)

// recordStore keeps every indexed record beside the bleve index: its JSON
// without the paragraphs' texts (zstd-compressed), its paragraphs' texts
// (texts.go: the one copy of them, which hits, the record page and lineage
// read), and its manifest entry (summary, glossary, paragraph count) read
// once at Open. Entries are keyed by record
// id and content hash, so a new version is written next to the old one and
// the old one is deleted only after the index points at the new one: the
// bleve index (internal key manifestPrefix+id -> hash, written in the same
// batch as the record's paragraphs) says which version is current.
//
// The records are not bleve internal values because scorch rewrites all of
// its internal values with every snapshot it persists: 70 MB of record JSON
// written again for each batch made root.bolt 240 MB at 100k paragraphs.
type recordStore struct {
	db *bolt.DB // nil: in memory

	mu   sync.RWMutex // guards meta, recs, txts and kv of an in-memory store
	meta map[string][]byte
	recs map[string][]byte
	txts map[string][]byte
	kv   map[string]map[string][]byte // bucket -> key -> value (lineage.go)

	lmu    sync.Mutex                // guards lcache
	lcache map[string]*storedLineage // decoded lineages, dropped on every write (lineage.go)
}

const storeFile = "records.bolt"

// Buckets of the record store, keyed by record id and hash (storeKey);
// lineage.go adds its own.
//
//	meta:    the manifest entry (storedMeta, JSON)
//	records: the record's JSON without its paragraphs' texts, zstd
//	texts:   its paragraphs' numbers and texts (encodeTexts, texts.go)
var (
	metaBucket    = []byte("meta")
	recordsBucket = []byte("records")
	textsBucket   = []byte("texts")
)

// storedRecord is one record version to write.
type storedRecord struct {
	id, hash string
	rec      *corpus.Record
	entry    manifestEntry
}

// storedMeta is the manifest entry as stored (the hash is in the key).
type storedMeta struct {
	Summary  RecordSummary     `json:"summary"`
	Glossary map[string]string `json:"glossary,omitempty"`
	Texts    int               `json:"texts"`
}

var (
	zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	zdec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
)

func storeKey(id, hash string) []byte {
	return []byte(id + "\x00" + hash)
}

func splitStoreKey(k []byte) (id, hash string, ok bool) {
	id, hash, ok = strings.Cut(string(k), "\x00")
	return
}

func newMemoryStore() *recordStore {
	return &recordStore{meta: map[string][]byte{}, recs: map[string][]byte{}, txts: map[string][]byte{}}
}

// openRecordStore opens (creating) the store at path. fresh is for a
// build into a temporary directory: no fsync per write (sync is called
// once before the directory is swapped in).
func openRecordStore(path string, fresh bool) (*recordStore, error) {
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: openTimeout, NoSync: fresh, NoFreelistSync: true})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, err
		}
		return nil, fmt.Errorf("indexer: open %s: %w", path, err)
	}
	db.AllocSize = 1 << 20 // grow the file by 1 MB, not 16 MB
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{metaBucket, recordsBucket, textsBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("indexer: open %s: %w", path, err)
	}
	return &recordStore{db: db}, nil
}

// encode returns the stored forms of r: meta JSON, the compressed JSON of
// the record without its paragraphs' texts, and the texts (encodeTexts).
func (r *storedRecord) encode() (meta, rec, texts []byte, err error) {
	meta, err = json.Marshal(storedMeta{Summary: r.entry.Summary, Glossary: r.entry.Glossary, Texts: r.entry.Texts})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("indexer: encode record %s: %w", r.id, err)
	}
	skel := *r.rec
	skel.Paragraphs = make([]corpus.Paragraph, len(r.rec.Paragraphs))
	for i, p := range r.rec.Paragraphs {
		p.Text = ""
		skel.Paragraphs[i] = p
	}
	b, err := json.Marshal(&skel)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("indexer: encode record %s: %w", r.id, err)
	}
	return meta, zenc.EncodeAll(b, nil), encodeTexts(r.rec), nil
}

// put writes recs (entry, record and texts of each) in one transaction.
func (s *recordStore) put(recs []storedRecord) error {
	if len(recs) == 0 {
		return nil
	}
	type enc struct{ key, meta, rec, texts []byte }
	encs := make([]enc, len(recs))
	for i := range recs {
		m, r, t, err := recs[i].encode()
		if err != nil {
			return err
		}
		encs[i] = enc{storeKey(recs[i].id, recs[i].hash), m, r, t}
	}
	if s.db == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, e := range encs {
			s.meta[string(e.key)] = e.meta
			s.recs[string(e.key)] = e.rec
			s.txts[string(e.key)] = e.texts
		}
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		mb, rb, tb := tx.Bucket(metaBucket), tx.Bucket(recordsBucket), tx.Bucket(textsBucket)
		for _, e := range encs {
			if err := mb.Put(e.key, e.meta); err != nil {
				return err
			}
			if err := rb.Put(e.key, e.rec); err != nil {
				return err
			}
			if err := tb.Put(e.key, e.texts); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("indexer: write records: %w", err)
	}
	return nil
}

// get returns record id at version hash with its paragraphs' texts, read
// in one transaction: nil when the version is not stored.
func (s *recordStore) get(id, hash string) (*corpus.Record, error) {
	key := storeKey(id, hash)
	var z, zt []byte
	if s.db == nil {
		s.mu.RLock()
		z, zt = s.recs[string(key)], s.txts[string(key)]
		s.mu.RUnlock()
	} else {
		err := s.db.View(func(tx *bolt.Tx) error {
			if v := tx.Bucket(recordsBucket).Get(key); v != nil {
				z = bytes.Clone(v)
			}
			if v := tx.Bucket(textsBucket).Get(key); v != nil {
				zt = bytes.Clone(v)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("indexer: record %s: %w", id, err)
		}
	}
	if z == nil {
		return nil, nil
	}
	b, err := zdec.DecodeAll(z, nil)
	if err != nil {
		return nil, fmt.Errorf("indexer: record %s: %w", id, err)
	}
	var r corpus.Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("indexer: record %s: %w", id, err)
	}
	if zt == nil {
		return nil, textsGone(id, hash)
	}
	t, ok := decodeTexts(zt, id)
	if !ok {
		return nil, damagedTexts(id)
	}
	if len(t.Paragraphs) != len(r.Paragraphs) {
		return nil, damagedTexts(id)
	}
	for i := range r.Paragraphs {
		if t.Paragraphs[i].N != r.Paragraphs[i].N {
			return nil, damagedTexts(id)
		}
		r.Paragraphs[i].Text = t.Paragraphs[i].Text
	}
	return &r, nil
}

// remove deletes the given (id, hash) versions: entry, record and texts.
func (s *recordStore) remove(keys [][2]string) error {
	if len(keys) == 0 {
		return nil
	}
	if s.db == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, k := range keys {
			key := string(storeKey(k[0], k[1]))
			delete(s.meta, key)
			delete(s.recs, key)
			delete(s.txts, key)
		}
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		mb, rb, tb := tx.Bucket(metaBucket), tx.Bucket(recordsBucket), tx.Bucket(textsBucket)
		for _, k := range keys {
			key := storeKey(k[0], k[1])
			if err := mb.Delete(key); err != nil {
				return err
			}
			if err := rb.Delete(key); err != nil {
				return err
			}
			if err := tb.Delete(key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("indexer: delete records: %w", err)
	}
	return nil
}

// load reads the manifest: the stored versions that current(id) names.
// Versions it does not name (left by an update that crashed before or
// after its index batch) are deleted.
func (s *recordStore) load(current func(id string) (string, error)) (map[string]manifestEntry, error) {
	m := map[string]manifestEntry{}
	var stale [][2]string
	visit := func(k, v []byte) error {
		id, hash, ok := splitStoreKey(k)
		if !ok {
			return fmt.Errorf("bad key %q", k)
		}
		cur, err := current(id)
		if err != nil {
			return err
		}
		if cur != hash {
			stale = append(stale, [2]string{id, hash})
			return nil
		}
		var sm storedMeta
		if err := json.Unmarshal(v, &sm); err != nil {
			return fmt.Errorf("record %s: %w", id, err)
		}
		m[id] = manifestEntry{Hash: hash, Summary: sm.Summary, Glossary: sm.Glossary, Texts: sm.Texts}
		return nil
	}
	var err error
	if s.db == nil {
		s.mu.RLock()
		for k, v := range s.meta {
			if err = visit([]byte(k), v); err != nil {
				break
			}
		}
		s.mu.RUnlock()
	} else {
		err = s.db.View(func(tx *bolt.Tx) error {
			return tx.Bucket(metaBucket).ForEach(visit)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("indexer: read manifest: %w", err)
	}
	if err := s.remove(stale); err != nil {
		return nil, err
	}
	return m, nil
}

// sync flushes a store opened fresh to disk.
func (s *recordStore) sync() error {
	if s.db == nil {
		return nil
	}
	return s.db.Sync()
}

func (s *recordStore) close() error {
	if s.db == nil {
		return nil
	}
	return s.db.Close()
}

// compactBolt rewrites the bolt file at path with full pages, in key order.
// A fresh build's stores are written batch by batch in no key order, which
// leaves their pages half full (records.bolt at 100k paragraphs: 24 MB for
// 11 MB of pages in use; scorch's root.bolt: 4 MB). Only for a closed file.
func compactBolt(path string) error {
	src, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true, Timeout: openTimeout})
	if err != nil {
		return fmt.Errorf("indexer: compact %s: %w", path, err)
	}
	defer src.Close()
	tmp := path + ".compact"
	dst, err := bolt.Open(tmp, 0o644, &bolt.Options{Timeout: openTimeout, NoFreelistSync: true})
	if err != nil {
		return fmt.Errorf("indexer: compact %s: %w", path, err)
	}
	dst.AllocSize = 64 << 10 // grow by what is written, not to the next power of two
	err = bolt.Compact(dst, src, 64<<20)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("indexer: compact %s: %w", path, err)
	}
	return nil
}
