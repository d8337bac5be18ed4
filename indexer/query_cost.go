package indexer

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"

	"dialoguesearch/failure"
)

// What one query may cost. A query within MaxQueryLength characters can
// still ask for a great deal ("de* OR al* OR ..." expands to thousands of
// words, each read from the index), so the cost is checked before bleve
// runs the search: over a limit the answer is a 400 that says which and how
// to narrow it, rather than a search that runs past the time limit.
const (
	// MaxClauses caps the words, phrases and field terms of a query, once
	// repeats are collapsed ("a OR a OR a" is one clause).
	MaxClauses = 64
	// MaxExpansions caps the words all the prefix (word*) and fuzzy
	// (word~) terms of a query expand to, together.
	MaxExpansions = 1024
	// ExpensivePostings is the cost (postings to read: the document
	// frequencies of its words and expansions) above which a search is
	// expensive and waits for one of the few expensive-search slots, so
	// that a flood of them cannot starve the cheap ones.
	ExpensivePostings = 20000
)

// collapse removes the repeats of a parsed query: the same clause twice in
// an OR, or in an AND (where repeated plain words are collapsed only when
// adjacent, so that the runs checked for multi-word synonyms stay as
// typed), and flattens OR in OR and AND in AND. It returns the node with
// nothing repeated, and changes nothing else.
func collapse(n node) node {
	switch n := n.(type) {
	case *orNode:
		var kids []node
		seen := map[string]bool{}
		for _, k := range n.kids {
			k = collapse(k)
			sub := []node{k}
			if o, ok := k.(*orNode); ok {
				sub = o.kids
			}
			for _, k := range sub {
				if key := nodeKey(k); !seen[key] {
					seen[key] = true
					kids = append(kids, k)
				}
			}
		}
		if len(kids) == 1 {
			return kids[0]
		}
		return &orNode{kids: kids}
	case *andNode:
		var kids []node
		seen := map[string]bool{}
		for _, k := range n.kids {
			k = collapse(k)
			key := nodeKey(k)
			if t, ok := k.(*termNode); ok && isPlain(t) {
				if len(kids) > 0 && nodeKey(kids[len(kids)-1]) == key {
					continue
				}
			} else if seen[key] {
				continue
			}
			seen[key] = true
			kids = append(kids, k)
		}
		if len(kids) == 1 {
			return kids[0]
		}
		return &andNode{kids: kids}
	case *notNode:
		return &notNode{kid: collapse(n.kid)}
	}
	return n
}

// nodeKey is a canonical form of n: equal keys match the same paragraphs.
func nodeKey(n node) string {
	var b strings.Builder
	var walk func(node)
	walk = func(n node) {
		switch n := n.(type) {
		case *orNode:
			b.WriteString("(OR")
			for _, k := range n.kids {
				b.WriteByte(' ')
				walk(k)
			}
			b.WriteByte(')')
		case *andNode:
			b.WriteString("(AND")
			for _, k := range n.kids {
				b.WriteByte(' ')
				walk(k)
			}
			b.WriteByte(')')
		case *notNode:
			b.WriteString("(NOT ")
			walk(n.kid)
			b.WriteByte(')')
		case *termNode:
			field := n.field
			if field == fText {
				field = ""
			}
			fmt.Fprintf(&b, "%s:%q/%t/%t/%d", field, strings.ToLower(n.text), n.phrase, n.prefix, n.fuzzy)
		}
	}
	walk(n)
	return b.String()
}

// queryCost is what a query asks of the index.
type queryCost struct {
	clauses    int    // terms after collapsing repeats
	expansions int    // words the prefix and fuzzy terms expand to
	postings   uint64 // documents listed under all the words read
}

// expensive reports whether the search must take an expensive-search slot.
func (c queryCost) expensive() bool { return c.postings > ExpensivePostings }

// cost measures n against the index bi and refuses (BadInput naming q) a
// query over MaxClauses or MaxExpansions.
func (x *Index) cost(ctx context.Context, bi bleve.Index, n node) (queryCost, error) {
	var c queryCost
	if n == nil {
		return c, nil
	}
	terms, err := clauseTerms(n)
	c.clauses = len(terms)
	if err != nil {
		return c, err
	}
	adv, err := bi.Advanced()
	if err != nil {
		return c, nil // an index without a reader: nothing to measure
	}
	r, err := adv.Reader()
	if err != nil {
		return c, fmt.Errorf("indexer: cost: %w", err)
	}
	defer r.Close()
	for _, t := range terms {
		if err := ctx.Err(); err != nil {
			return c, err
		}
		if t.field != "" && t.field != fText {
			continue // keyword fields: a few values, checked against a list
		}
		switch {
		case t.prefix:
			for _, p := range uniq(strings.ToLower(t.text), analyzeSlots(x.analyzer, t.text)) {
				d, err := r.FieldDictPrefix(fText, []byte(p))
				if err != nil {
					continue
				}
				c.expansions, c.postings = countDict(d, c.expansions, c.postings)
			}
		case t.fuzzy > 0:
			fz, ok := r.(index.IndexReaderFuzzy)
			slots := analyzeSlots(x.analyzer, t.text)
			if !ok || len(slots) != 1 {
				break
			}
			d, err := fz.FieldDictFuzzy(fText, slots[0], t.fuzzy, "")
			if err != nil {
				continue
			}
			c.expansions, c.postings = countDict(d, c.expansions, c.postings)
		default:
			for _, s := range analyzeSlots(x.analyzer, t.text) {
				tfr, err := r.TermFieldReader(ctx, []byte(s), fText, false, false, false)
				if err == nil {
					c.postings += tfr.Count()
					tfr.Close()
				}
			}
		}
		if c.expansions > MaxExpansions {
			return c, failure.Param("q", "a prefix (word*) or fuzzy (word~) term, or all of them together, matches more than %d words; make them longer or use fewer", MaxExpansions)
		}
	}
	return c, nil
}

// clauseTerms returns the terms of n (collapsed already), refusing (BadInput
// naming q) more than MaxClauses: the part of the cost that needs no index.
func clauseTerms(n node) ([]*termNode, error) {
	var terms []*termNode
	var walk func(node)
	walk = func(n node) {
		switch n := n.(type) {
		case *orNode:
			for _, k := range n.kids {
				walk(k)
			}
		case *andNode:
			for _, k := range n.kids {
				walk(k)
			}
		case *notNode:
			walk(n.kid)
		case *termNode:
			terms = append(terms, n)
		}
	}
	walk(n)
	if len(terms) > MaxClauses {
		return terms, failure.Param("q", "the query has %d terms (repeats counted once); the limit is %d: search for fewer words at once", len(terms), MaxClauses)
	}
	return terms, nil
}

// CheckQuery applies the limits of a search to q against this index
// without running it: its syntax, MaxClauses and the MaxExpansions of its
// prefix and fuzzy terms (a failure.BadInput error naming q, as Search
// answers). A saved search (an alert) is checked so when saved, since it
// runs later on every new paragraph. An index that cannot be read checks
// what needs no index (ValidateQuery).
func (x *Index) CheckQuery(ctx context.Context, q string) error {
	_, _, err := x.planAndCost(ctx, Request{Query: q})
	if err == nil || failure.KindOf(err) == failure.BadInput {
		return err
	}
	return ValidateQuery(q)
}

// countDict adds the entries of d (closing it) to the expansion and posting
// counts, stopping once past MaxExpansions.
func countDict(d index.FieldDict, expansions int, postings uint64) (int, uint64) {
	defer d.Close()
	for expansions <= MaxExpansions {
		e, err := d.Next()
		if err != nil || e == nil {
			break
		}
		expansions++
		postings += e.Count
	}
	return expansions, postings
}

func uniq(first string, rest []string) []string {
	out := []string{first}
	for _, s := range rest {
		if s != "" && s != first {
			out = append(out, s)
		}
	}
	return out
}

// heavySlots lets a few expensive searches run at once (half the CPUs, at
// least one); the others wait, within their request's time limit, so that
// cheap searches keep the rest of the machine.
type heavySlots struct {
	once  sync.Once
	slots chan struct{}
}

// acquire waits for a slot; it fails with failure.Unavailable (503) when ctx
// ends first. The caller calls release once done.
func (h *heavySlots) acquire(ctx context.Context) (release func(), err error) {
	h.once.Do(func() { h.slots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2)) })
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-ctx.Done():
		return nil, failure.Wrap(failure.Unavailable, ctx.Err(),
			"the server is busy with other expensive searches (many words or wildcards); retry in a moment, or narrow the query")
	}
}
