package indexer

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"dialoguesearch/failure"
)

// The query language, parsed here rather than by bleve's query-string
// parser because that one has no AND/OR/NOT with parentheses (bleve issue
// 917):
//
//	deterrence NCG            both words (AND is the default)
//	"extended deterrence"     an exact phrase (no synonym expansion)
//	+word -word               must have, must not have
//	speaker:Austin            a field (speaker, topic, meeting, series, side,
//	topic:"OPCON transition"  location, kind, year, text); field:(a OR b) too
//	deter* deterence~ deterence~1   prefix, fuzzy (edit distance 1 or 2)
//	(OPCON OR NCG) AND NOT Japan    operators in capitals, parentheses
//
// Parsing is pure (no index needed): ValidateQuery uses it alone.

// queryFields are the field names a query may use before a colon.
var queryFields = []string{"text", "speaker", "topic", "meeting", "series", "side", "location", "kind", "year"}

// minPrefixLen is the fewest letters a prefix query may have before its *.
const minPrefixLen = 2

// maxFuzziness is the largest edit distance of a fuzzy term (bleve's limit).
const maxFuzziness = 2

type node interface{ isNode() }

// orNode matches when any child matches.
type orNode struct{ kids []node }

// andNode matches when every child matches; notNode children exclude.
type andNode struct{ kids []node }

// notNode excludes what its child matches.
type notNode struct{ kid node }

// termNode is a word or a phrase, possibly on a field.
type termNode struct {
	field  string // "" for paragraph text
	text   string // the word (without * or ~) or the phrase (without quotes)
	phrase bool
	prefix bool
	fuzzy  int // edit distance; 0 = not fuzzy
	pos    int // 1-based character position in the query
}

func (*orNode) isNode()   {}
func (*andNode) isNode()  {}
func (*notNode) isNode()  {}
func (*termNode) isNode() {}

type tokKind int

const (
	tEOF tokKind = iota
	tWord
	tPhrase
	tField // a name followed by ':'
	tLParen
	tRParen
	tAnd
	tOr
	tNot
	tPlus
	tMinus
)

type qtoken struct {
	kind tokKind
	text string
	pos  int // 1-based rune position
}

func syntaxError(pos int, format string, args ...any) error {
	return failure.Param("q", "%s at position %d", fmt.Sprintf(format, args...), pos)
}

// lexQuery splits q into tokens.
func lexQuery(q string) ([]qtoken, error) {
	rs := []rune(q)
	var toks []qtoken
	isSpecial := func(r rune) bool { return unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' }
	for i := 0; i < len(rs); {
		r := rs[i]
		pos := i + 1
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(':
			toks = append(toks, qtoken{tLParen, "(", pos})
			i++
		case r == ')':
			toks = append(toks, qtoken{tRParen, ")", pos})
			i++
		case r == '"':
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			if j == len(rs) {
				return nil, syntaxError(pos, "unterminated phrase: the quote is never closed")
			}
			toks = append(toks, qtoken{tPhrase, string(rs[i+1 : j]), pos})
			i = j + 1
		case (r == '+' || r == '-') && (i == 0 || unicode.IsSpace(rs[i-1]) || rs[i-1] == '(' || rs[i-1] == ':'):
			if i+1 >= len(rs) || unicode.IsSpace(rs[i+1]) || rs[i+1] == ')' {
				return nil, syntaxError(pos, "%q must be followed by a word, a phrase or a group", string(r))
			}
			k := tPlus
			if r == '-' {
				k = tMinus
			}
			toks = append(toks, qtoken{k, string(r), pos})
			i++
		default:
			j := i
			for j < len(rs) && !isSpecial(rs[j]) {
				if rs[j] == ':' && j > i && isFieldName(string(rs[i:j])) {
					break
				}
				j++
			}
			word := string(rs[i:j])
			if j < len(rs) && rs[j] == ':' {
				toks = append(toks, qtoken{tField, strings.ToLower(word), pos})
				i = j + 1
				if i >= len(rs) || unicode.IsSpace(rs[i]) || rs[i] == ')' {
					return nil, syntaxError(pos, "field %q needs a value after the colon", word)
				}
				continue
			}
			switch word {
			case "AND", "&&":
				toks = append(toks, qtoken{tAnd, word, pos})
			case "OR", "||":
				toks = append(toks, qtoken{tOr, word, pos})
			case "NOT", "!":
				toks = append(toks, qtoken{tNot, word, pos})
			default:
				toks = append(toks, qtoken{tWord, word, pos})
			}
			i = j
		}
	}
	return toks, nil
}

// isFieldName reports whether s looks like a field name (letters and
// underscores); whether it is a known field is checked by the parser.
func isFieldName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_') {
			return false
		}
	}
	return s != ""
}

type queryParser struct {
	toks []qtoken
	i    int
	end  int // position just after the query
}

func (p *queryParser) peek() qtoken {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return qtoken{kind: tEOF, pos: p.end}
}

func (p *queryParser) next() qtoken {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

// parseQuery parses q; an empty query (only spaces) gives a nil node.
// Errors are failure.BadInput with Param "q" saying what and where.
func parseQuery(q string) (node, error) {
	if len([]rune(q)) > MaxQueryLength {
		return nil, failure.Param("q", "query is too long: at most %d characters", MaxQueryLength)
	}
	toks, err := lexQuery(q)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, nil
	}
	p := &queryParser{toks: toks, end: len([]rune(q)) + 1}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tRParen {
			return nil, syntaxError(t.pos, "unmatched \")\"")
		}
		return nil, syntaxError(t.pos, "unexpected %q", t.text)
	}
	return n, nil
}

func (p *queryParser) parseOr() (node, error) {
	if t := p.peek(); t.kind == tOr {
		return nil, syntaxError(t.pos, "%s needs a term before it", t.text)
	}
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	kids := []node{first}
	for p.peek().kind == tOr {
		op := p.next()
		if k := p.peek().kind; k == tEOF || k == tRParen || k == tOr || k == tAnd {
			return nil, syntaxError(op.pos, "%s needs a term after it", op.text)
		}
		n, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &orNode{kids: kids}, nil
}

func (p *queryParser) parseAnd() (node, error) {
	var kids []node
	for {
		t := p.peek()
		switch t.kind {
		case tEOF, tRParen, tOr:
			if len(kids) == 0 {
				if t.kind == tRParen {
					return nil, syntaxError(t.pos, "unmatched \")\"")
				}
				return nil, syntaxError(t.pos, "expected a term")
			}
			if len(kids) == 1 {
				return kids[0], nil
			}
			return &andNode{kids: kids}, nil
		case tAnd:
			if len(kids) == 0 {
				return nil, syntaxError(t.pos, "%s needs a term before it", t.text)
			}
			p.next()
			if k := p.peek().kind; k == tEOF || k == tRParen || k == tOr || k == tAnd {
				return nil, syntaxError(t.pos, "%s needs a term after it", t.text)
			}
		}
		n, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
}

func (p *queryParser) parseUnary() (node, error) {
	t := p.peek()
	switch t.kind {
	case tNot, tMinus:
		p.next()
		if k := p.peek().kind; k == tEOF || k == tRParen || k == tOr || k == tAnd {
			return nil, syntaxError(t.pos, "%s needs a term after it", t.text)
		}
		var kid node
		var err error
		if t.kind == tNot {
			kid, err = p.parseUnary()
		} else {
			kid, err = p.parsePrimary()
		}
		if err != nil {
			return nil, err
		}
		return &notNode{kid: kid}, nil
	case tPlus:
		p.next()
		return p.parsePrimary()
	}
	return p.parsePrimary()
}

func (p *queryParser) parsePrimary() (node, error) {
	t := p.next()
	switch t.kind {
	case tLParen:
		return p.parseGroup(t)
	case tPhrase:
		if strings.TrimSpace(t.text) == "" {
			return nil, syntaxError(t.pos, "empty phrase")
		}
		return &termNode{text: t.text, phrase: true, pos: t.pos}, nil
	case tWord:
		return parseWord(t, "")
	case tField:
		if !isQueryField(t.text) {
			return nil, syntaxError(t.pos, "unknown field %q (fields: %s)", t.text, strings.Join(queryFields, ", "))
		}
		v := p.next()
		switch v.kind {
		case tPhrase:
			if strings.TrimSpace(v.text) == "" {
				return nil, syntaxError(v.pos, "empty phrase")
			}
			return &termNode{field: t.text, text: v.text, phrase: true, pos: t.pos}, nil
		case tWord:
			return parseWord(v, t.text)
		case tLParen:
			g, err := p.parseGroup(v)
			if err != nil {
				return nil, err
			}
			setField(g, t.text)
			return g, nil
		}
		return nil, syntaxError(v.pos, "field %q needs a value after the colon", t.text)
	case tRParen:
		return nil, syntaxError(t.pos, "unmatched \")\"")
	case tEOF:
		return nil, syntaxError(p.end, "expected a term")
	}
	return nil, syntaxError(t.pos, "unexpected %q", t.text)
}

func (p *queryParser) parseGroup(open qtoken) (node, error) {
	if p.peek().kind == tRParen {
		return nil, syntaxError(open.pos, "empty parentheses")
	}
	if p.peek().kind == tEOF {
		return nil, syntaxError(open.pos, "the \"(\" is never closed")
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.next().kind != tRParen {
		return nil, syntaxError(open.pos, "the \"(\" is never closed")
	}
	return n, nil
}

// parseWord reads the * and ~N suffixes of a word.
func parseWord(t qtoken, field string) (node, error) {
	w := t.text
	n := &termNode{field: field, pos: t.pos}
	if i := strings.LastIndexByte(w, '~'); i >= 0 {
		n.fuzzy = maxFuzziness
		if d := w[i+1:]; d != "" {
			v, err := strconv.Atoi(d)
			if err != nil || v < 1 || v > maxFuzziness {
				return nil, syntaxError(t.pos, "fuzziness %q must be 1 or 2", w[i:])
			}
			n.fuzzy = v
		}
		w = w[:i]
	}
	if strings.HasSuffix(w, "*") {
		n.prefix = true
		w = strings.TrimSuffix(w, "*")
		if n.fuzzy > 0 {
			return nil, syntaxError(t.pos, "a word cannot be both a prefix (*) and fuzzy (~)")
		}
		if len([]rune(w)) < minPrefixLen {
			return nil, syntaxError(t.pos, "prefix %q is too short: give at least %d characters before the *", t.text, minPrefixLen)
		}
	}
	if strings.ContainsAny(w, "*?") {
		return nil, syntaxError(t.pos, "wildcards are only supported at the end of a word (%q)", t.text)
	}
	if strings.Contains(w, "~") || w == "" {
		return nil, syntaxError(t.pos, "%q is not a word", t.text)
	}
	n.text = w
	return n, nil
}

func isQueryField(f string) bool {
	for _, q := range queryFields {
		if q == f {
			return true
		}
	}
	return false
}

func setField(n node, field string) {
	switch n := n.(type) {
	case *orNode:
		for _, k := range n.kids {
			setField(k, field)
		}
	case *andNode:
		for _, k := range n.kids {
			setField(k, field)
		}
	case *notNode:
		setField(n.kid, field)
	case *termNode:
		if n.field == "" {
			n.field = field
		}
	}
}

// ValidateQuery checks q's syntax and its number of terms (MaxClauses,
// repeats counted once) exactly as Search does, without an index: nil, or
// a failure.BadInput error with Param "q" saying what and where. The
// expansions of prefix and fuzzy terms need an index: Index.CheckQuery.
func ValidateQuery(q string) error {
	n, err := parseQuery(q)
	if err != nil || n == nil {
		return err
	}
	_, err = clauseTerms(collapse(n))
	return err
}
