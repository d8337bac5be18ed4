package indexer

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Facet counting from in-memory columns.
//
// bleve counts facets by reading every match's doc values (decompressing
// chunks and keying a map by the value string), which was 70% of a search's
// time. Instead, each index segment gets, once, a column per facet: for every
// document of the segment the ordinals of its values (the layout of Lucene's
// SortedSetDocValues, built here from the facet fields' postings). A search
// then counts by ordinal while it collects its matches, in the same pass that
// applies the facet filters, so disjunctive counts (a selected facet counted
// as if its own selection were absent) need no second search.
//
// Segments are immutable, so a segment's columns stay valid for its life;
// ordinals are per index (one dictionary per facet that only grows), so the
// columns of different segments share them.

// facetDict numbers the values of all facets: one ordinal space, each
// ordinal knowing its facet.
type facetDict struct {
	ids     map[facetKey]uint32
	values  []string
	facetOf []uint8
	// the ordinals of each column field, in their order
	ofFacet [][]uint32
}

type facetKey struct {
	facet uint8
	value string
}

func (d *facetDict) id(f int, v string) uint32 {
	k := facetKey{uint8(f), v}
	if id, ok := d.ids[k]; ok {
		return id
	}
	id := uint32(len(d.values))
	d.ids[k] = id
	d.values = append(d.values, v)
	d.facetOf = append(d.facetOf, uint8(f))
	if d.ofFacet == nil {
		d.ofFacet = make([][]uint32, len(columnFields))
	}
	d.ofFacet[f] = append(d.ofFacet[f], id)
	return id
}

// segColumns holds the facet value ordinals of each document of a segment,
// all facets together: ords[off[doc]:off[doc+1]].
//
// For the bitmap path (search_term.go), which counts the matches of a
// segment at once, it also knows which column fields hold the record's
// values (series, meeting, kind, year, location: every paragraph of a
// record in the segment has the same; recMask), each document's record
// (recOf, numbered in the segment) and each record's values of those fields
// (recVal): a count by record then gives those facets' counts in one pass
// over the records, not one per match. The other fields (speakers, sides,
// topics, which are the paragraph's) have their own column (docOff,
// docOrd).
type segColumns struct {
	off []uint32
	ord []uint32

	recMask   uint32   // column fields counted through the records, recordColumn among them
	recOf     []uint32 // per document: its record in the segment
	recOrd    []uint32 // per record of the segment: its ordinal
	recValOff []uint32 // per record: its values of the recMask fields,
	recVal    []uint32 // recVal[recValOff[r]:recValOff[r+1]]
	docMask   uint32   // the other column fields
	docOff    []uint32 // their sparse values, per document
	docOrd    []uint32
	denseOrd  []uint32          // their values in 1/denseShare of the documents or more,
	denseDocs []*roaring.Bitmap // counted by intersection (dense bitmaps: 1,024 words)

	// the segment's dates, sorted, and each document's as its rank among
	// them plus one, 0 for none (dates.go)
	dates  []string
	dateOf []uint32

	// the block maxima and frequencies of the frequent text terms, and
	// each document's norm of the text field (search_bounds.go)
	terms map[string]*termBlocks
	norms []float32

	// the same of the pairs field's frequent terms, read on first use
	// (pairBlocks), and the documents' norms of the pairs field
	pairMu    sync.Mutex
	pairTerms map[string]*termBlocks // nil: fewer than minBoundDocs documents
	pairNorms []float32
}

func (c *segColumns) values(doc uint64) []uint32 {
	return c.ord[c.off[doc]:c.off[doc+1]]
}

// facetCache is the columns of the segments of an index.
type facetCache struct {
	mu   sync.Mutex
	dict facetDict
	segs map[segment.Segment]*segColumns
	rank []uint32 // snapColumns.rank of the whole dictionary; made anew when it grows
}

func newFacetCache() *facetCache {
	return &facetCache{dict: facetDict{ids: map[facetKey]uint32{}}, segs: map[segment.Segment]*segColumns{}}
}

// snapColumns is the view of one index snapshot: its segments' columns in
// order with the global document number each starts at, and the ordinal
// dictionary (ordinal -> value, facet) as it was.
type snapColumns struct {
	starts  []uint64
	segs    []*segColumns
	values  []string
	facetOf []uint8
	ofFacet [][]uint32 // per column field, its ordinals (those of values)
	// rank is each ordinal's place among its field's values in byte order,
	// so that the facet lists break ties in count without comparing the
	// strings
	rank  []uint32
	cache *facetCache
}

// ordOf returns the ordinal of value v of column field f, if the snapshot
// has it.
func (s *snapColumns) ordOf(f int, v string) (uint32, bool) {
	s.cache.mu.Lock()
	ord, ok := s.cache.dict.ids[facetKey{uint8(f), v}]
	s.cache.mu.Unlock()
	return ord, ok && int(ord) < len(s.values)
}

// columns returns the columns of snap, building those of segments not seen
// before and forgetting those of segments snap no longer has.
func (c *facetCache) columns(snap *scorch.IndexSnapshot) (*snapColumns, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ss := snap.Segments()
	out := &snapColumns{starts: make([]uint64, len(ss)), segs: make([]*segColumns, len(ss)), cache: c}
	var terms [][]string // per facet, the values of the snapshot; read when a segment is new
	var text []string    // the frequent text terms, likewise
	live := make(map[segment.Segment]bool, len(ss))
	var start uint64
	for i, s := range ss {
		seg := s.Segment()
		live[seg] = true
		out.starts[i] = start
		start += seg.Count()
		cols := c.segs[seg]
		if cols == nil {
			if terms == nil {
				var err error
				if terms, err = facetTerms(snap); err != nil {
					return nil, err
				}
			}
			var err error
			if cols, err = c.build(seg, terms); err != nil {
				return nil, err
			}
			if text == nil {
				if text, err = textTerms(snap); err != nil {
					return nil, err
				}
			}
			if cols.terms, cols.norms, err = blockMaxima(seg, text); err != nil {
				return nil, err
			}
			c.segs[seg] = cols
		}
		out.segs[i] = cols
	}
	for seg := range c.segs {
		if !live[seg] {
			delete(c.segs, seg)
		}
	}
	n := len(c.dict.values)
	out.values, out.facetOf = c.dict.values[:n:n], c.dict.facetOf[:n:n]
	out.ofFacet = make([][]uint32, len(c.dict.ofFacet))
	for f, ords := range c.dict.ofFacet {
		out.ofFacet[f] = ords[:len(ords):len(ords)]
	}
	if len(c.rank) != n {
		// A new slice: the snapshots being searched keep theirs.
		rank := make([]uint32, n)
		var byValue []uint32
		for _, ords := range c.dict.ofFacet {
			byValue = append(byValue[:0], ords...)
			slices.SortFunc(byValue, func(a, b uint32) int { return strings.Compare(c.dict.values[a], c.dict.values[b]) })
			for i, o := range byValue {
				rank[o] = uint32(i)
			}
		}
		c.rank = rank
	}
	out.rank = c.rank
	return out, nil
}

// columnFields are the fields the columns hold: the facets, then the record
// id, which is no facet a user filters on but gives, in the same pass, the
// number of records a search matches and the matches of each record.
var columnFields = append(slices.Clip(FacetNames), fRecordID)

// recordColumn is the index of the record id in columnFields.
var recordColumn = len(FacetNames)

// facetTerms lists the values of every column field in snap.
func facetTerms(snap *scorch.IndexSnapshot) ([][]string, error) {
	out := make([][]string, len(columnFields))
	for f, name := range columnFields {
		d, err := snap.FieldDict(facetField(name))
		if err != nil {
			return nil, fmt.Errorf("indexer: facet %s: %w", name, err)
		}
		for {
			e, err := d.Next()
			if err != nil {
				d.Close()
				return nil, fmt.Errorf("indexer: facet %s: %w", name, err)
			}
			if e == nil {
				break
			}
			out[f] = append(out[f], e.Term)
		}
		d.Close()
	}
	return out, nil
}

// build reads the postings of every facet value in seg into columns.
func (c *facetCache) build(seg segment.Segment, terms [][]string) (*segColumns, error) {
	n := seg.Count()
	type pair struct{ doc, ord uint32 }
	var pairs []pair
	cols := &segColumns{}
	for f, name := range columnFields {
		dict, err := seg.Dictionary(facetField(name))
		if err != nil {
			return nil, fmt.Errorf("indexer: facet %s: %w", name, err)
		}
		for _, t := range terms[f] {
			pl, err := dict.PostingsList([]byte(t), nil, nil)
			if err != nil {
				return nil, fmt.Errorf("indexer: facet %s=%s: %w", name, t, err)
			}
			if pl == nil || pl.Count() == 0 {
				continue
			}
			ord := c.dict.id(f, t)
			it := pl.Iterator(false, false, false, nil)
			for {
				p, err := it.Next()
				if err != nil {
					return nil, fmt.Errorf("indexer: facet %s=%s: %w", name, t, err)
				}
				if p == nil {
					break
				}
				pairs = append(pairs, pair{uint32(p.Number()), ord})
			}
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if a.doc != b.doc {
			return cmp.Compare(a.doc, b.doc)
		}
		return cmp.Compare(a.ord, b.ord)
	})
	cols.off, cols.ord = make([]uint32, n+1), make([]uint32, len(pairs))
	for i, p := range pairs {
		cols.off[p.doc+1]++
		cols.ord[i] = p.ord
	}
	for d := uint64(1); d <= n; d++ {
		cols.off[d] += cols.off[d-1]
	}
	cols.byRecord(c.dict.facetOf)
	var err error
	if cols.dates, cols.dateOf, err = segDates(seg); err != nil {
		return nil, err
	}
	return cols, nil
}

// byRecord fills the record side of cols: which fields are the record's in
// this segment, each document's record and each record's values.
func (cols *segColumns) byRecord(facetOf []uint8) {
	n := len(cols.off) - 1
	all := uint32(1)<<len(columnFields) - 1
	cols.recMask, cols.docMask = 0, all
	recOf := make([]uint32, n)
	first := []int{} // per record of the segment: its first document
	local := map[uint32]uint32{}
	for d := 0; d < n; d++ {
		rec := ^uint32(0)
		for _, o := range cols.ord[cols.off[d]:cols.off[d+1]] {
			if int(facetOf[o]) == recordColumn {
				rec = o
				break
			}
		}
		if rec == ^uint32(0) {
			return // a document without a record: every field by document
		}
		r, ok := local[rec]
		if !ok {
			r = uint32(len(first))
			local[rec] = r
			first = append(first, d)
			cols.recOrd = append(cols.recOrd, rec)
		}
		recOf[d] = r
	}
	// A field is the record's when every document has its record's first
	// document's values of it.
	same := all &^ (1 << recordColumn)
	for d := 0; d < n; d++ {
		f0 := first[recOf[d]]
		if f0 == d {
			continue
		}
		a, b := cols.ord[cols.off[d]:cols.off[d+1]], cols.ord[cols.off[f0]:cols.off[f0+1]]
		for f := range columnFields {
			if same&(1<<f) != 0 && !sameField(a, b, uint8(f), facetOf) {
				same &^= 1 << f
			}
		}
	}
	cols.recMask = same | 1<<recordColumn
	cols.docMask = all &^ cols.recMask
	cols.recOf = recOf
	cols.recValOff = make([]uint32, len(first)+1)
	for r, d := range first {
		for _, o := range cols.ord[cols.off[d]:cols.off[d+1]] {
			if f := facetOf[o]; int(f) != recordColumn && same&(1<<f) != 0 {
				cols.recVal = append(cols.recVal, o)
			}
		}
		cols.recValOff[r+1] = uint32(len(cols.recVal))
	}
	// The paragraph's values: the frequent ones as bitmaps, the others
	// in the column.
	perOrd := map[uint32]int{}
	for _, o := range cols.ord {
		if cols.docMask&(1<<facetOf[o]) != 0 {
			perOrd[o]++
		}
	}
	dense := map[uint32]*roaring.Bitmap{}
	if n >= minDenseDocs {
		for o, c := range perOrd {
			if c*denseShare >= n {
				dense[o] = roaring.New()
				cols.denseOrd = append(cols.denseOrd, o)
			}
		}
		slices.Sort(cols.denseOrd)
	}
	cols.docOff = make([]uint32, n+1)
	for d := 0; d < n; d++ {
		for _, o := range cols.ord[cols.off[d]:cols.off[d+1]] {
			if cols.docMask&(1<<facetOf[o]) == 0 {
				continue
			}
			if bm := dense[o]; bm != nil {
				bm.Add(uint32(d))
			} else {
				cols.docOrd = append(cols.docOrd, o)
			}
		}
		cols.docOff[d+1] = uint32(len(cols.docOrd))
	}
	for _, o := range cols.denseOrd {
		cols.denseDocs = append(cols.denseDocs, dense[o])
	}
}

// A paragraph's facet value in at least 1/denseShare of a segment's
// documents (sides, the commonest topics), in a segment of minDenseDocs or
// more, is counted by intersecting the matches with its documents: both
// are then mostly dense bitmap containers, 1,024 words per 65,536
// documents, cheaper than a column count per match. (minDenseDocs is a
// variable: the tests make it small.)
const denseShare = 16

var minDenseDocs = 4096

// sameField reports whether two documents' ordinals (sorted) have the same
// values of field f.
func sameField(a, b []uint32, f uint8, facetOf []uint8) bool {
	i, j := 0, 0
	for {
		for i < len(a) && facetOf[a[i]] != f {
			i++
		}
		for j < len(b) && facetOf[b[j]] != f {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if a[i] != b[j] {
			return false
		}
		i, j = i+1, j+1
	}
}

// facetCounter filters the matches of a search by the date range and the
// selected facet values and counts the facets, disjunctively, in one pass
// over the matches in document order.
type facetCounter struct {
	cols    *snapColumns
	count   bool
	dates   *dateRange // nil: no range
	sel     []bool     // selected ordinals (nil without a selection)
	selMask uint32     // facets with a selection
	counts  []uint32
	total   uint64

	recCounts []uint32   // countBitmap's scratch: matches by record of a segment
	touched   []uint32   // and the records with matches, when they are few
	cands     []ordCount // facets' scratch
	least     []uint32

	records        int // the records with a count, once facets has counted them
	recordsCounted bool

	seg            int // segment of the last document seen
	segStart       uint64
	segEnd         uint64
	dateLo, dateHi uint32 // the ranks of its dates within the range
}

func newFacetCounter(cols *snapColumns, filters map[string][]string, dates *dateRange, count bool) *facetCounter {
	fc := &facetCounter{cols: cols, count: count, dates: dates, seg: -1}
	for f, name := range FacetNames {
		vals := filters[name]
		if len(vals) == 0 {
			continue
		}
		if fc.sel == nil {
			fc.sel = make([]bool, len(cols.values))
		}
		fc.selMask |= 1 << f
		for _, v := range vals {
			if ord, ok := cols.ordOf(f, v); ok {
				fc.sel[ord] = true
			}
		}
	}
	if count {
		if sc, ok := counterScratch.Get().(*facetScratch); ok {
			fc.counts, fc.recCounts, fc.touched, fc.cands, fc.least = sc.counts, sc.recCounts, sc.touched, sc.cands, sc.least
		}
		if cap(fc.counts) < len(cols.values) {
			fc.counts = make([]uint32, len(cols.values))
		} else {
			fc.counts = fc.counts[:len(cols.values)]
			clear(fc.counts)
		}
	}
	return fc
}

// facetScratch is the arrays of a facetCounter done with, for the next:
// a search allocated and cleared them each time (tens of KB).
type facetScratch struct {
	counts, recCounts, touched, least []uint32
	cands                             []ordCount
}

var counterScratch sync.Pool

// release gives fc's arrays to the next search; fc is not used after.
func (fc *facetCounter) release() {
	if fc == nil || fc.counts == nil {
		return
	}
	counterScratch.Put(&facetScratch{counts: fc.counts[:0], recCounts: fc.recCounts[:0], touched: fc.touched[:0],
		least: fc.least[:0], cands: fc.cands[:0]})
	fc.counts, fc.recCounts, fc.touched, fc.least, fc.cands = nil, nil, nil, nil, nil
}

// observe counts document num (a global document number) and reports
// whether it passes the date range and every facet filter. A document out
// of the range is not counted at all.
func (fc *facetCounter) observe(num uint64) bool {
	if fc.seg < 0 || num < fc.segStart || num >= fc.segEnd {
		fc.seg = sort.Search(len(fc.cols.starts), func(i int) bool { return fc.cols.starts[i] > num }) - 1
		fc.segStart = fc.cols.starts[fc.seg]
		fc.segEnd = ^uint64(0)
		if fc.seg+1 < len(fc.cols.starts) {
			fc.segEnd = fc.cols.starts[fc.seg+1]
		}
		if fc.dates != nil {
			fc.dateLo, fc.dateHi = fc.dates.bounds(fc.cols.segs[fc.seg].dates)
		}
	}
	cols := fc.cols.segs[fc.seg]
	if fc.dates != nil {
		if rank := cols.dateOf[num-fc.segStart]; rank < fc.dateLo || rank >= fc.dateHi {
			return false
		}
	}
	ords := cols.values(num - fc.segStart)
	if fc.selMask != 0 {
		var passed uint32
		for _, o := range ords {
			if fc.sel[o] {
				passed |= 1 << fc.cols.facetOf[o]
			}
		}
		if missing := fc.selMask &^ passed; missing != 0 {
			if missing&(missing-1) != 0 || !fc.count {
				return false
			}
			// Fails only its own facet's selection: counts for that facet.
			f := uint8(bits.TrailingZeros32(missing))
			for _, o := range ords {
				if fc.cols.facetOf[o] == f {
					fc.counts[o]++
				}
			}
			return false
		}
	}
	fc.total++
	if fc.count {
		for _, o := range ords {
			fc.counts[o]++
		}
	}
	return true
}

// facets returns the counts as FacetValues, the facetSize most frequent
// values of each facet (years: newest first), selected values always
// present.
func (fc *facetCounter) facets(filters map[string][]string) map[string][]FacetValue {
	byCount := func(a, b FacetValue) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	}
	// The counted values of each facet by ordinal (the records' counted
	// in passing, for records), then the facetSize first of each: the
	// values whose count reaches the facetSize-th largest, sorted.
	recs := 0
	if recordColumn < len(fc.cols.ofFacet) {
		for _, ord := range fc.cols.ofFacet[recordColumn] {
			if fc.counts[ord] != 0 {
				recs++
			}
		}
	}
	fc.records, fc.recordsCounted = recs, true
	out := make(map[string][]FacetValue, len(FacetNames))
	least, cands := fc.least[:0], fc.cands[:0]
	defer func() { fc.least, fc.cands = least, cands }()
	for f, name := range FacetNames {
		cands = cands[:0]
		if f < len(fc.cols.ofFacet) {
			for _, ord := range fc.cols.ofFacet[f] {
				if n := fc.counts[ord]; n != 0 {
					cands = append(cands, ordCount{ord, n})
				}
			}
		}
		if len(cands) > facetSize {
			// least: a min-heap of the facetSize largest counts so far
			least = least[:0]
			for _, c := range cands {
				if len(least) < facetSize {
					least = append(least, c.n)
					for i := len(least) - 1; i > 0 && least[(i-1)/2] > least[i]; i = (i - 1) / 2 {
						least[i], least[(i-1)/2] = least[(i-1)/2], least[i]
					}
				} else if c.n > least[0] {
					least[0] = c.n
					for i := 0; ; {
						m, l, r := i, 2*i+1, 2*i+2
						if l < len(least) && least[l] < least[m] {
							m = l
						}
						if r < len(least) && least[r] < least[m] {
							m = r
						}
						if m == i {
							break
						}
						least[i], least[m] = least[m], least[i]
						i = m
					}
				}
			}
			cands = slices.DeleteFunc(cands, func(c ordCount) bool { return c.n < least[0] })
		}
		rank := fc.cols.rank
		slices.SortFunc(cands, func(a, b ordCount) int {
			if a.n != b.n {
				return cmp.Compare(b.n, a.n)
			}
			return cmp.Compare(rank[a.ord], rank[b.ord]) // the values' byte order
		})
		if len(cands) > facetSize {
			cands = cands[:facetSize]
		}
		vals := make([]FacetValue, len(cands), len(cands)+len(filters[name]))
		for i, c := range cands {
			vals[i] = FacetValue{Value: fc.cols.values[c.ord], Count: int(c.n)}
		}
		for _, v := range filters[name] {
			i := slices.IndexFunc(vals, func(fv FacetValue) bool { return fv.Value == v })
			if i < 0 {
				vals = append(vals, FacetValue{Value: v, Selected: true})
			} else {
				vals[i].Selected = true
			}
		}
		if name == fYear {
			slices.SortStableFunc(vals, func(a, b FacetValue) int { return strings.Compare(b.Value, a.Value) })
		} else {
			slices.SortStableFunc(vals, byCount)
		}
		out[name] = vals
	}
	return out
}

// countRecords sets out.Records and out.RecordMatches for the hits of out.
func (fc *facetCounter) countRecords(out *Result) {
	out.RecordMatches = map[string]int{}
	for _, h := range out.Hits {
		out.RecordMatches[h.RecordID] = 0
	}
	out.Records = fc.recordCount(out.RecordMatches)
}

// ordCount is a value's ordinal and its count.
type ordCount struct{ ord, n uint32 }

// recordCount returns how many records the counted matches fall in, and
// the matches of each record named in want.
func (fc *facetCounter) recordCount(want map[string]int) int {
	n := fc.records
	if !fc.recordsCounted {
		n = 0
		for ord, c := range fc.counts {
			if c != 0 && int(fc.cols.facetOf[ord]) == recordColumn {
				n++
			}
		}
	}
	for id := range want {
		if ord, ok := fc.cols.ordOf(recordColumn, id); ok {
			want[id] = int(fc.counts[ord])
		}
	}
	return n
}

// topValues returns the k first of vals in the order of cmp, sorted: a
// bounded insertion, as a facet of hundreds of values (meetings) shows 50.
func topValues(vals []FacetValue, k int, cmp func(a, b FacetValue) int) []FacetValue {
	if len(vals) <= k {
		slices.SortFunc(vals, cmp)
		return vals
	}
	top := make([]FacetValue, 0, k+1)
	for _, v := range vals {
		top = insertTop(top, v, k, cmp)
	}
	return top
}

// insertTop inserts v into top (the k first so far, sorted by cmp).
func insertTop(top []FacetValue, v FacetValue, k int, cmp func(a, b FacetValue) int) []FacetValue {
	if len(top) == k && cmp(v, top[k-1]) >= 0 {
		return top
	}
	i, _ := slices.BinarySearchFunc(top, v, cmp)
	top = slices.Insert(top, i, v)
	if len(top) > k {
		top = top[:k]
	}
	return top
}

// warmFacets builds the facet columns of the live index, so that the first
// search after Open or a rebuild does not pay for them (about 0.1 s per
// 100,000 paragraphs).
func (x *Index) warmFacets() {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.bi == nil {
		return
	}
	adv, err := x.bi.Advanced()
	if err != nil {
		return
	}
	r, err := adv.Reader()
	if err != nil {
		return
	}
	defer r.Close()
	if snap, ok := r.(*scorch.IndexSnapshot); ok {
		x.facets.columns(snap)
	}
}

// countBitmap counts into fc.counts the values, in the column fields of
// mask, of the documents of bm (matches in segment cols): the record's
// fields by counting the matches of each record, the paragraph's through
// their column; a few matches each through the whole column.
func (fc *facetCounter) countBitmap(cols *segColumns, bm *roaring.Bitmap, mask uint32) {
	n := bm.GetCardinality()
	if n == 0 || mask == 0 {
		return
	}
	counts, facetOf := fc.counts, fc.cols.facetOf
	var buf [512]uint32
	it := bm.ManyIterator()
	if cols.recOf == nil {
		all := mask == 1<<len(columnFields)-1
		for {
			k := it.NextMany(buf[:])
			if k == 0 {
				return
			}
			for _, d := range buf[:k] {
				for _, o := range cols.ord[cols.off[d]:cols.off[d+1]] {
					if all || mask&(1<<facetOf[o]) != 0 {
						counts[o]++
					}
				}
			}
		}
	}
	byRec := mask&cols.recMask != 0
	if byRec {
		if cap(fc.recCounts) < len(cols.recOrd) {
			fc.recCounts = make([]uint32, len(cols.recOrd))
		}
		fc.recCounts = fc.recCounts[:len(cols.recOrd)]
		clear(fc.recCounts)
	}
	docMask := mask & cols.docMask
	allDoc := docMask == cols.docMask
	for i, o := range cols.denseOrd {
		if docMask&(1<<facetOf[o]) != 0 {
			counts[o] += uint32(bm.AndCardinality(cols.denseDocs[i]))
		}
	}
	// Fewer matches than records: the records counted are listed as they
	// are met, so that only they are read after.
	few := n < uint64(len(cols.recOrd)/2)
	touched := fc.touched[:0]
	recCounts, recOf, docOff, docOrd := fc.recCounts, cols.recOf, cols.docOff, cols.docOrd
	// One loop per kind of count over each batch of matches: one loop
	// doing all of them kept its variables on the stack.
	for {
		k := it.NextMany(buf[:])
		if k == 0 {
			break
		}
		docs := buf[:k]
		switch {
		case !byRec:
		case few:
			for _, d := range docs {
				r := recOf[d]
				if recCounts[r] == 0 {
					touched = append(touched, r)
				}
				recCounts[r]++
			}
		default:
			for _, d := range docs {
				recCounts[recOf[d]]++
			}
		}
		switch {
		case docMask == 0:
		case allDoc:
			for _, d := range docs {
				for _, o := range docOrd[docOff[d]:docOff[d+1]] {
					counts[o]++
				}
			}
		default:
			for _, d := range docs {
				for _, o := range docOrd[docOff[d]:docOff[d+1]] {
					if docMask&(1<<facetOf[o]) != 0 {
						counts[o]++
					}
				}
			}
		}
	}
	if !byRec {
		return
	}
	fc.touched = touched
	withRecord := mask&(1<<recordColumn) != 0
	for i := range len(recCounts) {
		r := uint32(i)
		if few {
			if i >= len(touched) {
				break
			}
			r = touched[i]
		}
		c := recCounts[r]
		if c == 0 {
			continue
		}
		if withRecord {
			counts[cols.recOrd[r]] += c
		}
		for _, o := range cols.recVal[cols.recValOff[r]:cols.recValOff[r+1]] {
			if mask&(1<<facetOf[o]) != 0 {
				counts[o] += c
			}
		}
	}
}
