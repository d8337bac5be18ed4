package indexer

import (
	"html"
	"sort"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
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
// and the analyzer; the cached tokens are only read. A nil entry is a text
// seen once and not analysed in full (analyzeFor).
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
	toks := c.m[k]
	c.mu.Unlock()
	if toks != nil { // nil: not cached, or only seen (analyzeFor)
		return toks
	}
	toks = analyzeText(a, text)
	c.mu.Lock()
	if len(c.m) >= analysisCacheSize {
		clear(c.m)
	}
	c.m[k] = toks
	c.mu.Unlock()
	return toks
}

// allLeads lets every token through.
var allLeads = func() (l leadSet) {
	l.ok = true
	for i := range l.bytes {
		l.bytes[i] = true
	}
	return l
}()

// analyzeText is a.Analyze(text), an ASCII text's words found by
// asciiWords rather than the unicode tokenizer.
func analyzeText(a analysis.Analyzer, text string) analysis.TokenStream {
	if da, ok := a.(*analysis.DefaultAnalyzer); ok && da.CharFilters == nil {
		return analyzeLeads(da, &allLeads, text)
	}
	return a.Analyze([]byte(text))
}

// analyzeFor returns the tokens of text that can match a query whose
// leadSet is lead: the whole analysis when the cache has it, when lead
// cannot tell (fuzzy words) or when text was seen recently (highlighted
// again, it is worth caching: alerts, pages); otherwise only the tokens lead
// lets through, analysed (analyzeLeads), the text only noted as seen.
func (c *analysisCache) analyzeFor(a analysis.Analyzer, lead *leadSet, text string) analysis.TokenStream {
	if !lead.ok {
		return c.analyze(a, text)
	}
	da, ok := a.(*analysis.DefaultAnalyzer)
	if !ok || da.CharFilters != nil {
		return c.analyze(a, text)
	}
	k := analysisKey{a, text}
	c.mu.Lock()
	toks, ok := c.m[k]
	c.mu.Unlock()
	if ok && toks != nil {
		return toks
	}
	if ok { // seen once: analyse it all and keep it
		return c.analyze(a, text)
	}
	toks = analyzeLeads(da, lead, text)
	c.mu.Lock()
	if len(c.m) >= analysisCacheSize {
		clear(c.m)
	}
	if _, ok := c.m[k]; !ok {
		c.m[k] = nil // seen
	}
	c.mu.Unlock()
	return toks
}

// analyzeLeads is da.Analyze(text) less the tokens that cannot match a
// query whose leadSet is lead: text is tokenized as a whole (positions and
// offsets are the tokenizer's), and the token filters, which each look at
// one token at a time, run on the tokens kept only. A dropped token matters
// to marks no more than one whose term no query string equals: find's
// at(pos) finds no token where it expects one, as for a stop word.
func analyzeLeads(da *analysis.DefaultAnalyzer, lead *leadSet, text string) analysis.TokenStream {
	var kept analysis.TokenStream
	if _, ok := da.Tokenizer.(*unicode.UnicodeTokenizer); ok && isASCII(text) {
		kept = asciiWords(text, lead)
	} else {
		toks := da.Tokenizer.Tokenize([]byte(text))
		kept = toks[:0]
		for _, t := range toks {
			if len(t.Term) > 0 && !lead.may(t.Term[0]) {
				continue
			}
			kept = append(kept, t)
		}
	}
	for _, f := range da.TokenFilters {
		kept = f.Filter(kept)
	}
	return kept
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// ASCII classes of the Unicode word break rules (UAX #29 as
// github.com/blevesearch/segment implements them): letters and digits,
// '_' (ExtendNumLet), ':' (MidLetter), '.' (MidNumLet), the apostrophe
// (Single_Quote), ',' and ';' (MidNum). Every other ASCII byte is a
// segment of its own that is no word.
const (
	wOther = iota
	wLetter
	wDigit
	wUnder
	wMidLetter // between two letters only: ':'
	wMidNum    // between two digits only: ',' ';'
	wMidBoth   // between two letters or two digits: '.' '\''
)

var wordClass = func() (c [128]uint8) {
	for b := 'a'; b <= 'z'; b++ {
		c[b], c[b-'a'+'A'] = wLetter, wLetter
	}
	for b := '0'; b <= '9'; b++ {
		c[b] = wDigit
	}
	c['_'], c[':'], c[','], c[';'], c['.'], c['\''] = wUnder, wMidLetter, wMidNum, wMidNum, wMidBoth, wMidBoth
	return c
}()

// asciiWords is the unicode tokenizer's tokens of the ASCII text, less
// those lead rules out (their positions are counted all the same). For
// ASCII the word break rules make a word of each longest run of letters,
// digits and '_' in which a letter may be followed by ':', '.' or an
// apostrophe and another letter, and a digit by ',', ';', '.' or an
// apostrophe and another digit; a word without letters but with a digit is Numeric, any other
// AlphaNumeric. TestASCIIWordsIsTheTokenizer compares the two.
func asciiWords(text string, lead *leadSet) analysis.TokenStream {
	input := []byte(text)
	var toks analysis.TokenStream
	var arr []analysis.Token
	pos := 0
	for i := 0; i < len(input); {
		c := wordClass[input[i]]
		if c != wLetter && c != wDigit && c != wUnder {
			i++
			continue
		}
		start := i
		letters, digits := false, false
		for i < len(input) {
			c := wordClass[input[i]]
			switch c {
			case wLetter:
				letters = true
			case wDigit:
				digits = true
			case wUnder:
			case wMidLetter, wMidNum, wMidBoth:
				if i+1 >= len(input) {
					goto end
				}
				prev, next := wordClass[input[i-1]], wordClass[input[i+1]]
				if prev != next || !(prev == wLetter && c != wMidNum || prev == wDigit && c != wMidLetter) {
					goto end
				}
			default:
				goto end
			}
			i++
		}
	end:
		pos++
		if !lead.may(input[start]) {
			continue
		}
		if len(arr) == 0 {
			arr = make([]analysis.Token, min(64, len(input)/4+1))
		}
		t := &arr[0]
		arr = arr[1:]
		t.Term, t.Start, t.End, t.Position = input[start:i], start, i, pos
		t.Type = analysis.AlphaNumeric
		if digits && !letters {
			t.Type = analysis.Numeric
		}
		toks = append(toks, t)
	}
	return toks
}

// leadSet is the first bytes of the strings a query's highlighting compares
// analysed terms with (terms, phrase and expansion slots, blockers,
// prefixes). The analysis (possessive, acronym, lower case, stop words,
// Snowball) of a token whose first byte is an ASCII letter or digit b gives
// no term or a term starting with b lower-cased: the possessive filter
// only cuts an ending 's, lower-casing maps an ASCII rune to one ASCII
// rune, and the Porter2 stemmer keeps a word's first letter (words of two
// letters or fewer are left alone, the special words keep theirs, initial
// apostrophes are trimmed only from words starting with one, y is turned
// to Y and back, and every suffix it removes or replaces leaves at least
// the first letter, or is replaced by something starting with the same one:
// ies -> ie, sses -> ss, eed -> ee). So such a token whose lower-cased b no
// query string starts with matches nothing and need not be analysed.
// Tokens starting with anything else (non-ASCII, apostrophes, _) are
// analysed. TestLeadSetKeepsFirstByte checks the claim over the analysis;
// TestAnalyzeLeadsMarks compares the marks of both paths.
//
// Not ok (the zero value): every token is analysed. So it is with a fuzzy
// word (a word within an edit distance may start otherwise) or an empty
// prefix.
type leadSet struct {
	ok    bool
	bytes [256]bool // lower-case first bytes of the query strings
}

// may reports whether a token whose first byte is b can match.
func (l *leadSet) may(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', '0' <= b && b <= '9':
		return l.bytes[b]
	case 'A' <= b && b <= 'Z':
		return l.bytes[b+'a'-'A']
	}
	return true
}

func newLeadSet(c *compiled) leadSet {
	l := leadSet{ok: true}
	if len(c.fuzzies) > 0 {
		return leadSet{}
	}
	add := func(s string) {
		if s != "" {
			l.bytes[s[0]] = true
		}
	}
	for _, p := range c.prefixes {
		if p == "" {
			return leadSet{}
		}
		add(p)
	}
	for t := range c.terms {
		add(t)
	}
	for _, ph := range c.phrases {
		for _, s := range ph {
			add(s)
		}
	}
	for _, e := range c.expansions {
		for _, s := range e.slots {
			add(s)
		}
		for _, b := range e.blockers {
			for _, s := range b {
				add(s)
			}
		}
	}
	return l
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
	return marksOf(c, recentAnalyses.analyzeFor(a, &c.lead, text))
}

// marksOf is marks of the analysed tokens toks of a text (at least those
// that can match c).
func marksOf(c *compiled, toks analysis.TokenStream) ([]Span, []string) {
	expansions := []string{}
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
