package indexer

import (
	"context"
	"fmt"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Date ranges.
//
// A paragraph's date is one keyword term, YYYY-MM-DD (its record's date;
// none when the record has none), so the order of the terms is the order
// of the days. A range from..to (both days included, either end open) is a
// filter, not part of the relevance: the paragraphs of a day within it pass,
// undated ones never. It is applied where the facet filters are, from a
// column: each segment's columns (facets.go) hold its dates, sorted, and
// each document's date as a rank among them, so a range is two ranks per
// segment and a comparison per match. Bleve then searches the text query
// alone, with the scores it has without a range, and the bitmap path
// (search_term.go) serves ranges as it serves the text query.
//
// A range of thousands of days as a bleve term range would be a disjunction
// of thousands of terms (over bleve's clause limit) that scores each
// paragraph by the rarity of its day; only where a range is the whole
// search (browsing a range) or a total is all that is wanted (the
// suggestion's check) is it a bleve query, unscored (rangeQuery).

// dateRange is the from..to of a search, YYYY-MM-DD, "" for an open end.
type dateRange struct {
	from, to string
}

// bounds returns the ranks (dateOf values) in [lo, hi) of the days of
// dates (sorted) within r.
func (r *dateRange) bounds(dates []string) (lo, hi uint32) {
	lo, hi = 1, uint32(len(dates))+1
	if r.from != "" {
		lo += uint32(sort.SearchStrings(dates, r.from))
	}
	if r.to != "" {
		hi = 1 + uint32(sort.Search(len(dates), func(i int) bool { return dates[i] > r.to }))
	}
	return lo, hi
}

// rangeQuery is r as a bleve query that does not score: bleve then ORs the
// postings of its days into one bitmap, however many they are.
func (r *dateRange) rangeQuery() query.Query {
	t := true
	q := query.NewTermRangeInclusiveQuery(r.from, r.to, &t, &t)
	q.SetField(fDate)
	return unscored{q}
}

// unscored is a query matched without scores.
type unscored struct{ q query.Query }

func (u unscored) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	options.Score, options.IncludeTermVectors, options.Explain = "none", false, false
	return u.q.Searcher(ctx, i, m, options)
}

// segDates returns the dates of seg, sorted, and each document's date as
// its rank among them plus one (0: no date).
func segDates(seg segment.Segment) ([]string, []uint32, error) {
	dict, err := seg.Dictionary(fDate)
	if err != nil {
		return nil, nil, fmt.Errorf("indexer: dates: %w", err)
	}
	dateOf := make([]uint32, seg.Count())
	var dates []string
	it := dict.AutomatonIterator(nil, nil, nil)
	for {
		e, err := it.Next()
		if err != nil {
			return nil, nil, fmt.Errorf("indexer: dates: %w", err)
		}
		if e == nil {
			break
		}
		dates = append(dates, e.Term)
		rank := uint32(len(dates))
		bm, err := termBitmap(dict, e.Term)
		if err != nil {
			return nil, nil, fmt.Errorf("indexer: date %s: %w", e.Term, err)
		}
		bm.Iterate(func(d uint32) bool {
			dateOf[d] = rank
			return true
		})
	}
	return dates, dateOf, nil
}

// inRange returns the documents of bm (in segment cols) dated within r.
func (cols *segColumns) inRange(bm *roaring.Bitmap, r *dateRange) *roaring.Bitmap {
	lo, hi := r.bounds(cols.dates)
	out := roaring.New()
	var buf [512]uint32
	it := bm.ManyIterator()
	for {
		k := it.NextMany(buf[:])
		if k == 0 {
			return out
		}
		n := 0
		for _, d := range buf[:k] {
			if rank := cols.dateOf[d]; rank >= lo && rank < hi {
				buf[n] = d
				n++
			}
		}
		out.AddMany(buf[:n])
	}
}
