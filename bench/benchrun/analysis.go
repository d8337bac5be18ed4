package main

import (
	"os"
	"strings"

	porter "github.com/blevesearch/go-porterstemmer"
	"github.com/kljensen/snowball/english"

	"dialoguesearch/bench/internal/mix"
)

// analysisAgrees tells, per query, whether SQLite's Porter stemmer and the
// Snowball English stemmer of the others conflate the same words of the
// corpus vocabulary with each query word: where they do not, totals differ
// for a reason that is not a bug (the issue allows comparing on the queries
// where the analysis agrees).
func analysisAgrees(vocabPath string, qs []mix.Query) map[int]bool {
	b, err := os.ReadFile(vocabPath)
	if err != nil {
		return nil
	}
	vocab := strings.Fields(string(b))
	p1 := map[string][]string{}
	p2 := map[string][]string{}
	for _, w := range vocab {
		s1, s2 := porter.StemString(w), english.Stem(w, false)
		p1[s1] = append(p1[s1], w)
		p2[s2] = append(p2[s2], w)
	}
	same := func(w string) bool {
		a, b := p1[porter.StemString(w)], p2[english.Stem(w, false)]
		if len(a) != len(b) {
			return false
		}
		set := map[string]bool{}
		for _, x := range a {
			set[x] = true
		}
		for _, x := range b {
			if !set[x] {
				return false
			}
		}
		return true
	}
	out := map[int]bool{}
	for _, q := range qs {
		ok := true
		for _, c := range q.Clauses {
			for _, alt := range c.Any {
				for _, w := range alt {
					if !same(w) {
						ok = false
					}
				}
			}
		}
		out[q.ID] = ok
	}
	return out
}
