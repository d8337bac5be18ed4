package indexer

import (
	"sync"
	"sync/atomic"

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
		if s := stems.stem(tok.Term); s != "" {
			tok.Term = []byte(s)
		}
	}
	return input
}

// stemCache remembers the stems of words seen: the vocabulary is small and
// Zipf-distributed, and stemming was half of the analysis time of a build.
// Sharded so that bleve's parallel analysis does not queue on one lock;
// bounded so that a flood of distinct words cannot grow it without end.
type stemCache struct {
	shards [64]struct {
		mu sync.RWMutex
		m  map[string]string
	}
	size atomic.Int64
}

// maxCachedStems bounds the stem cache (entries); beyond it words are
// stemmed every time.
const maxCachedStems = 200000

var stems = &stemCache{}

func (c *stemCache) stem(word []byte) string {
	h := uint32(2166136261)
	for _, b := range word {
		h = (h ^ uint32(b)) * 16777619
	}
	sh := &c.shards[h%uint32(len(c.shards))]
	sh.mu.RLock()
	s, ok := sh.m[string(word)]
	sh.mu.RUnlock()
	if ok {
		return s
	}
	s = english.Stem(string(word), false)
	if c.size.Load() < maxCachedStems && len(word) <= 40 {
		sh.mu.Lock()
		if sh.m == nil {
			sh.m = map[string]string{}
		}
		if _, ok := sh.m[string(word)]; !ok {
			sh.m[string(word)] = s
			c.size.Add(1)
		}
		sh.mu.Unlock()
	}
	return s
}

func init() {
	err := registry.RegisterTokenFilter(SnowballName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return SnowballFilter{}, nil
	})
	if err != nil {
		panic(err)
	}
}
