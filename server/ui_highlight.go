package server

import (
	"context"
	"html/template"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// The record page marks what the query matched and wraps the acronyms in
// <abbr title="expansion">. What a query matches is the indexer's to say
// (indexer.Matcher): the paragraphs marked are exactly the record's hits in
// a search, and the words marked in them exactly those of the search's
// snippets (stems, phrases, prefixes, fuzzy words, synonym and acronym
// expansions). Only the <abbr>s are this file's own.

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

// recordMarks returns the paragraphs of record recID that query q matches,
// by paragraph number, each with the spans of its text that the query
// matched; nil for an empty q. A syntax error in q is the search's.
func recordMarks(ctx context.Context, idx *indexer.Index, rec *corpus.Record, q string) (map[int][]indexer.Span, error) {
	if q == "" {
		return nil, nil
	}
	m, err := idx.NewMatcher(indexer.Request{Query: q, Record: rec.ID})
	if err != nil {
		return nil, err
	}
	ids, err := m.Match(ctx)
	if err != nil {
		return nil, err
	}
	hit := make(map[string]bool, len(ids))
	for _, id := range ids {
		hit[id.ID] = true
	}
	out := map[int][]indexer.Span{}
	for _, p := range rec.Paragraphs {
		if hit[corpus.ParagraphID(rec.ID, p.N)] {
			out[p.N], _ = m.Highlight(p.Text)
		}
	}
	return out, nil
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

// renderText returns text HTML-escaped, with marks (sorted byte spans, as
// indexer.Matcher.Highlight gives them) in <mark> and the acronyms that a
// knows in <abbr title="...">. Marks apart only by spaces share one <mark>
// ("North Korea" typed unquoted), unless an <abbr> begins or ends between
// them; a mark that crosses the edge of an <abbr> is cut there, so that the
// tags nest.
func renderText(text string, marks []indexer.Span, a *abbrMatcher) template.HTML {
	abbrs := a.find(text, wordSpans(text))
	var edges []int
	for _, s := range abbrs {
		edges = append(edges, s.start, s.end)
	}
	edgeIn := func(lo, hi int) bool {
		for _, e := range edges {
			if lo <= e && e <= hi {
				return true
			}
		}
		return false
	}
	var joined []indexer.Span
	for _, m := range marks {
		if n := len(joined); n > 0 && strings.TrimSpace(text[joined[n-1].End:m.Start]) == "" && !edgeIn(joined[n-1].End, m.Start) {
			joined[n-1].End = m.End
			continue
		}
		joined = append(joined, m)
	}
	var ins []insert
	for _, m := range joined {
		start := m.Start
		for _, e := range edges {
			if start < e && e < m.End {
				ins = append(ins, insert{start, false, true, "<mark>"}, insert{e, true, true, "</mark>"})
				start = e
			}
		}
		ins = append(ins, insert{start, false, true, "<mark>"}, insert{m.End, true, true, "</mark>"})
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
	return template.HTML(b.String())
}
