package indexer

import (
	"container/heap"
	"context"
	"fmt"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// The bitmap path.
//
// Most of what people ask is a few terms combined: one word, a phrase of two
// words (one term of the pairs field), all of a few words, an acronym or
// its expansions, a OR b, a -b, field values. bleve answers it through its
// collector: a DocumentMatch per match, scorer calls, a heap of the top N,
// the handler that counts the facets. Here, segment by segment, the
// matches are found as bitmap algebra over the terms' postings (AND, OR,
// AND NOT, a longer phrase as the AND of its pairs with the positions
// checked on that intersection), the facet filters are intersections with
// the selected values' postings, the total is a cardinality and the facet
// counts are intersections of the matches with each value's postings
// (facets.go, countBitmap); only then are the matches scored, with bleve's
// own formulas in bleve's order of operations (search_tree.go), reading
// frequencies and norms for the matches alone, and the page's candidates
// kept in a small heap. Same total, facets, hits, scores and order as the
// general path (TestTermPathAgrees).

// maxTermPathHits bounds the page (from + size) the bitmap path serves;
// deeper pages go through bleve.
const maxTermPathHits = 1000

// bitmapTree returns the query tree of p when the bitmap path answers it:
// relevance order, no record or cursor, a page it serves, and a query of
// the shapes the tree mirrors. A date range is a filter, as the facets'.
func bitmapTree(p *searchPlan) (*tnode, bool) {
	// Only the text query: no record or anything else that textQuery adds
	// to it.
	if p.c.q == nil || p.sort[0] != "-_score" || p.after != nil || p.textQuery() != p.c.q || p.from+p.size > maxTermPathHits {
		return nil, false
	}
	return buildTree(p.c.q)
}

// scored is a match in the top-N heap.
type scored struct {
	score float64
	num   uint64 // global document number
}

// topHeap keeps the best n matches; its root is the worst of them (lowest
// score, then highest document number: bleve breaks ties by document
// order).
type topHeap []scored

func (h topHeap) Len() int { return len(h) }
func (h topHeap) Less(i, j int) bool {
	return h[i].score < h[j].score || h[i].score == h[j].score && h[i].num > h[j].num
}
func (h topHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *topHeap) Push(v any)   { *h = append(*h, v.(scored)) }
func (h *topHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}

// searchTerms answers p, whose query is the tree root, on bi.
func (x *Index) searchTerms(ctx context.Context, bi bleve.Index, p *searchPlan, root *tnode, count bool) (*Result, error) {
	adv, err := bi.Advanced()
	if err != nil {
		return nil, searchError(err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, searchError(err)
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return x.searchBleve(ctx, bi, p, count)
	}
	cols, err := x.facets.columns(snap)
	if err != nil {
		return nil, err
	}
	fc := newFacetCounter(cols, p.filters, p.dates, count)
	docs, err := snap.DocCount()
	if err != nil {
		return nil, searchError(err)
	}
	segs := snap.Segments()

	// Each term's postings in every segment, without deleted documents,
	// and its document frequency in the snapshot.
	var leaves []*tnode
	root.leaves(func(t *tnode) { leaves = append(leaves, t) })
	dicts := make([]map[string]segment.TermDictionary, len(segs))
	dict := func(j int, field string) (segment.TermDictionary, error) {
		if dicts[j] == nil {
			dicts[j] = map[string]segment.TermDictionary{}
		}
		d, ok := dicts[j][field]
		if !ok {
			var err error
			if d, err = segs[j].Segment().Dictionary(field); err != nil {
				return nil, err
			}
			dicts[j][field] = d
		}
		return d, nil
	}
	pls := make([][]segment.PostingsList, len(leaves))
	for i, t := range leaves {
		pls[i] = make([]segment.PostingsList, len(segs))
		for j, s := range segs {
			d, err := dict(j, t.field)
			if err != nil {
				return nil, searchError(err)
			}
			pl, err := d.PostingsList([]byte(t.term), s.Deleted(), nil)
			if err != nil {
				return nil, searchError(err)
			}
			if pl == nil || pl.Count() == 0 {
				continue
			}
			t.docFreq += pl.Count()
			pls[i][j] = pl
		}
	}
	root.prepare(docs)
	root.normalize()
	inPhrase := map[*tnode]bool{}
	var mark func(n *tnode)
	mark = func(n *tnode) {
		for _, k := range n.kids {
			if k == nil {
				continue
			}
			if n.kind == tkPhrase {
				inPhrase[k] = true
			}
			mark(k)
		}
	}
	mark(root)

	// The facets with a selection, by column.
	var selected []int
	for f, name := range FacetNames {
		if len(p.filters[name]) > 0 {
			selected = append(selected, f)
		}
	}
	var unselected uint32 = 1 << recordColumn
	for f := range FacetNames {
		if len(p.filters[FacetNames[f]]) == 0 {
			unselected |= 1 << f
		}
	}

	want := p.from + p.size
	top := make(topHeap, 0, want+1)
	offer := func(score float64, g uint64) {
		if len(top) < want {
			heap.Push(&top, scored{score, g})
		} else if score > top[0].score {
			// equal scores keep the earlier document, as bleve does
			top[0] = scored{score, g}
			heap.Fix(&top, 0)
		}
	}
	var start uint64
	seen := 0
	for j, s := range segs {
		segStart := start
		segDocs := s.Segment().Count()
		start += segDocs
		if err := ctx.Err(); err != nil {
			return nil, searchError(err)
		}
		root.resetSegment()
		for i, t := range leaves {
			pl := pls[i][j]
			if pl == nil {
				continue
			}
			it := pl.Iterator(true, true, false, nil)
			t.sc.it = it
			opt, ok := it.(segment.OptimizablePostingsIterator)
			if !ok {
				return x.searchBleve(ctx, bi, p, count)
			}
			if t.bm = opt.ActualBitmap(); t.bm == nil {
				t.bm = roaring.New()
				if d, ok := opt.DocNum1Hit(); ok {
					t.bm.Add(uint32(d))
				}
			}
			if inPhrase[t] {
				t.pos.it = pl.Iterator(true, true, true, nil)
			}
			switch sc := cols.segs[j]; {
			case t.field == fText:
				if t.blocks = sc.terms[t.term]; t.blocks != nil && t.blocks.freq != nil {
					t.bc = blockCursor{tb: t.blocks, norms: sc.norms, pos: -1}
				}
			case t.field == fPairs && pl.Count() >= minBoundDocs:
				tb, norms, err := sc.pairBlocks(s.Segment(), t.term)
				if err != nil {
					return nil, searchError(err)
				}
				if t.blocks = tb; tb != nil && tb.freq != nil {
					t.bc = blockCursor{tb: tb, norms: norms, pos: -1}
				}
			}
		}
		if err := root.eval(segDocs, s.Deleted()); err != nil {
			return nil, searchError(err)
		}
		base := root.bm // the matches of the query within the date range
		if p.dates != nil {
			base = cols.segs[j].inRange(base, p.dates)
		}
		matches := base
		var filters []*roaring.Bitmap
		for _, f := range selected {
			d, err := dict(j, facetField(FacetNames[f]))
			if err != nil {
				return nil, searchError(err)
			}
			var bms []*roaring.Bitmap
			for _, v := range p.filters[FacetNames[f]] {
				bm, err := termBitmap(d, v)
				if err != nil {
					return nil, searchError(err)
				}
				bms = append(bms, bm)
			}
			fb := roaring.FastOr(bms...)
			filters = append(filters, fb)
			matches = roaring.And(matches, fb)
		}
		fc.total += matches.GetCardinality()
		if count {
			sc := cols.segs[j]
			fc.countBitmap(sc, matches, unselected)
			for i, f := range selected {
				// Disjunctive: the matches of every other selection,
				// counted for this facet alone.
				m := base
				for k, fb := range filters {
					if k != i {
						m = roaring.And(m, fb)
					}
				}
				fc.countBitmap(sc, m, 1<<f)
			}
		}
		// Block maxima, when a term has them and there is enough to skip.
		bounded := false
		if card := matches.GetCardinality(); card > minSkipMatches && card > uint64(4*want) {
			for _, t := range leaves {
				bounded = bounded || t.blocks != nil
			}
		}
		if root.kind == tkTerm && len(selected) == 0 && p.dates == nil && !bounded && root.bc.tb == nil {
			// The matches are the term's postings: read them in order.
			for {
				ok, err := root.sc.next()
				if err != nil {
					return nil, searchError(err)
				}
				if !ok {
					break
				}
				if seen++; seen&0xfff == 0 && ctx.Err() != nil {
					return nil, searchError(ctx.Err())
				}
				offer(root.termScore(), segStart+root.sc.num)
			}
			continue
		}
		it := matches.Iterator()
		block, blockBound := ^uint64(0), 0.0
		for it.HasNext() {
			if bounded && len(top) == want {
				b := uint64(it.PeekNext()) >> blockBits
				if b != block {
					block, blockBound = b, root.bound(b)*boundSlack
				}
				if blockBound <= top[0].score {
					it.AdvanceIfNeeded(uint32((b + 1) << blockBits))
					continue
				}
			}
			doc := uint64(it.Next())
			if seen++; seen&0xfff == 0 && ctx.Err() != nil {
				return nil, searchError(ctx.Err())
			}
			score, err := root.score(doc)
			if err != nil {
				return nil, searchError(err)
			}
			offer(score, segStart+doc)
		}
	}

	// The page: best first, ties in document order.
	page := make([]scored, len(top))
	for i := len(top) - 1; i >= 0; i-- {
		page[i] = heap.Pop(&top).(scored)
	}
	if p.from < len(page) {
		page = page[p.from:]
	} else {
		page = nil
	}
	out := &Result{Total: fc.total, Hits: make([]Hit, 0, len(page)), Facets: map[string][]FacetValue{}}
	if count {
		out.Facets = fc.facets(p.filters)
	}
	starts := make([]uint64, len(segs))
	start = 0
	for j, s := range segs {
		starts[j] = start
		start += s.Segment().Count()
	}
	for _, s := range page {
		j := sort.Search(len(starts), func(i int) bool { return starts[i] > s.num }) - 1
		dm, err := loadStored(segs[j], s.num-starts[j])
		if err != nil {
			return nil, searchError(err)
		}
		dm.IndexInternalID, dm.Score = index.NewIndexInternalID(nil, s.num), s.score
		out.Hits = append(out.Hits, x.hit(dm, p, true))
	}
	if err := x.fillTexts(snap, out.Hits, p); err != nil {
		return nil, searchError(err)
	}
	if count {
		fc.countRecords(out)
	}
	fc.release()
	return out, nil
}

// termBitmap returns the documents of a term of a segment's dictionary,
// deleted ones included.
func termBitmap(d segment.TermDictionary, term string) (*roaring.Bitmap, error) {
	pl, err := d.PostingsList([]byte(term), nil, nil)
	if err != nil || pl == nil || pl.Count() == 0 {
		return roaring.New(), err
	}
	it := pl.Iterator(false, false, false, nil)
	if opt, ok := it.(segment.OptimizablePostingsIterator); ok {
		if bm := opt.ActualBitmap(); bm != nil {
			return bm, nil
		}
		if d, ok := opt.DocNum1Hit(); ok {
			return roaring.BitmapOf(uint32(d)), nil
		}
	}
	bm := roaring.New()
	for {
		p, err := it.Next()
		if err != nil {
			return nil, err
		}
		if p == nil {
			return bm, nil
		}
		bm.Add(uint32(p.Number()))
	}
}

// storedSet is storedFields as a set.
var storedSet = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range storedFields {
		m[f] = true
	}
	return m
}()

// loadStored reads a document's id and stored fields in one visit of its
// stored chunk, with the values bleve.LoadAndHighlightFields would give
// (which finds the document again by its id, after the id was read).
func loadStored(seg *scorch.SegmentSnapshot, num uint64) (*search.DocumentMatch, error) {
	dm := &search.DocumentMatch{}
	var bad error
	err := seg.VisitDocument(num, func(name string, typ byte, val []byte, pos []uint64) bool {
		if name == "_id" {
			dm.ID = string(val)
			return true
		}
		if !storedSet[name] {
			return true
		}
		var value interface{}
		switch typ {
		case 't':
			value = string(val)
		case 'n':
			if n, err := document.NewNumericFieldFromBytes(name, nil, val).Number(); err == nil {
				value = n
			}
		default:
			bad = fmt.Errorf("indexer: stored field %s of type %c", name, typ)
			return false
		}
		if value != nil {
			dm.AddFieldValue(name, value)
		}
		return true
	})
	if err == nil {
		err = bad
	}
	if err == nil && dm.ID == "" {
		err = fmt.Errorf("indexer: document %d has no id", num)
	}
	return dm, err
}
