package indexer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/lineage"
)

// Paragraph links across the editions of a series (package lineage) are
// derived data like the index: computed when records enter it, for a new
// or changed record against its neighbours only, stored in the record
// store, rebuilt with the index. Reads never recompute them.
//
// Buckets of the record store:
//
//	lineage:      record id -> storedLineage (its place, the pair with its predecessor, restored links)
//	lineage-from: older record id \x00 newer record id -> "" (who links from a record)
//
// The texts that a comparison shows are the record store's (texts bucket,
// texts.go), one read per record.
var (
	lineageBucket     = []byte("lineage")
	lineageFromBucket = []byte("lineage-from")
)

// storedLineage is what the index keeps of a record's place in its series.
type storedLineage struct {
	Place    lineage.Place          `json:"place"`
	Hash     string                 `json:"hash"`                // the record version it was computed for
	PrevHash string                 `json:"prev_hash,omitempty"` // and its predecessor's
	Pair     *lineage.Pair          `json:"pair,omitempty"`
	Restored []lineage.RestoredLink `json:"restored,omitempty"`
}

// restoreDepth is how many editions before the predecessor are searched
// for dropped paragraphs that come back.
const restoreDepth = 3

// maxRestoreCandidates bounds the dropped paragraphs compared with a new
// edition's new ones.
const maxRestoreCandidates = 200

func (l *storedLineage) sources() []string {
	var out []string
	if l.Pair != nil {
		out = append(out, l.Pair.Old)
	}
	for _, r := range l.Restored {
		out = append(out, r.Record)
	}
	return out
}

// kv helpers over the record store's extra buckets (in memory: maps).

func (s *recordStore) kvGet(bucket []byte, key string) ([]byte, error) {
	if s.db == nil {
		s.mu.RLock()
		defer s.mu.RUnlock()
		return s.kv[string(bucket)][key], nil
	}
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucket); b != nil {
			if v := b.Get([]byte(key)); v != nil {
				out = bytes.Clone(v)
			}
		}
		return nil
	})
	return out, err
}

// kvPrefix returns the keys of bucket starting with prefix.
func (s *recordStore) kvPrefix(bucket []byte, prefix string) ([]string, error) {
	var out []string
	if s.db == nil {
		s.mu.RLock()
		defer s.mu.RUnlock()
		for k := range s.kv[string(bucket)] {
			if strings.HasPrefix(k, prefix) {
				out = append(out, k)
			}
		}
		sort.Strings(out)
		return out, nil
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.Seek([]byte(prefix)); k != nil && bytes.HasPrefix(k, []byte(prefix)); k, _ = c.Next() {
			out = append(out, string(k))
		}
		return nil
	})
	return out, err
}

// kvWrite applies puts (nil value: delete) to buckets in one transaction.
type kvOp struct {
	bucket []byte
	key    string
	val    []byte // nil: delete
}

func (s *recordStore) kvWrite(ops []kvOp) error {
	if len(ops) == 0 {
		return nil
	}
	defer func() {
		s.lmu.Lock()
		s.lcache = nil
		s.lmu.Unlock()
	}()
	if s.db == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.kv == nil {
			s.kv = map[string]map[string][]byte{}
		}
		for _, o := range ops {
			m := s.kv[string(o.bucket)]
			if m == nil {
				m = map[string][]byte{}
				s.kv[string(o.bucket)] = m
			}
			if o.val == nil {
				delete(m, o.key)
			} else {
				m[o.key] = o.val
			}
		}
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, o := range ops {
			b, err := tx.CreateBucketIfNotExists(o.bucket)
			if err != nil {
				return err
			}
			if o.val == nil {
				err = b.Delete([]byte(o.key))
			} else {
				err = b.Put([]byte(o.key), o.val)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("indexer: write lineage: %w", err)
	}
	return nil
}

// lineageOf returns the stored lineage of record id (nil when none),
// decoded once and kept until the next write: a clause's history reads
// the links of every edition it spans. Callers must not change it.
func (s *recordStore) lineageOf(id string) (*storedLineage, error) {
	s.lmu.Lock()
	l, ok := s.lcache[id]
	s.lmu.Unlock()
	if ok {
		return l, nil
	}
	b, err := s.kvGet(lineageBucket, id)
	if err != nil {
		return nil, err
	}
	if b != nil {
		l = &storedLineage{}
		if err := json.Unmarshal(zdecode(b), l); err != nil {
			return nil, fmt.Errorf("indexer: lineage of %s: %w", id, err)
		}
	}
	s.lmu.Lock()
	if s.lcache == nil {
		s.lcache = map[string]*storedLineage{}
	}
	s.lcache[id] = l
	s.lmu.Unlock()
	return l, nil
}

func zdecode(b []byte) []byte {
	out, err := zdec.DecodeAll(b, nil)
	if err != nil {
		return b
	}
	return out
}

// linker computes the links of the records an update touched.
type linker struct {
	store    *recordStore
	manifest map[string]manifestEntry
	// mem holds the records of the update; others are read with load.
	mem  map[string]*corpus.Record
	load func(id string) (*corpus.Record, error)
	// built: a fresh build, whose records' texts are in the store already
	// and are read back from it (load), mem keeping the last linkerRecords
	// read (in order) rather than the whole corpus
	built bool
	order []string
	// cache of stored lineages read or written during this update
	stored map[string]*storedLineage
	// lk aligns, keeping each record's paragraphs prepared for the next pair
	lk *lineage.Linker
}

func (k *linker) record(id string) (*corpus.Record, error) {
	if r := k.mem[id]; r != nil {
		return r, nil
	}
	r, err := k.load(id)
	if err != nil {
		return nil, err
	}
	if k.built {
		if len(k.order) == linkerRecords {
			delete(k.mem, k.order[0])
			k.order = append(k.order[:0], k.order[1:]...)
		}
		k.order = append(k.order, id)
	}
	k.mem[id] = r
	return r, nil
}

// linkerRecords is how many records a fresh build's linker keeps read:
// it links series in edition order, and a restore looks at most a few
// editions back (lineage keeps as many prepared).
const linkerRecords = 64

func (k *linker) lineageOf(id string) (*storedLineage, error) {
	if l, ok := k.stored[id]; ok {
		return l, nil
	}
	l, err := k.store.lineageOf(id)
	if err != nil {
		return nil, err
	}
	k.stored[id] = l
	return l, nil
}

// link updates the stored links of the series that the records in
// touched (ids, added, changed or removed) belong or belonged to.
// removedSeries gives the series of removed records.
func (k *linker) link(ctx context.Context, touched map[string]bool, series map[string]bool) error {
	k.stored = map[string]*storedLineage{}
	k.lk = lineage.NewLinker()
	var entries []lineage.Entry
	for id, e := range k.manifest {
		if series[e.Summary.Meeting.Series] {
			entries = append(entries, lineage.Entry{ID: id, Kind: e.Summary.Kind, Series: e.Summary.Meeting.Series, Number: e.Summary.Meeting.Number, Date: e.Summary.Date, Paragraphs: e.Summary.Paragraphs})
		}
	}
	plan := lineage.Plan(entries)
	ids := make([]string, 0, len(plan))
	for id := range plan {
		ids = append(ids, id)
	}
	// earlier editions first: a record's restores read its predecessors' pairs
	sort.Slice(ids, func(i, j int) bool {
		a, b := plan[ids[i]], plan[ids[j]]
		if a.Series != b.Series {
			return a.Series < b.Series
		}
		if a.Edition != b.Edition {
			return a.Edition < b.Edition
		}
		return ids[i] < ids[j]
	})
	var ops []kvOp
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := plan[id]
		old, err := k.lineageOf(id)
		if err != nil {
			return err
		}
		hash := k.manifest[id].Hash
		prevHash := ""
		if p.Prev != "" {
			prevHash = k.manifest[p.Prev].Hash
		}
		if old != nil && !touched[id] && old.Hash == hash && old.PrevHash == prevHash && old.Place == p && !restoreSourceTouched(old, touched) {
			continue
		}
		nl := &storedLineage{Place: p, Hash: hash, PrevHash: prevHash}
		if p.Prev != "" {
			prev, err := k.record(p.Prev)
			if err != nil {
				return err
			}
			rec, err := k.record(id)
			if err != nil {
				return err
			}
			pr := k.lk.Align(prev, rec, p.CrossKind)
			nl.Pair = &pr
			if !p.CrossKind && len(pr.Added) > 0 {
				earlier, err := k.droppedBefore(plan, p.Prev)
				if err != nil {
					return err
				}
				nl.Restored = k.lk.Restore(earlier, rec, pr.Added)
				if len(nl.Restored) > 0 {
					restored := map[int]bool{}
					for _, r := range nl.Restored {
						restored[r.To] = true
					}
					added := pr.Added[:0:0]
					for _, n := range pr.Added {
						if !restored[n] {
							added = append(added, n)
						}
					}
					pr.Added = added
				}
			}
		}
		if old != nil {
			for _, src := range old.sources() {
				ops = append(ops, kvOp{lineageFromBucket, src + "\x00" + id, nil})
			}
		}
		for _, src := range nl.sources() {
			ops = append(ops, kvOp{lineageFromBucket, src + "\x00" + id, []byte{}})
		}
		b, err := json.Marshal(nl)
		if err != nil {
			return fmt.Errorf("indexer: lineage of %s: %w", id, err)
		}
		ops = append(ops, kvOp{lineageBucket, id, zenc.EncodeAll(b, nil)})
		k.stored[id] = nl
		if len(ops) > 512 {
			if err := k.store.kvWrite(ops); err != nil {
				return err
			}
			ops = ops[:0]
		}
	}
	// removed records, and records that left every series
	for id := range touched {
		if _, ok := plan[id]; ok {
			continue
		}
		old, err := k.lineageOf(id)
		if err != nil {
			return err
		}
		if old == nil {
			continue
		}
		for _, src := range old.sources() {
			ops = append(ops, kvOp{lineageFromBucket, src + "\x00" + id, nil})
		}
		ops = append(ops, kvOp{lineageBucket, id, nil})
	}
	return k.store.kvWrite(ops)
}

func restoreSourceTouched(l *storedLineage, touched map[string]bool) bool {
	for _, r := range l.Restored {
		if touched[r.Record] {
			return true
		}
	}
	return false
}

// droppedBefore returns the paragraphs dropped from the editions before
// prev (up to restoreDepth of them, same kind): candidates to come back.
func (k *linker) droppedBefore(plan map[string]lineage.Place, prev string) ([]lineage.Earlier, error) {
	var out []lineage.Earlier
	cur := prev
	for depth := 0; depth < restoreDepth && cur != ""; depth++ {
		l, err := k.lineageOf(cur)
		if err != nil {
			return nil, err
		}
		if l == nil || l.Pair == nil || l.Place.CrossKind {
			break
		}
		if len(l.Pair.Dropped) > 0 {
			older, err := k.record(l.Pair.Old)
			if err != nil {
				return nil, err
			}
			for _, n := range l.Pair.Dropped {
				if len(out) == maxRestoreCandidates {
					return out, nil
				}
				out = append(out, lineage.Earlier{Record: older, N: n})
			}
		}
		cur = l.Pair.Old
	}
	return out, nil
}

// linkAfterUpdate updates the stored links for changes, once they are in
// the index (bi and store) and manifest.
func (x *Index) linkAfterUpdate(ctx context.Context, store *recordStore, changes []change, manifest map[string]manifestEntry, load func(string) (*corpus.Record, error), st *UpdateStats) error {
	start := time.Now()
	defer func() { st.LinkTime = time.Since(start) }()
	touched := map[string]bool{}
	series := map[string]bool{}
	mem := map[string]*corpus.Record{}
	for _, c := range changes {
		touched[c.id] = true
		if c.rec != nil {
			mem[c.id] = c.rec
			series[c.rec.Meeting.Series] = true
		}
		if c.old != nil {
			series[c.old.Meeting.Series] = true
		}
	}
	delete(series, "")
	k := &linker{store: store, manifest: manifest, mem: mem, load: load}
	return k.link(ctx, touched, series)
}

// linkBuilt computes the links of the series of a fresh build (the index
// in store and manifest), reading the records' texts back from store.
func (x *Index) linkBuilt(ctx context.Context, store *recordStore, series map[string]bool, manifest map[string]manifestEntry, st *UpdateStats) error {
	start := time.Now()
	defer func() { st.LinkTime = time.Since(start) }()
	delete(series, "")
	load := func(id string) (*corpus.Record, error) {
		r, err := store.texts(id, manifest[id].Hash)
		if err == errTextsGone {
			return nil, fmt.Errorf("indexer: link: the texts of record %s are not in the build", id)
		}
		return r, err
	}
	k := &linker{store: store, manifest: manifest, mem: map[string]*corpus.Record{}, load: load, built: true}
	return k.link(ctx, map[string]bool{}, series)
}

// texts returns record id's paragraph numbers and texts, of the version
// the manifest names; callers hold x.mu.RLock (the version stays stored
// until a new manifest is published).
func (x *Index) texts(id string) (*corpus.Record, error) {
	e, ok := x.manifest[id]
	if !ok {
		return nil, failure.New(failure.NotFound, "no record %q", id)
	}
	r, err := x.store.texts(id, e.Hash)
	if err == errTextsGone {
		return nil, textsGone(id, e.Hash)
	}
	return r, err
}

// splitParagraphID splits "record-p12" into the record id and 12.
func splitParagraphID(id string) (string, int, bool) {
	i := strings.LastIndex(id, "-p")
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(id[i+2:])
	if err != nil || n < 1 {
		return "", 0, false
	}
	return id[:i], n, true
}

var errNoParagraph = failure.New(failure.NotFound, "no such paragraph")
