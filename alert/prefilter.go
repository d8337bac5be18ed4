package alert

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/kljensen/snowball/english"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// prefilter skips alerts that cannot match a batch without running their
// search: most saved searches are a few plain words (AND is the default),
// and most new records contain few of them. A word is looked up once per
// batch in the set of analysed terms of the new paragraphs, through the
// index's own analyzer and synonym data, so stemming, acronyms and synonyms
// count as in the real search ("OPCON" is present when a paragraph says
// "operational control").
//
// It must never skip an alert that would match, so it only judges queries
// it fully understands (words, phrases, +, -, AND, NOT) and leaves alone any
// word that may take part in a multi-word synonym ("operational control" as
// two unquoted words may match "OPCON", which neither word alone does).
type prefilter struct {
	analyzer analysis.Analyzer
	terms    map[string]bool            // analysed terms of the batch's paragraphs
	alts     map[string][][]string      // analysed word -> its synonyms' analysed terms
	risky    map[string]bool            // stems of words of multi-word synonym wordings
	words    sync.Map                   // word -> bool (present in the batch)
	facets   map[string]map[string]bool // facet -> values present in the batch
	dates    map[string]bool            // record dates present
	undated  bool                       // some record has no date
}

var stopWords = func() analysis.TokenMap {
	m := analysis.NewTokenMap()
	if err := m.LoadBytes(en.EnglishStopWords); err != nil {
		panic(err)
	}
	return m
}()

func newPrefilter(recs []*corpus.Record) *prefilter {
	p := &prefilter{
		analyzer: textAnalyzer, terms: map[string]bool{}, alts: map[string][][]string{},
		risky: map[string]bool{}, facets: map[string]map[string]bool{}, dates: map[string]bool{},
	}
	add := func(facet string, vals ...string) {
		if p.facets[facet] == nil {
			p.facets[facet] = map[string]bool{}
		}
		for _, v := range vals {
			p.facets[facet][v] = true
		}
	}
	for _, name := range []string{"series", "meeting", "speaker", "topic", "location", "side", "kind", "year"} {
		add(name)
	}
	for _, r := range recs {
		add("series", r.Meeting.Series)
		add("meeting", r.Meeting.Name)
		add("location", r.Location)
		add("kind", r.Kind)
		if y := r.Date.Year(); y > 0 {
			add("year", strconv.Itoa(y))
		}
		if r.Date == "" {
			p.undated = true
		}
		p.dates[string(r.Date)] = true
		for _, para := range r.Paragraphs {
			for _, t := range p.analyzer.Analyze([]byte(para.Text)) {
				p.terms[string(t.Term)] = true
			}
			add("speaker", para.Speakers...)
			add("topic", para.Topics...)
			add("side", para.Sides...)
		}
	}
	var groups [][]string
	groups = append(groups, corpus.Synonyms()...)
	for acr, exps := range corpus.Acronyms(recs) {
		groups = append(groups, append([]string{acr}, exps...))
	}
	for _, g := range groups {
		analysed := make([][]string, len(g))
		for i, w := range g {
			analysed[i] = p.analyze(w)
			ws := splitWords(w)
			if len(ws) < 2 {
				continue
			}
			for _, x := range ws {
				p.risky[stem(x)] = true
			}
		}
		// A one-term wording finds every other wording of its group.
		for i, a := range analysed {
			if len(a) != 1 {
				continue
			}
			for j, b := range analysed {
				if j != i && len(b) > 0 {
					p.alts[a[0]] = append(p.alts[a[0]], b)
				}
			}
		}
	}
	return p
}

// textAnalyzer is the index's text analyzer, built from the same registered
// components as the indexer's mapping (indexer/mapping.go): the prefilter
// must see exactly the terms the search sees. TestPrefilterAgreesWithSearch
// fails if the two drift apart.
var textAnalyzer = func() analysis.Analyzer {
	im := bleve.NewIndexMapping()
	err := im.AddCustomAnalyzer(indexer.AnalyzerName, map[string]any{
		"type":      custom.Name,
		"tokenizer": unicodetok.Name,
		"token_filters": []string{
			en.PossessiveName, indexer.AcronymName, lowercase.Name, indexer.StopName, indexer.SnowballName,
		},
	})
	if err != nil {
		panic(err)
	}
	return im.AnalyzerNamed(indexer.AnalyzerName)
}()

func (p *prefilter) analyze(s string) []string {
	var out []string
	for _, t := range p.analyzer.Analyze([]byte(s)) {
		out = append(out, string(t.Term))
	}
	return out
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

// qnode is the prefilter's view of a query: a word or phrase, or AND, OR,
// NOT of nodes. Anything it does not judge is an "unknown" leaf that may
// always match.
type qnode struct {
	op    byte // 'w' word, 'p' phrase, '&' and, '|' or, '!' not, '?' unknown
	text  string
	kids  []*qnode
	plain bool // a word of letters and digits only, not a stop word
}

// parsePrefilter parses q the way the indexer's query language reads it:
// AND is the default, OR and NOT in capitals, parentheses, "phrases",
// +must, -exclude, field:value, prefix* and fuzzy~ words. It returns false
// on anything it does not recognise; the alert is then always run.
func parsePrefilter(q string) (*qnode, bool) {
	toks, ok := lexPrefilter(q)
	if !ok {
		return nil, false
	}
	p := &preParser{toks: toks}
	n, ok := p.or()
	if !ok || p.i != len(p.toks) {
		return nil, false
	}
	return n, true
}

type preTok struct {
	kind byte // 'w' word, 'p' phrase, '(' , ')', 'f' field (text before ':')
	text string
}

func lexPrefilter(q string) ([]preTok, bool) {
	rs := []rune(q)
	var toks []preTok
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(' || r == ')':
			toks = append(toks, preTok{kind: byte(r)})
			i++
		case r == '"':
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			if j >= len(rs) {
				return nil, false
			}
			toks = append(toks, preTok{kind: 'p', text: string(rs[i+1 : j])})
			i = j + 1
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '(' && rs[j] != ')' && rs[j] != '"' {
				j++
			}
			w := string(rs[i:j])
			i = j
			if k := strings.IndexByte(w, ':'); k > 0 && k == len(w)-1 {
				toks = append(toks, preTok{kind: 'f', text: w[:k]})
				continue
			}
			toks = append(toks, preTok{kind: 'w', text: w})
		}
	}
	return toks, true
}

type preParser struct {
	toks []preTok
	i    int
}

func (p *preParser) peek() (preTok, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return preTok{}, false
}

func (p *preParser) or() (*qnode, bool) {
	n, ok := p.and()
	if !ok {
		return nil, false
	}
	alts := []*qnode{n}
	for {
		t, more := p.peek()
		if !more || t.kind != 'w' || t.text != "OR" {
			break
		}
		p.i++
		m, ok := p.and()
		if !ok {
			return nil, false
		}
		alts = append(alts, m)
	}
	if len(alts) == 1 {
		return n, true
	}
	return &qnode{op: '|', kids: alts}, true
}

func (p *preParser) and() (*qnode, bool) {
	var kids []*qnode
	for {
		t, more := p.peek()
		if !more || t.kind == ')' || (t.kind == 'w' && t.text == "OR") {
			break
		}
		if t.kind == 'w' && t.text == "AND" {
			p.i++
			continue
		}
		n, ok := p.unary()
		if !ok {
			return nil, false
		}
		kids = append(kids, n)
	}
	switch len(kids) {
	case 0:
		return nil, false
	case 1:
		return kids[0], true
	}
	return &qnode{op: '&', kids: kids}, true
}

func (p *preParser) unary() (*qnode, bool) {
	t, _ := p.peek()
	if t.kind == 'w' && t.text == "NOT" {
		p.i++
		n, ok := p.unary()
		return &qnode{op: '!', kids: []*qnode{n}}, ok
	}
	if t.kind == 'w' && len(t.text) > 1 && (t.text[0] == '-' || t.text[0] == '+') {
		// -word / +word: split the sign off the word.
		p.toks[p.i].text = t.text[1:]
		n, ok := p.unary()
		if t.text[0] == '-' {
			return &qnode{op: '!', kids: []*qnode{n}}, ok
		}
		return n, ok
	}
	if t.kind == 'w' && (t.text == "-" || t.text == "+") {
		p.i++
		n, ok := p.unary()
		if t.text == "-" {
			return &qnode{op: '!', kids: []*qnode{n}}, ok
		}
		return n, ok
	}
	return p.primary()
}

func (p *preParser) primary() (*qnode, bool) {
	t, more := p.peek()
	if !more {
		return nil, false
	}
	p.i++
	switch t.kind {
	case '(':
		n, ok := p.or()
		if !ok {
			return nil, false
		}
		if c, _ := p.peek(); c.kind != ')' {
			return nil, false
		}
		p.i++
		return n, true
	case 'f':
		// field:value or field:(...): a facet-like restriction the
		// prefilter does not judge.
		if _, ok := p.primary(); !ok {
			return nil, false
		}
		return &qnode{op: '?'}, true
	case 'p':
		return &qnode{op: 'p', text: t.text}, true
	case 'w':
		if strings.ContainsAny(t.text, ":*~?") {
			return &qnode{op: '?'}, true // prefix, fuzzy, odd field syntax
		}
		_, stop := stopWords[strings.ToLower(t.text)]
		return &qnode{op: 'w', text: t.text, plain: isPlainWord(t.text) && !stop}, true
	}
	return nil, false
}

func isPlainWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return w != ""
}

// mayMatch reports whether a can match the batch; false only when the
// batch lacks something every match needs: a word, or a value of one of
// its facet filters, or a date in its range.
func (p *prefilter) mayMatch(ctx context.Context, a *Alert) bool {
	for facet, vals := range a.Filters {
		have := p.facets[facet]
		if have == nil {
			continue // a facet the prefilter does not know: run the search
		}
		if !slices.ContainsFunc(vals, func(v string) bool { return have[v] }) {
			return false
		}
	}
	if (a.From != "" || a.To != "") && !p.undated {
		inRange := false
		for d := range p.dates {
			if (a.From == "" || d >= a.From) && (a.To == "" || d <= a.To) {
				inRange = true
				break
			}
		}
		if !inRange {
			return false
		}
	}
	if a.Query == "" {
		return true
	}
	n, ok := parsePrefilter(a.Query)
	if !ok {
		return true
	}
	return p.eval(ctx, n)
}

// eval is true unless node n surely matches no paragraph of the batch.
func (p *prefilter) eval(ctx context.Context, n *qnode) bool {
	switch n.op {
	case 'w':
		if !n.plain || p.risky[stem(n.text)] {
			return true
		}
		return p.present(n.text)
	case 'p':
		// A phrase needs each of its words (no expansion inside quotes, so
		// a word's presence with its expansions is a superset).
		for _, w := range strings.Fields(n.text) {
			if _, stop := stopWords[strings.ToLower(w)]; stop || !isPlainWord(w) {
				continue
			}
			if !p.present(w) {
				return false
			}
		}
		return true
	case '&':
		for _, k := range n.kids {
			if !p.eval(ctx, k) {
				return false
			}
		}
		return true
	case '|':
		for _, k := range n.kids {
			if p.eval(ctx, k) {
				return true
			}
		}
		return false
	}
	return true // NOT, unknown
}

// present reports whether word w, or one of its synonyms or acronym
// expansions, is in the batch.
func (p *prefilter) present(w string) bool {
	if v, ok := p.words.Load(w); ok {
		return v.(bool)
	}
	terms := p.analyze(w)
	found := len(terms) != 1 // a stop word, or a word that splits: not judged
	if !found {
		t := terms[0]
		found = p.terms[t]
		for _, alt := range p.alts[t] {
			if found {
				break
			}
			all := true
			for _, u := range alt {
				all = all && p.terms[u]
			}
			found = all
		}
	}
	p.words.Store(w, found)
	return found
}
