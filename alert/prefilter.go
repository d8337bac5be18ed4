package alert

import (
	"context"
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/kljensen/snowball/english"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// prefilter skips alerts that cannot match a batch without running their
// search: most saved searches are a few plain words (AND is the default),
// and most new records contain few of them. A word is looked up once per
// batch, by searching the batch's index for it alone, so stemming, acronyms
// and synonyms count exactly as in the real search ("OPCON" is present when
// a paragraph says "operational control").
//
// It must never skip an alert that would match, so it only judges queries
// it fully understands (words, phrases, +, -, AND, NOT) and leaves alone any
// word that may take part in a multi-word synonym ("operational control" as
// two unquoted words may match "OPCON", which neither word alone does).
type prefilter struct {
	idx   *indexer.Index
	risky map[string]bool // stems of words of multi-word synonym wordings
	words sync.Map        // word -> bool (present in the batch)
}

var stopWords = func() analysis.TokenMap {
	m := analysis.NewTokenMap()
	if err := m.LoadBytes(en.EnglishStopWords); err != nil {
		panic(err)
	}
	return m
}()

func newPrefilter(idx *indexer.Index, recs []*corpus.Record) *prefilter {
	p := &prefilter{idx: idx, risky: map[string]bool{}}
	var groups [][]string
	groups = append(groups, corpus.Synonyms()...)
	for acr, exps := range corpus.Acronyms(recs) {
		groups = append(groups, append([]string{acr}, exps...))
	}
	for _, g := range groups {
		for _, w := range g {
			ws := splitWords(w)
			if len(ws) < 2 {
				continue
			}
			for _, x := range ws {
				p.risky[stem(x)] = true
			}
		}
	}
	return p
}

// splitWords splits s at every character that is not a letter or digit, as
// the analyzer's tokenizer does.
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func stem(w string) string {
	w = strings.ToLower(w)
	w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
	if s := english.Stem(w, false); s != "" {
		return s
	}
	return w
}

// requiredWords returns the words every match of q must contain (each with
// its expansions), and false when q is beyond what the prefilter judges.
func requiredWords(q string) ([]string, bool) {
	var req []string
	rs := []rune(q)
	skipNext := false
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
			continue
		case r == '(' || r == ')':
			return nil, false
		case r == '-':
			skipNext = true
			i++
			continue
		case r == '+':
			i++
			continue
		}
		// A phrase or a bare word.
		var tok string
		phrase := false
		if r == '"' {
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			tok, phrase = string(rs[i+1:min(j, len(rs))]), true
			i = j + 1
		} else {
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '(' && rs[j] != ')' && rs[j] != '"' {
				j++
			}
			tok = string(rs[i:j])
			i = j
			// field:"a phrase" – skip the phrase with the field.
			if strings.HasSuffix(tok, ":") && i < len(rs) && rs[i] == '"' {
				j := i + 1
				for j < len(rs) && rs[j] != '"' {
					j++
				}
				i = j + 1
				skipNext = false
				continue
			}
		}
		if !phrase {
			switch tok {
			case "OR":
				return nil, false
			case "AND":
				continue
			case "NOT":
				skipNext = true
				continue
			}
		}
		if skipNext {
			skipNext = false
			continue
		}
		if !phrase && strings.ContainsAny(tok, ":*~?") {
			continue // a field, prefix or fuzzy term: not judged, still AND-ed
		}
		// Only plain words are judged: one letters-and-digits token that is
		// not a stop word always analyses to exactly one term. Anything with
		// punctuation ("U.S.", "they'll") is left to the real search.
		for _, w := range strings.Fields(tok) {
			if !isPlainWord(w) {
				continue
			}
			if _, stop := stopWords[strings.ToLower(w)]; stop {
				continue
			}
			req = append(req, w)
		}
	}
	return req, true
}

func isPlainWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return w != ""
}

// mayMatch reports whether a can match the batch; false only when a word
// every match needs is in no new paragraph.
func (p *prefilter) mayMatch(ctx context.Context, a *Alert) bool {
	words, ok := requiredWords(a.Query)
	if !ok {
		return true
	}
	for _, w := range words {
		if p.risky[stem(w)] {
			return true
		}
	}
	for _, w := range words {
		if !p.present(ctx, w) {
			return false
		}
	}
	return true
}

// present reports whether word w (with its expansions) is in the batch.
func (p *prefilter) present(ctx context.Context, w string) bool {
	if v, ok := p.words.Load(w); ok {
		return v.(bool)
	}
	res, err := p.idx.Search(ctx, indexer.Request{Query: w, Size: 1, NoFacets: true})
	found := err != nil || res.Total > 0 // when in doubt, run the alert
	p.words.Store(w, found)
	return found
}
