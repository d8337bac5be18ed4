package corpus

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
)

// rx is a regular expression with a literal prefilter: the words of which
// every match holds at least one (found from the expression's syntax), so
// that a text holding none of them is answered without running the
// expression. Most rule expressions are alternations of phrases that most
// lines and sentences do not hold; running them anyway was most of the
// parser's time. The answers are exactly the expression's.
type rx struct {
	*regexp.Regexp
	need  []string    // ASCII-lowercased; nil: no prefilter
	needB [][]byte    // need as bytes
	lit   *literalAlt // answers instead of the expression when set (phraseRx)
	must  []string    // literals (case as written) that every match holds, besides need
	start *startSet   // an anchored expression's possible first two bytes; nil: any
	// branches, when set, answer the single-match methods of a top-level
	// alternation one branch at a time, each with its own prefilter
	// (mustRxBranches); the methods finding all matches run the whole.
	branches []rxBranch
}

// rxBranch is one branch of a top-level alternation: its expression and
// the number of the whole's capture groups before its own.
type rxBranch struct {
	re    *rx
	group int
}

// mustRxBranches is mustRx for an alternation whose branches are best
// looked for apart: "in Seoul" or "서울 ... 에서", where only the Korean
// branch (tried at every byte, with every place name) needs 에서 and
// English text never holds it. The leftmost match of the whole is the
// leftmost of the branches' matches, the first branch's when two start
// at the same byte (Go's alternation is leftmost-first), so the answers
// are the expression's (TestRxSameAsRegexp).
func mustRxBranches(expr string) *rx {
	r := mustRx(expr)
	t, err := syntax.Parse(expr, syntax.Perl)
	if err != nil || t.Op != syntax.OpAlternate {
		return r
	}
	var branches []rxBranch
	group := 0
	for _, sub := range t.Sub {
		b, err := compileRx(sub.String())
		if err != nil {
			return r
		}
		branches = append(branches, rxBranch{re: b, group: group})
		group += b.NumSubexp()
	}
	if group != r.NumSubexp() {
		return r
	}
	r.branches = branches
	return r
}

// branchIndex is FindStringSubmatchIndex(s) of an expression with branches.
func (r *rx) branchIndex(s string) []int {
	var best []int
	var bestBranch rxBranch
	for _, b := range r.branches {
		m := b.re.FindStringSubmatchIndex(s)
		if m != nil && (best == nil || m[0] < best[0]) {
			best, bestBranch = m, b
		}
	}
	if best == nil {
		return nil
	}
	out := make([]int, 2*(r.NumSubexp()+1))
	for i := range out {
		out[i] = -1
	}
	out[0], out[1] = best[0], best[1]
	copy(out[2+2*bestBranch.group:], best[2:])
	return out
}

// mustRx compiles expr as regexp.MustCompile does, with its prefilter.
func mustRx(expr string) *rx {
	return newRx(regexp.MustCompile(expr), expr)
}

func newRx(re *regexp.Regexp, expr string) *rx {
	r := &rx{Regexp: re, need: needOf(expr), must: mustOf(expr), start: startOf(expr)}
	for _, w := range r.need {
		r.needB = append(r.needB, []byte(w))
	}
	return r
}

// compileRx is regexp.Compile with the prefilter.
func compileRx(expr string) (*rx, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	return newRx(re, expr), nil
}

// maxNeed bounds the words of a prefilter: past it, looking for each word
// costs more than the expression.
const maxNeed = 48

func needOf(expr string) []string {
	t, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	if anchored(t) {
		return nil // tried at the start only: quick without a prefilter
	}
	n := need(t)
	if len(n) > maxNeed {
		return nil
	}
	return n
}

// mustOf returns the literals, matched with case, that the expression's
// top-level sequence holds: every match holds each of them (the comma of
// "Vipin Narang, acting assistant secretary").
func mustOf(expr string) []string {
	t, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	for t.Op == syntax.OpCapture {
		t = t.Sub[0]
	}
	if t.Op != syntax.OpConcat {
		return nil
	}
	var out []string
	for _, sub := range t.Sub {
		if sub.Op == syntax.OpLiteral && sub.Flags&syntax.FoldCase == 0 {
			out = append(out, string(sub.Rune))
		}
	}
	return out
}

// holdsMust says whether s holds every literal of must.
func (r *rx) holdsMust(s string) bool {
	for _, m := range r.must {
		if !strings.Contains(s, m) {
			return false
		}
	}
	return true
}

// anchored says whether t matches at the start of the text only (^ first).
func anchored(t *syntax.Regexp) bool {
	for t.Op == syntax.OpConcat || t.Op == syntax.OpCapture {
		if len(t.Sub) == 0 {
			return false
		}
		t = t.Sub[0]
	}
	return t.Op == syntax.OpBeginText
}

// need returns words (ASCII-lowercased) of which any match of t holds at
// least one, or nil when it cannot tell.
func need(t *syntax.Regexp) []string {
	switch t.Op {
	case syntax.OpLiteral:
		s := string(t.Rune)
		if t.Flags&syntax.FoldCase != 0 {
			// a folded non-ASCII rune may match another byte sequence:
			// keep the longest ASCII run
			best := ""
			for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r >= 0x80 }) {
				if len(part) > len(best) {
					best = part
				}
			}
			s = best
		}
		if s == "" {
			return nil
		}
		return []string{asciiLower(s)}
	case syntax.OpCapture, syntax.OpPlus:
		return need(t.Sub[0])
	case syntax.OpRepeat:
		if t.Min >= 1 {
			return need(t.Sub[0])
		}
		return nil
	case syntax.OpConcat:
		var best []string
		for _, sub := range t.Sub {
			if n := need(sub); n != nil && better(n, best) {
				best = n
			}
		}
		return best
	case syntax.OpAlternate:
		var out []string
		for _, sub := range t.Sub {
			n := need(sub)
			if n == nil {
				return nil
			}
			out = append(out, n...)
		}
		return out
	}
	return nil
}

// better says whether needle set a filters more than b: longer shortest
// word, then fewer words.
func better(a, b []string) bool {
	if b == nil {
		return true
	}
	ma, mb := minLen(a), minLen(b)
	if ma != mb {
		return ma > mb
	}
	return len(a) < len(b)
}

func minLen(ss []string) int {
	m := -1
	for _, s := range ss {
		if m < 0 || len(s) < m {
			m = len(s)
		}
	}
	return m
}

// asciiLower lowercases ASCII letters only (no allocation when there are
// none to change).
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// mayMatch is false when s cannot match: it holds none of the words
// (ASCII letters compared without case: a short text is lowered into a
// buffer on the stack, a long one searched in place, without a lowered
// copy: the texts may be megabytes).
func (r *rx) mayMatch(s string) bool {
	if !r.holdsMust(s) || !r.start.may(s) {
		return false
	}
	if r.need == nil {
		return true
	}
	if len(s) <= lowerBuf {
		var buf [lowerBuf]byte
		l, special := lowerInto(buf[:0], s)
		return special || r.mayMatchLower(l)
	}
	// K (Kelvin sign) and ſ (long s) fold to ASCII letters under (?i)
	if strings.Contains(s, "\u212a") || strings.Contains(s, "\u017f") {
		return true
	}
	for _, w := range r.need {
		if holdsFold(s, w) {
			return true
		}
	}
	return false
}

// lowerShort is lowerInto for a text of at most lowerBuf bytes, nil for
// a longer one: one lowering of a line for the prefilters of several
// expressions (mayMatchPre).
func lowerShort(dst []byte, s string) ([]byte, bool) {
	if len(s) > lowerBuf {
		return nil, false
	}
	return lowerInto(dst, s)
}

// mayMatchPre is mayMatch(s) with lowerShort(s) at hand.
func (r *rx) mayMatchPre(s string, lower []byte, special bool) bool {
	if len(s) > lowerBuf {
		return r.mayMatch(s)
	}
	if !r.holdsMust(s) || !r.start.may(s) {
		return false
	}
	return special || r.mayMatchLower(lower)
}

// lowerBuf is the longest text mayMatch lowers into a buffer.
const lowerBuf = 2048

// mayMatchLower is mayMatch of a text lowered by lowerInto (that found no
// special letter in it).
func (r *rx) mayMatchLower(lower []byte) bool {
	if r.need == nil {
		return true
	}
	for _, w := range r.needB {
		if bytes.Contains(lower, w) {
			return true
		}
	}
	return false
}

// lowerInto appends s with ASCII letters lowered to dst, and says whether
// s holds a letter that folds to an ASCII one under (?i) (K, the Kelvin
// sign, and ſ, long s): then the prefilter cannot tell.
func lowerInto(dst []byte, s string) ([]byte, bool) {
	special := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x84 && s[i+2] == 0xAA, c == 0xC5 && i+1 < len(s) && s[i+1] == 0xBF:
			special = true
		}
		dst = append(dst, c)
	}
	return dst, special
}

// holdsFold says whether s holds w (ASCII-lowercased, not empty) with
// ASCII letters in any case.
func holdsFold(s, w string) bool {
	c := w[0]
	if c < 'a' || c > 'z' {
		for i := 0; i+len(w) <= len(s); i++ {
			j := strings.IndexByte(s[i:], c)
			if j < 0 {
				return false
			}
			i += j
			if hasPrefixFold(s[i:], w) {
				return true
			}
		}
		return false
	}
	u := c - 'a' + 'A'
	// the next position of each case of the first letter, each looked
	// for again only once passed: one pass over s
	nl, nu := -2, -2
	for i := 0; i+len(w) <= len(s); i++ {
		if nl != -1 && nl < i {
			if nl = strings.IndexByte(s[i:], c); nl >= 0 {
				nl += i
			}
		}
		if nu != -1 && nu < i {
			if nu = strings.IndexByte(s[i:], u); nu >= 0 {
				nu += i
			}
		}
		switch {
		case nl < 0 && nu < 0:
			return false
		case nl < 0:
			i = nu
		case nu < 0:
			i = nl
		default:
			i = min(nl, nu)
		}
		if hasPrefixFold(s[i:], w) {
			return true
		}
	}
	return false
}

// hasPrefixFold is strings.HasPrefix with ASCII letters of s in any case
// (w is lowercase).
func hasPrefixFold(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

func (r *rx) MatchString(s string) bool {
	if r.lit != nil && r.lit.usable(s) {
		_, _, ok := r.lit.find(s, 0)
		return ok
	}
	if r.branches != nil {
		for _, b := range r.branches {
			if b.re.MatchString(s) {
				return true
			}
		}
		return false
	}
	return r.mayMatch(s) && r.Regexp.MatchString(s)
}

func (r *rx) FindString(s string) string {
	if r.lit != nil && r.lit.usable(s) {
		a, b, _ := r.lit.find(s, 0)
		return s[a:b]
	}
	if r.branches != nil {
		if m := r.branchIndex(s); m != nil {
			return s[m[0]:m[1]]
		}
		return ""
	}
	if !r.mayMatch(s) {
		return ""
	}
	return r.Regexp.FindString(s)
}

func (r *rx) FindStringIndex(s string) []int {
	if r.lit != nil && r.lit.usable(s) {
		if a, b, ok := r.lit.find(s, 0); ok {
			return []int{a, b}
		}
		return nil
	}
	if r.branches != nil {
		if m := r.branchIndex(s); m != nil {
			return m[:2]
		}
		return nil
	}
	if !r.mayMatch(s) {
		return nil
	}
	return r.Regexp.FindStringIndex(s)
}

func (r *rx) FindStringSubmatch(s string) []string {
	if r.branches != nil {
		m := r.branchIndex(s)
		if m == nil {
			return nil
		}
		out := make([]string, len(m)/2)
		for i := range out {
			if m[2*i] >= 0 {
				out[i] = s[m[2*i]:m[2*i+1]]
			}
		}
		return out
	}
	if !r.mayMatch(s) {
		return nil
	}
	return r.Regexp.FindStringSubmatch(s)
}

func (r *rx) FindStringSubmatchIndex(s string) []int {
	if r.branches != nil {
		return r.branchIndex(s)
	}
	if !r.mayMatch(s) {
		return nil
	}
	return r.Regexp.FindStringSubmatchIndex(s)
}

func (r *rx) FindAllStringIndex(s string, n int) [][]int {
	if r.lit != nil && r.lit.usable(s) {
		return r.lit.findAll(s, n)
	}
	if !r.mayMatch(s) {
		return nil
	}
	return r.Regexp.FindAllStringIndex(s, n)
}

func (r *rx) FindAllStringSubmatch(s string, n int) [][]string {
	if !r.mayMatch(s) {
		return nil
	}
	return r.Regexp.FindAllStringSubmatch(s, n)
}

func (r *rx) FindAllStringSubmatchIndex(s string, n int) [][]int {
	if !r.mayMatch(s) {
		return nil
	}
	return r.Regexp.FindAllStringSubmatchIndex(s, n)
}

func (r *rx) FindAllIndex(b []byte, n int) [][]int {
	if r.lit != nil {
		if s := string(b); r.lit.usable(s) {
			return r.lit.findAll(s, n)
		}
	}
	if !r.mayMatch(string(b)) {
		return nil
	}
	return r.Regexp.FindAllIndex(b, n)
}

func (r *rx) ReplaceAllString(src, repl string) string {
	if !r.mayMatch(src) {
		return src
	}
	return r.Regexp.ReplaceAllString(src, repl)
}

// phraseSet finds the first of a set of phrases that starts the text or
// follows a space and ends at a word boundary: the regular expression
// (?:^|\s)(?:phrase|...)\b, but
// by a lookup of the word at each word start instead of an alternation of
// dozens of phrases tried at every byte (the reporting verbs, in every
// sentence).
type phraseSet struct {
	byFirst map[string][]string // the first run of word bytes -> phrases
	re      *regexp.Regexp      // the expression, when a phrase does not start with a word byte
	// lens has, per first byte, bit n set when a key of byFirst of n bytes
	// (bit 63: 63 or more) starts with it: most words are not looked up
	lens [256]uint64
}

func lenBit(n int) uint64 { return 1 << min(n, 63) }

func newPhraseSet(phrases []string) *phraseSet {
	ps := &phraseSet{byFirst: map[string][]string{}}
	for _, p := range phrases {
		if p == "" || !isWordByte(p[0]) {
			ps.re = regexp.MustCompile(`(?:^|\s)(?:` + alternation(phrases) + `)\b`)
			return ps
		}
		e := 0
		for e < len(p) && isWordByte(p[e]) {
			e++
		}
		ps.byFirst[p[:e]] = append(ps.byFirst[p[:e]], p)
		ps.lens[p[0]] |= lenBit(e)
	}
	return ps
}

func isRegexpSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// index returns where the first match starts (0, or the space before the
// phrase), -1 when there is none.
func (ps *phraseSet) index(s string) int {
	if ps.re != nil {
		if loc := ps.re.FindStringIndex(s); loc != nil {
			return loc[0]
		}
		return -1
	}
	if ps.at(s, 0) || len(s) > 0 && isRegexpSpace(s[0]) && ps.at(s, 1) {
		return 0
	}
	for p := 1; p < len(s); p++ {
		if isRegexpSpace(s[p]) && ps.at(s, p+1) {
			return p
		}
	}
	return -1
}

// at says whether a phrase matches s at v.
func (ps *phraseSet) at(s string, v int) bool {
	e := v
	for e < len(s) && isWordByte(s[e]) {
		e++
	}
	if e == v || ps.lens[s[v]]&lenBit(e-v) == 0 {
		return false
	}
	for _, p := range ps.byFirst[s[v:e]] {
		if phraseAt(s[v:], p) {
			return true
		}
	}
	return false
}

// phraseAt matches phrase p at the start of s, ending at a word boundary
// (a space of p is one space: alternation quotes phrases as they are).
func phraseAt(s, p string) bool {
	if !strings.HasPrefix(s, p) {
		return false
	}
	next := len(p) < len(s) && isWordByte(s[len(p)])
	return isWordByte(p[len(p)-1]) != next
}

// phraseRx is the expression \b(?:phrase|...)\b (with (?i) when fold, and
// (?:\b|$) at the end when eot) over a list of phrases, answered by
// comparing the phrases at each word boundary instead of running the
// expression when every phrase is ASCII: the side, reference and meeting
// word lists are tried on every sentence. The answers are exactly the
// expression's (TestPhraseRxAgrees).
func phraseRx(phrases []string, fold, eot bool) *rx {
	expr := `\b(?:` + alternation(phrases) + `)`
	if fold {
		expr = `(?i)` + expr
	}
	if eot {
		expr += `(?:\b|$)`
	} else {
		expr += `\b`
	}
	r := mustRx(expr)
	for _, p := range phrases {
		for i := 0; i < len(p); i++ {
			if p[i] >= 0x80 {
				return r
			}
		}
	}
	// the expression's order: alternation sorts the quoted phrases by
	// length, longest first, stably; Go's alternation is leftmost-first
	type qp struct{ quoted, raw string }
	order := make([]qp, 0, len(phrases))
	for _, p := range phrases {
		order = append(order, qp{regexp.QuoteMeta(p), p})
	}
	sort.SliceStable(order, func(i, j int) bool { return len(order[i].quoted) > len(order[j].quoted) })
	l := &literalAlt{fold: fold, eot: eot}
	for _, o := range order {
		if o.raw == "" {
			return r
		}
		c := o.raw[0]
		if fold {
			c = lowerASCII(c)
		}
		l.byFirst[c] = append(l.byFirst[c], o.raw)
	}
	r.lit = l
	return r
}

// wordsRx is the expression \b(?:phrase|...)\b over phrases in the
// order given, a space of a phrase matching a run of spaces (\s+),
// answered by comparing the phrases at each word boundary when every
// phrase is ASCII with single spaces between words (the meeting and lead
// verbs, tried on every sentence of the first paragraphs: "at the" and
// "led" let most sentences through any prefilter). The answers are
// exactly the expression's (TestRxSameAsRegexp, TestPhraseRxAgrees).
func wordsRx(phrases ...string) *rx {
	alts := make([]string, 0, len(phrases))
	for _, p := range phrases {
		alts = append(alts, strings.ReplaceAll(regexp.QuoteMeta(p), " ", `\s+`))
	}
	r := mustRx(`\b(?:` + strings.Join(alts, "|") + `)\b`)
	l := &literalAlt{spaces: true}
	for _, p := range phrases {
		if p == "" || p[0] == ' ' || p[len(p)-1] == ' ' || strings.Contains(p, "  ") {
			return r
		}
		for i := 0; i < len(p); i++ {
			if p[i] >= 0x80 {
				return r
			}
		}
		l.byFirst[p[0]] = append(l.byFirst[p[0]], p)
	}
	r.lit = l
	return r
}

// literalAlt matches what phraseRx's or wordsRx's expression matches.
type literalAlt struct {
	byFirst [256][]string // first byte (lowered when fold) -> phrases in the expression's order
	fold    bool
	eot     bool
	spaces  bool // a space of a phrase matches a run of spaces (wordsRx)
}

// spacedEnd returns where phrase ph, each of its spaces matching a run of
// regexp spaces, ends when it starts s at p, or -1.
func (l *literalAlt) spacedEnd(s string, p int, ph string) int {
	i := p
	for j := 0; j < len(ph); j++ {
		if ph[j] == ' ' {
			k := i
			for k < len(s) && isRegexpSpace(s[k]) {
				k++
			}
			if k == i {
				return -1
			}
			i = k
			continue
		}
		if i >= len(s) {
			return -1
		}
		if c, pc := s[i], ph[j]; c != pc && !(l.fold && lowerASCII(c) == lowerASCII(pc)) {
			return -1
		}
		i++
	}
	return i
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// isWordASCII is \b's word character (ASCII letters, digits, underscore;
// any byte of a multi-byte rune is not one, as the rune is not).
func isWordASCII(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// boundary is \b at i of s.
func boundary(s string, i int) bool {
	before := i > 0 && isWordASCII(s[i-1])
	after := i < len(s) && isWordASCII(s[i])
	return before != after
}

// usable says whether the literal matcher answers for s: under (?i) the
// Kelvin sign and long s fold to ASCII letters, which it does not compare.
func (l *literalAlt) usable(s string) bool {
	return !l.fold || !(strings.Contains(s, "\u212a") || strings.Contains(s, "\u017f"))
}

// find returns the leftmost match at or after from, as the expression's.
func (l *literalAlt) find(s string, from int) (int, int, bool) {
	for p := from; p < len(s); p++ {
		c := s[p]
		if l.fold {
			c = lowerASCII(c)
		}
		cands := l.byFirst[c]
		if len(cands) == 0 || !boundary(s, p) {
			continue
		}
		for _, ph := range cands {
			if l.spaces {
				if q := l.spacedEnd(s, p, ph); q >= 0 && (boundary(s, q) || l.eot && q == len(s)) {
					return p, q, true
				}
				continue
			}
			q := p + len(ph)
			if q > len(s) {
				continue
			}
			if l.fold {
				if !equalFoldASCII(s[p:q], ph) {
					continue
				}
			} else if s[p:q] != ph {
				continue
			}
			if boundary(s, q) || l.eot && q == len(s) {
				return p, q, true
			}
		}
	}
	return 0, 0, false
}

// equalFoldASCII compares a and b with ASCII letters in any case.
func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func (l *literalAlt) findAll(s string, n int) [][]int {
	var out [][]int
	for from := 0; n < 0 || len(out) < n; {
		a, b, ok := l.find(s, from)
		if !ok {
			break
		}
		out = append(out, []int{a, b})
		from = b
	}
	return out
}

// startSet is what an anchored expression (^ first: tried at the start of
// the text only) allows as the first two bytes of a match: most lines and
// sentences start where no noise or board expression can, and are answered
// without running it. Only ASCII bytes are told apart: a text starting with
// any other byte may match.
type startSet struct {
	first  [2]uint64      // ASCII bytes a match may start with
	second [128][2]uint64 // after each of those, the ASCII bytes that may follow
}

// startOf returns the startSet of an anchored expression, or nil (no
// filter) for another expression or when any start may match.
func startOf(expr string) *startSet {
	t, err := syntax.Parse(expr, syntax.Perl)
	if err != nil || !anchored(t) {
		return nil
	}
	prog, err := syntax.Compile(t.Simplify())
	if err != nil {
		return nil
	}
	// The program run on a byte at a time, every empty-width assertion
	// taken as true (so the sets hold at least every possible start).
	seen := make([]bool, len(prog.Inst))
	closure := func(pcs []uint32) (out []uint32, done bool) {
		clear(seen)
		var add func(pc uint32)
		add = func(pc uint32) {
			if seen[pc] {
				return
			}
			seen[pc] = true
			switch in := prog.Inst[pc]; in.Op {
			case syntax.InstAlt, syntax.InstAltMatch:
				add(in.Out)
				add(in.Arg)
			case syntax.InstCapture, syntax.InstNop, syntax.InstEmptyWidth:
				add(in.Out)
			case syntax.InstMatch:
				done = true
			case syntax.InstFail:
			default:
				out = append(out, pc)
			}
		}
		for _, pc := range pcs {
			add(pc)
		}
		return out, done
	}
	step := func(pcs []uint32, c byte) []uint32 {
		var next []uint32
		for _, pc := range pcs {
			if in := prog.Inst[pc]; in.MatchRune(rune(c)) {
				next = append(next, in.Out)
			}
		}
		return next
	}
	s0, done := closure([]uint32{uint32(prog.Start)})
	if done {
		return nil // an empty match: any text matches
	}
	set := &startSet{}
	for c1 := byte(0); c1 < 0x80; c1++ {
		s1, done := closure(step(s0, c1))
		if len(s1) == 0 && !done {
			continue
		}
		set.first[c1/64] |= 1 << (c1 % 64)
		for c2 := byte(0); c2 < 0x80; c2++ {
			if done {
				set.second[c1][c2/64] |= 1 << (c2 % 64)
				continue
			}
			if s2, done2 := closure(step(s1, c2)); len(s2) > 0 || done2 {
				set.second[c1][c2/64] |= 1 << (c2 % 64)
			}
		}
	}
	return set
}

// may says whether s may start a match (nil: any text may).
func (st *startSet) may(s string) bool {
	if st == nil || s == "" {
		return true
	}
	c1 := s[0]
	if c1 >= 0x80 {
		return true
	}
	if st.first[c1/64]&(1<<(c1%64)) == 0 {
		return false
	}
	if len(s) == 1 {
		return true
	}
	c2 := s[1]
	return c2 >= 0x80 || st.second[c1][c2/64]&(1<<(c2%64)) != 0
}
