package indexer

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"

	"dialoguesearch/corpus"
)

// recordStore keeps every indexed record beside the bleve index: its JSON
// without the paragraphs' texts, its paragraphs' texts
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

	codecp atomic.Pointer[storeCodec] // of the texts and JSON (texts.go); nil: noDictCodec
	dictMu sync.Mutex                 // held while the dictionaries are trained
}

const storeFile = "records.bolt"

// Buckets of the record store, keyed by record id and hash (storeKey);
// lineage.go adds its own.
//
//	meta:    the manifest entry (storedMeta, JSON), zstd
//	records: the record's JSON without its paragraphs' texts, zstd
//	texts:   its paragraphs' numbers and texts (storeCodec.encode, texts.go)
//
// and one keyed by name, of the store's zstd dictionaries (storeCodec in
// texts.go: trained on the first write of enough texts, stored before it):
//
//	dicts:   "texts" of the texts, "json" of the meta and records JSON,
//	         each after its CRC-32C (4 bytes, little-endian)
//
// (meta and records at 100k paragraphs: 3.8 and 4.2 MB without the JSON
// dictionary, 1.1 and 2.6 MB with it).
var (
	metaBucket    = []byte("meta")
	recordsBucket = []byte("records")
	textsBucket   = []byte("texts")
	dictsBucket   = []byte("dicts")
	textsDictKey  = []byte("texts")
	jsonDictKey   = []byte("json")
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

// storePageSize is the page size of a new store (an existing file keeps
// its own). Most of the store is the texts, a value of several KB per
// record: with 4 KB pages, bolt's leaves (at least two values each, on
// whole pages) left a fifth of the texts' pages empty (records.bolt at
// 100k paragraphs after the compaction: 38.0 MB with 4 KB pages, 34.0 MB
// with 32 KB, 33.3 MB with 64 KB, whose leaves each update rewrites).
const storePageSize = 32 << 10

// openRecordStore opens (creating) the store at path. fresh is for a
// build into a temporary directory: no fsync per write (sync is called
// once before the directory is swapped in).
func openRecordStore(path string, fresh bool) (*recordStore, error) {
	opts := &bolt.Options{Timeout: openTimeout, NoSync: fresh, NoFreelistSync: true}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		// (for a file that exists, bolt reads the page size from it;
		// told one, it judges a damaged file by that one instead)
		opts.PageSize = storePageSize
	}
	db, err := bolt.Open(path, 0o644, opts)
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, err
		}
		return nil, fmt.Errorf("indexer: open %s: %w", path, err)
	}
	db.AllocSize = 1 << 20 // grow the file by 1 MB, not 16 MB
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{metaBucket, recordsBucket, textsBucket, dictsBucket} {
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
	s := &recordStore{db: db}
	var dicts [2][]byte
	db.View(func(tx *bolt.Tx) error {
		for i, k := range [][]byte{textsDictKey, jsonDictKey} {
			if v := tx.Bucket(dictsBucket).Get(k); len(v) >= 4 && crc32.Checksum(v[4:], castagnoli) == binary.LittleEndian.Uint32(v) {
				dicts[i] = bytes.Clone(v[4:])
			}
		}
		return nil
	})
	// A damaged dictionary is left out: what was compressed with it is
	// then damaged (an error when read).
	if dicts[0] != nil || dicts[1] != nil {
		c, err := newStoreCodec(dicts[0], dicts[1])
		if err != nil {
			c = noDictCodec
		}
		s.codecp.Store(c)
	}
	return s, nil
}

// codec is the codec of s's texts and JSON.
func (s *recordStore) codec() *storeCodec {
	if c := s.codecp.Load(); c != nil {
		return c
	}
	return noDictCodec
}

// codecFor returns the codec to write recs with (jsons: their meta and
// records JSON): once a write of enough texts comes, the dictionaries are
// trained on it and stored first.
func (s *recordStore) codecFor(recs []storedRecord, jsons [][]byte) (*storeCodec, error) {
	if c := s.codecp.Load(); c != nil {
		return c, nil
	}
	s.dictMu.Lock()
	defer s.dictMu.Unlock()
	if c := s.codecp.Load(); c != nil {
		return c, nil
	}
	td, jd := trainDicts(recs, jsons)
	if td == nil && jd == nil {
		return noDictCodec, nil
	}
	c, err := newStoreCodec(td, jd)
	if err != nil {
		return noDictCodec, nil
	}
	if s.db != nil {
		err := s.db.Update(func(tx *bolt.Tx) error {
			for _, d := range []struct{ key, dict []byte }{{textsDictKey, td}, {jsonDictKey, jd}} {
				if d.dict == nil {
					continue
				}
				v := binary.LittleEndian.AppendUint32(make([]byte, 0, 4+len(d.dict)), crc32.Checksum(d.dict, castagnoli))
				if err := tx.Bucket(dictsBucket).Put(d.key, append(v, d.dict...)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("indexer: write records: %w", err)
		}
	}
	s.codecp.Store(c)
	return c, nil
}

// json returns the JSON of r's manifest entry and of the record without
// its paragraphs' texts.
func (r *storedRecord) json() (meta, rec []byte, err error) {
	meta, err = json.Marshal(storedMeta{Summary: r.entry.Summary, Glossary: r.entry.Glossary, Texts: r.entry.Texts})
	if err != nil {
		return nil, nil, fmt.Errorf("indexer: encode record %s: %w", r.id, err)
	}
	skel := *r.rec
	skel.Paragraphs = make([]corpus.Paragraph, len(r.rec.Paragraphs))
	for i, p := range r.rec.Paragraphs {
		p.Text = ""
		skel.Paragraphs[i] = p
	}
	rec, err = json.Marshal(&skel)
	if err != nil {
		return nil, nil, fmt.Errorf("indexer: encode record %s: %w", r.id, err)
	}
	return meta, rec, nil
}

// put writes recs (entry, record and texts of each) in one transaction.
func (s *recordStore) put(recs []storedRecord) error {
	if len(recs) == 0 {
		return nil
	}
	type enc struct{ key, meta, rec, texts []byte }
	encs := make([]enc, len(recs))
	jsons := make([][]byte, 0, 2*len(recs))
	for i := range recs {
		m, r, err := recs[i].json()
		if err != nil {
			return err
		}
		encs[i] = enc{storeKey(recs[i].id, recs[i].hash), m, r, nil}
		jsons = append(jsons, m, r)
	}
	codec, err := s.codecFor(recs, jsons)
	if err != nil {
		return err
	}
	for i := range encs {
		e := &encs[i]
		e.meta = codec.jsonEnc.EncodeAll(e.meta, nil)
		e.rec = codec.jsonEnc.EncodeAll(e.rec, nil)
		e.texts = codec.encode(recs[i].rec)
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
	err = s.db.Update(func(tx *bolt.Tx) error {
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
	codec := s.codec()
	b, err := codec.dec.DecodeAll(z, nil)
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
	t, ok := codec.decode(zt, id)
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
	codec := s.codec()
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
		b, err := codec.dec.DecodeAll(v, nil)
		if err != nil {
			return fmt.Errorf("record %s: %w", id, err)
		}
		var sm storedMeta
		if err := json.Unmarshal(b, &sm); err != nil {
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
	// the page size of the source: scorch's root.bolt keeps the OS's
	dst, err := bolt.Open(tmp, 0o644, &bolt.Options{Timeout: openTimeout, NoFreelistSync: true, PageSize: src.Info().PageSize})
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
