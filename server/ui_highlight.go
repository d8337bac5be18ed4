package server

import (
	"html/template"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/kljensen/snowball/english"

	"dialoguesearch/corpus"
)

// The record page marks the query's words in every paragraph and wraps the
// acronyms in <abbr title="expansion">. The search results get their
// snippets from the indexer; a record page shows whole paragraphs, so it
// marks them here, the same way the index matches: stemmed words, phrases,
// prefixes, and the synonym and acronym expansions of the query's terms.

// span is a byte range [start, end) of a text.
type span struct{ start, end int }

// wordSpans splits text into words: runs of letters and digits.
func wordSpans(text string) []span {
	var out []span
	start := -1
	for i, r := range text {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			out = append(out, span{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, span{start, len(text)})
	}
	return out
}

func words(text string) []string {
	var out []string
	for _, s := range wordSpans(text) {
		out = append(out, strings.ToLower(text[s.start:s.end]))
	}
	return out
}

func stem(w string) string { return english.Stem(strings.ToLower(w), true) }

var stopWords = func() analysis.TokenMap {
	m := analysis.NewTokenMap()
	if err := m.LoadBytes(en.EnglishStopWords); err != nil {
		panic(err)
	}
	return m
}()

// pattern is a sequence of words to mark: stems, except that the last word
// is a raw prefix when prefix is set (deter* marks "deterrence").
type pattern struct {
	stems  []string
	prefix bool
}

func (p pattern) key() string {
	k := strings.Join(p.stems, " ")
	if p.prefix {
		k += "*"
	}
	return k
}

// highlighter marks the words of one query.
type highlighter struct{ patterns []pattern }

// queryPhrases extracts the positive text terms of a query in the project's
// syntax: words and quoted phrases, with prefix* and fuzzy~ markers; it
// drops operators, excluded terms (-x, NOT x) and fields other than the text.
func queryPhrases(q string) (phrases []string, prefixes []bool) {
	i := 0
	negate := false
	for i < len(q) {
		r, size := utf8.DecodeRuneInString(q[i:])
		if unicode.IsSpace(r) || r == '(' || r == ')' {
			i += size
			if r == '(' || r == ')' {
				negate = false
			}
			continue
		}
		// One term: [+|-][field:]("phrase"|word)[*][~n]
		neg := negate
		negate = false
		if r == '-' || r == '!' {
			neg = true
			i++
		} else if r == '+' {
			i++
		}
		field := ""
		if m := fieldPrefix.FindStringSubmatch(q[i:]); m != nil {
			field = strings.ToLower(m[1])
			i += len(m[0])
		}
		var term string
		if i < len(q) && q[i] == '"' {
			end := strings.IndexByte(q[i+1:], '"')
			if end < 0 {
				term, i = q[i+1:], len(q)
			} else {
				term, i = q[i+1:i+1+end], i+end+2
			}
		} else {
			start := i
			for i < len(q) {
				r, size := utf8.DecodeRuneInString(q[i:])
				if unicode.IsSpace(r) || r == '(' || r == ')' {
					break
				}
				i += size
			}
			term = q[start:i]
			switch term {
			case "AND", "OR", "&&", "||":
				continue
			case "NOT":
				negate = true
				continue
			}
		}
		prefix := false
		if j := strings.LastIndexByte(term, '~'); j >= 0 {
			term = term[:j]
		}
		if strings.HasSuffix(term, "*") {
			term, prefix = strings.TrimRight(term, "*"), true
		}
		if neg || (field != "" && field != "text") || strings.TrimSpace(term) == "" {
			continue
		}
		phrases = append(phrases, term)
		prefixes = append(prefixes, prefix)
	}
	return phrases, prefixes
}

var fieldPrefix = regexp.MustCompile(`^([A-Za-z_]+):`)

// newHighlighter returns a highlighter for query q; expansions are groups of
// terms that mean the same (synonyms, acronym and expansion), so that a
// search for OPCON marks "operational control" too.
func newHighlighter(q string, expansions [][]string) *highlighter {
	h := &highlighter{}
	seen := map[string]bool{}
	add := func(p pattern) {
		if len(p.stems) == 0 {
			return
		}
		if len(p.stems) == 1 && !p.prefix {
			if _, stop := stopWords[p.stems[0]]; stop {
				return
			}
		}
		if !seen[p.key()] {
			seen[p.key()] = true
			h.patterns = append(h.patterns, p)
		}
	}
	groupOf := map[string][]string{} // stem key of a term -> the terms meaning the same
	for _, g := range expansions {
		for _, t := range g {
			k := stemKey(t)
			groupOf[k] = append(groupOf[k], g...)
		}
	}
	phrases, prefixes := queryPhrases(q)
	for i, ph := range phrases {
		ws := words(ph)
		p := pattern{prefix: prefixes[i]}
		for j, w := range ws {
			if p.prefix && j == len(ws)-1 {
				p.stems = append(p.stems, w)
			} else {
				p.stems = append(p.stems, stem(w))
			}
		}
		add(p)
		if p.prefix {
			continue
		}
		for _, t := range groupOf[stemKey(ph)] {
			add(pattern{stems: stemsOf(t)})
		}
	}
	// Adjacent query words may together form a synonym ("North Korea" typed
	// without quotes).
	for n := 2; n <= 4; n++ {
		for i := 0; i+n <= len(phrases); i++ {
			joined := strings.Join(phrases[i:i+n], " ")
			for _, t := range groupOf[stemKey(joined)] {
				add(pattern{stems: stemsOf(t)})
			}
		}
	}
	return h
}

func stemsOf(s string) []string {
	ws := words(s)
	for i, w := range ws {
		ws[i] = stem(w)
	}
	return ws
}

func stemKey(s string) string { return strings.Join(stemsOf(s), " ") }

// mark reports which of the words (spans of text) the query matches.
func (h *highlighter) mark(text string, toks []span) []bool {
	out := make([]bool, len(toks))
	if h == nil || len(h.patterns) == 0 {
		return out
	}
	lower := make([]string, len(toks))
	stems := make([]string, len(toks))
	for i, t := range toks {
		lower[i] = strings.ToLower(text[t.start:t.end])
		stems[i] = stem(lower[i])
	}
	for i := range toks {
		for _, p := range h.patterns {
			n := len(p.stems)
			if i+n > len(toks) {
				continue
			}
			ok := true
			for j, s := range p.stems {
				if p.prefix && j == n-1 {
					ok = strings.HasPrefix(lower[i+j], s)
				} else {
					ok = stems[i+j] == s
				}
				if !ok {
					break
				}
			}
			if ok {
				for j := 0; j < n; j++ {
					out[i+j] = true
				}
			}
		}
	}
	return out
}

// abbrMatcher finds acronyms in text.
type abbrMatcher struct {
	re        *regexp.Regexp
	expansion map[string]string
}

// newAbbrMatcher matches the acronyms of glossary (acronym -> expansion) as
// whole words, case-sensitively; longer acronyms win over their prefixes.
func newAbbrMatcher(glossary map[string]string) *abbrMatcher {
	keys := make([]string, 0, len(glossary))
	for k, v := range glossary {
		if k == "" || v == "" || !isWordRune(firstRune(k)) || !isWordRune(lastRune(k)) {
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return &abbrMatcher{}
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	alts := make([]string, len(keys))
	for i, k := range keys {
		alts[i] = regexp.QuoteMeta(k)
	}
	return &abbrMatcher{
		re:        regexp.MustCompile(`\b(?:` + strings.Join(alts, "|") + `)\b`),
		expansion: glossary,
	}
}

func firstRune(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }
func lastRune(s string) rune  { r, _ := utf8.DecodeLastRuneInString(s); return r }
func isWordRune(r rune) bool  { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// find returns the acronyms' spans, keeping only those that begin and end on
// word boundaries of toks (so that a <mark> never straddles an <abbr>).
func (a *abbrMatcher) find(text string, toks []span) []span {
	if a == nil || a.re == nil {
		return nil
	}
	starts, ends := map[int]bool{}, map[int]bool{}
	for _, t := range toks {
		starts[t.start], ends[t.end] = true, true
	}
	var out []span
	for _, m := range a.re.FindAllStringIndex(text, -1) {
		if starts[m[0]] && ends[m[1]] {
			out = append(out, span{m[0], m[1]})
		}
	}
	return out
}

// insert is a tag to write at a byte offset of the text.
type insert struct {
	pos   int
	close bool
	inner bool // <mark> nests inside <abbr>
	tag   string
}

// renderText returns text HTML-escaped, with the words that h matches in
// <mark> and the acronyms that a knows in <abbr title="...">, and whether
// anything was marked.
func renderText(text string, h *highlighter, a *abbrMatcher) (template.HTML, bool) {
	toks := wordSpans(text)
	marked := h.mark(text, toks)
	abbrs := a.find(text, toks)
	abbrEdge := map[int]bool{}
	for _, s := range abbrs {
		abbrEdge[s.start], abbrEdge[s.end] = true, true
	}
	var ins []insert
	any := false
	// Marked words separated only by spaces share one <mark> ("operational
	// control"), unless an <abbr> begins or ends between them.
	for i := 0; i < len(toks); i++ {
		if !marked[i] {
			continue
		}
		any = true
		j := i
		for j+1 < len(toks) && marked[j+1] && !abbrEdge[toks[j].end] && !abbrEdge[toks[j+1].start] &&
			strings.TrimSpace(text[toks[j].end:toks[j+1].start]) == "" {
			j++
		}
		ins = append(ins, insert{toks[i].start, false, true, "<mark>"}, insert{toks[j].end, true, true, "</mark>"})
		i = j
	}
	for _, s := range abbrs {
		title := template.HTMLEscapeString(a.expansion[text[s.start:s.end]])
		ins = append(ins, insert{s.start, false, false, `<abbr title="` + title + `">`}, insert{s.end, true, false, "</abbr>"})
	}
	sort.SliceStable(ins, func(i, j int) bool {
		x, y := ins[i], ins[j]
		if x.pos != y.pos {
			return x.pos < y.pos
		}
		if x.close != y.close {
			return x.close // close before open
		}
		if x.close {
			return x.inner && !y.inner // inner closes first
		}
		return !x.inner && y.inner // outer opens first
	})
	var b strings.Builder
	pos := 0
	for _, in := range ins {
		b.WriteString(template.HTMLEscapeString(text[pos:in.pos]))
		b.WriteString(in.tag)
		pos = in.pos
	}
	b.WriteString(template.HTMLEscapeString(text[pos:]))
	return template.HTML(b.String()), any
}

// expansionGroups returns the groups of terms that mean the same for a
// record: the curated synonyms, and each acronym with its expansion.
func expansionGroups(glossary map[string]string) [][]string {
	groups := corpus.Synonyms()
	for k, v := range glossary {
		groups = append(groups, []string{k, v})
	}
	return groups
}
