package indexer

import (
	"strconv"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// PairsName is the name PairsFilter is registered under.
const PairsName = "dialoguesearch/pairs"

// PairsFilter turns the analysed tokens of a text into the pairs of
// neighbouring terms ("extend deterr"), so that a phrase query is a lookup
// of one term in the phrases field instead of a walk through the positions
// of each of its words (Elasticsearch's index_phrases, Lucene's shingles).
// Neighbours separated by removed stop words keep the gap in the pair:
// "Republic of Korea" gives "republ 2 korea", which is what the phrase
// query "Republic of Korea" looks up, and "Republic and Korea" gives the
// same, as a positional phrase query would also find it. Each pair sits at
// the position of its first word, so a phrase of three words or more is a
// phrase of pairs ("a b" then "b c" at the next position): the positions
// of rare pairs are read instead of those of every word, and the text field
// needs no positions at all.
type PairsFilter struct{}

// Filter returns the pairs of neighbouring tokens.
func (PairsFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	if len(input) < 2 {
		return input[:0]
	}
	out := make(analysis.TokenStream, 0, len(input)-1)
	for i := 0; i+1 < len(input); i++ {
		a, b := input[i], input[i+1]
		gap := b.Position - a.Position
		if gap <= 0 {
			continue
		}
		out = append(out, &analysis.Token{
			Term:     pairTerm(a.Term, b.Term, gap),
			Start:    a.Start,
			End:      b.End,
			Position: a.Position,
			Type:     analysis.Shingle,
		})
	}
	return out
}

// pairTerm is the term of two neighbouring terms gap positions apart.
func pairTerm(a, b []byte, gap int) []byte {
	t := make([]byte, 0, len(a)+len(b)+3)
	t = append(t, a...)
	t = append(t, ' ')
	if gap > 1 {
		t = strconv.AppendInt(t, int64(gap), 10)
		t = append(t, ' ')
	}
	return append(t, b...)
}

// phrasePairs returns the slots of a phrase in the pairs field: the pair
// starting at each word of the phrase's analysed slots ("" for a removed
// stop word) but the last, "" elsewhere (phrase "a of b c" gives
// ["a 2 b", "", "b c"]). It returns nil when the phrase has fewer than two
// words.
func phrasePairs(slots []string) []string {
	var out []string
	prev := -1
	for i, s := range slots {
		if s == "" {
			continue
		}
		if prev >= 0 {
			for len(out) < prev {
				out = append(out, "")
			}
			out = append(out, string(pairTerm([]byte(slots[prev]), []byte(s), i-prev)))
		}
		prev = i
	}
	return out
}

func init() {
	err := registry.RegisterTokenFilter(PairsName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return PairsFilter{}, nil
	})
	if err != nil {
		panic(err)
	}
}
