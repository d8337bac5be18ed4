package indexer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"runtime"

	"github.com/klauspost/compress/dict"
	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"

	"dialoguesearch/corpus"
)

// The paragraphs' texts are stored once, in the record store's texts
// bucket: per record version (id and hash, as the record), its paragraphs'
// numbers and texts (storeCodec.encode). The index does not store them (it
// analyses them). A hit's text and snippet, the record page, comparisons,
// lineage and the linker all read them from there.
//
// Each paragraph's text is its own zstd frame, compressed with the store's
// dictionary (trainDicts: trained on the first write of enough texts,
// which for a fresh build is its first batch), so that a hit decodes its
// own paragraph and nothing else, at about S2's cost per hit, while the
// dictionary (the corpus's common words and phrases, and entropy tables
// that small frames would otherwise each carry) gives nearly zstd's ratio
// of large blocks. On the 100k benchmark corpus (54 MB of text): S2 per
// 2 KB group 38.0 MB; zstd with the dictionary per paragraph 20.9 MB at
// about 2 us per hit, per 2 KB group 17.2 MB but about 10 us per hit
// (docs/benchmarks.md). A store without a dictionary (fewer texts than
// textDictMinSample so far) writes plain zstd frames. The frames of
// consecutive paragraphs of about textGroupBytes of text share a CRC.
const textGroupBytes = 2048

// zstdMagic begins every zstd frame; the stored frames omit it.
var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// The zstd dictionary ids of a store's dictionaries (one byte in each
// frame's header): of the texts, and of the meta and records JSON.
const (
	textDictID = 1
	jsonDictID = 2
)

// storeCodec compresses and decompresses the paragraphs' texts and the
// meta and records JSON of one store, with its dictionaries when it has
// them. Safe for concurrent use.
type storeCodec struct {
	textDict, jsonDict []byte // zstd dictionaries; nil: none
	textEnc, jsonEnc   *zstd.Encoder
	dec                *zstd.Decoder // of both
}

func newStoreCodec(textDict, jsonDict []byte) (*storeCodec, error) {
	c := &storeCodec{textDict: textDict, jsonDict: jsonDict}
	do := []zstd.DOption{zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(1 << 28)}
	for _, d := range []struct {
		dict []byte
		enc  **zstd.Encoder
		crc  bool // the texts have a CRC per group (below)
	}{{textDict, &c.textEnc, false}, {jsonDict, &c.jsonEnc, true}} {
		eo := []zstd.EOption{
			// SpeedBetterCompression: texts 4% smaller, but each
			// encoder state 21 MB where this one takes 0.7 MB
			zstd.WithEncoderLevel(zstd.SpeedFastest),
			zstd.WithEncoderConcurrency(min(runtime.GOMAXPROCS(0), 4)),
			zstd.WithEncoderCRC(d.crc),
		}
		if d.dict != nil {
			eo = append(eo, zstd.WithEncoderDict(d.dict))
			do = append(do, zstd.WithDecoderDicts(d.dict))
		}
		var err error
		if *d.enc, err = zstd.NewWriter(nil, eo...); err != nil {
			return nil, err
		}
	}
	var err error
	if c.dec, err = zstd.NewReader(nil, do...); err != nil {
		return nil, err
	}
	return c, nil
}

// noDictCodec is the codec of a store without dictionaries.
var noDictCodec = func() *storeCodec {
	c, err := newStoreCodec(nil, nil)
	if err != nil {
		panic(err)
	}
	return c
}()

// Training the texts dictionary (dict.BuildZstdDict: the common substrings
// of the samples, and zstd's entropy tables for them): on samples of about
// textGroupBytes of consecutive paragraphs (better than single paragraphs),
// from at least textDictMinSample bytes of text, at most textDictMaxSample.
const (
	textDictMinSample = 256 << 10
	textDictMaxSample = 2 << 20
	textDictMaxSize   = 112 << 10
)

// trainDicts returns the dictionaries of the texts and of the JSON (meta
// and records, from the samples jsons) trained on recs, or nil when their
// texts are too few.
func trainDicts(recs []storedRecord, jsons [][]byte) (text, js []byte) {
	var samples [][]byte
	total := 0
	var cur []byte
	for _, r := range recs {
		for i, p := range r.rec.Paragraphs {
			if i == 0 || len(cur) >= textGroupBytes {
				if len(cur) > 0 {
					samples = append(samples, cur)
				}
				cur = nil
			}
			cur = append(cur, p.Text...)
			total += len(p.Text)
		}
		if total >= textDictMaxSample {
			break
		}
	}
	if len(cur) > 0 {
		samples = append(samples, cur)
	}
	if total < textDictMinSample {
		return nil, nil
	}
	train := func(samples [][]byte, id uint32) []byte {
		d, err := dict.BuildZstdDict(samples, dict.Options{
			MaxDictSize: textDictMaxSize,
			HashBytes:   6,
			ZstdDictID:  id,
			ZstdLevel:   zstd.SpeedFastest,
		})
		if err != nil {
			return nil // stored without a dictionary
		}
		return d
	}
	return train(samples, textDictID), train(jsons, jsonDictID)
}

// encode is the stored form of rec's paragraph texts (uvarints):
//
//	paragraphs, then each paragraph's number and frame length (0: an
//	empty text)
//	groups, then each group's paragraph count and the CRC-32C of its
//	paragraphs' frames (4 bytes, little-endian)
//	the frames: each paragraph's text, zstd without the magic number
func (c *storeCodec) encode(rec *corpus.Record) []byte {
	frames := make([]byte, 0, 1024)
	lens := make([]int, len(rec.Paragraphs))
	type group struct {
		paragraphs, text int
		sum              uint32
	}
	var groups []group
	var enc []byte
	for i, p := range rec.Paragraphs {
		if i == 0 || groups[len(groups)-1].text >= textGroupBytes {
			groups = append(groups, group{})
		}
		g := &groups[len(groups)-1]
		g.paragraphs++
		g.text += len(p.Text)
		if p.Text == "" {
			continue
		}
		enc = c.textEnc.EncodeAll([]byte(p.Text), enc[:0])
		f := enc[len(zstdMagic):]
		frames = append(frames, f...)
		lens[i] = len(f)
		g.sum = crc32.Update(g.sum, castagnoli, f)
	}
	b := make([]byte, 0, len(frames)+(2+2*len(rec.Paragraphs))*binary.MaxVarintLen32+len(groups)*(4+binary.MaxVarintLen32))
	b = binary.AppendUvarint(b, uint64(len(rec.Paragraphs)))
	for i, p := range rec.Paragraphs {
		b = binary.AppendUvarint(b, uint64(p.N))
		b = binary.AppendUvarint(b, uint64(lens[i]))
	}
	b = binary.AppendUvarint(b, uint64(len(groups)))
	for _, g := range groups {
		b = binary.AppendUvarint(b, uint64(g.paragraphs))
		b = binary.LittleEndian.AppendUint32(b, g.sum)
	}
	return append(b, frames...)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// storedTexts is a stored form of storeCodec.encode, parsed.
type storedTexts struct {
	ns     []int    // per paragraph: its number
	frames [][]byte // per paragraph: its frame (empty: an empty text)
	groups []textGroup
}

type textGroup struct {
	first, count int    // the group's paragraphs
	sum          uint32 // CRC-32C of their frames
	frames       []byte // their frames, joined
}

// parseTexts parses b; ok is false when b is damaged.
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
	t.ns = make([]int, count)
	lens := make([]int, count)
	for i := range count {
		n, ok1 := next()
		l, ok2 := next()
		if !ok1 || !ok2 {
			return t, false
		}
		t.ns[i], lens[i] = n, l
	}
	groups, ok := next()
	if !ok || groups > count || groups > len(b) {
		return t, false
	}
	t.groups = make([]textGroup, groups)
	first := 0
	for i := range t.groups {
		c, ok := next()
		if !ok || c > count-first || len(b) < 4 {
			return t, false
		}
		t.groups[i] = textGroup{first: first, count: c, sum: binary.LittleEndian.Uint32(b)}
		b = b[4:]
		first += c
	}
	if first != count {
		return t, false
	}
	t.frames = make([][]byte, count)
	for gi := range t.groups {
		g := &t.groups[gi]
		start := b
		size := 0
		for i := g.first; i < g.first+g.count; i++ {
			if lens[i] > len(b) {
				return t, false
			}
			t.frames[i], b = b[:lens[i]:lens[i]], b[lens[i]:]
			size += lens[i]
		}
		g.frames = start[:size]
	}
	return t, len(b) == 0
}

// check reports whether the frames of group g are undamaged (their CRC).
func (g *textGroup) check() bool {
	return crc32.Checksum(g.frames, castagnoli) == g.sum
}

// paragraph returns the text of paragraph i of t (its group checked
// already), using buf for the frame; ok is false when it does not decode.
func (c *storeCodec) paragraph(t *storedTexts, i int, buf []byte) (text string, _ []byte, ok bool) {
	f := t.frames[i]
	if len(f) == 0 {
		return "", buf, true
	}
	buf = append(append(buf[:0], zstdMagic...), f...)
	n := len(buf)
	out, err := c.dec.DecodeAll(buf, buf[n:])
	if err != nil {
		return "", buf, false
	}
	return string(out), out[:0], true
}

// decode reads what encode wrote into a record holding only the
// paragraphs' numbers and texts; ok is false when z is damaged.
func (c *storeCodec) decode(z []byte, id string) (rec *corpus.Record, ok bool) {
	t, ok := parseTexts(z)
	if !ok {
		return nil, false
	}
	rec = &corpus.Record{ID: id, Paragraphs: make([]corpus.Paragraph, len(t.ns))}
	var buf []byte
	for gi := range t.groups {
		g := &t.groups[gi]
		if !g.check() {
			return nil, false
		}
		for i := g.first; i < g.first+g.count; i++ {
			var s string
			if s, buf, ok = c.paragraph(&t, i, buf); !ok {
				return nil, false
			}
			rec.Paragraphs[i] = corpus.Paragraph{N: t.ns[i], Text: s}
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
		if r, ok = s.codec().decode(z, id); !ok {
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
// records in one read, and of each record only its hits' paragraphs
// decoded (their groups' CRCs checked, each once).
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
	codec := x.store.codec()
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
		checked := map[int]bool{} // groups whose CRC is checked
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
			if !checked[g] {
				if !t.groups[g].check() {
					return damagedTexts(id)
				}
				checked[g] = true
			}
			if h.Text, buf, ok = codec.paragraph(&t, j, buf); !ok {
				return damagedTexts(id)
			}
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
