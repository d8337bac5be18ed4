package indexer

import (
	"container/heap"
	"context"
	"math"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// The single-term path.
//
// Nearly half of what people ask is one term: a word, or two words that are
// one term of the pairs field. bleve answers it through its collector: a
// DocumentMatch per match, a scorer call, a heap of the top N, the handler
// that counts the facets. Here the term's postings are read segment by
// segment with their frequency and norm, each match is counted (and
// filtered) by the facet columns and scored with bleve's own formula for a
// lone term query (tf-idf: sqrt(freq) * norm * idf, idf = 1 + ln(docs /
// (docFreq + 1)), query weight 1), and only the matches that can enter the
// page go into a small heap. Same total, facets, hits, scores and order as
// the general path (TestSingleTermPathAgrees).

// maxTermPathHits bounds the page (from + size) the single-term path
// serves; deeper pages go through bleve.
const maxTermPathHits = 1000

// singleTerm returns the term query when p is one term in relevance order,
// without date range or cursor, on a page the path serves.
func singleTerm(p *searchPlan) (*query.TermQuery, bool) {
	if p.sort[0] != "-_score" || p.after != nil || p.dates != nil || p.from+p.size > maxTermPathHits {
		return nil, false
	}
	tq, ok := p.c.q.(*query.TermQuery)
	if !ok || tq.FieldVal == "" || tq.BoostVal != nil && tq.BoostVal.Value() != 1 {
		return nil, false
	}
	return tq, true
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

// searchTerm answers p (a single term, see singleTerm) on bi.
func (x *Index) searchTerm(ctx context.Context, bi bleve.Index, p *searchPlan, tq *query.TermQuery, count bool) (*Result, error) {
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

	// The postings of the term in every segment, without deleted documents.
	term := []byte(tq.Term)
	type segPostings struct {
		start uint64
		it    segment.PostingsIterator
	}
	segs := snap.Segments()
	lists := make([]segPostings, 0, len(segs))
	var docFreq, start uint64
	for _, s := range segs {
		segStart := start
		start += s.Segment().Count()
		dict, err := s.Segment().Dictionary(tq.FieldVal)
		if err != nil {
			return nil, searchError(err)
		}
		pl, err := dict.PostingsList(term, s.Deleted(), nil)
		if err != nil {
			return nil, searchError(err)
		}
		if pl == nil || pl.Count() == 0 {
			continue
		}
		docFreq += pl.Count()
		lists = append(lists, segPostings{segStart, pl.Iterator(true, true, false, nil)})
	}

	idf := 1.0 + math.Log(float64(docs)/float64(docFreq+1.0))
	want := p.from + p.size
	top := make(topHeap, 0, want+1)
	var seen int
	for _, l := range lists {
		for {
			post, err := l.it.Next()
			if err != nil {
				return nil, searchError(err)
			}
			if post == nil {
				break
			}
			if seen++; seen&0xfff == 0 && ctx.Err() != nil {
				return nil, searchError(ctx.Err())
			}
			g := l.start + post.Number()
			if !fc.observe(g) {
				continue
			}
			var tf float64
			if freq := post.Frequency(); freq < scorer.MaxSqrtCache {
				tf = scorer.SqrtCache[int(freq)]
			} else {
				tf = math.Sqrt(float64(freq))
			}
			sc := scored{score: tf * post.Norm() * idf, num: g}
			if len(top) < want {
				heap.Push(&top, sc)
			} else if sc.score > top[0].score {
				// equal scores keep the earlier document, as bleve does
				top[0] = sc
				heap.Fix(&top, 0)
			}
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
	return out, nil
}
