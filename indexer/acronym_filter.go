package indexer

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// AcronymName is the name AcronymFilter is registered under.
const AcronymName = "dialoguesearch/acronym"

// AcronymFilter marks acronyms (tokens of two to seven letters, all upper
// case: OPCON, DPRK, U.S, CMISOCC) as keywords so that the stemmer and the stop-word
// filter leave them alone: "US" is not "us", and "OPCONS" would otherwise
// lose its S. It must run before lower-casing.
type AcronymFilter struct{}

// Filter marks acronym tokens in place.
func (AcronymFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, tok := range input {
		if isAcronym(tok.Term) {
			tok.KeyWord = true
		}
	}
	return input
}

// maxAcronymLetters bounds what counts as an acronym. Longer all-caps words
// are words set in a capitalised heading ("STRENGTHENING REGIONAL SECURITY
// COOPERATION"); they must be stemmed like any other word, or a search for
// "cooperation" misses them. The corpus' longest acronym, CMISOCC, has seven.
const maxAcronymLetters = 7

// isAcronym reports whether term has two to maxAcronymLetters letters and no
// lower-case one.
func isAcronym(term []byte) bool {
	letters := 0
	for len(term) > 0 {
		r, n := utf8.DecodeRune(term)
		term = term[n:]
		switch {
		case unicode.IsUpper(r):
			letters++
		case unicode.IsLetter(r):
			return false
		}
	}
	return letters >= 2 && letters <= maxAcronymLetters
}

func init() {
	err := registry.RegisterTokenFilter(AcronymName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return AcronymFilter{}, nil
	})
	if err != nil {
		panic(err)
	}
}
