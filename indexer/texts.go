package indexer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/klauspost/compress/s2"
	bolt "go.etcd.io/bbolt"

	"dialoguesearch/corpus"
)

// The paragraphs' texts are stored once, in the record store's texts
// bucket: per record version (id and hash, as the record), its paragraphs'
// numbers and texts (encodeTexts). The index does not store them (it
// analyses them). A hit's text and snippet, the record page, comparisons,
// lineage and the linker all read them from there.
//
// A record's texts are compressed in groups of consecutive paragraphs of
// about textGroupBytes, each group its own S2 block (klauspost/compress,
// snappy's format extended) with a CRC, so that a hit decodes its group
// and not the whole record. zstd compresses better but decodes slower: on
// the 100k benchmark corpus the index was 177.6 MB with one zstd frame per
// record, 184.0 MB with zstd per 2 KB group and 193.9 MB with S2 per 2 KB
// group, and reading the hits' texts cost about twice as much CPU with
// whole zstd records as with S2 groups (docs/benchmarks.md).
const textGroupBytes = 2048

// encodeTexts is the stored form of rec's paragraph texts (uvarints):
//
//	paragraphs, then each paragraph's number and text length
//	groups, then each group's paragraph count, block length and the
//	block's CRC-32C (4 bytes, little-endian)
//	the groups' blocks: each the S2 of its paragraphs' texts, joined
func encodeTexts(rec *corpus.Record) []byte {
	type group struct{ paragraphs, size int }
	var groups []group
	raw := 0
	for i, p := range rec.Paragraphs {
		if i == 0 || groups[len(groups)-1].size >= textGroupBytes {
			groups = append(groups, group{})
		}
		g := &groups[len(groups)-1]
		g.paragraphs++
		g.size += len(p.Text)
		raw += len(p.Text)
	}
	blocks := make([]byte, 0, raw/2+64)
	lens := make([]int, len(groups))
	sums := make([]uint32, len(groups))
	var buf, enc []byte
	at := 0
	for i, g := range groups {
		buf = buf[:0]
		for _, p := range rec.Paragraphs[at : at+g.paragraphs] {
			buf = append(buf, p.Text...)
		}
		at += g.paragraphs
		enc = s2.EncodeBetter(enc[:cap(enc)], buf)
		blocks = append(blocks, enc...)
		lens[i] = len(enc)
		sums[i] = crc32.Checksum(enc, castagnoli)
	}
	b := make([]byte, 0, len(blocks)+(2+2*len(rec.Paragraphs)+3*len(groups))*binary.MaxVarintLen32)
	b = binary.AppendUvarint(b, uint64(len(rec.Paragraphs)))
	for _, p := range rec.Paragraphs {
		b = binary.AppendUvarint(b, uint64(p.N))
		b = binary.AppendUvarint(b, uint64(len(p.Text)))
	}
	b = binary.AppendUvarint(b, uint64(len(groups)))
	for i, g := range groups {
		b = binary.AppendUvarint(b, uint64(g.paragraphs))
		b = binary.AppendUvarint(b, uint64(lens[i]))
		b = binary.LittleEndian.AppendUint32(b, sums[i])
	}
	return append(b, blocks...)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// storedTexts is the header of a stored form of encodeTexts, parsed.
type storedTexts struct {
	ns, lens []int // per paragraph: its number, its text's length
	groups   []textGroup
}

type textGroup struct {
	first, count int    // the group's paragraphs
	sum          uint32 // CRC-32C of block
	block        []byte // their texts, S2
}

// parseTexts parses the header of b; ok is false when b is damaged.
func parseTexts(b []byte) (t storedTexts, ok bool) {
	next := func() (int, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > 1<<40 {
			return 0, false
		}
		b = b[n:]
		return int(v), true
	}
	count, ok := next()
	if !ok || count > len(b) {
		return t, false
	}
	t.ns, t.lens = make([]int, count), make([]int, count)
	for i := range count {
		n, ok1 := next()
		l, ok2 := next()
		if !ok1 || !ok2 {
			return t, false
		}
		t.ns[i], t.lens[i] = n, l
	}
	groups, ok := next()
	if !ok || groups > count || groups > len(b) {
		return t, false
	}
	t.groups = make([]textGroup, groups)
	lens := make([]int, groups)
	first := 0
	for i := range t.groups {
		c, ok1 := next()
		l, ok2 := next()
		if !ok1 || !ok2 || c > count-first || len(b) < 4 {
			return t, false
		}
		t.groups[i] = textGroup{first: first, count: c, sum: binary.LittleEndian.Uint32(b)}
		b = b[4:]
		lens[i] = l
		first += c
	}
	if first != count {
		return t, false
	}
	for i, l := range lens {
		if l > len(b) {
			return t, false
		}
		t.groups[i].block, b = b[:l], b[l:]
	}
	return t, len(b) == 0
}

// decode returns the texts of group g's paragraphs, one string for all of
// them (each text a piece of it); ok is false when the block is damaged.
func (t *storedTexts) decode(g textGroup, buf []byte) (texts []string, _ []byte, ok bool) {
	total := 0
	for _, l := range t.lens[g.first : g.first+g.count] {
		total += l
	}
	if crc32.Checksum(g.block, castagnoli) != g.sum {
		return nil, buf, false
	}
	if n, err := s2.DecodedLen(g.block); err != nil || n != total {
		return nil, buf, false
	}
	if cap(buf) < total {
		buf = make([]byte, total)
	}
	buf, err := s2.Decode(buf[:cap(buf)], g.block)
	if err != nil || len(buf) != total {
		return nil, buf, false
	}
	all := string(buf)
	texts = make([]string, g.count)
	at := 0
	for i, l := range t.lens[g.first : g.first+g.count] {
		texts[i] = all[at : at+l]
		at += l
	}
	return texts, buf, true
}

// decodeTexts reads what encodeTexts wrote into a record holding only
// the paragraphs' numbers and texts; ok is false when z is damaged.
func decodeTexts(z []byte, id string) (rec *corpus.Record, ok bool) {
	t, ok := parseTexts(z)
	if !ok {
		return nil, false
	}
	rec = &corpus.Record{ID: id, Paragraphs: make([]corpus.Paragraph, len(t.ns))}
	var buf []byte
	for _, g := range t.groups {
		var texts []string
		if texts, buf, ok = t.decode(g, buf); !ok {
			return nil, false
		}
		for i, s := range texts {
			rec.Paragraphs[g.first+i] = corpus.Paragraph{N: t.ns[g.first+i], Text: s}
		}
	}
	return rec, true
}

// errTextsGone: the texts of a record version are not stored.
var errTextsGone = errors.New("indexer: record version's texts no longer stored")

// damagedTexts is the error of a stored texts entry that does not decode.
func damagedTexts(id string) error {
	return fmt.Errorf("indexer: record %s: its stored paragraph texts are damaged (the index is derived from the corpus: delete index-v%d in the data dir to rebuild it)", id, Version)
}

func textsGone(id, hash string) error {
	return fmt.Errorf("indexer: record %s: no paragraph texts stored for its version %.12s", id, hash)
}

// viewTexts calls f with the stored texts of each record version of keys
// (storeKey; nil when not stored), read in one transaction: z is valid
// only during the call.
func (s *recordStore) viewTexts(keys [][]byte, f func(i int, z []byte) error) error {
	if s.db == nil {
		s.mu.RLock()
		defer s.mu.RUnlock()
		for i, k := range keys {
			if err := f(i, s.txts[string(k)]); err != nil {
				return err
			}
		}
		return nil
	}
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(textsBucket)
		for i, k := range keys {
			if err := f(i, b.Get(k)); err != nil {
				return err
			}
		}
		return nil
	})
}

// texts returns the paragraph numbers and texts of record id at version
// hash (errTextsGone when not stored).
func (s *recordStore) texts(id, hash string) (r *corpus.Record, err error) {
	err = s.viewTexts([][]byte{storeKey(id, hash)}, func(_ int, z []byte) error {
		if z == nil {
			return errTextsGone
		}
		var ok bool
		if r, ok = decodeTexts(z, id); !ok {
			return damagedTexts(id)
		}
		return nil
	})
	return r, err
}

// internalReader reads the internal values of one index snapshot.
type internalReader interface {
	GetInternal(key []byte) ([]byte, error)
}

// fillTexts sets the text, snippet and expansions of hits from the texts
// of the record versions that snapshot rd names: the texts of the page's
// records in one read, and of each record only the groups of its hits
// decoded, once.
func (x *Index) fillTexts(rd internalReader, hits []Hit, p *searchPlan) error {
	if len(hits) == 0 {
		return nil
	}
	var keys [][]byte
	var of [][]int // per record of the page, its hits
	at := map[string]int{}
	for i, h := range hits {
		if r, ok := at[h.RecordID]; ok {
			of[r] = append(of[r], i)
			continue
		}
		v, err := rd.GetInternal([]byte(manifestPrefix + h.RecordID))
		if err != nil {
			return fmt.Errorf("indexer: record %s: %w", h.RecordID, err)
		}
		if len(v) == 0 {
			return fmt.Errorf("indexer: record %s: the index names no version of it", h.RecordID)
		}
		at[h.RecordID] = len(keys)
		keys = append(keys, storeKey(h.RecordID, string(v)))
		of = append(of, []int{i})
	}
	var buf []byte
	err := x.store.viewTexts(keys, func(r int, z []byte) error {
		id := hits[of[r][0]].RecordID
		if z == nil {
			_, hash, _ := splitStoreKey(keys[r])
			return textsGone(id, hash)
		}
		t, ok := parseTexts(z)
		if !ok {
			return damagedTexts(id)
		}
		decoded := map[int][]string{} // group -> its texts
		for _, i := range of[r] {
			h := &hits[i]
			j := -1
			for k, n := range t.ns {
				if n == h.N {
					j = k
					break
				}
			}
			if j < 0 {
				return fmt.Errorf("indexer: hit %s: paragraph %d is not in the stored texts of record %s", h.ID, h.N, id)
			}
			g := 0
			for g+1 < len(t.groups) && t.groups[g+1].first <= j {
				g++
			}
			texts, ok := decoded[g]
			if !ok {
				if texts, buf, ok = t.decode(t.groups[g], buf); !ok {
					return damagedTexts(id)
				}
				decoded[g] = texts
			}
			h.Text = texts[j-t.groups[g].first]
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := range hits {
		hits[i].SnippetHTML, hits[i].Expansions = highlight(x.analyzer, p.c, hits[i].Text)
	}
	return nil
}
