package indexer

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
)

// maxDeepHit is the deepest hit page/size can reach; beyond it use After.
const maxDeepHit = 10000

// facetSize is how many values a facet returns, most frequent first.
const facetSize = 50

// facetField maps a facet name to its field (they are the same today).
func facetField(name string) string { return name }

func isFacet(name string) bool {
	for _, f := range FacetNames {
		if f == name {
			return true
		}
	}
	return false
}

// searchPlan is a validated Request.
type searchPlan struct {
	req     Request
	size    int
	from    int
	sort    []string
	after   []string
	filters map[string][]string // facet -> values, only non-empty
	dates   *dateRange          // nil when no range
	record  query.Query         // nil when not restricted to a record
	n       node                // the parsed query, repeats collapsed
	c       *compiled
}

func (x *Index) plan(req Request) (*searchPlan, error) {
	p := &searchPlan{req: req, size: req.Size, filters: map[string][]string{}}
	if p.size <= 0 {
		p.size = 10
	}
	if p.size > MaxPageSize {
		p.size = MaxPageSize
	}
	page := req.Page
	if page < 1 {
		page = 1
	}
	for name, vals := range req.Filters {
		if !isFacet(name) {
			return nil, failure.Param("filters", "unknown facet %q (facets: %s)", name, strings.Join(FacetNames, ", "))
		}
		var vs []string
		for _, v := range vals {
			if name == fSpeaker {
				v = corpus.CanonicalName(v) // a filter by any spelling of a name
			}
			if v != "" {
				vs = append(vs, v)
			}
		}
		if len(vs) > 0 {
			p.filters[name] = vs
		}
	}
	if req.From != "" {
		if _, err := time.Parse(time.DateOnly, req.From); err != nil {
			return nil, failure.Param("from", "from date %q is not YYYY-MM-DD", req.From)
		}
	}
	if req.To != "" {
		if _, err := time.Parse(time.DateOnly, req.To); err != nil {
			return nil, failure.Param("to", "to date %q is not YYYY-MM-DD", req.To)
		}
	}
	if req.From != "" && req.To != "" && req.To < req.From {
		return nil, failure.Param("to", "to date %s is before from date %s", req.To, req.From)
	}
	if req.From != "" || req.To != "" {
		// time.Parse took only YYYY-MM-DD: the strings compare as the days
		p.dates = &dateRange{from: req.From, to: req.To}
	}
	if req.Record != "" {
		q := query.NewTermQuery(req.Record)
		q.SetField(fRecordID)
		p.record = q
	}
	n, err := parseQuery(req.Query)
	if err != nil {
		return nil, err
	}
	n = collapse(n)
	p.n = n
	env := &compileEnv{analyzer: x.analyzer, synonyms: x.synonyms, fieldValues: x.fieldValues}
	if p.c, err = env.compile(n); err != nil {
		return nil, err
	}
	switch req.Sort {
	case "", SortRelevance:
		p.sort = []string{"-_score", "_id"}
		if p.c.q == nil {
			p.sort = []string{"-" + fDate, "_id"} // browsing: newest first
		}
	case SortDateAsc:
		p.sort = []string{fDate, "_id"}
	case SortDateDesc:
		p.sort = []string{"-" + fDate, "_id"}
	default:
		return nil, failure.Param("sort", "sort must be %s, %s or %s", SortRelevance, SortDateAsc, SortDateDesc)
	}
	if len(req.After) > 0 {
		if len(req.After) != len(p.sort) {
			return nil, failure.Param("after", "after must be the sort_keys of a hit of the same sort order")
		}
		for _, k := range req.After {
			b, err := hex.DecodeString(k)
			if err != nil {
				return nil, failure.Param("after", "after must be the sort_keys of a hit")
			}
			p.after = append(p.after, string(b))
		}
	} else {
		p.from = (page - 1) * p.size
		if p.from+p.size > maxDeepHit {
			return nil, failure.Param("page", "pages reach only the first %d hits; read further with after (the sort_keys of the last hit)", maxDeepHit)
		}
	}
	return p, nil
}

// textQuery is what bleve searches and scores: the text query and the
// record. The date range and the facet filters are applied as bleve
// collects the matches (collecting); when there is nothing else to search,
// the range is the query, unscored.
func (p *searchPlan) textQuery() query.Query {
	var qs []query.Query
	for _, q := range []query.Query{p.c.q, p.record} {
		if q != nil {
			qs = append(qs, q)
		}
	}
	if len(qs) == 0 && p.dates != nil {
		return p.dates.rangeQuery()
	}
	return conjunction(qs)
}

// conjunction is the query that matches what every one of qs matches (all
// documents for none).
func conjunction(qs []query.Query) query.Query {
	switch len(qs) {
	case 0:
		return query.NewMatchAllQuery()
	case 1:
		return qs[0]
	}
	return query.NewConjunctionQuery(qs)
}

// query returns the plan's query with every filter except the facet skip.
func (p *searchPlan) query(skip string) query.Query {
	var qs []query.Query
	if p.c.q != nil {
		qs = append(qs, p.c.q)
	}
	names := make([]string, 0, len(p.filters))
	for name := range p.filters {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == skip {
			continue
		}
		var or []query.Query
		for _, v := range p.filters[name] {
			t := query.NewTermQuery(v)
			t.SetField(facetField(name))
			or = append(or, t)
		}
		if len(or) == 1 {
			qs = append(qs, or[0])
		} else {
			qs = append(qs, query.NewDisjunctionQuery(or))
		}
	}
	if p.dates != nil {
		qs = append(qs, p.dates.rangeQuery())
	}
	if p.record != nil {
		qs = append(qs, p.record)
	}
	return conjunction(qs)
}

// Search runs req. A syntax error in req.Query is a failure.BadInput error
// with Param "q"; other bad parameters name theirs.
//
// bleve finds and ranks the matches of the text query; the date range, the
// facet filters and the facet counts are applied to the matches as bleve
// collects them, from in-memory columns (facets.go, dates.go), in the same
// pass.
//
// The request's context is honoured at every stage: measuring the query's
// cost, waiting for an expensive-search slot, bleve's search (which counts
// the facets as it collects), the snippets and the suggestion.
func (x *Index) Search(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	p, cost, err := x.planAndCost(ctx, req)
	if err != nil {
		return nil, err
	}
	if cost.expensive() {
		// Waiting outside the index lock: an update waiting for the lock
		// would otherwise hold up every search behind this one.
		release, err := x.heavy.acquire(ctx)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	bi, err := x.live()
	if err != nil {
		return nil, err
	}

	var out *Result
	if root, ok := bitmapTree(p); ok {
		out, err = x.searchTerms(ctx, bi, p, root, !req.NoFacets)
	} else {
		out, err = x.searchBleve(ctx, bi, p, !req.NoFacets)
	}
	if err != nil {
		return nil, err
	}
	if out.Total == 0 && len(p.c.words) > 0 && !req.NoSuggest {
		out.Suggestion = x.suggest(ctx, bi, p)
	}
	out.Took = time.Since(start)
	return out, nil
}

// searchBleve is the general path: bleve finds and ranks the matches, the
// document-match handler filters and counts them (count: the facets too).
func (x *Index) searchBleve(ctx context.Context, bi bleve.Index, p *searchPlan, count bool) (out *Result, err error) {
	sr := bleve.NewSearchRequestOptions(p.textQuery(), p.size, p.from, false)
	relevance := p.sort[0] == "-_score"
	if relevance {
		// Ties in score are broken by document order (bleve's hit number);
		// the cursor of After is applied below, in the same order, so bleve
		// never needs the ids of all matches.
		sr.SortBy([]string{"-_score"})
	} else {
		sr.SortBy(p.sort)
		if p.after != nil {
			sr.SearchAfter = p.after
		}
	}
	sr.Fields = storedFields

	cctx, coll := x.collecting(ctx, p, count, relevance && p.after != nil)
	res, err := bi.SearchInContext(cctx, sr)
	defer coll.release()
	if err != nil {
		if coll.err != nil {
			return nil, coll.err
		}
		return nil, searchError(err)
	}

	out = &Result{Total: res.Total, Hits: make([]Hit, 0, len(res.Hits)), Facets: map[string][]FacetValue{}}
	if coll.fc != nil {
		out.Total = coll.fc.total
		if count {
			out.Facets = coll.fc.facets(p.filters)
		}
	}
	for _, h := range res.Hits {
		if err := ctx.Err(); err != nil {
			return nil, searchError(err)
		}
		out.Hits = append(out.Hits, x.hit(h, p, relevance))
	}
	if len(out.Hits) > 0 {
		if coll.snap == nil {
			return nil, fmt.Errorf("indexer: search: the hits' snapshot is unknown")
		}
		if err := x.fillTexts(coll.snap, out.Hits, p); err != nil {
			return nil, searchError(err)
		}
	}
	if coll.fc != nil && count {
		coll.fc.countRecords(out)
	}
	coll.fc.release()
	return out, nil
}

// planAndCost plans req and measures what it asks of the index.
func (x *Index) planAndCost(ctx context.Context, req Request) (*searchPlan, queryCost, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	bi, err := x.live()
	if err != nil {
		return nil, queryCost{}, err
	}
	p, err := x.plan(req)
	if err != nil {
		return nil, queryCost{}, err
	}
	cost, err := x.cost(ctx, bi, p.n)
	if err != nil {
		if failure.KindOf(err) == failure.BadInput {
			return nil, cost, err
		}
		return nil, cost, searchError(err)
	}
	return p, cost, nil
}

// collection is what the document-match handler of a search found: the
// facet counter (nil when the search needed none), a bad After cursor, and
// the snapshot searched (held until release), whose record versions the
// hits' texts are read of.
type collection struct {
	fc   *facetCounter
	err  error
	snap *scorch.IndexSnapshot
}

// release lets the snapshot go.
func (c *collection) release() {
	if c.snap != nil {
		c.snap.DecRef()
		c.snap = nil
	}
}

// collecting returns ctx with a document-match handler that applies p's
// date range and facet filters to the matches bleve collects, before its
// top-N collector sees them, counting the facets when count is set and
// passing only the matches after p.after (relevance order) when cursor is
// set. Without range, filters, counts or cursor it hands the matches to
// bleve's handler as they come. Either way it keeps the snapshot searched
// (the caller releases it).
func (x *Index) collecting(ctx context.Context, p *searchPlan, count, cursor bool) (context.Context, *collection) {
	coll := &collection{}
	plain := !count && !cursor && len(p.filters) == 0 && p.dates == nil
	maker := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		next, loadID, err := collector.MakeTopNDocumentMatchHandler(sctx)
		if err != nil {
			return nil, false, err
		}
		snap, ok := sctx.IndexReader.(*scorch.IndexSnapshot)
		if !ok {
			return nil, false, fmt.Errorf("indexer: unexpected index reader %T", sctx.IndexReader)
		}
		if coll.snap == nil {
			snap.AddRef()
			coll.snap = snap
		}
		if plain {
			return next, loadID, nil
		}
		cols, err := x.facets.columns(snap)
		if err != nil {
			return nil, false, err
		}
		fc := newFacetCounter(cols, p.filters, p.dates, count)
		coll.fc = fc
		var cur *afterCursor
		if cursor {
			if cur, err = newAfterCursor(snap, p.after); err != nil {
				coll.err = err
				return nil, false, err
			}
		}
		return func(d *search.DocumentMatch) error {
			if d == nil {
				return next(nil)
			}
			num := d.IndexInternalID.Value()
			if !fc.observe(num) || cur != nil && !cur.before(d.Score, num) {
				sctx.DocumentMatchPool.Put(d)
				return nil
			}
			return next(d)
		}, loadID, nil
	}
	return context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(maker)), coll
}

// afterCursor passes the matches that come after a hit in relevance order
// (score descending, then document order).
type afterCursor struct {
	score float64
	num   uint64
}

func newAfterCursor(snap *scorch.IndexSnapshot, after []string) (*afterCursor, error) {
	score, err := strconv.ParseFloat(after[0], 64)
	if err != nil {
		return nil, failure.Param("after", "after must be the sort_keys of a hit")
	}
	cur := &afterCursor{score: score, num: ^uint64(0)}
	// A hit removed since keeps its score as the cursor, and the matches of
	// equal score are skipped.
	if id, err := snap.InternalID(after[1]); err == nil && id != nil {
		cur.num = id.Value()
	}
	return cur, nil
}

func (c *afterCursor) before(score float64, num uint64) bool {
	return score < c.score || score == c.score && num > c.num
}

func searchError(err error) error {
	if strings.Contains(err.Error(), "TooManyClauses") {
		return failure.Param("q", "a prefix or fuzzy word matches more than %d words; make it longer", maxExpansion)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return failure.Wrap(failure.Unavailable, err, "search took too long")
	}
	return fmt.Errorf("indexer: search: %w", err)
}

// hit turns a bleve hit into a Hit, without its text and snippet
// (fillTexts adds them).
func (x *Index) hit(h *search.DocumentMatch, p *searchPlan, relevance bool) Hit {
	f := h.Fields
	out := Hit{Paragraph: Paragraph{
		ID:       h.ID,
		RecordID: str(f[fRecordID]),
		Title:    str(f[fTitle]),
		Section:  str(f[fSection]),
		N:        int(num(f[fN])),
		Meeting:  corpus.Meeting{Series: str(f[fSeries]), Name: str(f[fMeeting]), Number: int(num(f[fMeetNo]))},
		Speakers: strs(f[fSpeaker]),
		Sides:    strs(f[fSide]),
		Topics:   strs(f[fTopic]),
	}, Score: h.Score}
	if d := str(f[fDate]); len(d) >= 10 {
		out.Date = corpus.Date(d[:10])
	}
	// Sort keys are opaque to clients (hex): bleve wants the score itself
	// where the sort is by score, and the decoded value elsewhere.
	if relevance {
		for _, k := range []string{strconv.FormatFloat(h.Score, 'g', -1, 64), h.ID} {
			out.SortKeys = append(out.SortKeys, hex.EncodeToString([]byte(k)))
		}
	} else {
		for _, k := range h.Sort {
			out.SortKeys = append(out.SortKeys, hex.EncodeToString([]byte(k)))
		}
	}
	return out
}

func str(v interface{}) string {
	switch v := v.(type) {
	case string:
		return v
	case []interface{}:
		if len(v) > 0 {
			return str(v[0])
		}
	}
	return ""
}

func num(v interface{}) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case []interface{}:
		if len(v) > 0 {
			return num(v[0])
		}
	}
	return 0
}

func strs(v interface{}) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []interface{}:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return []string{}
}

// fieldValues returns the distinct values of a keyword field, cached until
// the next update.
func (x *Index) fieldValues(field string) []string {
	x.valuesMu.Lock()
	defer x.valuesMu.Unlock()
	if vs, ok := x.values[field]; ok {
		return vs
	}
	var vs []string
	if x.bi != nil {
		if d, err := x.bi.FieldDict(field); err == nil {
			for {
				e, err := d.Next()
				if err != nil || e == nil {
					break
				}
				vs = append(vs, e.Term)
			}
			d.Close()
		}
	}
	if x.values == nil {
		x.values = map[string][]string{}
	}
	x.values[field] = vs
	return vs
}

// suggest proposes a query with each unknown word replaced by the closest
// word of the index (by edit distance, then frequency), when that query
// finds something.
func (x *Index) suggest(ctx context.Context, bi bleve.Index, p *searchPlan) *string {
	adv, err := bi.Advanced()
	if err != nil {
		return nil
	}
	r, err := adv.Reader()
	if err != nil {
		return nil
	}
	defer r.Close()
	fz, ok := r.(index.IndexReaderFuzzy)
	if !ok {
		return nil
	}
	q := p.req.Query
	changed := false
	for _, w := range p.c.words {
		best, bestDist, bestCount := "", 3, uint64(0)
		d, err := fz.FieldDictFuzzy(fText, w.term, 2, "")
		if err != nil {
			continue
		}
		known := false
		for {
			e, err := d.Next()
			if err != nil || e == nil {
				break
			}
			if e.Term == w.term {
				known = true
				break
			}
			dist := levenshtein(e.Term, w.term)
			if dist < bestDist || dist == bestDist && e.Count > bestCount {
				best, bestDist, bestCount = e.Term, dist, e.Count
			}
		}
		d.Close()
		if known || best == "" {
			continue
		}
		q = replaceWord(q, w.surface, matchCase(w.surface, x.surfaceOf(ctx, bi, best)))
		changed = true
	}
	if !changed || q == p.req.Query {
		return nil
	}
	n, err := parseQuery(q)
	if err != nil {
		return nil
	}
	env := &compileEnv{analyzer: x.analyzer, synonyms: x.synonyms, fieldValues: x.fieldValues}
	c, err := env.compile(n)
	if err != nil || c.q == nil {
		return nil
	}
	p2 := *p
	p2.c = c
	res, err := bi.SearchInContext(ctx, bleve.NewSearchRequestOptions(p2.query(""), 0, 0, false))
	if err != nil || res.Total == 0 {
		return nil
	}
	return &q
}

// surfaceOf returns a word of the text that analyses to term ("deterrence"
// for "deterr"), or term itself.
func (x *Index) surfaceOf(ctx context.Context, bi bleve.Index, term string) string {
	tq := query.NewTermQuery(term)
	tq.SetField(fText)
	res, err := bi.SearchInContext(ctx, bleve.NewSearchRequestOptions(tq, 1, 0, false))
	if err != nil || len(res.Hits) == 0 {
		return term
	}
	texts, err := x.paragraphTexts([]string{res.Hits[0].ID})
	text, ok := texts[res.Hits[0].ID]
	if err != nil || !ok {
		return term
	}
	for _, t := range x.analyzer.Analyze([]byte(text)) {
		if string(t.Term) == term {
			return text[t.Start:t.End]
		}
	}
	return term
}

// matchCase writes s in the case style of like: OPCOM -> OPCON.
func matchCase(like, s string) string {
	if strings.ToUpper(like) == like && strings.ToLower(like) != like {
		return strings.ToUpper(s)
	}
	if strings.ToLower(like) == like {
		return strings.ToLower(s)
	}
	return s
}

// replaceWord replaces the first whole-word occurrence of old in q.
func replaceWord(q, old, new string) string {
	for i := 0; ; {
		j := strings.Index(q[i:], old)
		if j < 0 {
			return q
		}
		j += i
		end := j + len(old)
		beforeOK := j == 0 || strings.ContainsRune(" \t(+-:", rune(q[j-1]))
		afterOK := end == len(q) || strings.ContainsRune(" \t)", rune(q[end]))
		if beforeOK && afterOK {
			return q[:j] + new + q[end:]
		}
		i = end
	}
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
