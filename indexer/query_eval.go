package indexer

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/search/query"
)

// QueryTree is a query string parsed (query_parse.go) and nothing more: no
// index is needed to get one, and Vocabulary.MayMatch judges it against the
// terms of a set of paragraphs without searching. Saved alerts parse each
// query once per run and skip those that cannot match a new record.
type QueryTree struct {
	root node // nil for an empty query
}

// ParseQuery parses q as Search does (the same errors: failure.BadInput with
// Param "q"). An empty query gives a tree that matches everything.
func ParseQuery(q string) (*QueryTree, error) {
	n, err := parseQuery(q)
	if err != nil {
		return nil, err
	}
	return &QueryTree{root: n}, nil
}

// Vocabulary is the analysed text terms of the paragraphs of an index, with
// the index's synonyms and keyword values: what MayMatch needs to tell that
// a query matches none of them. It reads the whole term dictionary, so it
// is meant for small indexes (an alert batch of a new record's paragraphs).
// It is safe for concurrent use.
type Vocabulary struct {
	env    compileEnv
	terms  map[string]bool
	sorted []string // terms, sorted, for prefixes

	slotsCache   sync.Map // word -> []string, its analysed slots
	keywordCache sync.Map // field, word and * -> bool, some value matches
}

// Vocabulary returns the vocabulary of x's paragraphs as they are now.
func (x *Index) Vocabulary() (*Vocabulary, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	bi, err := x.live()
	if err != nil {
		return nil, err
	}
	d, err := bi.FieldDict(fText)
	if err != nil {
		return nil, fmt.Errorf("indexer: vocabulary: %w", err)
	}
	defer d.Close()
	values := func(field string) []string {
		x.mu.RLock()
		defer x.mu.RUnlock()
		return x.fieldValues(field)
	}
	v := &Vocabulary{
		env:   compileEnv{analyzer: x.analyzer, synonyms: x.synonyms, fieldValues: values},
		terms: map[string]bool{},
	}
	for {
		e, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("indexer: vocabulary: %w", err)
		}
		if e == nil {
			break
		}
		if e.Count > 0 {
			v.terms[e.Term] = true
			v.sorted = append(v.sorted, e.Term)
		}
	}
	sort.Strings(v.sorted)
	return v, nil
}

// MayMatch reports whether t may match a paragraph of the vocabulary's
// index. False means that the search surely finds nothing there: every
// paragraph it could match lacks a term the query needs (a word, a
// phrase's words, each wording of a synonym, a prefix), or no keyword value
// fits a field:value. It reads the tree as compiling does (query_compile.go),
// and where it does not judge (fuzzy words, exclusions) it answers true.
// Facet filters and dates are not part of the tree.
func (v *Vocabulary) MayMatch(t *QueryTree) bool {
	if t == nil || t.root == nil {
		return true // the empty query matches every paragraph
	}
	// A query of stop words only compiles to "match none".
	return v.node(t.root) == possible
}

// outcome is what MayMatch knows of a node of the tree.
type outcome int8

const (
	dropped  outcome = iota // compiles to nothing (stop words) and is left out of its parent
	never                   // matches no paragraph
	possible                // may match some
)

func (v *Vocabulary) node(n node) outcome {
	switch n := n.(type) {
	case *orNode:
		out := dropped
		for _, k := range n.kids {
			switch v.node(k) {
			case possible:
				return possible
			case never:
				out = never
			}
		}
		return out
	case *andNode:
		return v.and(n.kids)
	case *notNode:
		return possible // all paragraphs but some
	case *termNode:
		return v.and([]node{n})
	}
	return possible
}

// and is compileEnv.and's reading: every kept clause must be possible;
// exclusions are not judged.
func (v *Vocabulary) and(kids []node) outcome {
	out := dropped
	keep := func(o outcome) {
		switch {
		case o == never:
			out = never
		case o == possible && out == dropped:
			out = possible
		}
	}
	for i := 0; i < len(kids); i++ {
		switch k := kids[i].(type) {
		case *notNode:
			if v.node(k.kid) != dropped {
				keep(possible)
			}
			continue
		case *termNode:
			if run := v.env.synonyms.plainRun(kids[i:]); run != nil {
				if alts, used := v.env.synonyms.longest(run, v.slots); used > 0 {
					keep(v.synonymRun(run[:used], alts))
					i += used - 1
					continue
				}
			}
			keep(v.term(k))
			continue
		}
		keep(v.node(kids[i]))
	}
	return out
}

// synonymRun is possible when the words themselves are there or all the
// terms of one alternative wording are (ignoring its blockers).
func (v *Vocabulary) synonymRun(words []*termNode, alts []synonymAlt) outcome {
	own := dropped
	for _, w := range words {
		switch v.term(w) {
		case never:
			own = never
		case possible:
			if own == dropped {
				own = possible
			}
		}
	}
	if own == possible {
		return possible
	}
	for _, a := range alts {
		if v.hasAll(a.slots) {
			return possible
		}
	}
	return never
}

// term is compileEnv.term's reading of one word or phrase.
func (v *Vocabulary) term(t *termNode) outcome {
	switch t.field {
	case "", fText:
	case "meeting":
		return v.keyword(t, fSeries, fMeeting)
	default:
		return v.keyword(t, t.field)
	}
	switch {
	case t.prefix:
		if v.hasPrefix(strings.ToLower(t.text)) {
			return possible
		}
		if s := v.slots(t.text); len(s) == 1 && s[0] != "" && v.hasPrefix(s[0]) {
			return possible
		}
		return never
	case t.fuzzy > 0:
		if len(v.slots(t.text)) == 1 {
			return possible
		}
	}
	slots := v.slots(t.text)
	if len(slots) == 0 {
		return dropped
	}
	if v.hasAll(slots) {
		return possible
	}
	return never
}

// hasAll reports whether every term of slots is in the vocabulary; a
// phrase needs at least that.
func (v *Vocabulary) hasAll(slots []string) bool {
	any := false
	for _, s := range slots {
		if s == "" {
			continue
		}
		if !v.terms[s] {
			return false
		}
		any = true
	}
	return any
}

func (v *Vocabulary) hasPrefix(p string) bool {
	i := sort.SearchStrings(v.sorted, p)
	return i < len(v.sorted) && strings.HasPrefix(v.sorted[i], p)
}

// slots analyses a word of a query, once per vocabulary.
func (v *Vocabulary) slots(word string) []string {
	if s, ok := v.slotsCache.Load(word); ok {
		return s.([]string)
	}
	s := analyzeSlots(v.env.analyzer, word)
	v.slotsCache.Store(word, s)
	return s
}

// keyword is possible when a value of the fields fits t, as compileEnv.keyword
// finds them.
func (v *Vocabulary) keyword(t *termNode, fields ...string) outcome {
	k := strings.Join(fields, ",") + ":" + t.text
	if t.prefix {
		k += "*"
	}
	if ok, done := v.keywordCache.Load(k); done {
		if ok.(bool) {
			return possible
		}
		return never
	}
	_, none := v.env.keyword(t, fields...).(*query.MatchNoneQuery)
	v.keywordCache.Store(k, !none)
	if none {
		return never
	}
	return possible
}
