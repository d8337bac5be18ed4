package indexer

import (
	"context"

	"github.com/blevesearch/bleve/v2"
)

// Matcher is a Request compiled once to find every paragraph it matches,
// cheaply (only ids and scores, no stored fields, facets, suggestions or
// pages), and to highlight texts as Search does. Saved alerts use it: 10,000
// searches against the small in-memory index of a new record's paragraphs,
// where loading stored fields and highlighting every hit cost more than the
// search itself. So does the record page, which marks the paragraphs of one
// record (Request.Record) that a query matches. The paragraphs it finds are
// exactly those Search finds for the same Request, and its marks are those
// of Search's snippets.
type Matcher struct {
	x *Index
	p *searchPlan
}

// MatchedID is a paragraph a Matcher found, with its relevance score.
type MatchedID struct {
	ID    string
	Score float64
}

// NewMatcher validates and compiles req as Search would (the same errors);
// its Sort, Page, Size and After are ignored.
func (x *Index) NewMatcher(req Request) (*Matcher, error) {
	req.Sort, req.Page, req.Size, req.After = SortRelevance, 0, 0, nil
	req.NoFacets, req.NoSuggest = true, true
	x.mu.RLock()
	defer x.mu.RUnlock()
	if _, err := x.live(); err != nil {
		return nil, err
	}
	p, err := x.plan(req)
	if err != nil {
		return nil, err
	}
	return &Matcher{x: x, p: p}, nil
}

// Match returns every matching paragraph, in Search's order: bleve finds
// and ranks the matches of the text query, and the date range and facet
// filters are applied from the facet columns as bleve collects them,
// exactly as Search does (they do not score).
func (m *Matcher) Match(ctx context.Context) ([]MatchedID, error) {
	m.x.mu.RLock()
	defer m.x.mu.RUnlock()
	bi, err := m.x.live()
	if err != nil {
		return nil, err
	}
	n, err := bi.DocCount()
	if err != nil {
		return nil, searchError(err)
	}
	if n == 0 {
		return nil, nil
	}
	// Most searches match a few paragraphs: a small first try spares bleve
	// a document pool sized for the whole index; a full try reruns it.
	res, err := m.search(ctx, bi, min(int(n), firstTry))
	if err == nil && len(res.Hits) == firstTry && int(n) > firstTry {
		res, err = m.search(ctx, bi, int(n))
	}
	if err != nil {
		return nil, err
	}
	out := make([]MatchedID, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = MatchedID{ID: h.ID, Score: h.Score}
	}
	return out, nil
}

// firstTry is the number of hits Match asks for first.
const firstTry = 32

func (m *Matcher) search(ctx context.Context, bi bleve.Index, size int) (*bleve.SearchResult, error) {
	p := m.p
	sr := bleve.NewSearchRequestOptions(p.textQuery(), size, 0, false)
	if p.sort[0] == "-_score" {
		sr.SortBy([]string{"-_score"}) // ties in document order, as Search
	} else {
		sr.SortBy(p.sort)
	}
	sctx, coll := m.x.collecting(ctx, p, false, false)
	res, err := bi.SearchInContext(sctx, sr)
	coll.release()
	if err != nil {
		return nil, searchError(err)
	}
	return res, nil
}

// Snippet returns the highlighted snippet of text and the labels of the
// synonym expansions found in it, as Search's Hit.SnippetHTML and
// Hit.Expansions for a matching paragraph with this text.
func (m *Matcher) Snippet(text string) (string, []string) {
	return highlight(m.x.analyzer, m.p.c, text)
}

// Highlight returns what the query matched in text, a whole paragraph not
// cut to a snippet: sorted byte spans that neither overlap nor touch (the
// <mark>s of Search's snippet of a paragraph with this text), and the labels
// of the synonym expansions found in it.
func (m *Matcher) Highlight(text string) ([]Span, []string) {
	return marks(m.x.analyzer, m.p.c, text)
}
