package alert

import (
	"slices"
	"strconv"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// prefilter skips alerts that cannot match a batch without running their
// search: most saved searches are a few plain words (AND is the default),
// and most new records contain few of them. What a query needs is the
// indexer's to say (indexer.Vocabulary.MayMatch over the parsed query, with
// the batch index's own analysis and synonyms, so stemming, acronyms and
// synonyms count as in the real search: "OPCON" is there when a paragraph
// says "operational control"); the prefilter adds the alert's facet
// filters and dates, which are not part of the query. It never skips an
// alert that would match.
type prefilter struct {
	vocab   *indexer.Vocabulary
	facets  map[string]map[string]bool // facet -> values present in the batch
	dates   map[string]bool            // record dates present
	undated bool                       // some record has no date
}

// newPrefilter returns the prefilter of the batch of recs, indexed in idx.
func newPrefilter(idx *indexer.Index, recs []*corpus.Record) (*prefilter, error) {
	vocab, err := idx.Vocabulary()
	if err != nil {
		return nil, err
	}
	p := &prefilter{vocab: vocab, facets: map[string]map[string]bool{}, dates: map[string]bool{}}
	add := func(facet string, vals ...string) {
		if p.facets[facet] == nil {
			p.facets[facet] = map[string]bool{}
		}
		for _, v := range vals {
			p.facets[facet][v] = true
		}
	}
	for _, name := range indexer.FacetNames {
		add(name)
	}
	for _, r := range recs {
		add("series", r.Meeting.Series)
		add("meeting", r.Meeting.Name)
		add("location", r.Location)
		add("kind", r.Kind)
		if y := r.Date.Year(); y > 0 {
			add("year", strconv.Itoa(y))
		}
		if r.Date == "" {
			p.undated = true
		}
		p.dates[string(r.Date)] = true
		for _, para := range r.Paragraphs {
			add("speaker", para.Speakers...)
			add("topic", para.Topics...)
			add("side", para.Sides...)
		}
	}
	return p, nil
}

// mayMatch reports whether a can match the batch; false only when the
// batch lacks something every match needs: what its query needs, or a
// value of one of its facet filters, or a date in its range.
func (p *prefilter) mayMatch(a *Alert) bool {
	for facet, vals := range a.Filters {
		have := p.facets[facet]
		if have == nil {
			continue // a facet the prefilter does not know: run the search
		}
		if !slices.ContainsFunc(vals, func(v string) bool { return have[v] }) {
			return false
		}
	}
	if (a.From != "" || a.To != "") && !p.undated {
		inRange := false
		for d := range p.dates {
			if (a.From == "" || d >= a.From) && (a.To == "" || d <= a.To) {
				inRange = true
				break
			}
		}
		if !inRange {
			return false
		}
	}
	t, err := indexer.ParseQuery(a.Query)
	if err != nil {
		return true // the search reports the error
	}
	return p.vocab.MayMatch(t)
}
