package indexer

import (
	"html"
	"sort"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
)

// snippetRunes is the longest snippet; a longer paragraph is cut to a window
// around its first match.
const snippetRunes = 320

// analysisCacheSize bounds recentAnalyses (entries; emptied when full).
const analysisCacheSize = 1024

// recentAnalyses keeps the analysis of recently highlighted texts. The same
// paragraphs are highlighted over and over (a result list paged through, and
// above all every saved alert run against the same new paragraphs: 10,000
// alerts re-analysed the same 100 paragraphs tens of thousands of times),
// and analysing the text is most of a highlight's cost. Every index of the
// package has the same mapping, so the analysis is a function of the text
// and the analyzer; the cached tokens are only read.
var recentAnalyses = &analysisCache{m: map[analysisKey]analysis.TokenStream{}}

type analysisKey struct {
	a    analysis.Analyzer
	text string
}

type analysisCache struct {
	mu sync.Mutex
	m  map[analysisKey]analysis.TokenStream
}

func (c *analysisCache) analyze(a analysis.Analyzer, text string) analysis.TokenStream {
	k := analysisKey{a, text}
	c.mu.Lock()
	toks, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return toks
	}
	toks = a.Analyze([]byte(text))
	c.mu.Lock()
	if len(c.m) >= analysisCacheSize {
		clear(c.m)
	}
	c.m[k] = toks
	c.mu.Unlock()
	return toks
}

// Span is a byte range [Start, End) of a text.
type Span struct{ Start, End int }

// highlight builds the HTML snippet of text for compiled query c: the text
// HTML-escaped, with <mark> around the spans of marks, cut to a window
// around the first. It also returns the labels of the expansions found in
// text.
func highlight(a analysis.Analyzer, c *compiled, text string) (string, []string) {
	spans, expansions := marks(a, c, text)
	return snippet(text, spans), expansions
}

// marks finds what compiled query c matched in text: the words (stems,
// phrases, prefixes, fuzzy words and synonym expansions alike), found by
// analysing the text again with the index's analyzer, as sorted spans that
// neither overlap nor touch, and the labels of the expansions found. Only
// the texts shown are highlighted, so this costs a few microseconds each.
func marks(a analysis.Analyzer, c *compiled, text string) ([]Span, []string) {
	expansions := []string{}
	if c == nil || text == "" {
		return nil, expansions
	}
	toks := recentAnalyses.analyze(a, text)
	var spans [][2]int
	for _, t := range toks {
		if c.terms[string(t.Term)] {
			spans = append(spans, [2]int{t.Start, t.End})
			continue
		}
		if len(c.prefixes) == 0 && len(c.fuzzies) == 0 {
			continue
		}
		if term := string(t.Term); hasPrefixAny(term, c.prefixes) || fuzzyAny(term, c.fuzzies) {
			spans = append(spans, [2]int{t.Start, t.End})
		}
	}
	// byPos indexes the tokens by position, built when a phrase needs it
	// (most highlights have none; alerts highlight tens of thousands).
	var byPos []*analysis.Token
	at := func(pos int) *analysis.Token {
		if byPos == nil {
			n := 0
			for _, t := range toks {
				n = max(n, t.Position)
			}
			byPos = make([]*analysis.Token, n+1)
			for _, t := range toks {
				byPos[t.Position] = t
			}
		}
		if pos < 0 || pos >= len(byPos) {
			return nil
		}
		return byPos[pos]
	}
	// find returns the byte spans where slots occur.
	find := func(slots []string) [][2]int {
		var out [][2]int
		for _, t := range toks {
			if string(t.Term) != slots[0] {
				continue
			}
			last := t
			ok := true
			for j := 1; j < len(slots); j++ {
				if slots[j] == "" {
					continue
				}
				u := at(t.Position + j)
				if u == nil || string(u.Term) != slots[j] {
					ok = false
					break
				}
				last = u
			}
			if ok {
				out = append(out, [2]int{t.Start, last.End})
			}
		}
		return out
	}
	for _, ph := range c.phrases {
		spans = append(spans, find(ph)...)
	}
	seen := map[string]bool{}
	for _, e := range c.expansions {
		if len(e.slots) == 0 {
			continue
		}
		var blocked [][2]int
		for _, b := range e.blockers {
			blocked = append(blocked, find(b)...)
		}
		for _, m := range find(e.slots) {
			if inside(m, blocked) {
				continue
			}
			spans = append(spans, m)
			if !seen[e.label] {
				expansions = append(expansions, e.label)
				seen[e.label] = true
			}
		}
	}
	return merge(spans), expansions
}

// merge sorts spans and joins those that overlap or touch.
func merge(spans [][2]int) []Span {
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	var merged []Span
	for _, s := range spans {
		if n := len(merged); n > 0 && s[0] <= merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, s[1])
			continue
		}
		merged = append(merged, Span{s[0], s[1]})
	}
	return merged
}

func inside(m [2]int, spans [][2]int) bool {
	for _, s := range spans {
		if s[0] <= m[0] && m[1] <= s[1] {
			return true
		}
	}
	return false
}

func hasPrefixAny(term string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(term, p) {
			return true
		}
	}
	return false
}

func fuzzyAny(term string, fs []fuzzyTerm) bool {
	for _, f := range fs {
		if abs(len(term)-len(f.term)) <= f.dist && levenshtein(term, f.term) <= f.dist {
			return true
		}
	}
	return false
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// snippet writes text escaped, with merged (sorted, apart) marked, cut to a
// window of about snippetRunes around the first span.
func snippet(text string, merged []Span) string {
	lo, hi := 0, len(text)
	if len([]rune(text)) > snippetRunes {
		anchor := 0
		if len(merged) > 0 {
			anchor = merged[0].Start
		}
		lo = anchor - snippetRunes/4
		if lo < 0 {
			lo = 0
		}
		hi = lo + snippetRunes
		if hi > len(text) {
			hi = len(text)
			lo = max(0, hi-snippetRunes)
		}
		lo = wordStart(text, lo)
		hi = wordEnd(text, hi)
	}
	var b strings.Builder
	if lo > 0 {
		b.WriteString("… ")
	}
	at := lo
	for _, s := range merged {
		if s.End <= lo || s.Start >= hi {
			continue
		}
		st, en := max(s.Start, lo), min(s.End, hi)
		b.WriteString(html.EscapeString(text[at:st]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[st:en]))
		b.WriteString("</mark>")
		at = en
	}
	b.WriteString(html.EscapeString(text[at:hi]))
	if hi < len(text) {
		b.WriteString(" …")
	}
	return b.String()
}

// wordStart moves i forward to the start of a word (a byte after a space).
func wordStart(text string, i int) int {
	if i == 0 {
		return 0
	}
	if j := strings.IndexByte(text[i:], ' '); j >= 0 && j < 40 {
		return i + j + 1
	}
	for i < len(text) && text[i]&0xC0 == 0x80 { // not mid-rune
		i++
	}
	return i
}

// wordEnd moves i back to the end of a word (a space).
func wordEnd(text string, i int) int {
	if i >= len(text) {
		return len(text)
	}
	if j := strings.LastIndexByte(text[:i], ' '); j >= 0 && i-j < 40 {
		return j
	}
	// Not at a UTF-8 boundary? step back to one.
	for i > 0 && text[i]&0xC0 == 0x80 {
		i--
	}
	return i
}
