package indexer

import (
	"fmt"
	"sort"
	"sync"

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

// facetDict numbers the values of one facet.
type facetDict struct {
	ids    map[string]uint32
	values []string
}

func (d *facetDict) id(v string) uint32 {
	if id, ok := d.ids[v]; ok {
		return id
	}
	id := uint32(len(d.values))
	d.ids[v] = id
	d.values = append(d.values, v)
	return id
}

// segColumns holds, per facet, the ordinals of each document of a segment:
// ords[f][off[f][doc]:off[f][doc+1]].
type segColumns struct {
	off [][]uint32
	ord [][]uint32
}

func (c *segColumns) values(f int, doc uint64) []uint32 {
	off := c.off[f]
	return c.ord[f][off[doc]:off[doc+1]]
}

// facetCache is the columns of the segments of an index.
type facetCache struct {
	mu    sync.Mutex
	dicts []facetDict
	segs  map[segment.Segment]*segColumns
}

func newFacetCache() *facetCache {
	c := &facetCache{dicts: make([]facetDict, len(FacetNames)), segs: map[segment.Segment]*segColumns{}}
	for i := range c.dicts {
		c.dicts[i].ids = map[string]uint32{}
	}
	return c
}

// snapColumns is the view of one index snapshot: its segments' columns in
// order with the global document number each starts at, and a copy of the
// facet dictionaries' values (ordinal -> value) as they were.
type snapColumns struct {
	starts []uint64
	segs   []*segColumns
	values [][]string
}

// columns returns the columns of snap, building those of segments not seen
// before and forgetting those of segments snap no longer has.
func (c *facetCache) columns(snap *scorch.IndexSnapshot) (*snapColumns, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ss := snap.Segments()
	out := &snapColumns{starts: make([]uint64, len(ss)), segs: make([]*segColumns, len(ss))}
	var terms [][]string // per facet, the values of the snapshot; read when a segment is new
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
			c.segs[seg] = cols
		}
		out.segs[i] = cols
	}
	for seg := range c.segs {
		if !live[seg] {
			delete(c.segs, seg)
		}
	}
	out.values = make([][]string, len(c.dicts))
	for f := range c.dicts {
		out.values[f] = c.dicts[f].values[:len(c.dicts[f].values):len(c.dicts[f].values)]
	}
	return out, nil
}

// facetTerms lists the values of every facet field in snap.
func facetTerms(snap *scorch.IndexSnapshot) ([][]string, error) {
	out := make([][]string, len(FacetNames))
	for f, name := range FacetNames {
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
	cols := &segColumns{off: make([][]uint32, len(FacetNames)), ord: make([][]uint32, len(FacetNames))}
	type pair struct{ doc, ord uint32 }
	var pairs []pair
	for f, name := range FacetNames {
		pairs = pairs[:0]
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
			ord := c.dicts[f].id(t)
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
		sort.Slice(pairs, func(i, j int) bool {
			if pairs[i].doc != pairs[j].doc {
				return pairs[i].doc < pairs[j].doc
			}
			return pairs[i].ord < pairs[j].ord
		})
		off := make([]uint32, n+1)
		ords := make([]uint32, len(pairs))
		for i, p := range pairs {
			off[p.doc+1]++
			ords[i] = p.ord
		}
		for d := uint64(1); d <= n; d++ {
			off[d] += off[d-1]
		}
		cols.off[f], cols.ord[f] = off, ords
	}
	return cols, nil
}

// facetCounter filters the matches of a search by the selected facet values
// and counts the facets, disjunctively, in one pass over the matches in
// document order.
type facetCounter struct {
	cols   *snapColumns
	count  bool
	sel    [][]bool // per facet, selected ordinals; nil when the facet has no filter
	nsel   int      // facets with a filter
	counts [][]uint32
	total  uint64

	seg      int // segment of the last document seen
	segStart uint64
	segEnd   uint64
}

func newFacetCounter(cols *snapColumns, filters map[string][]string, count bool) *facetCounter {
	fc := &facetCounter{cols: cols, count: count, sel: make([][]bool, len(FacetNames)), seg: -1}
	for f, name := range FacetNames {
		vals := filters[name]
		if len(vals) == 0 {
			continue
		}
		fc.nsel++
		sel := make([]bool, len(cols.values[f]))
		for _, v := range vals {
			for ord, have := range cols.values[f] {
				if have == v {
					sel[ord] = true
				}
			}
		}
		fc.sel[f] = sel
	}
	if count {
		fc.counts = make([][]uint32, len(FacetNames))
		for f := range fc.counts {
			fc.counts[f] = make([]uint32, len(cols.values[f]))
		}
	}
	return fc
}

// observe counts document num (a global document number) and reports
// whether it passes every facet filter.
func (fc *facetCounter) observe(num uint64) bool {
	if fc.seg < 0 || num < fc.segStart || num >= fc.segEnd {
		fc.seg = sort.Search(len(fc.cols.starts), func(i int) bool { return fc.cols.starts[i] > num }) - 1
		fc.segStart = fc.cols.starts[fc.seg]
		fc.segEnd = ^uint64(0)
		if fc.seg+1 < len(fc.cols.starts) {
			fc.segEnd = fc.cols.starts[fc.seg+1]
		}
	}
	cols := fc.cols.segs[fc.seg]
	doc := num - fc.segStart
	failed, nfailed := -1, 0
	if fc.nsel > 0 {
		for f, sel := range fc.sel {
			if sel == nil {
				continue
			}
			in := false
			for _, o := range cols.values(f, doc) {
				if int(o) < len(sel) && sel[o] {
					in = true
					break
				}
			}
			if !in {
				failed = f
				nfailed++
				if nfailed > 1 {
					return false
				}
			}
		}
	}
	if !fc.count {
		if nfailed == 0 {
			fc.total++
		}
		return nfailed == 0
	}
	if nfailed == 1 {
		// Fails only its own facet's selection: counts for that facet.
		for _, o := range cols.values(failed, doc) {
			fc.counts[failed][o]++
		}
		return false
	}
	fc.total++
	for f := range fc.counts {
		for _, o := range cols.values(f, doc) {
			fc.counts[f][o]++
		}
	}
	return true
}

// facets returns the counts as FacetValues, the facetSize most frequent
// values of each facet (years: newest first), selected values always
// present.
func (fc *facetCounter) facets(filters map[string][]string) map[string][]FacetValue {
	out := make(map[string][]FacetValue, len(FacetNames))
	for f, name := range FacetNames {
		sel := map[string]bool{}
		for _, v := range filters[name] {
			sel[v] = true
		}
		vals := []FacetValue{}
		for ord, n := range fc.counts[f] {
			if n > 0 {
				v := fc.cols.values[f][ord]
				vals = append(vals, FacetValue{Value: v, Count: int(n), Selected: sel[v]})
			}
		}
		sort.Slice(vals, func(i, j int) bool {
			if vals[i].Count != vals[j].Count {
				return vals[i].Count > vals[j].Count
			}
			return vals[i].Value < vals[j].Value
		})
		if len(vals) > facetSize {
			vals = vals[:facetSize]
		}
		seen := map[string]bool{}
		for _, v := range vals {
			seen[v.Value] = true
		}
		for _, v := range filters[name] {
			if !seen[v] {
				vals = append(vals, FacetValue{Value: v, Selected: true})
				seen[v] = true
			}
		}
		if name == fYear {
			sort.SliceStable(vals, func(i, j int) bool { return vals[i].Value > vals[j].Value })
		} else {
			sort.SliceStable(vals, func(i, j int) bool {
				if vals[i].Count != vals[j].Count {
					return vals[i].Count > vals[j].Count
				}
				return vals[i].Value < vals[j].Value
			})
		}
		out[name] = vals
	}
	return out
}
