package indexer

import (
	"math"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// The query tree of the bitmap path: a mirror of the searchers bleve builds
// for a compiled query (term, conjunction, disjunction, boolean with must
// and must-not, phrase, match all, match none), which finds the matches of
// a segment as bitmap algebra over the terms' postings and scores a match
// with bleve's own formulas, in bleve's order of operations, so that scores
// are equal to the last bit:
//
//   - a term scores sqrt(freq) * norm * idf, times its query weight when
//     that is not 1 (idf = 1 + ln(docs / (docFreq + 1)));
//   - every composite orders its children by bleve's Count() (a term's
//     document frequency, a composite's sum of its children's) with a
//     stable sort, as bleve's OrderedSearcherList does for so few;
//   - a conjunction sums its children's scores in that order, a
//     disjunction sums those that matched times matched/children, a
//     boolean scores its must part, a phrase sums its terms (its must
//     part is a conjunction of them);
//   - query weights: the outermost composite computes 1/sqrt(sum of its
//     leaves' squared weights) and sets it on every scored leaf (bleve's
//     inner composites set theirs first and are overridden); a lone term
//     keeps weight 1.

// maxTreeKids bounds the children of a disjunction: above
// searcher.DisjunctionHeapTakeover bleve uses its heap searcher, which adds
// scores in another order.
const maxTreeKids = 10

// maxTreeLeaves bounds the leaves of a tree on the bitmap path.
const maxTreeLeaves = 24

type treeKind uint8

const (
	tkTerm treeKind = iota
	tkAll
	tkNone
	tkAnd
	tkOr
	tkNot    // kids[0] must, kids[1] must not (nil: none)
	tkPhrase // kids are the terms in phrase order, "" terms as nil
)

// tnode is a node of the query tree.
type tnode struct {
	kind treeKind
	kids []*tnode
	// sorted: the children in bleve's order (by Count, stable); for a
	// phrase, its non-empty terms.
	sorted []*tnode

	// terms
	field, term string
	docFreq     uint64
	idf         float64
	qweight     float64 // the query weight; 1 until a composite sets it
	// phrase: the offset of each term of sorted from the phrase's start
	offsets []int

	// per segment
	bm *roaring.Bitmap // the node's matches (read only: may be the segment's)
	sc cursor          // term: frequency and norm, for scoring
	// term of the text field: its block maxima and frequencies in the
	// segment, if kept
	blocks *termBlocks
	bc     blockCursor // reads blocks' frequencies when bc.tb is set; sc is unused then
	pos    cursor      // term of a phrase: positions, to check the phrase
}

// buildTree mirrors q as bleve would search it, or reports that it cannot.
func buildTree(q query.Query) (*tnode, bool) {
	leaves := 0
	var build func(q query.Query) (*tnode, bool)
	unboosted := func(b *query.Boost) bool { return b == nil || b.Value() == 1 }
	build = func(q query.Query) (*tnode, bool) {
		switch q := q.(type) {
		case *query.TermQuery:
			if q.FieldVal == "" || !unboosted(q.BoostVal) {
				return nil, false
			}
			if leaves++; leaves > maxTreeLeaves {
				return nil, false
			}
			return &tnode{kind: tkTerm, field: q.FieldVal, term: q.Term, qweight: 1}, true
		case *query.MatchNoneQuery:
			return &tnode{kind: tkNone}, true
		case *query.MatchAllQuery:
			if !unboosted(q.BoostVal) {
				return nil, false
			}
			return &tnode{kind: tkAll, qweight: 1}, true
		case *query.ConjunctionQuery:
			if !unboosted(q.BoostVal) {
				return nil, false
			}
			if len(q.Conjuncts) == 0 {
				return &tnode{kind: tkNone}, true
			}
			n := &tnode{kind: tkAnd}
			for _, c := range q.Conjuncts {
				k, ok := build(c)
				if !ok {
					return nil, false
				}
				n.kids = append(n.kids, k)
			}
			return n, true
		case *query.DisjunctionQuery:
			if !unboosted(q.BoostVal) || q.Min != 0 || len(q.Disjuncts) > maxTreeKids {
				return nil, false
			}
			if len(q.Disjuncts) == 0 {
				return &tnode{kind: tkNone}, true
			}
			n := &tnode{kind: tkOr}
			for _, c := range q.Disjuncts {
				k, ok := build(c)
				if !ok {
					return nil, false
				}
				n.kids = append(n.kids, k)
			}
			return n, true
		case *query.BooleanQuery:
			if !unboosted(q.BoostVal) || q.Should != nil || q.Filter != nil {
				return nil, false
			}
			var must, not *tnode
			if q.Must != nil {
				m, ok := build(q.Must)
				if !ok {
					return nil, false
				}
				// bleve drops a must (or must not) part that is a
				// MatchNoneSearcher: a conjunction of nothing.
				if m.kind != tkNone {
					must = m
				}
			}
			if q.MustNot != nil {
				m, ok := build(q.MustNot)
				if !ok {
					return nil, false
				}
				if m.kind != tkNone {
					not = m
				}
			}
			switch {
			case must == nil && not == nil:
				return &tnode{kind: tkNone}, true
			case not == nil:
				return must, true
			case must == nil:
				must = &tnode{kind: tkAll, qweight: 1}
			}
			return &tnode{kind: tkNot, kids: []*tnode{must, not}}, true
		case *query.PhraseQuery:
			if q.FieldVal == "" || !unboosted(q.BoostVal) || q.Fuzziness != 0 || len(q.Terms) == 0 {
				return nil, false
			}
			n := &tnode{kind: tkPhrase}
			for i, t := range q.Terms {
				if t == "" {
					continue
				}
				if leaves++; leaves > maxTreeLeaves {
					return nil, false
				}
				n.kids = append(n.kids, &tnode{kind: tkTerm, field: q.FieldVal, term: t, qweight: 1})
				n.offsets = append(n.offsets, i)
			}
			if len(n.kids) == 0 {
				return nil, false
			}
			return n, true
		}
		return nil, false
	}
	return build(q)
}

// leaves calls f for every term of the tree.
func (n *tnode) leaves(f func(*tnode)) {
	if n.kind == tkTerm {
		f(n)
		return
	}
	for _, k := range n.kids {
		if k != nil {
			k.leaves(f)
		}
	}
}

// count is bleve's Searcher.Count(): what composites sort their children by.
func (n *tnode) count(docs uint64) uint64 {
	switch n.kind {
	case tkTerm:
		return n.docFreq
	case tkAll:
		return docs
	case tkNone:
		return 0
	case tkNot:
		return n.kids[0].count(docs)
	}
	var sum uint64
	for _, k := range n.kids {
		sum += k.count(docs)
	}
	return sum
}

// prepare sets idf from the document frequencies and orders the children
// as bleve does; then weights are computed by the root.
func (n *tnode) prepare(docs uint64) {
	switch n.kind {
	case tkTerm:
		n.idf = 1.0 + math.Log(float64(docs)/float64(n.docFreq+1.0))
		return
	case tkAll, tkNone:
		return
	case tkNot:
		n.kids[0].prepare(docs)
		n.kids[1].prepare(docs)
		n.sorted = n.kids[:1]
		return
	}
	for _, k := range n.kids {
		k.prepare(docs)
	}
	n.sorted = append([]*tnode(nil), n.kids...)
	counts := make([]uint64, len(n.sorted))
	for i, k := range n.sorted {
		counts[i] = k.count(docs)
	}
	// insertion sort: stable, as sort.Sort is for fewer than 13 elements
	for i := 1; i < len(n.sorted); i++ {
		for j := i; j > 0 && counts[j] < counts[j-1]; j-- {
			n.sorted[j], n.sorted[j-1] = n.sorted[j-1], n.sorted[j]
			counts[j], counts[j-1] = counts[j-1], counts[j]
		}
	}
}

// weight is bleve's Searcher.Weight(): the sum of squared query weights.
func (n *tnode) weight() float64 {
	switch n.kind {
	case tkTerm:
		sum := 1.0 * n.idf
		return sum * sum
	case tkAll:
		sum := 1.0
		return sum * sum
	case tkNone:
		return 0
	}
	var rv float64
	for _, k := range n.sorted {
		rv += k.weight()
	}
	return rv
}

// setQueryNorm is bleve's SetQueryNorm: down to every scored leaf.
func (n *tnode) setQueryNorm(qnorm float64) {
	switch n.kind {
	case tkTerm:
		n.qweight = 1.0 * n.idf * qnorm
	case tkAll:
		n.qweight = 1.0 * qnorm
	case tkNone:
	default:
		for _, k := range n.sorted {
			k.setQueryNorm(qnorm)
		}
	}
}

// normalize gives the tree bleve's query weights: a composite root
// computes the query norm and sets it below.
func (n *tnode) normalize() {
	switch n.kind {
	case tkTerm, tkAll, tkNone:
		return
	}
	sum := 0.0
	sum += n.weight()
	n.setQueryNorm(1.0 / math.Sqrt(sum))
}

// resetSegment forgets the state of the previous segment.
func (n *tnode) resetSegment() {
	n.bm, n.blocks = nil, nil
	n.sc, n.pos, n.bc = cursor{}, cursor{locs: n.pos.locs[:0]}, blockCursor{}
	for _, k := range n.kids {
		if k != nil {
			k.resetSegment()
		}
	}
}

// cursor walks a postings iterator forward to the documents asked for.
type cursor struct {
	it      segment.PostingsIterator
	started bool
	done    bool
	num     uint64
	freq    uint64
	norm    float64
	locs    []uint64 // positions, when the iterator reads them
}

// advance moves to doc and reports whether the postings have it.
func (c *cursor) advance(doc uint64, positions bool) (bool, error) {
	if c.done || c.it == nil {
		return false, nil
	}
	if !c.started || c.num < doc {
		c.started = true
		p, err := c.it.Advance(doc)
		if err != nil {
			return false, err
		}
		if p == nil {
			c.done = true
			return false, nil
		}
		c.set(p)
		if positions {
			c.locs = c.locs[:0]
			for _, l := range p.Locations() {
				c.locs = append(c.locs, l.Pos())
			}
		}
	}
	return c.num == doc, nil
}

// next moves to the next posting; false at the end.
func (c *cursor) next() (bool, error) {
	if c.it == nil || c.done {
		return false, nil
	}
	p, err := c.it.Next()
	if err != nil || p == nil {
		c.done = true
		return false, err
	}
	c.started = true
	c.set(p)
	return true, nil
}

func (c *cursor) set(p segment.Posting) {
	c.num, c.freq, c.norm = p.Number(), p.Frequency(), p.Norm()
}

// termScore is bleve's TermQueryScorer (tf-idf) for the current posting.
func (n *tnode) termScore() float64 {
	return n.tfIdf(n.sc.freq, n.sc.norm)
}

// tfIdf is bleve's TermQueryScorer (tf-idf) for a posting of freq and norm.
func (n *tnode) tfIdf(freq uint64, norm float64) float64 {
	var tf float64
	if freq < scorer.MaxSqrtCache {
		tf = scorer.SqrtCache[int(freq)]
	} else {
		tf = math.Sqrt(float64(freq))
	}
	score := tf * norm * n.idf
	if n.qweight != 1.0 {
		score = score * n.qweight
	}
	return score
}

// score is the score of doc, a match of n in the current segment.
func (n *tnode) score(doc uint64) (float64, error) {
	switch n.kind {
	case tkTerm:
		if n.bc.tb != nil {
			if !n.bc.has(doc) {
				return n.tfIdf(0, 0), nil
			}
			return n.tfIdf(uint64(n.bc.tb.freq[n.bc.pos]), float64(n.bc.norms[doc])), nil
		}
		if _, err := n.sc.advance(doc, false); err != nil {
			return 0, err
		}
		return n.termScore(), nil
	case tkAll:
		score := 1.0
		if n.qweight != 1.0 {
			score = score * n.qweight
		}
		return score, nil
	case tkNot:
		s, err := n.kids[0].score(doc)
		return 0.0 + s, err
	case tkAnd, tkPhrase:
		var sum float64
		for _, k := range n.sorted {
			s, err := k.score(doc)
			if err != nil {
				return 0, err
			}
			sum += s
		}
		return sum, nil
	case tkOr:
		var sum float64
		matched := 0
		for _, k := range n.sorted {
			has, err := k.has(doc)
			if err != nil {
				return 0, err
			}
			if !has {
				continue
			}
			s, err := k.score(doc)
			if err != nil {
				return 0, err
			}
			sum += s
			matched++
		}
		return sum * (float64(matched) / float64(len(n.sorted))), nil
	}
	return 0, nil
}

// has reports whether doc is a match of n in the current segment.
func (n *tnode) has(doc uint64) (bool, error) {
	switch n.kind {
	case tkTerm:
		if n.bc.tb != nil {
			return n.bc.has(doc), nil
		}
		return n.sc.advance(doc, false)
	case tkNone:
		return false, nil
	}
	return n.bm != nil && n.bm.Contains(uint32(doc)), nil
}

// sortedByCard orders bitmaps smallest first (for intersections).
func sortedByCard(bms []*roaring.Bitmap) {
	sort.Slice(bms, func(i, j int) bool { return bms[i].GetCardinality() < bms[j].GetCardinality() })
}

// eval sets n.bm, the matches of n in the current segment (segDocs
// documents, deleted ones excluded), from the terms' bitmaps set before.
func (n *tnode) eval(segDocs uint64, deleted *roaring.Bitmap) error {
	switch n.kind {
	case tkTerm:
		if n.bm == nil {
			n.bm = roaring.New()
		}
		return nil
	case tkNone:
		n.bm = roaring.New()
		return nil
	case tkAll:
		n.bm = roaring.New()
		n.bm.AddRange(0, segDocs)
		if deleted != nil {
			n.bm.AndNot(deleted)
		}
		return nil
	}
	var bms []*roaring.Bitmap
	for _, k := range n.kids {
		if k == nil {
			continue
		}
		if err := k.eval(segDocs, deleted); err != nil {
			return err
		}
		bms = append(bms, k.bm)
	}
	switch n.kind {
	case tkNot:
		n.bm = roaring.AndNot(bms[0], bms[1])
	case tkOr:
		if len(bms) == 1 {
			n.bm = bms[0]
		} else {
			n.bm = roaring.FastOr(bms...)
		}
	case tkAnd, tkPhrase:
		sortedByCard(bms)
		if len(bms) == 1 {
			n.bm = bms[0]
		} else {
			n.bm = roaring.And(bms[0], bms[1])
			for _, b := range bms[2:] {
				if n.bm.IsEmpty() {
					break
				}
				n.bm.And(b)
			}
		}
		if n.kind == tkPhrase && len(n.kids) > 1 {
			return n.checkPhrase()
		}
	}
	return nil
}

// checkPhrase keeps in n.bm (the documents with every term of the phrase)
// those where the terms stand at their offsets from one start, as bleve's
// phrase searcher (slop 0) requires.
func (n *tnode) checkPhrase() error {
	out := roaring.New()
	it := n.bm.Iterator()
	for it.HasNext() {
		doc := uint64(it.Next())
		ok := true
		for _, k := range n.kids {
			has, err := k.pos.advance(doc, true)
			if err != nil {
				return err
			}
			if !has {
				ok = false
				break
			}
		}
		if ok && phraseAt(n.kids, n.offsets) {
			out.Add(uint32(doc))
		}
	}
	n.bm = out
	return nil
}

// phraseAt reports whether some start puts every term at its offset.
func phraseAt(kids []*tnode, offsets []int) bool {
	for _, p0 := range kids[0].pos.locs {
		start := int64(p0) - int64(offsets[0])
		found := true
		for i := 1; i < len(kids) && found; i++ {
			want := uint64(start + int64(offsets[i]))
			found = false
			for _, p := range kids[i].pos.locs {
				if p == want {
					found = true
					break
				}
			}
		}
		if found {
			return true
		}
	}
	return false
}
