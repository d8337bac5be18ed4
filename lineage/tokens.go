package lineage

import (
	_ "embed"
	"encoding/json"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"dialoguesearch/corpus"
)

//go:embed normalise.json
var normaliseJSON []byte

type normaliseData struct {
	Titles   []string `json:"titles"`
	Articles []string `json:"articles"`
	Months   []string `json:"months"`
	Stop     []string `json:"stop"`
}

var titles, articles, months, stop = func() (t, a, m, s map[string]bool) {
	var d normaliseData
	if err := json.Unmarshal(normaliseJSON, &d); err != nil {
		panic("lineage: normalise.json: " + err.Error()) // embedded: a build defect
	}
	set := func(l []string) map[string]bool {
		out := make(map[string]bool, len(l))
		for _, w := range l {
			out[w] = true
		}
		return out
	}
	return set(d.Titles), set(d.Articles), set(d.Months), set(d.Stop)
}()

// Token is one piece of a paragraph's text: a word or one punctuation
// character, with the white space that follows it. The texts of a
// paragraph's tokens, joined, are the paragraph.
type Token struct {
	Text string
	// key is what the token is compared by: the lower-case word, a class
	// for what changes every year ("#ord" for "55th"), or "" for what is
	// not compared at all (office holders' names, the article before a
	// title).
	key  string
	word bool
}

// Tokens splits text into tokens; the same text always gives the same
// tokens, so an edit script stored at index time applies at read time.
func Tokens(text string) []Token {
	var out []Token
	i := 0
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		start := i
		word := isWordRune(r)
		if unicode.IsSpace(r) {
			// leading white space: its own token, never compared
			for i < len(text) {
				r, n := utf8.DecodeRuneInString(text[i:])
				if !unicode.IsSpace(r) {
					break
				}
				i += n
			}
			out = append(out, Token{Text: text[start:i]})
			continue
		}
		i += n
		if word {
			for i < len(text) {
				r, n := utf8.DecodeRuneInString(text[i:])
				if !isWordRune(r) {
					break
				}
				i += n
			}
		}
		end := i
		for i < len(text) {
			r, n := utf8.DecodeRuneInString(text[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += n
		}
		t := Token{Text: text[start:i], word: word}
		if word {
			t.key = strings.ToLower(text[start:end])
		} else {
			t.key = punctKey(text[start:end])
		}
		out = append(out, t)
	}
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// punctKey folds typographic variants: curly quotes, dashes.
func punctKey(s string) string {
	switch s {
	case "“", "”", "„", "«", "»":
		return `"`
	case "‘", "’", "`", "´":
		return "'"
	case "–", "—", "‒", "―":
		return "-"
	}
	return s
}

// Word returns the token's text without its trailing white space.
func (t Token) Word() string { return strings.TrimRightFunc(t.Text, unicode.IsSpace) }

// names is the set of name words of the office holders two editions name:
// "Austin", "Lloyd", "Shin", "Won", "sik" ...
type names map[string]bool

// namesOf collects the name words of the records' principals and of the
// paragraphs' speakers.
func namesOf(recs ...*corpus.Record) names {
	n := names{}
	add := func(name string) {
		for _, t := range Tokens(name) {
			if t.word && len(t.key) > 1 && !titles[t.key] && !articles[t.key] {
				n[t.key] = true
			}
		}
	}
	for _, r := range recs {
		if r == nil {
			continue
		}
		for _, p := range r.Principals {
			add(p.Name)
		}
		for _, p := range r.Paragraphs {
			for _, s := range p.Speakers {
				add(s)
			}
		}
	}
	return n
}

// normalise sets the comparison keys of what changes every year and means
// nothing: ordinals ("55th" -> #ord), years (#year), month names and the
// day after them, office holders' names (not compared), and an article
// before a title ("the Secretary" = "Secretary Austin").
func normalise(ts []Token, nm names) {
	afterTitle := false // inside the capitalised words after a title
	hyphen := false     // just after a hyphen inside a name: "Won-sik"
	for i := range ts {
		t := &ts[i]
		if !t.word {
			if afterTitle && (t.key == "." || t.key == "-") {
				hyphen = t.key == "-"
				t.key = ""
				continue
			}
			if t.key != "" {
				afterTitle = false
			}
			continue
		}
		capital := startsUpper(t.Text) || hyphen && afterTitle
		hyphen = false
		switch {
		case isOrdinal(t.key):
			t.key = "#ord"
		case isYear(t.key):
			t.key = "#year"
		case months[t.key] && capital:
			t.key = "#month"
			if j := nextWord(ts, i); j > 0 && isDay(ts[j].key) {
				ts[j].key = "#day"
			}
		case titles[t.key] && capital:
			afterTitle = true
			if j := prevWord(ts, i); j >= 0 && articles[ts[j].key] {
				ts[j].key = ""
			}
			continue
		case capital && (afterTitle || nm[t.key]):
			t.key = ""
			afterTitle = true
			continue
		}
		afterTitle = false
	}
}

func nextWord(ts []Token, i int) int {
	for j := i + 1; j < len(ts) && j < i+4; j++ {
		if ts[j].word {
			return j
		}
	}
	return -1
}

func prevWord(ts []Token, i int) int {
	for j := i - 1; j >= 0 && j > i-3; j-- {
		if ts[j].word {
			return j
		}
		if ts[j].key != "" {
			return -1
		}
	}
	return -1
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

func isOrdinal(k string) bool {
	n := 0
	for n < len(k) && k[n] >= '0' && k[n] <= '9' {
		n++
	}
	if n == 0 || n > 4 {
		return false
	}
	switch k[n:] {
	case "st", "nd", "rd", "th":
		return true
	}
	return false
}

func isYear(k string) bool {
	return len(k) == 4 && (k[:2] == "19" || k[:2] == "20") && isDigits(k[2:])
}

func isDay(k string) bool {
	return len(k) <= 2 && isDigits(k) && k != "0"
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// para is a paragraph ready for comparison.
type para struct {
	n      int
	tokens []Token
	seq    []int32 // indexes into tokens of the compared tokens
	ids    []int32 // their keys as ids of one shared vocabulary
	words  int     // compared word tokens
	bag    []int32 // the compared words' ids, sorted (a multiset)
	terms  []int32 // distinct content terms, for candidates
	hash   string  // the compared word keys joined: equal hash = unchanged
}

// vocab gives keys ids shared by the paragraphs of one alignment.
type vocab struct {
	ids  map[string]int32
	word []bool
}

func (v *vocab) id(key string, word bool) int32 {
	if id, ok := v.ids[key]; ok {
		return id
	}
	id := int32(len(v.word))
	v.ids[key] = id
	v.word = append(v.word, word)
	return id
}

// maxCompared bounds the tokens of one paragraph that take part in
// candidates and alignment; an enormous paragraph is compared by its start.
const maxCompared = 20000

func prepare(v *vocab, n int, text string, nm names) *para {
	ts := Tokens(text)
	normalise(ts, nm)
	p := &para{n: n, tokens: ts}
	var hb strings.Builder
	seen := map[int32]bool{}
	for i, t := range ts {
		if t.key == "" {
			continue
		}
		if len(p.seq) == maxCompared {
			break
		}
		id := v.id(t.key, t.word)
		p.seq = append(p.seq, int32(i))
		p.ids = append(p.ids, id)
		if t.word {
			hb.WriteString(t.key)
			hb.WriteByte(' ')
			p.words++
			p.bag = append(p.bag, id)
			if !seen[id] && !stop[t.key] && len(t.key) > 2 && t.key[0] != '#' {
				seen[id] = true
				p.terms = append(p.terms, id)
			}
		}
	}
	p.hash = hb.String()
	slices.Sort(p.bag)
	return p
}
