package indexer

import (
	"container/heap"
	"context"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// The term path.
//
// Most of what people ask is one term (a word, or two words that are one
// term of the pairs field) or all of a few terms (two words, a word and a
// field value). bleve answers it through its collector: a DocumentMatch per
// match, scorer calls, a heap of the top N, the handler that counts the
// facets. Here the terms' postings are read segment by segment with their
// frequency and norm (the rarest leads, the others advance to it), each
// match is counted (and filtered) by the facet columns and scored with
// bleve's own formulas (tf-idf: sqrt(freq) * norm * idf, idf = 1 + ln(docs
// / (docFreq + 1)); a lone term has query weight 1, a conjunction gives
// each term idf / sqrt(sum of idf^2) and sums them rarest first, as bleve's
// ConjunctionSearcher does; either of two terms (an acronym or its
// two-word expansion, a OR b) sums what matched times matched/2, as its
// DisjunctionSearcher does), and only the matches that can enter the page go
// into a small heap. Same total, facets, hits, scores and order as the
// general path (TestTermPathAgrees).

// maxTermPathHits bounds the page (from + size) the term path serves;
// deeper pages go through bleve.
const maxTermPathHits = 1000

// maxTermPathTerms bounds the terms of a conjunction on the term path.
const maxTermPathTerms = 8

// termShape is how the terms of the term path combine.
type termShape int

const (
	termOne    termShape = iota // a lone term
	termAll                     // a conjunction of terms
	termEither                  // a disjunction of two terms
)

// termQueries returns the terms when p is one term, a conjunction of
// terms or a disjunction of two, in relevance order, without date range,
// record or cursor, on a page the path serves, and how they combine.
func termQueries(p *searchPlan) (terms []*query.TermQuery, shape termShape, ok bool) {
	// Only the text query: no date range, record or anything else that
	// textQuery adds to it.
	if p.sort[0] != "-_score" || p.after != nil || p.textQuery() != p.c.q || p.from+p.size > maxTermPathHits {
		return nil, 0, false
	}
	plain := func(q query.Query) (*query.TermQuery, bool) {
		tq, ok := q.(*query.TermQuery)
		if !ok || tq.FieldVal == "" || tq.BoostVal != nil && tq.BoostVal.Value() != 1 {
			return nil, false
		}
		return tq, true
	}
	if tq, ok := plain(p.c.q); ok {
		return []*query.TermQuery{tq}, termOne, true
	}
	var kids []query.Query
	switch q := p.c.q.(type) {
	case *query.ConjunctionQuery:
		if len(q.Conjuncts) < 2 || len(q.Conjuncts) > maxTermPathTerms || q.BoostVal != nil && q.BoostVal.Value() != 1 {
			return nil, 0, false
		}
		kids, shape = q.Conjuncts, termAll
	case *query.DisjunctionQuery:
		// Two only: a sum of two scores is the same in any order, so the
		// order bleve adds them in does not matter.
		if len(q.Disjuncts) != 2 || q.Min != 0 || q.BoostVal != nil && q.BoostVal.Value() != 1 {
			return nil, 0, false
		}
		kids, shape = q.Disjuncts, termEither
	default:
		return nil, 0, false
	}
	for _, c := range kids {
		tq, ok := plain(c)
		if !ok {
			return nil, 0, false
		}
		terms = append(terms, tq)
	}
	return terms, shape, true
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

// searchTerms answers p (terms, see termQueries) on bi.
func (x *Index) searchTerms(ctx context.Context, bi bleve.Index, p *searchPlan, tqs []*query.TermQuery, shape termShape, count bool) (*Result, error) {
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
	fc := newFacetCounter(cols, p.filters, count)
	docs, err := snap.DocCount()
	if err != nil {
		return nil, searchError(err)
	}

	// Each term: its postings in every segment, without deleted documents,
	// and its document frequency in the snapshot.
	segs := snap.Segments()
	type termPostings struct {
		docFreq uint64
		its     []segment.PostingsIterator // per segment; nil where absent
		idf     float64
		weight  float64 // query weight: 1 alone, idf * queryNorm with others
	}
	terms := make([]*termPostings, len(tqs))
	for i, tq := range tqs {
		t := &termPostings{its: make([]segment.PostingsIterator, len(segs))}
		for j, s := range segs {
			dict, err := s.Segment().Dictionary(tq.FieldVal)
			if err != nil {
				return nil, searchError(err)
			}
			pl, err := dict.PostingsList([]byte(tq.Term), s.Deleted(), nil)
			if err != nil {
				return nil, searchError(err)
			}
			if pl == nil || pl.Count() == 0 {
				continue
			}
			t.docFreq += pl.Count()
			t.its[j] = pl.Iterator(true, true, false, nil)
		}
		t.idf = 1.0 + math.Log(float64(docs)/float64(t.docFreq+1.0))
		t.weight = 1.0
		terms[i] = t
	}
	if shape != termOne {
		// bleve's Conjunction and DisjunctionSearcher: children ordered by
		// document frequency (a stable order for so few), one query norm.
		sort.SliceStable(terms, func(i, j int) bool { return terms[i].docFreq < terms[j].docFreq })
		sumOfSquaredWeights := 0.0
		for _, t := range terms {
			w := 1.0 * t.idf
			sumOfSquaredWeights += w * w
		}
		queryNorm := 1.0 / math.Sqrt(sumOfSquaredWeights)
		for _, t := range terms {
			t.weight = 1.0 * t.idf * queryNorm
		}
	}
	termScore := func(t *termPostings, post segment.Posting) float64 {
		var tf float64
		if freq := post.Frequency(); freq < scorer.MaxSqrtCache {
			tf = scorer.SqrtCache[int(freq)]
		} else {
			tf = math.Sqrt(float64(freq))
		}
		sc := tf * post.Norm() * t.idf
		if t.weight != 1.0 {
			sc = sc * t.weight
		}
		return sc
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
	var seen int
	var start uint64
	cur := make([]segment.Posting, len(terms))
SEGMENTS:
	for j, s := range segs {
		segStart := start
		start += s.Segment().Count()
		if shape == termEither {
			if err := eitherSegment(ctx, terms[0].its[j], terms[1].its[j], func(a, b segment.Posting, num uint64) {
				if !fc.observe(segStart + num) {
					return
				}
				// bleve: (0 + the matched scores) * matched/2
				switch {
				case a != nil && b != nil:
					offer((0.0+termScore(terms[0], a)+termScore(terms[1], b))*1.0, segStart+num)
				case a != nil:
					offer((0.0+termScore(terms[0], a))*0.5, segStart+num)
				default:
					offer((0.0+termScore(terms[1], b))*0.5, segStart+num)
				}
			}); err != nil {
				return nil, searchError(err)
			}
			continue
		}
		lead := terms[0].its[j]
		if lead == nil {
			continue
		}
		for k := 1; k < len(terms); k++ {
			if terms[k].its[j] == nil {
				continue SEGMENTS
			}
			cur[k] = nil
		}
	POSTINGS:
		for {
			post, err := lead.Next()
			if err != nil {
				return nil, searchError(err)
			}
			if post == nil {
				break
			}
			if seen++; seen&0xfff == 0 && ctx.Err() != nil {
				return nil, searchError(ctx.Err())
			}
			num := post.Number()
			for k := 1; k < len(terms); k++ {
				if cur[k] == nil || cur[k].Number() < num {
					if cur[k], err = terms[k].its[j].Advance(num); err != nil {
						return nil, searchError(err)
					}
					if cur[k] == nil {
						break POSTINGS
					}
				}
				if cur[k].Number() != num {
					continue POSTINGS
				}
			}
			g := segStart + num
			if !fc.observe(g) {
				continue
			}
			score := termScore(terms[0], post)
			if shape == termAll {
				score = 0.0 + score
				for k := 1; k < len(terms); k++ {
					score += termScore(terms[k], cur[k])
				}
			}
			offer(score, g)
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
	sr := &bleve.SearchRequest{Fields: storedFields}
	for _, s := range page {
		id := index.NewIndexInternalID(nil, s.num)
		ext, err := snap.ExternalID(id)
		if err != nil {
			return nil, searchError(err)
		}
		dm := &search.DocumentMatch{ID: ext, IndexInternalID: id, Score: s.score}
		if err, _ := bleve.LoadAndHighlightFields(dm, sr, "", snap, nil); err != nil {
			return nil, searchError(err)
		}
		out.Hits = append(out.Hits, x.hit(dm, p, true))
	}
	if count {
		fc.countRecords(out)
	}
	return out, nil
}

// eitherSegment walks the union of two postings iterators of a segment (nil
// where a term is absent) in document order, calling match with the
// posting of each term that has the document (nil for the other).
func eitherSegment(ctx context.Context, ia, ib segment.PostingsIterator, match func(a, b segment.Posting, num uint64)) error {
	next := func(it segment.PostingsIterator) (segment.Posting, error) {
		if it == nil {
			return nil, nil
		}
		return it.Next()
	}
	a, err := next(ia)
	if err != nil {
		return err
	}
	b, err := next(ib)
	if err != nil {
		return err
	}
	for seen := 1; a != nil || b != nil; seen++ {
		if seen&0xfff == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		switch {
		case b == nil || a != nil && a.Number() < b.Number():
			match(a, nil, a.Number())
			if a, err = next(ia); err != nil {
				return err
			}
		case a == nil || b.Number() < a.Number():
			match(nil, b, b.Number())
			if b, err = next(ib); err != nil {
				return err
			}
		default:
			match(a, b, a.Number())
			if a, err = next(ia); err != nil {
				return err
			}
			if b, err = next(ib); err != nil {
				return err
			}
		}
	}
	return nil
}
