package indexer

import (
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"

	"dialoguesearch/corpus"
)

// Synonyms and acronyms are expanded at query time, not with bleve's
// synonym sources in the mapping, because:
//   - the sets change with the corpus (acronyms are mined from every
//     record's glossary): query-time expansion needs no re-index when a
//     record or the curated file brings a new one;
//   - each hit must say which expansion matched it ("OPCON → operational
//     control"); with expansion in our hands we know every alternative we
//     added and can check it against the hit's text;
//   - a quoted phrase must stay exact, which is a decision about the query,
//     not about the field;
//   - the same code serves the on-disk index and NewMemory (bleve's
//     upside-down NewMemOnly has no synonym support at all).
// The cost is a larger query (a disjunction of phrases), which is small next
// to the facet counting every search does anyway.

// synonymAlt is one alternative wording of a synonym group.
type synonymAlt struct {
	surface string   // as written in the data: "operational control"
	slots   []string // analysed terms by relative position, "" for a removed stop word
	// blockers are longer wordings of other groups that contain this one:
	// "Republic of Korea" (ROK) inside "Democratic People's Republic of
	// Korea" (DPRK). A match inside a blocker is not a match.
	blockers [][]string
}

// synonymTable maps the analysed form of a wording (its terms joined by
// spaces, stop words dropped) to the other wordings of its group.
type synonymTable struct {
	alts   map[string][]synonymAlt
	maxLen int // the most terms of any key
}

// newSynonymTable builds the table from equivalence groups: every member
// of a group finds every other member.
func newSynonymTable(a analysis.Analyzer, groups [][]string) *synonymTable {
	// Union-find over analysed keys, so that groups sharing a member merge:
	// "OPCON = operational control" from the curated file and "OPCON:
	// Operational Control" from a record's glossary become one group.
	parent := map[string]string{}
	surface := map[string]synonymAlt{}
	var find func(string) string
	find = func(k string) string {
		for parent[k] != k {
			parent[k] = parent[parent[k]]
			k = parent[k]
		}
		return k
	}
	for _, g := range groups {
		var first string
		for _, w := range g {
			slots := analyzeSlots(a, w)
			k := slotsKey(slots)
			if k == "" {
				continue
			}
			if _, ok := parent[k]; !ok {
				parent[k] = k
				surface[k] = synonymAlt{surface: w, slots: slots}
			}
			if first == "" {
				first = k
				continue
			}
			if ra, rb := find(first), find(k); ra != rb {
				parent[rb] = ra
			}
		}
	}
	members := map[string][]string{}
	for k := range parent {
		r := find(k)
		members[r] = append(members[r], k)
	}
	// Blockers: keys of other groups that end with a key. Only a longer
	// wording ending with the key changes its meaning ("Future Combined
	// Forces Command" is not CFC); one that starts with it or holds it inside
	// still speaks of it ("Conditions-based OPCON Transition Plan").
	for k, alt := range surface {
		for o, other := range surface {
			if o != k && find(o) != find(k) && strings.HasSuffix(o, " "+k) {
				alt.blockers = append(alt.blockers, other.slots)
			}
		}
		surface[k] = alt
	}
	t := &synonymTable{alts: map[string][]synonymAlt{}}
	for _, ks := range members {
		sort.Strings(ks)
		for _, k := range ks {
			for _, o := range ks {
				if o != k {
					t.alts[k] = append(t.alts[k], surface[o])
				}
			}
			if n := len(strings.Fields(k)); n > t.maxLen {
				t.maxLen = n
			}
		}
	}
	return t
}

// synonymGroups returns the curated groups plus one group per acronym of
// recs (the acronym and its expansions).
func synonymGroups(recs []*corpus.Record) [][]string {
	groups := corpus.Synonyms()
	acr := corpus.Acronyms(recs)
	keys := make([]string, 0, len(acr))
	for k := range acr {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		groups = append(groups, append([]string{k}, acr[k]...))
	}
	return groups
}

// analyzeSlots analyses s into terms by relative position, with "" where a
// stop word was removed, ready for a phrase query.
func analyzeSlots(a analysis.Analyzer, s string) []string {
	toks := a.Analyze([]byte(s))
	if len(toks) == 0 {
		return nil
	}
	first := toks[0].Position
	slots := make([]string, toks[len(toks)-1].Position-first+1)
	for _, t := range toks {
		slots[t.Position-first] = string(t.Term)
	}
	return slots
}

// slotsKey is the table key of slots: the terms, stop gaps dropped.
func slotsKey(slots []string) string {
	var b strings.Builder
	for _, s := range slots {
		if s == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	return b.String()
}

// plainRun returns the plain words (isPlain) at the start of kids, as many
// as a synonym key could span, or nil when kids does not start with one or
// there is no table. Compiling and MayMatch read synonym runs alike.
func (t *synonymTable) plainRun(kids []node) []*termNode {
	if t == nil {
		return nil
	}
	var run []*termNode
	for _, k := range kids {
		w, ok := k.(*termNode)
		if !ok || !isPlain(w) || len(run) >= t.maxLen+4 {
			break
		}
		run = append(run, w)
	}
	return run
}

// longest finds the longest run of words at the start of run whose
// analysed terms (slotsOf) are a synonym key: it returns the key's
// alternatives and how many words it used, 0 when none is a key.
func (t *synonymTable) longest(run []*termNode, slotsOf func(string) []string) ([]synonymAlt, int) {
	var terms []string
	var ends []int // ends[k] = len(terms) after word k
	for _, w := range run {
		for _, s := range slotsOf(w.text) {
			if s != "" {
				terms = append(terms, s)
			}
		}
		ends = append(ends, len(terms))
	}
	for used := len(run); used >= 1; used-- {
		if ends[used-1] == 0 {
			continue
		}
		if alts := t.alts[strings.Join(terms[:ends[used-1]], " ")]; len(alts) > 0 {
			return alts, used
		}
	}
	return nil, 0
}
