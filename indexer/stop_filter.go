package indexer

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"
)

// StopName is the name StopFilter is registered under.
const StopName = "dialoguesearch/stop_en"

// StopFilter removes English stop words (bleve's list), except tokens marked
// KeyWord: the acronym "US" survives while the pronoun "us" goes. Positions
// are kept, so a phrase query still knows a word was there.
type StopFilter struct {
	stop analysis.TokenMap
}

// Filter returns the tokens that are not stop words.
func (f *StopFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	out := input[:0]
	for _, tok := range input {
		if !tok.KeyWord {
			if _, ok := f.stop[string(tok.Term)]; ok {
				continue
			}
		}
		out = append(out, tok)
	}
	return out
}

func init() {
	err := registry.RegisterTokenFilter(StopName, func(_ map[string]interface{}, cache *registry.Cache) (analysis.TokenFilter, error) {
		m, err := cache.TokenMapNamed(en.StopName)
		if err != nil {
			return nil, err
		}
		return &StopFilter{stop: m}, nil
	})
	if err != nil {
		panic(err)
	}
}
