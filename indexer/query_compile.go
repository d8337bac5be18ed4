package indexer

import (
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"

	"dialoguesearch/corpus"
)

// maxExpansion bounds the terms a prefix or fuzzy word may expand to: bleve's
// disjunction clause limit is unlimited by default, so "a*" on a large index
// would build a searcher per term. Above it the search fails with a message.
const maxExpansion = 1024

func init() {
	searcher.DisjunctionMaxClauseCount = maxExpansion
}

// compileEnv is what compiling a query needs from an index.
type compileEnv struct {
	analyzer analysis.Analyzer
	synonyms *synonymTable
	// fieldValues lists the distinct values of a keyword field.
	fieldValues func(field string) []string
}

// expansion is a synonym alternative added to a query, kept to tell which
// ones matched a hit.
type expansion struct {
	label    string     // "OPCON → operational control"
	slots    []string   // the alternative's analysed terms
	blockers [][]string // longer wordings that do not count as a match
}

type fuzzyTerm struct {
	term string
	dist int
}

// compiled is a query ready for bleve plus what highlighting needs.
type compiled struct {
	q          query.Query // nil for an empty query
	terms      map[string]bool
	phrases    [][]string
	prefixes   []string
	fuzzies    []fuzzyTerm
	expansions []expansion
	words      []wordRef // positive plain words, for "did you mean"
	// lead says which tokens highlighting must analyse (leadSet,
	// highlight.go); set once compiled, read only after.
	lead leadSet
}

// wordRef is a plain word of the query, for suggestions.
type wordRef struct {
	surface string
	term    string
}

func (e *compileEnv) compile(n node) (*compiled, error) {
	c := &compiled{terms: map[string]bool{}}
	if n == nil {
		return c, nil
	}
	q, err := e.node(c, n, true)
	if err != nil {
		return nil, err
	}
	if q == nil {
		// Only stop words: nothing can match.
		q = query.NewMatchNoneQuery()
	}
	c.q = q
	c.lead = newLeadSet(c)
	return c, nil
}

// node compiles n; positive says whether its terms count for highlighting.
// A nil query means the node matches nothing by itself (stop words only) and
// is dropped from its parent.
func (e *compileEnv) node(c *compiled, n node, positive bool) (query.Query, error) {
	switch n := n.(type) {
	case *orNode:
		var qs []query.Query
		for _, k := range n.kids {
			q, err := e.node(c, k, positive)
			if err != nil {
				return nil, err
			}
			if q != nil {
				qs = append(qs, q)
			}
		}
		if len(qs) == 0 {
			return nil, nil
		}
		if len(qs) == 1 {
			return qs[0], nil
		}
		return query.NewDisjunctionQuery(qs), nil
	case *andNode:
		return e.and(c, n.kids, positive)
	case *notNode:
		q, err := e.node(c, n.kid, !positive)
		if err != nil {
			return nil, err
		}
		b := query.NewBooleanQuery([]query.Query{query.NewMatchAllQuery()}, nil, nil)
		if q != nil {
			b.AddMustNot(q)
		}
		return b, nil
	case *termNode:
		return e.and(c, []node{n}, positive)
	}
	return nil, nil
}

// and compiles a conjunction. Runs of plain words are checked for synonym
// keys ("north korea", "opcon"), longest first.
func (e *compileEnv) and(c *compiled, kids []node, positive bool) (query.Query, error) {
	var must, mustNot []query.Query
	add := func(q query.Query) {
		if q != nil {
			must = append(must, q)
		}
	}
	for i := 0; i < len(kids); i++ {
		switch k := kids[i].(type) {
		case *notNode:
			q, err := e.node(c, k.kid, !positive)
			if err != nil {
				return nil, err
			}
			if q != nil {
				mustNot = append(mustNot, q)
			}
			continue
		case *termNode:
			if run := e.synonyms.plainRun(kids[i:]); run != nil {
				if q, used := e.synonymRun(c, run, positive); used > 0 {
					add(q)
					i += used - 1
					continue
				}
			}
			q, err := e.term(c, k, positive)
			if err != nil {
				return nil, err
			}
			add(q)
			continue
		}
		q, err := e.node(c, kids[i], positive)
		if err != nil {
			return nil, err
		}
		add(q)
	}
	if len(must) == 0 && len(mustNot) == 0 {
		return nil, nil
	}
	if len(mustNot) == 0 {
		if len(must) == 1 {
			return must[0], nil
		}
		return query.NewConjunctionQuery(must), nil
	}
	if len(must) == 0 {
		must = []query.Query{query.NewMatchAllQuery()}
	}
	b := query.NewBooleanQuery(must, nil, nil)
	for _, q := range mustNot {
		b.AddMustNot(q)
	}
	return b, nil
}

func isPlain(t *termNode) bool {
	return (t.field == "" || t.field == fText) && !t.phrase && !t.prefix && t.fuzzy == 0
}

// synonymRun looks for the longest run of words at the start of run whose
// analysed terms are a synonym key. It returns the expanded query (the
// words themselves OR each alternative as a phrase) and how many words it
// used, 0 when none matched.
func (e *compileEnv) synonymRun(c *compiled, run []*termNode, positive bool) (query.Query, int) {
	alts, used := e.synonyms.longest(run, func(s string) []string { return analyzeSlots(e.analyzer, s) })
	if used == 0 {
		return nil, 0
	}
	var words []string
	var own []query.Query
	for _, t := range run[:used] {
		words = append(words, t.text)
		q, _ := e.term(c, t, positive)
		if q != nil {
			own = append(own, q)
		}
	}
	typed := strings.Join(words, " ")
	var qs []query.Query
	if len(own) == 1 {
		qs = append(qs, own[0])
	} else if len(own) > 1 {
		qs = append(qs, query.NewConjunctionQuery(own))
	}
	for _, a := range alts {
		aq := slotsQuery(a.slots)
		if len(a.blockers) > 0 {
			// "South Korea → Republic of Korea" must not find "Democratic
			// People's Republic of Korea": a paragraph with the longer
			// wording only counts through another alternative.
			b := query.NewBooleanQuery([]query.Query{aq}, nil, nil)
			for _, bl := range a.blockers {
				b.AddMustNot(slotsQuery(bl))
			}
			aq = b
		}
		qs = append(qs, aq)
		if positive {
			c.expansions = append(c.expansions, expansion{label: typed + " → " + a.surface, slots: a.slots, blockers: a.blockers})
		}
	}
	return query.NewDisjunctionQuery(qs), used
}

// slotsQuery matches analysed slots: a term query for one term, else a
// phrase through the pairs field (pairs_filter.go): one term for a phrase
// of two words, a phrase of pairs for a longer one.
func slotsQuery(slots []string) query.Query {
	pairs := phrasePairs(slots)
	switch {
	case len(pairs) == 0:
		var words []string
		for _, s := range slots {
			if s != "" {
				words = append(words, s)
			}
		}
		if len(words) == 0 {
			return query.NewMatchNoneQuery()
		}
		q := query.NewTermQuery(words[0])
		q.SetField(fText)
		return q
	case len(pairs) == 1:
		q := query.NewTermQuery(pairs[0])
		q.SetField(fPairs)
		return q
	}
	return query.NewPhraseQuery(pairs, fPairs)
}

// term compiles one word or phrase.
func (e *compileEnv) term(c *compiled, t *termNode, positive bool) (query.Query, error) {
	switch t.field {
	case "", fText:
	case "meeting":
		return e.keyword(t, fSeries, fMeeting), nil
	default:
		return e.keyword(t, t.field), nil
	}
	switch {
	case t.prefix:
		p := strings.ToLower(t.text)
		q := query.NewPrefixQuery(p)
		q.SetField(fText)
		if positive {
			c.prefixes = append(c.prefixes, p)
		}
		// The index holds stems: "deterrenc*" must also find "deterr".
		slots := analyzeSlots(e.analyzer, t.text)
		if len(slots) == 1 && slots[0] != p && slots[0] != "" {
			q2 := query.NewPrefixQuery(slots[0])
			q2.SetField(fText)
			if positive {
				c.prefixes = append(c.prefixes, slots[0])
			}
			return query.NewDisjunctionQuery([]query.Query{q, q2}), nil
		}
		return q, nil
	case t.fuzzy > 0:
		slots := analyzeSlots(e.analyzer, t.text)
		if len(slots) == 1 {
			q := query.NewFuzzyQuery(slots[0])
			q.SetField(fText)
			q.SetFuzziness(t.fuzzy)
			if positive {
				c.fuzzies = append(c.fuzzies, fuzzyTerm{slots[0], t.fuzzy})
			}
			return q, nil
		}
	}
	slots := analyzeSlots(e.analyzer, t.text)
	if len(slots) == 0 {
		return nil, nil
	}
	if positive {
		if len(slots) == 1 {
			c.terms[slots[0]] = true
			if !t.phrase {
				c.words = append(c.words, wordRef{surface: t.text, term: slots[0]})
			}
		} else {
			c.phrases = append(c.phrases, slots)
		}
	}
	return slotsQuery(slots), nil
}

// keyword matches a keyword field (speaker, topic, ...) case-insensitively
// by any whole word or run of words of its values: speaker:Austin finds
// "Lloyd J. Austin III", topic:opcon finds "OPCON transition".
func (e *compileEnv) keyword(t *termNode, fields ...string) query.Query {
	want := strings.ToLower(t.text)
	wantWords := splitWords(want)
	// speaker:"Wonsik Shin" finds Shin Won-sik: any spelling of a known name
	canon := ""
	if c := corpus.CanonicalName(t.text); c != t.text {
		canon = c
	}
	var qs []query.Query
	for _, f := range fields {
		var vals []string
		if e.fieldValues != nil {
			vals = e.fieldValues(f)
		}
		for _, v := range vals {
			// A topic is indexed by its id (opcon) and shown by its label
			// (OPCON transition): either finds it.
			if keywordMatches(strings.ToLower(v), want, wantWords, t.prefix) || f == fSpeaker && canon == v ||
				f == fTopic && keywordMatches(strings.ToLower(corpus.TopicLabel(v)), want, wantWords, t.prefix) {
				q := query.NewTermQuery(v)
				q.SetField(f)
				qs = append(qs, q)
			}
		}
	}
	switch len(qs) {
	case 0:
		return query.NewMatchNoneQuery()
	case 1:
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

func keywordMatches(value, want string, wantWords []string, prefix bool) bool {
	if value == want || (prefix && strings.HasPrefix(value, want)) {
		return true
	}
	words := splitWords(value)
	if len(wantWords) == 0 {
		return false
	}
	for i := 0; i+len(wantWords) <= len(words); i++ {
		ok := true
		for j, w := range wantWords {
			last := j == len(wantWords)-1
			if words[i+j] != w && !(prefix && last && strings.HasPrefix(words[i+j], w)) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// splitWords splits s into runs of letters and digits.
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
