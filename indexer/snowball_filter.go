package indexer

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/kljensen/snowball/english"
)

// SnowballName is the name the snowball English stemmer is registered under.
//
// bleve ships a snowball stemmer of its own (stemmer_en_snowball); the
// project stems with github.com/kljensen/snowball instead, as the issue asks,
// and namespaces the name so it can never shadow a bleve component.
const SnowballName = "dialoguesearch/snowball_en"

// SnowballFilter stems each token with the snowball (Porter2) English
// stemmer. Tokens marked KeyWord (acronyms, see AcronymFilter) are left alone.
type SnowballFilter struct{}

// Filter stems the tokens in place.
func (SnowballFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, tok := range input {
		if tok.KeyWord {
			continue
		}
		if s := english.Stem(string(tok.Term), false); s != "" {
			tok.Term = []byte(s)
		}
	}
	return input
}

func init() {
	err := registry.RegisterTokenFilter(SnowballName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return SnowballFilter{}, nil
	})
	if err != nil {
		panic(err)
	}
}
